"""factory_boy factories for the casework core, with a trait per validity state."""

from __future__ import annotations

import datetime
import itertools

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from casework.choices import ConsentGiver, RepresentativeKind, StaffRole
from casework.demo.national_ids import national_id_for
from casework.models import (
    Consent,
    Mandate,
    Municipality,
    Representative,
    ServiceArea,
    ServiceUser,
    StaffMembership,
    Unit,
)


def _today() -> datetime.date:
    return timezone.localdate()


def _identities():
    """Valid fødselsnummer, distinct within a test run."""
    for offset in itertools.count():
        born = datetime.date(1950, 1, 1) + datetime.timedelta(days=offset * 37 % 18000)
        value = national_id_for(born, 200 + offset // 18000 % 200)
        if value:
            yield born, value


_IDS = _identities()


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = "Test"
    last_name = factory.Sequence(lambda n: f"Bruker{n}")
    password = factory.django.Password("correct horse battery")

    class Params:
        superuser = factory.Trait(is_superuser=True, is_staff=True)


class MunicipalityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Municipality
        django_get_or_create = ("number",)

    name = "Testvik kommune"
    number = "4898"


class ServiceAreaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ServiceArea
        django_get_or_create = ("municipality", "name")

    municipality = factory.SubFactory(MunicipalityFactory)
    name = "Helse og omsorg"


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit

    service_area = factory.SubFactory(ServiceAreaFactory)
    name = factory.Sequence(lambda n: f"Enhet {n}")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StaffMembership

    user = factory.SubFactory(UserFactory)
    unit = factory.SubFactory(UnitFactory)
    role = StaffRole.CASEWORKER


class ServiceUserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ServiceUser
        skip_postgeneration_save = True

    municipality = factory.SubFactory(MunicipalityFactory)
    first_name = factory.Sequence(lambda n: f"Ola{n}")
    last_name = "Nordmann"
    phone = "99887766"

    national_id = factory.LazyAttribute(lambda o: o.identity[1])
    date_of_birth = factory.LazyAttribute(lambda o: o.identity[0])

    class Params:
        identity = factory.LazyFunction(lambda: next(_IDS))

    @factory.post_generation
    def units(self, create: bool, extracted: list[Unit] | None, **kwargs: object) -> None:
        if create and extracted:
            self.units.set(extracted)


class RepresentativeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Representative

    service_user = factory.SubFactory(ServiceUserFactory)
    kind = RepresentativeKind.RELATIVE
    first_name = "Kari"
    last_name = factory.Sequence(lambda n: f"Pårørende{n}")
    relation = "datter"
    user = None

    class Params:
        guardian = factory.Trait(kind=RepresentativeKind.GUARDIAN, relation="oppnevnt verge")


class MandateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Mandate

    representative = factory.SubFactory(RepresentativeFactory, guardian=True)
    covers_personal = True
    covers_economic = False
    valid_from = factory.LazyFunction(lambda: _today() - datetime.timedelta(days=365))
    valid_to = None
    certificate_reference = factory.Sequence(lambda n: f"VM-T-{n}")

    class Params:
        expired = factory.Trait(
            valid_from=factory.LazyFunction(lambda: _today() - datetime.timedelta(days=800)),
            valid_to=factory.LazyFunction(lambda: _today() - datetime.timedelta(days=1)),
        )
        future = factory.Trait(
            valid_from=factory.LazyFunction(lambda: _today() + datetime.timedelta(days=1)),
        )
        economic_only = factory.Trait(covers_personal=False, covers_economic=True)


class ConsentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Consent

    service_user = factory.SubFactory(ServiceUserFactory)
    given_by = ConsentGiver.SERVICE_USER
    covers_plan = True
    covers_group_sharing = False
    covers_relative_access = False
    valid_from = factory.LazyFunction(lambda: _today() - datetime.timedelta(days=30))
    valid_to = None
    recorded_by = factory.SubFactory(UserFactory)

    class Params:
        relative_access = factory.Trait(covers_relative_access=True)
        expired = factory.Trait(
            valid_from=factory.LazyFunction(lambda: _today() - datetime.timedelta(days=400)),
            valid_to=factory.LazyFunction(lambda: _today() - datetime.timedelta(days=1)),
        )
        withdrawn = factory.Trait(
            withdrawn_at=factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(hours=1)),
        )
