"""The demo cases and quality conversations: in every state the services reach, idempotent."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import timezone

from cases.choices import CaseState, HomeVisitState
from cases.demo import DEMO_CASES
from cases.models import Case, Decision, HomeVisit
from cases.selectors import cases_past_reply_deadline
from casework.models import Unit, WorkflowTransition
from casework.selectors import reach_for
from quality_conversations.choices import ConversationState
from quality_conversations.models import QualityConversation

pytestmark = pytest.mark.django_db

FIRST_UNIT = "Bo- og aktivitetstilbud Nord"


def _counts() -> list[int]:
    return [
        model.objects.count()
        for model in (Case, HomeVisit, Decision, QualityConversation, WorkflowTransition)
    ]


def _seed() -> str:
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def test_seeding_twice_adds_nothing_the_second_time():
    first_output = _seed()
    first = _counts()
    states = sorted(QualityConversation.objects.values_list("pk", "state"))

    second_output = _seed()

    assert _counts() == first
    assert sorted(QualityConversation.objects.values_list("pk", "state")) == states
    assert f"{len(DEMO_CASES)} cases and " in first_output
    assert "0 cases and 0 quality conversations added, 0 of them moved on" in second_output


def test_cases_in_every_state_the_services_reach():
    _seed()
    unit = Unit.objects.get(name=FIRST_UNIT)
    cases = Case.objects.filter(unit=unit)

    assert {c.state for c in cases} == {CaseState.RECEIVED, CaseState.UNDER_ASSESSMENT, CaseState.DECIDED}
    waiting = cases.get(service_applied_for="Dagaktivitetstilbud")
    assert waiting.state == CaseState.UNDER_ASSESSMENT
    assert waiting.home_visits.get().state == HomeVisitState.SCHEDULED
    assert waiting.home_visits.get().scheduled_for > timezone.now()

    after_visit = cases.get(service_applied_for="Praktisk bistand i hjemmet")
    visit = after_visit.home_visits.get()
    assert after_visit.state == CaseState.DECIDED and after_visit.decision.outcome == "granted"
    assert visit.state == HomeVisitState.COMPLETED and visit.findings and visit.wishes
    assert visit.representatives_present.count() == 1  # the guardian

    no_visit = cases.get(service_applied_for="Avlastning")
    assert no_visit.state == CaseState.DECIDED and no_visit.no_visit_reason
    assert not no_visit.home_visits.exists()
    missed = cases.get(service_applied_for="Brukerstyrt personlig assistanse (BPA)")
    assert missed.home_visits.get().state == HomeVisitState.NOT_COMPLETED
    assert missed.decision.outcome == "refused"

    assert set(HomeVisit.objects.values_list("state", flat=True)) == set(HomeVisitState.values)
    # Every step went through the services: history rows for each transition.
    assert WorkflowTransition.objects.filter(object_type="cases.case", name="decide").count() == 3


def test_one_case_is_past_the_provisional_reply_deadline():
    _seed()
    caseworker = get_user_model().objects.get(username="saksbehandler")
    unit = Unit.objects.get(name=FIRST_UNIT)

    past = cases_past_reply_deadline(reach=reach_for(caseworker), unit_id=unit.pk)

    assert [c.service_applied_for for c in past] == ["Omsorgsbolig"]
    assert (timezone.localdate() - past[0].received_on).days == 40
    assert past[0].home_visits.get().state == HomeVisitState.PLANNED


def test_this_years_conversations_in_every_state():
    _seed()
    year = timezone.localdate().year
    conversations = QualityConversation.objects.filter(year=year)
    states = set(conversations.values_list("state", flat=True))

    assert states == set(ConversationState.values) - {ConversationState.EXPIRED}
    documented = conversations.get(state=ConversationState.DOCUMENTED)
    assert documented.summary and documented.held_on == timezone.localdate()
    assert conversations.get(state=ConversationState.DECLINED).offered_at is not None
    assert conversations.get(state=ConversationState.SCHEDULED).scheduled_for > timezone.now()
    na = conversations.filter(state=ConversationState.NOT_APPLICABLE)
    assert na.exists() and all(c.representative_id is None and c.not_applicable_reason for c in na)
