"""The demo municipality: six units, about sixty service users and the logins in shared/api.md.

Idempotent and create-only: every row is found by a natural key and created only when missing,
so running it again (``make run`` does, at every start) never undoes what someone changed
through the service, such as a withdrawn consent or an ended mandate.
"""

from __future__ import annotations

import datetime
import itertools
import random
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractUser
from django.db import transaction
from django.utils import timezone

from casework.audit import audit_record
from casework.choices import ConsentGiver, Language, RepresentativeKind, StaffRole
from casework.demo.names import FIRST_NAMES, LAST_NAMES, PLACES, RELATIONS, STREETS
from casework.demo.national_ids import national_ids
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
from casework.services import service_user_access_grant
from casework.system import system_actor

DEMO_PASSWORD = "demo-pass-2026"  # noqa: S105 - documented demo password, refused in production
MUNICIPALITY = ("Strandvik kommune", "4899")
SERVICE_AREA = "Helse og omsorg"
UNITS = (
    "Bo- og aktivitetstilbud Nord",
    "Bo- og aktivitetstilbud Sør",
    "Hjemmetjenesten Sentrum",
    "Hjemmetjenesten Øst",
    "Psykisk helse og rus",
    "Rehabiliteringsenheten",
)
PEOPLE_PER_UNIT = 10
# First individual number used for demo people; scale data uses lower ones, so they never meet.
DEMO_INDIVIDUAL_START = 400


@dataclass(frozen=True)
class DemoLogin:
    username: str
    first_name: str
    last_name: str
    description: str


LOGINS = (
    DemoLogin("admin", "Ada", "Admin", "superbruker"),
    DemoLogin("saksbehandler", "Sara", "Saksbehandler", f"saksbehandler i {UNITS[0]}"),
    DemoLogin("saksbehandler2", "Sander", "Saksbehandler", f"saksbehandler i {UNITS[1]}"),
    DemoLogin("koordinator", "Kari", "Koordinator", f"koordinator i {UNITS[0]}"),
    DemoLogin("leder", "Lene", "Leder", f"enhetsleder i {UNITS[0]}"),
    DemoLogin("kvalitet", "Kjetil", "Kvalitet", "kvalitetsrådgiver i alle enheter"),
    DemoLogin("verge", "Vera", "Verge", "verge med gyldig fullmakt (personlige forhold)"),
    DemoLogin("verge_utlopt", "Viggo", "Verge", "verge med utløpt fullmakt"),
    DemoLogin("parorende", "Pia", "Pårørende", "pårørende med samtykke til å se planen"),
)


def _login(spec: DemoLogin) -> AbstractUser:
    user, created = get_user_model().objects.get_or_create(
        username=spec.username,
        defaults={
            "first_name": spec.first_name,
            "last_name": spec.last_name,
            "email": f"{spec.username}@strandvik.kommune.example",
            "is_superuser": spec.username == "admin",
            "is_staff": spec.username == "admin",
        },
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    return user


def _membership(user: AbstractUser, unit: Unit, role: StaffRole) -> None:
    StaffMembership.objects.get_or_create(user=user, unit=unit, role=role)


def _people(municipality: Municipality, units: list[Unit]) -> list[ServiceUser]:
    rng = random.Random(2026)
    identities = national_ids(start_individual=DEMO_INDIVIDUAL_START, days=25_000)
    # Skip ahead in strides so that the demo people have varied birth years.
    spread = itertools.islice(identities, 0, 60 * 397, 397)
    people = []
    for index, (born, national_id) in enumerate(spread):
        unit = units[index // PEOPLE_PER_UNIT]
        postal_code, city = rng.choice(PLACES)
        person, created = ServiceUser.objects.get_or_create(
            national_id=national_id,
            defaults={
                "municipality": municipality,
                "first_name": rng.choice(FIRST_NAMES),
                "last_name": rng.choice(LAST_NAMES),
                "date_of_birth": born,
                "phone": f"9{rng.randrange(10_000_000):07d}",
                "address": f"{rng.choice(STREETS)} {rng.randrange(1, 90)}",
                "postal_code": postal_code,
                "city": city,
                "preferred_language": rng.choice(
                    [Language.BOKMAAL] * 8 + [Language.NYNORSK, Language.ENGLISH]
                ),
            },
        )
        # Every ninth person is also served by a second unit.
        extra_unit = units[(index * 7) % len(units)]
        if created:
            person.units.set([unit, extra_unit] if index % 9 == 0 and extra_unit != unit else [unit])
        people.append(person)
    return people


def _representative(
    person: ServiceUser,
    kind: RepresentativeKind,
    first: str,
    last: str,
    relation: str,
    user: AbstractUser | None = None,
) -> Representative:
    rep, _created = Representative.objects.get_or_create(
        service_user=person,
        kind=kind,
        first_name=first,
        last_name=last,
        defaults={"relation": relation, "user": user, "phone": "", "email": ""},
    )
    return rep


def _mandate(
    rep: Representative, reference: str, valid_from: datetime.date, valid_to: datetime.date | None
) -> None:
    Mandate.objects.get_or_create(
        representative=rep,
        certificate_reference=reference,
        defaults={
            "covers_personal": True,
            "covers_economic": False,
            "valid_from": valid_from,
            "valid_to": valid_to,
        },
    )


def _relative_consent(
    person: ServiceUser, rep: Representative, recorded_by: AbstractUser, valid_from: datetime.date
) -> None:
    Consent.objects.get_or_create(
        service_user=person,
        representative=rep,
        given_by=ConsentGiver.SERVICE_USER,
        defaults={
            "covers_plan": True,
            "covers_relative_access": True,
            "covers_group_sharing": True,
            "valid_from": valid_from,
            "valid_to": None,
            "withdrawn_at": None,
            "recorded_by": recorded_by,
        },
    )


@dataclass(frozen=True)
class DemoMunicipality:
    logins: list[tuple[DemoLogin, AbstractUser]]
    units: list[Unit]
    people: list[ServiceUser]  # in a fixed order; the first PEOPLE_PER_UNIT are served by units[0]

    def login(self, username: str) -> AbstractUser:
        return next(user for spec, user in self.logins if spec.username == username)


@transaction.atomic
def seed_demo_municipality() -> DemoMunicipality:
    today = timezone.localdate()
    municipality, _ = Municipality.objects.get_or_create(
        number=MUNICIPALITY[1], defaults={"name": MUNICIPALITY[0]}
    )
    area, _ = ServiceArea.objects.get_or_create(municipality=municipality, name=SERVICE_AREA)
    units = [Unit.objects.get_or_create(service_area=area, name=name)[0] for name in UNITS]
    logins = [(spec, _login(spec)) for spec in LOGINS]
    user = {spec.username: login for spec, login in logins}

    _membership(user["saksbehandler"], units[0], StaffRole.CASEWORKER)
    _membership(user["saksbehandler2"], units[1], StaffRole.CASEWORKER)
    _membership(user["koordinator"], units[0], StaffRole.COORDINATOR)
    _membership(user["leder"], units[0], StaffRole.UNIT_MANAGER)
    for unit in units:
        _membership(user["kvalitet"], unit, StaffRole.QUALITY_ADMIN)

    people = _people(municipality, units)
    rng = random.Random(7)
    first = people[:PEOPLE_PER_UNIT]  # the people of the first unit
    guardian = _representative(
        first[0], RepresentativeKind.GUARDIAN, "Vera", "Verge", "oppnevnt verge", user["verge"]
    )
    _mandate(guardian, "VM-2024-10231", today - datetime.timedelta(days=700), None)
    expired = _representative(
        first[1],
        RepresentativeKind.GUARDIAN,
        "Viggo",
        "Verge",
        "oppnevnt verge",
        user["verge_utlopt"],
    )
    _mandate(
        expired,
        "VM-2021-04410",
        today - datetime.timedelta(days=1500),
        today - datetime.timedelta(days=60),
    )
    relative = _representative(
        first[2], RepresentativeKind.RELATIVE, "Pia", "Pårørende", "datter", user["parorende"]
    )
    _relative_consent(first[2], relative, user["admin"], today - datetime.timedelta(days=200))
    # Relatives without portal logins for about a third of the others, for realism.
    for person in people[3::3]:
        rep = _representative(
            person,
            RepresentativeKind.RELATIVE,
            rng.choice(FIRST_NAMES),
            person.last_name,
            rng.choice(RELATIONS),
        )
        _relative_consent(person, rep, user["admin"], today - datetime.timedelta(days=90))
    # The coordinator also coordinates the plans of two people served by another unit.
    for person in people[2 * PEOPLE_PER_UNIT : 2 * PEOPLE_PER_UNIT + 2]:
        service_user_access_grant(
            reach=None,
            actor=user["admin"],
            service_user=person,
            user=user["koordinator"],
            reason="Demo: koordinator for individuell plan",
        )
    audit_record(
        actor=system_actor(),
        action="demo.seed",
        obj=municipality,
        role="system",
        changes={"service_users": [None, len(people)]},
    )
    return DemoMunicipality(logins=logins, units=units, people=people)
