"""The access path: what each kind of actor reaches, checked at the time of the request."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from casework.choices import AccessBasis, StaffRole
from casework.selectors import reach_for, service_user_queryset_for
from tests.factories import (
    ConsentFactory,
    MandateFactory,
    MembershipFactory,
    RepresentativeFactory,
    ServiceUserFactory,
    UnitFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def _visible(user, at=None):
    return set(service_user_queryset_for(reach=reach_for(user, at=at)).values_list("pk", flat=True))


def test_staff_see_the_people_of_their_units_only():
    unit, other_unit = UnitFactory(), UnitFactory()
    mine, theirs = ServiceUserFactory(units=[unit]), ServiceUserFactory(units=[other_unit])
    caseworker = MembershipFactory(unit=unit).user

    assert _visible(caseworker) == {mine.pk}
    assert theirs.pk not in _visible(caseworker)


def test_a_person_in_two_units_is_listed_once():
    unit_a, unit_b = UnitFactory(), UnitFactory()
    person = ServiceUserFactory(units=[unit_a, unit_b])
    user = MembershipFactory(unit=unit_a).user
    MembershipFactory(user=user, unit=unit_b, role=StaffRole.COORDINATOR)

    assert list(service_user_queryset_for(reach=reach_for(user)).values_list("pk", flat=True)) == [person.pk]


def test_membership_in_an_inactive_unit_gives_no_reach():
    unit = UnitFactory(is_active=False)
    ServiceUserFactory(units=[unit])
    caseworker = MembershipFactory(unit=unit).user

    assert _visible(caseworker) == set()


@pytest.mark.parametrize(
    ("traits", "sees"),
    [
        ({}, True),
        ({"expired": True}, False),
        ({"future": True}, False),
        ({"economic_only": True}, False),
    ],
)
def test_guardian_sees_the_person_only_with_a_personal_mandate_valid_today(traits, sees):
    mandate = MandateFactory(**traits)
    guardian_user = UserFactory()
    mandate.representative.user = guardian_user
    mandate.representative.save()

    assert _visible(guardian_user) == ({mandate.representative.service_user_id} if sees else set())


def test_guardian_mandate_ending_today_still_counts_and_ends_tomorrow():
    today = timezone.localdate()
    mandate = MandateFactory(valid_to=today)
    user = UserFactory()
    mandate.representative.user = user
    mandate.representative.save()
    tomorrow = timezone.now() + datetime.timedelta(days=1)

    assert _visible(user) == {mandate.representative.service_user_id}
    assert _visible(user, at=tomorrow) == set()


@pytest.mark.parametrize(
    ("traits", "sees"),
    [
        ({"relative_access": True}, True),
        ({"relative_access": True, "expired": True}, False),
        ({"relative_access": True, "withdrawn": True}, False),
        ({"covers_plan": True}, False),  # a consent to the plan alone gives the relative nothing
    ],
)
def test_relative_sees_the_person_only_while_consent_to_their_access_is_in_force(traits, sees):
    user = UserFactory()
    relative = RepresentativeFactory(user=user)
    ConsentFactory(service_user=relative.service_user, representative=relative, **traits)

    assert _visible(user) == ({relative.service_user_id} if sees else set())


def test_a_consent_for_another_relative_gives_this_relative_nothing():
    person = ServiceUserFactory()
    user = UserFactory()
    RepresentativeFactory(service_user=person, user=user)
    someone_else = RepresentativeFactory(service_user=person)
    ConsentFactory(service_user=person, representative=someone_else, relative_access=True)

    assert _visible(user) == set()


def test_superuser_sees_everyone_and_anonymous_no_one(django_user_model):
    people = {ServiceUserFactory().pk, ServiceUserFactory().pk}
    from django.contrib.auth.models import AnonymousUser

    assert _visible(UserFactory(superuser=True)) == people
    assert _visible(AnonymousUser()) == set()


def test_inactive_login_reaches_nothing():
    unit = UnitFactory()
    ServiceUserFactory(units=[unit])
    caseworker = MembershipFactory(unit=unit).user
    caseworker.is_active = False
    caseworker.save()

    assert _visible(caseworker) == set()


def test_basis_names_why_the_actor_could_see_the_person():
    unit = UnitFactory()
    person = ServiceUserFactory(units=[unit])
    caseworker = MembershipFactory(unit=unit, role=StaffRole.CASEWORKER).user
    MembershipFactory(user=caseworker, unit=unit, role=StaffRole.COORDINATOR)

    role, basis = reach_for(caseworker).basis_for(person.pk, [unit.pk])

    assert (role, basis) == ("caseworker,coordinator", AccessBasis.UNIT_STAFF)
