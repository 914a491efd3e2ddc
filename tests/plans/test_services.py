"""The plan's state machine through its services: transitions, guards, versions, access."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from casework.engine import history_for
from casework.errors import Conflict, GuardFailed, NotAllowed, TransitionNotAllowed
from casework.models import AuditEvent, ServiceUserUserObjectPermission, WorkflowTransition
from casework.selectors import reach_for, service_user_queryset_for
from notifications.models import OutboxEvent
from plans import services
from plans.choices import PlanState
from plans.models import Goal, IndividualPlan, PlanVersion

pytestmark = pytest.mark.django_db


def test_a_new_plan_is_a_draft_and_the_creation_is_audited_and_announced(plans, world):
    plan = plans.draft()

    assert plan.state == PlanState.DRAFT
    assert AuditEvent.objects.filter(action="plan.create", service_user=world.person).count() == 1
    assert OutboxEvent.objects.filter(event="plan.created", object_id=str(plan.pk)).count() == 1


def test_a_second_open_plan_for_the_same_person_is_a_conflict(plans):
    plans.draft()

    with pytest.raises(Conflict) as refused:
        plans.draft()

    assert refused.value.code == "open_plan_exists"
    assert IndividualPlan.objects.count() == 1


def test_a_new_plan_is_allowed_once_the_old_one_is_closed(plans):
    old = plans.draft()
    services.plan_decline(reach=plans.reach, plan=old, comment="Ønsker ikke plan nå.")

    new = plans.draft()

    assert new.pk != old.pk


def test_activation_names_everything_that_is_missing_and_changes_nothing(plans):
    plan = plans.draft()
    services.plan_request_consent(reach=plans.reach, plan=plan)

    with pytest.raises(GuardFailed):
        services.plan_record_consent(reach=plans.reach, plan=plan)

    plan.refresh_from_db()
    assert plan.state == PlanState.AWAITING_CONSENT


def test_activate_from_draft_is_not_allowed_and_lists_what_is(plans):
    plan = plans.draft()

    with pytest.raises(TransitionNotAllowed) as refused:
        services.plan_activate(reach=plans.reach, plan=plan)

    assert refused.value.extra["available_transitions"] == ["decline", "request_consent"]
    plan.refresh_from_db()
    assert plan.state == PlanState.DRAFT
    assert WorkflowTransition.objects.count() == 0


def test_the_guard_lists_every_missing_statutory_content(plans):
    plan = plans.draft()
    services.plan_request_consent(reach=plans.reach, plan=plan)
    plan.consent = None

    from plans.guards import missing_for

    assert missing_for(plan, "activate") == [
        "goals",
        "resources",
        "needs",
        "participants",
        "contributions",
        "measures",
        "measure_execution",
        "plan_period",
        "review_date",
        "consent",
        "cooperation",
    ]


def test_activation_needs_a_review_date_in_the_future(plans):
    plan = plans.in_preparation()
    services.plan_update(reach=plans.reach, plan=plan, next_review_date=timezone.localdate())

    with pytest.raises(GuardFailed) as refused:
        services.plan_activate(reach=plans.reach, plan=plan)

    assert refused.value.extra["missing"] == ["review_date_in_future"]


def test_activation_freezes_version_1_with_the_full_content(plans):
    plan = plans.active()

    version = PlanVersion.objects.get(plan=plan)
    assert version.number == 1
    assert version.reason == "activation"
    assert version.content["plan"]["state"] == PlanState.ACTIVE
    assert [g["text"] for g in version.content["goals"]] == [
        "Jeg vil bo i egen leilighet.",
        "Jeg vil ha en jobb to dager i uka.",
    ]
    assert version.content["measures"][0]["responsible"] != ""


def test_an_active_plan_is_locked_for_edits(plans):
    plan = plans.active()

    with pytest.raises(Conflict) as refused:
        services.plan_item_create(reach=plans.reach, plan=plan, model=Goal, text="Nytt mål")

    assert refused.value.code == "plan_locked"
    assert plan.goals.count() == 2


def test_completing_a_review_needs_every_goal_assessed_and_a_new_review_date(plans):
    plan = plans.under_review()

    with pytest.raises(GuardFailed) as refused:
        services.plan_complete_review(reach=plans.reach, plan=plan)

    assert refused.value.extra["missing"] == ["goal_assessments", "new_review_date"]
    plan.refresh_from_db()
    assert plan.state == PlanState.UNDER_REVIEW


def test_a_completed_review_freezes_version_2_with_the_assessments(plans):
    plan = plans.reviewed_twice()

    assert plan.state == PlanState.ACTIVE
    versions = list(PlanVersion.objects.filter(plan=plan).order_by("number"))
    assert [v.number for v in versions] == [1, 2]
    assert versions[1].content["goals"][0]["assessments"][0]["progress"] == "partly_achieved"
    assert versions[0].content["goals"][0]["assessments"] == []


def test_history_records_who_when_from_to_and_comment(plans, world):
    plan = plans.active()

    rows = list(history_for(plan).values_list("name", "source", "target", "actor"))
    actor = world.actors["caseworker"].pk
    assert rows == [
        ("request_consent", "draft", "awaiting_consent", actor),
        ("record_consent", "awaiting_consent", "in_preparation", actor),
        ("activate", "in_preparation", "active", actor),
    ]


@pytest.mark.parametrize("actor", ["unit_manager", "quality_admin", "caseworker_other_unit"])
def test_only_the_coordinator_or_a_caseworker_of_the_unit_may_move_the_plan(plans, world, actor):
    plan = plans.draft()

    with pytest.raises(NotAllowed):
        services.plan_request_consent(reach=reach_for(world.actors[actor]), plan=plan)

    plan.refresh_from_db()
    assert plan.state == PlanState.DRAFT


def test_the_coordinator_of_another_unit_may_move_the_plan_and_is_granted_the_person(plans, world):
    coordinator = world.actors["caseworker_other_unit"]
    ServiceUserUserObjectPermission.objects.filter(user=coordinator).delete()
    plan = services.plan_create(
        reach=plans.reach, service_user=world.person, unit=world.unit_a, coordinator=coordinator
    )

    services.plan_request_consent(reach=reach_for(coordinator), plan=plan)

    plan.refresh_from_db()
    assert plan.state == PlanState.AWAITING_CONSENT
    assert world.person in service_user_queryset_for(reach=reach_for(coordinator))


def test_withdrawing_ends_the_access_the_plan_gave_at_once(plans, world):
    coordinator = world.actors["caseworker_other_unit"]
    plan = services.plan_create(
        reach=plans.reach, service_user=world.person, unit=world.unit_a, coordinator=coordinator
    )
    assert world.person in service_user_queryset_for(reach=reach_for(coordinator))
    services.plan_request_consent(reach=plans.reach, plan=plan)

    services.plan_withdraw(reach=plans.reach, plan=plan, comment="Samtykke trukket")

    assert world.person not in service_user_queryset_for(reach=reach_for(coordinator))


def test_put_on_hold_needs_a_reason(plans):
    plan = plans.active()

    with pytest.raises(GuardFailed) as refused:
        services.plan_put_on_hold(reach=plans.reach, plan=plan, comment="  ")

    assert refused.value.extra["missing"] == ["reason"]


def test_complete_needs_a_reason_and_a_final_evaluation(plans):
    plan = plans.active()

    with pytest.raises(GuardFailed) as refused:
        services.plan_complete(reach=plans.reach, plan=plan, comment="Mål nådd")

    assert refused.value.extra["missing"] == ["final_evaluation"]
    done = services.plan_complete(
        reach=plans.reach, plan=plan, comment="Mål nådd", final_evaluation="Bor nå i egen leilighet."
    )
    assert done.state == PlanState.COMPLETED
    assert done.final_evaluation == "Bor nå i egen leilighet."


def test_hold_and_resume(plans):
    plan = plans.active()

    held = services.plan_put_on_hold(reach=plans.reach, plan=plan, comment="Sykehusopphold")
    assert (held.state, held.hold_reason) == (PlanState.ON_HOLD, "Sykehusopphold")
    resumed = services.plan_resume(reach=plans.reach, plan=held, comment="Hjemme igjen")
    assert (resumed.state, resumed.hold_reason) == (PlanState.ACTIVE, "")


def test_the_state_field_cannot_be_assigned_directly(plans):
    plan = plans.draft()

    with pytest.raises(AttributeError):
        plan.state = PlanState.ACTIVE


def test_record_consent_needs_a_consent_in_force_covering_the_plan(plans, world):
    plan = plans.fill(plans.draft())
    services.plan_request_consent(reach=plans.reach, plan=plan)
    consent = plan.consent
    consent.withdrawn_at = timezone.now() - datetime.timedelta(minutes=1)
    consent.save()

    with pytest.raises(GuardFailed) as refused:
        services.plan_record_consent(reach=plans.reach, plan=plan)

    assert refused.value.extra["missing"] == ["consent"]
