"""Cases with the pre-decision home visit (services; the API follows in issue 5)."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.utils import timezone

from cases import services as cases
from cases.choices import CaseState, HomeVisitState
from cases.models import Case, Decision
from casework.errors import GuardFailed, NotAllowed, TransitionNotAllowed
from casework.models import AuditEvent, WorkflowTransition
from casework.selectors import reach_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(world):
    reach = reach_for(world.actors["caseworker"])
    created = cases.case_create(
        reach=reach,
        service_user=world.person,
        unit=world.unit_a,
        service_applied_for="Praktisk bistand",
        received_on=datetime.date(2026, 1, 31),
    )
    return cases.case_start_assessment(reach=reach, case=created)


def _decide(world, case):
    return cases.case_decide(
        reach=reach_for(world.actors["caseworker"]),
        case=case,
        outcome="granted",
        reasons="Behovet er dokumentert ved hjemmebesøket.",
        complaint_information="Du kan klage innen tre uker.",
    )


def test_a_case_cannot_be_decided_without_a_visit_or_a_reason(world, case):
    with pytest.raises(GuardFailed) as refused:
        _decide(world, case)

    assert refused.value.extra["missing"] == ["home_visit_or_reason"]
    case.refresh_from_db()
    assert case.state == CaseState.UNDER_ASSESSMENT
    assert Decision.objects.count() == 0


def test_a_completed_home_visit_lets_the_case_be_decided(world, case):
    reach = reach_for(world.actors["caseworker"])
    visit = cases.home_visit_plan(reach=reach, case=case)
    cases.home_visit_schedule(reach=reach, visit=visit, at=timezone.now() + datetime.timedelta(days=2))
    cases.home_visit_complete(
        reach=reach,
        visit=visit,
        findings="Trenger hjelp med innkjøp.",
        wishes="Jeg vil bo hjemme så lenge jeg kan.",
    )

    decision = _decide(world, case)

    case.refresh_from_db()
    assert case.state == CaseState.DECIDED
    assert decision.complaint_deadline == timezone.localdate() + datetime.timedelta(weeks=3)


def test_a_recorded_reason_for_no_visit_lets_the_case_be_decided(world, case):
    cases.case_record_no_visit_reason(
        reach=reach_for(world.actors["caseworker"]), case=case, reason="Personen ønsket ikke besøk."
    )

    _decide(world, case)

    assert Case.objects.get(pk=case.pk).state == CaseState.DECIDED


def test_a_missed_visit_does_not_count_as_a_visit(world, case):
    reach = reach_for(world.actors["caseworker"])
    visit = cases.home_visit_plan(reach=reach, case=case)
    cases.home_visit_miss(reach=reach, visit=visit, reason="not_at_home")

    with pytest.raises(GuardFailed):
        _decide(world, case)
    visit.refresh_from_db()
    assert visit.state == HomeVisitState.NOT_COMPLETED


def test_a_visit_is_completed_only_with_findings_and_the_persons_own_wishes(world, case):
    reach = reach_for(world.actors["caseworker"])
    visit = cases.home_visit_plan(reach=reach, case=case)
    cases.home_visit_schedule(reach=reach, visit=visit, at=timezone.now() + datetime.timedelta(days=1))

    with pytest.raises(GuardFailed) as refused:
        cases.home_visit_complete(reach=reach, visit=visit, findings="Noe", wishes=" ")

    assert refused.value.extra["missing"] == ["wishes"]


def test_a_visit_is_not_scheduled_in_the_past(world, case):
    reach = reach_for(world.actors["caseworker"])
    visit = cases.home_visit_plan(reach=reach, case=case)

    with pytest.raises(GuardFailed) as refused:
        cases.home_visit_schedule(reach=reach, visit=visit, at=timezone.now() - datetime.timedelta(hours=1))

    assert refused.value.extra["missing"] == ["time_in_future"]


def test_a_wrong_transition_is_refused_with_the_possible_ones(world, case):
    with pytest.raises(TransitionNotAllowed) as refused:
        cases.case_start_assessment(reach=reach_for(world.actors["caseworker"]), case=case)

    assert refused.value.extra["available_transitions"] == ["decide"]


@pytest.mark.parametrize("actor", ["coordinator", "quality_admin", "caseworker_other_unit"])
def test_only_caseworkers_and_managers_of_the_unit_work_on_cases(world, case, actor):
    with pytest.raises(NotAllowed):
        cases.case_record_no_visit_reason(reach=reach_for(world.actors[actor]), case=case, reason="x")


def test_history_and_audit_record_each_step(world, case):
    rows = list(
        WorkflowTransition.objects.filter(object_type="cases.case").values_list("name", "source", "target")
    )

    assert rows == [("start_assessment", "received", "under_assessment")]
    assert AuditEvent.objects.filter(action="case.start_assessment", service_user=world.person).count() == 1


def test_the_provisional_reply_is_due_one_month_after_receipt(case):
    assert case.provisional_reply_due == datetime.date(2026, 2, 28)


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="the append-only trigger needs PostgreSQL")
def test_the_workflow_history_cannot_be_rewritten(world, case):
    from django.db import DatabaseError, transaction

    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        WorkflowTransition.objects.all().update(comment="endret")


def test_after_the_decision_no_visit_can_be_planned_and_the_reason_is_fixed(world, case):
    from casework.errors import Conflict

    reach = reach_for(world.actors["caseworker"])
    cases.case_record_no_visit_reason(reach=reach, case=case, reason="Ønsket ikke besøk")
    _decide(world, case)

    with pytest.raises(Conflict):
        cases.home_visit_plan(reach=reach, case=case)
    with pytest.raises(Conflict):
        cases.case_record_no_visit_reason(reach=reach, case=case, reason="Endret begrunnelse")
    case.refresh_from_db()
    assert case.no_visit_reason == "Ønsket ikke besøk"


def test_the_decision_itself_is_audited(world, case):
    cases.case_record_no_visit_reason(reach=reach_for(world.actors["caseworker"]), case=case, reason="Grunn")

    _decide(world, case)

    event = AuditEvent.objects.get(action="decision.create")
    assert event.changes["outcome"] == [None, "granted"]


def test_the_deadline_list_uses_the_stored_due_date(world):
    from cases.selectors import cases_past_reply_deadline

    reach = reach_for(world.actors["caseworker"])
    overdue = cases.case_create(
        reach=reach,
        service_user=world.person,
        unit=world.unit_a,
        service_applied_for="A",
        received_on=timezone.localdate() - datetime.timedelta(days=40),
    )
    Case.objects.filter(pk=overdue.pk).update(reply_due_on=timezone.localdate() - datetime.timedelta(days=1))
    due_today = cases.case_create(
        reach=reach,
        service_user=world.person,
        unit=world.unit_a,
        service_applied_for="B",
        received_on=timezone.localdate() - datetime.timedelta(days=30),
    )
    Case.objects.filter(pk=due_today.pk).update(reply_due_on=timezone.localdate())

    assert [c.pk for c in cases_past_reply_deadline(reach=reach)] == [overdue.pk]
