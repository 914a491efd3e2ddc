"""Writes through services: each audited with its actor, each refusal leaving nothing behind."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from casework import services
from casework.choices import ConsentGiver, StaffRole
from casework.errors import Conflict, NotAllowed
from casework.models import AuditEvent, Consent, ServiceUser, ServiceUserUserObjectPermission
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


@pytest.fixture
def unit():
    return UnitFactory()


@pytest.fixture
def caseworker(unit):
    return MembershipFactory(unit=unit, role=StaffRole.CASEWORKER).user


def test_create_records_an_audit_event_with_the_national_id_masked(unit, caseworker):
    person = services.service_user_create(
        reach=reach_for(caseworker),
        national_id="15076500565",
        first_name="Liv",
        last_name="Moe",
        units=[unit],
    )

    event = AuditEvent.objects.get(action="service_user.create")
    assert event.actor == caseworker
    assert event.actor_role == "caseworker"
    assert event.service_user == person
    assert event.changes["national_id"] == [None, "150765*****"]
    assert "15076500565" not in str(event.changes)
    assert person.date_of_birth == datetime.date(1965, 7, 15)


def test_update_records_only_what_changed(unit, caseworker):
    person = ServiceUserFactory(units=[unit], city="Lia")

    services.service_user_update(
        reach=reach_for(caseworker), service_user=person, city="Haugen", phone=person.phone
    )

    event = AuditEvent.objects.get(action="service_user.update")
    assert event.changes == {"city": ["Lia", "Haugen"]}


def test_update_without_changes_writes_nothing(unit, caseworker):
    person = ServiceUserFactory(units=[unit])

    services.service_user_update(reach=reach_for(caseworker), service_user=person, city=person.city)

    assert AuditEvent.objects.filter(action="service_user.update").count() == 0


def test_coordinator_may_not_change_a_person_and_nothing_changes(unit):
    person = ServiceUserFactory(units=[unit], city="Lia")
    coordinator = MembershipFactory(unit=unit, role=StaffRole.COORDINATOR).user

    with pytest.raises(NotAllowed):
        services.service_user_update(reach=reach_for(coordinator), service_user=person, city="Haugen")

    person.refresh_from_db()
    assert person.city == "Lia"
    assert AuditEvent.objects.count() == 0


def test_registering_in_a_unit_where_the_actor_has_no_role_is_refused(unit, caseworker):
    with pytest.raises(NotAllowed):
        services.service_user_create(
            reach=reach_for(caseworker),
            national_id="15076500565",
            first_name="Liv",
            last_name="Moe",
            units=[UnitFactory()],
        )
    assert ServiceUser.objects.count() == 0


def test_duplicate_national_id_is_a_conflict_and_writes_nothing(unit, caseworker):
    ServiceUserFactory(national_id="15076500565", units=[unit])

    with pytest.raises(Conflict):
        services.service_user_create(
            reach=reach_for(caseworker),
            national_id="15076500565",
            first_name="A",
            last_name="B",
            units=[unit],
        )
    assert ServiceUser.objects.count() == 1
    assert AuditEvent.objects.count() == 0


def test_withdrawing_consent_ends_the_relatives_access_at_once(unit, caseworker):
    person = ServiceUserFactory(units=[unit])
    relative_user = UserFactory()
    relative = RepresentativeFactory(service_user=person, user=relative_user)
    consent = ConsentFactory(service_user=person, representative=relative, relative_access=True)
    assert service_user_queryset_for(reach=reach_for(relative_user)).count() == 1

    services.consent_withdraw(reach=reach_for(caseworker), consent=consent, reason="Ønsket av bruker")

    assert service_user_queryset_for(reach=reach_for(relative_user)).count() == 0
    assert AuditEvent.objects.get(action="consent.withdraw").comment == "Ønsket av bruker"


def test_withdrawing_twice_is_a_conflict(unit, caseworker):
    consent = ConsentFactory(service_user=ServiceUserFactory(units=[unit]), withdrawn=True)

    with pytest.raises(Conflict):
        services.consent_withdraw(reach=reach_for(caseworker), consent=consent)


def test_consent_given_by_a_guardian_needs_a_valid_personal_mandate(unit, caseworker):
    person = ServiceUserFactory(units=[unit])
    mandate = MandateFactory(representative__service_user=person, expired=True)

    with pytest.raises(services.InvalidField) as refused:
        services.consent_create(
            reach=reach_for(caseworker),
            service_user=person,
            given_by=ConsentGiver.GUARDIAN,
            given_by_representative=mandate.representative,
            covers_plan=True,
            valid_from=timezone.localdate(),
        )
    assert refused.value.extra["errors"][0]["code"] == "no_valid_mandate"
    assert Consent.objects.count() == 0


def test_consent_by_a_guardian_with_a_valid_mandate_is_recorded_with_who_gave_it(unit, caseworker):
    person = ServiceUserFactory(units=[unit])
    mandate = MandateFactory(representative__service_user=person)

    consent = services.consent_create(
        reach=reach_for(caseworker),
        service_user=person,
        given_by=ConsentGiver.GUARDIAN,
        given_by_representative=mandate.representative,
        covers_plan=True,
        valid_from=timezone.localdate(),
    )

    assert consent.given_by_representative == mandate.representative
    assert consent.recorded_by == caseworker


def test_mandate_end_before_its_start_is_refused(unit, caseworker):
    mandate = MandateFactory(representative__service_user=ServiceUserFactory(units=[unit]))

    with pytest.raises(services.InvalidField):
        services.mandate_end(
            reach=reach_for(caseworker),
            mandate=mandate,
            valid_to=mandate.valid_from - datetime.timedelta(days=1),
        )
    mandate.refresh_from_db()
    assert mandate.valid_to is None


def test_grant_and_revoke_are_audited_and_only_unit_managers_may_grant(unit, caseworker):
    person = ServiceUserFactory(units=[unit])
    manager = MembershipFactory(unit=unit, role=StaffRole.UNIT_MANAGER).user
    coordinator = UserFactory()

    with pytest.raises(NotAllowed):
        services.service_user_access_grant(
            reach=reach_for(caseworker), actor=caseworker, service_user=person, user=coordinator, reason="x"
        )
    services.service_user_access_grant(
        reach=reach_for(manager), actor=manager, service_user=person, user=coordinator, reason="koordinator"
    )
    assert service_user_queryset_for(reach=reach_for(coordinator)).count() == 1

    services.service_user_access_revoke(
        reach=reach_for(manager),
        actor=manager,
        service_user=person,
        user=coordinator,
        reason="plan avsluttet",
    )

    assert ServiceUserUserObjectPermission.objects.count() == 0
    assert service_user_queryset_for(reach=reach_for(coordinator)).count() == 0
    assert list(AuditEvent.objects.order_by("id").values_list("action", flat=True)) == [
        "service_user.grant_access",
        "service_user.revoke_access",
    ]
