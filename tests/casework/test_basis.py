"""Withdrawing a consent or ending a mandate: the event, the marks and the audit, in one transaction.

The marks themselves (who is there by a consent or mandate) are tested with their apps:
tests/plans/test_basis.py and tests/responsibility_groups/test_basis.py.
"""

from __future__ import annotations

import datetime
from typing import Any
from unittest import mock

import pytest
from django.db import transaction
from django.utils import timezone

from casework import events, services
from casework.basis import basis_dependents
from casework.errors import Conflict
from casework.models import AuditEvent, Consent
from casework.selectors import reach_for
from notifications.models import OutboxEvent
from plans import services as plan_services
from plans.choices import ParticipantKind
from plans.models import Participant
from responsibility_groups import services as group_services
from responsibility_groups.choices import MemberKind
from responsibility_groups.models import GroupMember
from tests.plans.conftest import PlanBuilder
from tests.responsibility_groups.conftest import GroupBuilder

pytestmark = pytest.mark.django_db


@pytest.fixture
def plans(world: Any) -> PlanBuilder:
    return PlanBuilder(world)


@pytest.fixture
def groups(world: Any) -> GroupBuilder:
    return GroupBuilder(world)


def _today() -> datetime.date:
    return timezone.localdate()


def _relative(world: Any) -> Any:
    return world.actors["relative"].representations.get()


def _guardian(world: Any) -> Any:
    return world.actors["guardian"].representations.get()


def _reach(world: Any) -> Any:
    return reach_for(world.actors["caseworker"])


def _plan_and_group(world: Any, plans: Any, groups: Any) -> tuple[Any, Any, Any, GroupMember]:
    """An open plan with the relative taking part, a group with an external professional."""
    plan = plans.draft()
    relative = plan_services.plan_item_create(
        reach=plans.reach,
        plan=plan,
        model=Participant,
        kind=ParticipantKind.REPRESENTATIVE,
        representative=_relative(world),
    )
    group = groups.group()
    external = group_services.member_add(
        reach=groups.reach, group=group, kind=MemberKind.EXTERNAL, name="Fastlege"
    )
    return plan, relative, group, external


def test_the_event_names_are_constants_of_the_module_that_emits_them():
    assert (events.CONSENT_WITHDRAWN, events.MANDATE_ENDED) == ("consent.withdrawn", "mandate.ended")


def test_plans_and_groups_register_what_rests_on_a_consent_or_mandate():
    assert [dependents.key for dependents in basis_dependents()] == ["plans", "groups"]


def test_withdrawing_a_consent_emits_one_event_with_what_it_marked_where(world, plans, groups):
    plan, _relative_row, group, _external = _plan_and_group(world, plans, groups)
    consent = Consent.objects.get(representative=_relative(world))

    services.consent_withdraw(reach=_reach(world), consent=consent, reason="Ønsker det ikke lenger")

    event = OutboxEvent.objects.get(event=events.CONSENT_WITHDRAWN)
    assert (event.object_type, event.object_id) == ("casework.consent", str(consent.pk))
    assert event.payload == {
        "plans": [{"id": plan.pk, "marked": 1, "consent_missing": True}],  # a draft has no consent yet
        "groups": [{"id": group.pk, "marked": 0}],  # the relative's consent does not cover sharing
    }


def test_the_marks_audit_and_event_commit_or_roll_back_with_the_withdrawal(world, plans, groups):
    _plan, relative, _group, _external = _plan_and_group(world, plans, groups)
    consent = Consent.objects.get(representative=_relative(world))
    audited = AuditEvent.objects.count()

    outbox_down = mock.patch("casework.services.outbox_emit", side_effect=RuntimeError("outbox down"))
    with outbox_down, pytest.raises(RuntimeError):
        services.consent_withdraw(reach=_reach(world), consent=consent)

    consent.refresh_from_db()
    relative.refresh_from_db()
    assert (consent.withdrawn_at, relative.basis_ended_at) == (None, None)
    assert AuditEvent.objects.count() == audited
    assert not OutboxEvent.objects.filter(event=events.CONSENT_WITHDRAWN).exists()


def test_the_event_is_written_in_the_withdrawals_transaction_and_announced_after_it(
    world, plans, groups, django_capture_on_commit_callbacks
):
    _plan, relative, _group, _external = _plan_and_group(world, plans, groups)
    consent = Consent.objects.get(representative=_relative(world))

    with django_capture_on_commit_callbacks() as callbacks:
        with transaction.atomic():
            services.consent_withdraw(reach=_reach(world), consent=consent)
            inside = OutboxEvent.objects.filter(event=events.CONSENT_WITHDRAWN, dispatched_at=None).count()
            marked_inside = Participant.objects.get(pk=relative.pk).basis_ended_at
        assert inside == 1
        assert marked_inside is not None

    assert len(callbacks) == 1  # the fan-out, queued for after the commit


def test_a_consent_withdrawn_already_is_409_and_emits_nothing(world):
    consent = Consent.objects.get(representative=_relative(world))
    services.consent_withdraw(reach=_reach(world), consent=consent)

    with pytest.raises(Conflict):
        services.consent_withdraw(reach=_reach(world), consent=consent)

    assert OutboxEvent.objects.filter(event=events.CONSENT_WITHDRAWN).count() == 1


def test_ending_a_mandate_emits_its_last_day_and_what_it_marked(world, plans, groups):
    plan = plans.draft()
    plan_services.plan_item_create(
        reach=plans.reach,
        plan=plan,
        model=Participant,
        kind=ParticipantKind.REPRESENTATIVE,
        representative=_guardian(world),
    )
    group = groups.group(sharing_consent=False)
    group_services.member_add(
        reach=groups.reach, group=group, kind=MemberKind.REPRESENTATIVE, representative=_guardian(world)
    )
    mandate = _guardian(world).mandates.get()
    yesterday = _today() - datetime.timedelta(days=1)

    services.mandate_end(reach=_reach(world), mandate=mandate, valid_to=yesterday, comment="Vergemål opphørt")

    event = OutboxEvent.objects.get(event=events.MANDATE_ENDED)
    assert (event.object_type, event.object_id) == ("casework.mandate", str(mandate.pk))
    assert event.payload == {
        "valid_to": yesterday.isoformat(),
        "ended": True,
        "plans": [{"id": plan.pk, "marked": 1, "consent_missing": True}],
        "groups": [{"id": group.pk, "marked": 1}],
    }
    marks = AuditEvent.objects.filter(action__endswith=".basis_end").order_by("action")
    assert [(e.action, e.actor, e.comment) for e in marks] == [
        ("group.member.basis_end", world.actors["caseworker"], f"mandate #{mandate.pk}"),
        ("plan.participant.basis_end", world.actors["caseworker"], f"mandate #{mandate.pk}"),
    ]


def test_an_end_that_has_not_come_yet_is_announced_but_marks_nothing(world, plans):
    plan = plans.draft()
    mandate = _guardian(world).mandates.get()

    services.mandate_end(reach=_reach(world), mandate=mandate, valid_to=_today())

    event = OutboxEvent.objects.get(event=events.MANDATE_ENDED)
    assert event.payload == {
        "valid_to": _today().isoformat(),
        "ended": False,
        "plans": [{"id": plan.pk, "marked": 0, "consent_missing": True}],
        "groups": [],
    }


def test_setting_the_same_end_again_emits_nothing(world):
    mandate = _guardian(world).mandates.get()
    yesterday = _today() - datetime.timedelta(days=1)
    services.mandate_end(reach=_reach(world), mandate=mandate, valid_to=yesterday)

    services.mandate_end(reach=_reach(world), mandate=mandate, valid_to=yesterday)

    assert OutboxEvent.objects.filter(event=events.MANDATE_ENDED).count() == 1
    assert AuditEvent.objects.filter(action="mandate.end").count() == 2  # audited as before


def test_giving_a_consent_emits_nothing(world):
    services.consent_create(
        reach=_reach(world),
        service_user=world.person,
        given_by="service_user",
        covers_group_sharing=True,
        valid_from=_today(),
    )

    assert not OutboxEvent.objects.exists()
