"""Annual quality conversations: idempotent yearly generation, eligibility, the year boundary."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from casework.engine import perform_transition
from casework.errors import GuardFailed, NotAllowed
from casework.models import AuditEvent, WorkflowTransition
from casework.selectors import reach_for
from casework.system import system_actor
from quality_conversations import services as conversations
from quality_conversations.choices import ConversationState
from quality_conversations.models import QualityConversation
from tests.factories import MandateFactory

pytestmark = pytest.mark.django_db


def _generate(world, year=2026):
    return conversations.quality_conversations_generate(
        municipality=world.person.municipality, year=year, on=timezone.localdate()
    )


def test_generation_creates_one_per_eligible_representative_and_is_idempotent(world):
    first = _generate(world)
    second = _generate(world)

    # The person: a guardian with a valid personal mandate and a relative with consent; the other
    # person has nobody and is counted as not applicable.
    assert (first.created, first.not_applicable, first.total) == (3, 1, 3)
    assert (second.created, second.total) == (0, 3)
    reps = set(
        QualityConversation.objects.filter(service_user=world.person).values_list(
            "representative__user__username", flat=True
        )
    )
    assert reps == {"guardian", "relative"}


def test_an_expired_guardian_or_a_relative_without_consent_is_not_eligible(world):
    _generate(world)

    usernames = set(QualityConversation.objects.values_list("representative__user__username", flat=True))

    assert "guardian_expired" not in usernames
    assert "relative_without_consent" not in usernames


def test_an_offer_to_a_representative_whose_mandate_has_ended_is_422(world):
    _generate(world)
    conversation = QualityConversation.objects.get(representative__user__username="guardian")
    conversation.representative.mandates.update(valid_to=timezone.localdate() - datetime.timedelta(days=1))

    with pytest.raises(GuardFailed) as refused:
        conversations.conversation_offer(
            reach=reach_for(world.actors["unit_manager"]), conversation=conversation
        )

    assert refused.value.extra["missing"] == ["representative_valid"]
    conversation.refresh_from_db()
    assert conversation.state == ConversationState.DUE


def test_the_whole_way_from_offer_to_documented(world):
    _generate(world)
    reach = reach_for(world.actors["unit_manager"])
    conversation = QualityConversation.objects.get(representative__user__username="relative")

    conversations.conversation_offer(reach=reach, conversation=conversation)
    conversations.conversation_accept(reach=reach, conversation=conversation)
    conversations.conversation_schedule(
        reach=reach, conversation=conversation, at=timezone.now() + datetime.timedelta(days=3)
    )
    conversations.conversation_hold(reach=reach, conversation=conversation, on=datetime.date(2026, 12, 31))
    done = conversations.conversation_document(
        reach=reach, conversation=conversation, summary="Fornøyd med tilbudet."
    )

    assert done.state == ConversationState.DOCUMENTED
    assert done.held_on == datetime.date(2026, 12, 31)


def test_a_conversation_held_after_its_year_is_refused(world):
    _generate(world)
    reach = reach_for(world.actors["unit_manager"])
    conversation = QualityConversation.objects.get(representative__user__username="relative")
    conversations.conversation_offer(reach=reach, conversation=conversation)
    conversations.conversation_accept(reach=reach, conversation=conversation)
    conversations.conversation_schedule(
        reach=reach, conversation=conversation, at=timezone.now() + datetime.timedelta(days=1)
    )

    with pytest.raises(GuardFailed) as refused:
        conversations.conversation_hold(reach=reach, conversation=conversation, on=datetime.date(2027, 1, 1))

    assert refused.value.extra["missing"] == ["held_in_the_conversation_year"]


def test_a_declined_offer_stays_declined_and_unfinished_ones_expire(world):
    _generate(world)
    reach = reach_for(world.actors["unit_manager"])
    declined = QualityConversation.objects.get(representative__user__username="relative")
    conversations.conversation_offer(reach=reach, conversation=declined)
    conversations.conversation_decline(reach=reach, conversation=declined)

    expired = conversations.quality_conversations_expire(year=2026, actor=system_actor())

    states = dict(QualityConversation.objects.values_list("representative__user__username", "state"))
    assert expired == 1
    assert states["relative"] == ConversationState.DECLINED
    assert states["guardian"] == ConversationState.EXPIRED
    assert states[None] == ConversationState.NOT_APPLICABLE


def test_the_yearly_task_runs_from_the_municipalitys_day_and_twice_is_harmless(world):
    from quality_conversations.tasks import quality_conversations_yearly

    municipality = world.person.municipality
    municipality.conversations_month, municipality.conversations_day = 1, 1
    municipality.save()

    first = quality_conversations_yearly()
    second = quality_conversations_yearly()

    assert first == {municipality.number: 3}
    assert second == {municipality.number: 0}


def test_a_guardian_with_a_new_mandate_next_year_gets_next_years_conversation(world):
    _generate(world, year=2026)
    MandateFactory(representative__service_user=world.other_person)

    result = _generate(world, year=2027)

    assert result.created == 3


def test_the_api_offers_and_lists_what_is_not_yet_offered(world, api):
    conversations.quality_conversations_generate(
        municipality=world.person.municipality, year=timezone.localdate().year
    )
    client = api(world.actors["unit_manager"])
    response = client.get(f"/api/v1/quality-conversations/not-offered/?unit={world.unit_a.pk}")
    assert response.status_code == 200, response.content
    pending = response.json()
    assert pending["count"] == 2

    offered = client.post(
        f"/api/v1/quality-conversations/{pending['results'][0]['id']}/transitions/offer/", {}, format="json"
    )

    assert offered.status_code == 200
    assert offered.json()["state"] == ConversationState.OFFERED
    still_pending = client.get(f"/api/v1/quality-conversations/not-offered/?unit={world.unit_a.pk}")
    assert still_pending.status_code == 200, still_pending.content
    assert still_pending.json()["count"] == 1


def test_scheduling_through_the_api_needs_a_time(world, api):
    conversations.quality_conversations_generate(
        municipality=world.person.municipality, year=timezone.localdate().year
    )
    conversation = QualityConversation.objects.get(representative__user__username="relative")
    client = api(world.actors["unit_manager"])
    for step in ("offer", "accept"):
        moved = client.post(
            f"/api/v1/quality-conversations/{conversation.pk}/transitions/{step}/", {}, format="json"
        )
        assert moved.status_code == 200, moved.content

    response = client.post(
        f"/api/v1/quality-conversations/{conversation.pk}/transitions/schedule/", {}, format="json"
    )

    assert response.status_code == 400


@pytest.mark.parametrize(
    ("actor", "expected"),
    [("unit_manager", 200), ("caseworker_other_unit", 404), ("guardian", 404), ("anonymous", 401)],
)
def test_conversation_detail_matrix(world, api, actor, expected):
    conversations.quality_conversations_generate(municipality=world.person.municipality, year=2026)
    conversation = QualityConversation.objects.get(representative__user__username="relative")

    assert (
        api(world.actors[actor]).get(f"/api/v1/quality-conversations/{conversation.pk}/").status_code
        == expected
    )


def test_follow_ups_are_kept_and_one_for_the_plan_becomes_a_measure(world):
    from plans import services as plan_services
    from tests.plans.conftest import PlanBuilder

    plan = plan_services.plan_start_review(
        reach=reach_for(world.actors["caseworker"]), plan=PlanBuilder(world).active()
    )
    _generate(world)
    reach = reach_for(world.actors["caseworker"])
    conversation = QualityConversation.objects.get(representative__user__username="relative")
    conversations.conversation_offer(reach=reach, conversation=conversation)
    conversations.conversation_accept(reach=reach, conversation=conversation)
    conversations.conversation_schedule(
        reach=reach, conversation=conversation, at=timezone.now() + datetime.timedelta(days=1)
    )
    conversations.conversation_hold(reach=reach, conversation=conversation, on=datetime.date(2026, 11, 25))

    conversations.conversation_document(
        reach=reach,
        conversation=conversation,
        summary="Ønsker mer aktivitet.",
        follow_ups=[
            {"text": "Ringe pårørende om fritidstilbud", "deadline": datetime.date(2026, 12, 15)},
            {"text": "Støttekontakt til fotball", "to_plan": True},
        ],
    )

    assert conversation.follow_ups.count() == 2
    assert plan.measures.filter(description="Støttekontakt til fotball").count() == 1


def test_a_follow_up_for_a_locked_plan_is_422(world):
    from tests.plans.conftest import PlanBuilder

    PlanBuilder(world).active()
    _generate(world)
    reach = reach_for(world.actors["caseworker"])
    conversation = QualityConversation.objects.get(representative__user__username="relative")
    conversations.conversation_offer(reach=reach, conversation=conversation)
    conversations.conversation_accept(reach=reach, conversation=conversation)
    conversations.conversation_schedule(
        reach=reach, conversation=conversation, at=timezone.now() + datetime.timedelta(days=1)
    )
    conversations.conversation_hold(reach=reach, conversation=conversation, on=datetime.date(2026, 11, 25))

    with pytest.raises(GuardFailed) as refused:
        conversations.conversation_document(
            reach=reach, conversation=conversation, summary="S", follow_ups=[{"text": "T", "to_plan": True}]
        )

    assert refused.value.extra["missing"] == ["plan_open_for_changes"]


def test_a_follow_up_owner_is_set_through_the_api(world, api):
    conversations.quality_conversations_generate(
        municipality=world.person.municipality, year=timezone.localdate().year
    )
    conversation = QualityConversation.objects.get(representative__user__username="relative")
    reach = reach_for(world.actors["unit_manager"])
    conversations.conversation_offer(reach=reach, conversation=conversation)
    conversations.conversation_accept(reach=reach, conversation=conversation)
    conversations.conversation_schedule(
        reach=reach, conversation=conversation, at=timezone.now() + datetime.timedelta(days=1)
    )
    conversations.conversation_hold(reach=reach, conversation=conversation, on=timezone.localdate())

    response = api(world.actors["unit_manager"]).post(
        f"/api/v1/quality-conversations/{conversation.pk}/transitions/document/",
        {
            "summary": "Fornøyd.",
            "follow_ups": [{"text": "Ringe datter", "owner": world.actors["caseworker"].pk}],
        },
        format="json",
    )

    assert response.status_code == 200
    assert conversation.follow_ups.get().owner == world.actors["caseworker"]


def test_expiry_moves_each_conversation_through_its_transition_in_batches(world, monkeypatch):
    _generate(world)
    _generate(world, year=2025)
    monkeypatch.setattr(conversations, "EXPIRY_BATCH", 1)  # one per transaction: several batches
    system = system_actor()

    expired = conversations.quality_conversations_expire(year=2026, actor=system)

    due = QualityConversation.objects.filter(year=2026, representative__isnull=False)
    assert expired == due.count() == 2
    assert set(due.values_list("state", flat=True)) == {ConversationState.EXPIRED}
    rows = WorkflowTransition.objects.filter(
        object_type="quality_conversations.qualityconversation", name="expire"
    )
    assert sorted(rows.values_list("object_id", "source", "actor", "comment")) == sorted(
        (str(c.pk), "due", system.pk, "2026") for c in due
    )
    audited = AuditEvent.objects.filter(action="qualityconversation.expire")
    assert sorted(audited.values_list("object_id", "actor_role")) == sorted(
        (str(c.pk), "system") for c in due
    )
    assert set(QualityConversation.objects.filter(year=2025).values_list("state", flat=True)) == {
        ConversationState.DUE,
        ConversationState.NOT_APPLICABLE,
    }
    assert conversations.quality_conversations_expire(year=2026, actor=system) == 0


def test_only_the_system_expires_a_conversation_and_the_api_offers_it_to_nobody(world, api):
    _generate(world)
    conversation = QualityConversation.objects.filter(representative__isnull=False).first()
    manager = world.actors["unit_manager"]

    with pytest.raises(NotAllowed):
        perform_transition(reach_for(manager), conversation, "expire")
    listed = api(manager).get(f"/api/v1/quality-conversations/{conversation.pk}/transitions/")
    posted = api(manager).post(f"/api/v1/quality-conversations/{conversation.pk}/transitions/expire/")

    assert listed.status_code == 200, listed.content
    assert [option["name"] for option in listed.json()] == ["offer"]
    assert posted.status_code == 404, posted.content
    conversation.refresh_from_db()
    assert conversation.state == ConversationState.DUE
