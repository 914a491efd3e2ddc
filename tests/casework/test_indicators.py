"""Indicators against hand-counted fixtures, exclusions and the year boundary in Oslo."""

from __future__ import annotations

import datetime
import zoneinfo

import pytest
from django.utils import timezone

from cases import indicators as case_indicators
from cases import services as cases
from cases.models import Case, HomeVisit
from casework import indicators
from casework.selectors import reach_for
from quality_conversations import indicators as conversation_indicators
from quality_conversations import services as conversations
from quality_conversations.models import QualityConversation
from tests.factories import ServiceUserFactory

pytestmark = pytest.mark.django_db
OSLO = zoneinfo.ZoneInfo("Europe/Oslo")
YEAR = (datetime.date(2026, 1, 1), datetime.date(2027, 1, 1))
LAST_YEAR = (datetime.date(2025, 1, 1), datetime.date(2026, 1, 1))


def _decided_case(world, *, received, decided_at, visited):
    reach = reach_for(world.actors["caseworker"])
    person = ServiceUserFactory(units=[world.unit_a])
    case = cases.case_create(
        reach=reach,
        service_user=person,
        unit=world.unit_a,
        service_applied_for="Bistand",
        received_on=received,
    )
    cases.case_start_assessment(reach=reach, case=case)
    if visited:
        visit = cases.home_visit_plan(reach=reach, case=case)
        cases.home_visit_schedule(reach=reach, visit=visit, at=timezone.now() + datetime.timedelta(hours=1))
        cases.home_visit_complete(reach=reach, visit=visit, findings="Funn", wishes="Ønsker")
    else:
        cases.case_record_no_visit_reason(reach=reach, case=case, reason="Ønsket ikke besøk")
    cases.case_decide(
        reach=reach, case=case, outcome="granted", reasons="Begrunnelse", complaint_information="Klage"
    )
    Case.objects.filter(pk=case.pk).update(decided_at=decided_at)
    # The visit happened before the decision (the indicator counts only those).
    HomeVisit.objects.filter(case=case).update(state_changed_at=decided_at - datetime.timedelta(days=2))
    return case


def test_decision_indicators_count_by_hand(world):
    # 1: visited, decided in time. 2: visited, late. 3: not visited, in time.
    # 4: decided at 23:30 on 31 December in Oslo (22:30 UTC): still 2025. 5: decided in 2026: excluded.
    _decided_case(
        world,
        received=datetime.date(2025, 3, 1),
        decided_at=datetime.datetime(2025, 3, 20, 10, tzinfo=OSLO),
        visited=True,
    )
    _decided_case(
        world,
        received=datetime.date(2025, 3, 1),
        decided_at=datetime.datetime(2025, 5, 1, 10, tzinfo=OSLO),
        visited=True,
    )
    _decided_case(
        world,
        received=datetime.date(2025, 6, 1),
        decided_at=datetime.datetime(2025, 6, 10, 10, tzinfo=OSLO),
        visited=False,
    )
    _decided_case(
        world,
        received=datetime.date(2025, 12, 20),
        decided_at=datetime.datetime(2025, 12, 31, 23, 30, tzinfo=OSLO),
        visited=False,
    )
    _decided_case(
        world,
        received=datetime.date(2025, 12, 20),
        decided_at=datetime.datetime(2026, 1, 1, 0, 30, tzinfo=OSLO),
        visited=True,
    )
    reach = reach_for(world.actors["quality_admin"])

    visited = case_indicators.decisions_after_home_visit(reach=reach, start=LAST_YEAR[0], end=LAST_YEAR[1])
    in_time = case_indicators.decisions_within_a_month(reach=reach, start=LAST_YEAR[0], end=LAST_YEAR[1])

    assert visited == {world.unit_a.pk: indicators.Share(2, 4)}
    assert in_time == {world.unit_a.pk: indicators.Share(3, 4)}


def test_each_indicator_is_one_query(world, django_assert_num_queries):
    reach = reach_for(world.actors["quality_admin"])

    with django_assert_num_queries(1):
        case_indicators.decisions_after_home_visit(reach=reach, start=YEAR[0], end=YEAR[1])
    with django_assert_num_queries(1):
        conversation_indicators.conversations_offered(reach=reach, year=2026)


def test_conversation_indicators_exclude_the_not_applicable(world):
    conversations.quality_conversations_generate(municipality=world.person.municipality, year=2026)
    reach = reach_for(world.actors["unit_manager"])
    relative = QualityConversation.objects.get(representative__user__username="relative")
    conversations.conversation_offer(reach=reach, conversation=relative)
    conversations.conversation_accept(reach=reach, conversation=relative)
    conversations.conversation_schedule(
        reach=reach, conversation=relative, at=timezone.now() + datetime.timedelta(days=1)
    )
    conversations.conversation_hold(reach=reach, conversation=relative, on=datetime.date(2026, 12, 31))

    offered = conversation_indicators.conversations_offered(reach=reach, year=2026)
    held = conversation_indicators.conversations_held(reach=reach, year=2026)

    # Unit A: the guardian and the relative of the person (the other person, in unit B, has none).
    assert offered == {world.unit_a.pk: indicators.Share(1, 2)}
    assert held == {world.unit_a.pk: indicators.Share(1, 2)}


def test_a_unit_managers_indicators_cover_only_their_units(world):
    conversations.quality_conversations_generate(municipality=world.person.municipality, year=2026)

    shares = conversation_indicators.conversations_offered(
        reach=reach_for(world.actors["caseworker_other_unit"]), year=2026
    )

    assert shares == {}
