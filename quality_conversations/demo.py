"""Demo quality conversations: this year's conversations of the demo municipality (the yearly
generation), the first unit's moved through the services to every state.

Create-only and idempotent: the yearly generation creates nothing on a second run, and only a
conversation still ``due`` is moved, so what someone changed since is never undone.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from casework.demo.times import soon
from casework.models import Unit
from casework.selectors import Reach
from quality_conversations import services as conversation_services
from quality_conversations.choices import ConversationState
from quality_conversations.models import QualityConversation

Q = ConversationState

# Conversation targets, in the order of the first unit's conversations with a representative (by
# person, then representative): eight eligible representatives (three of them of people also served
# by another unit), so the last two stay due.
FIRST_UNIT_TARGETS = (Q.DOCUMENTED, Q.HELD, Q.SCHEDULED, Q.ACCEPTED, Q.OFFERED, Q.DECLINED)
SUMMARY = (
    "Samtale med vergen om tjenestene det siste året. Fornøyd med hjemmetjenesten, men ønsker "
    "færre ulike ansatte og faste tider. Avtalt: enheten lager fast turnus for brukeren, og "
    "vergen får beskjed ved endringer. Følges opp i neste ansvarsgruppemøte."
)
# The path from due to each state (declined branches off after the offer).
PATHS: dict[str, tuple[str, ...]] = {
    Q.OFFERED: ("offer",),
    Q.ACCEPTED: ("offer", "accept"),
    Q.DECLINED: ("offer", "decline"),
    Q.SCHEDULED: ("offer", "accept", "schedule"),
    Q.HELD: ("offer", "accept", "schedule", "hold"),
    Q.DOCUMENTED: ("offer", "accept", "schedule", "hold", "document"),
}


@transaction.atomic
def conversation_to(*, reach: Reach, conversation: QualityConversation, state: str) -> QualityConversation:
    """Move a ``due`` conversation through the services to ``state``."""
    s = conversation_services
    for step in PATHS[state]:
        if step == "offer":
            conversation = s.conversation_offer(reach=reach, conversation=conversation)
        elif step == "accept":
            conversation = s.conversation_accept(reach=reach, conversation=conversation)
        elif step == "decline":
            conversation = s.conversation_decline(reach=reach, conversation=conversation)
        elif step == "schedule":
            # Scheduling needs a time ahead; holding needs a date in the conversation's year.
            conversation = s.conversation_schedule(reach=reach, conversation=conversation, at=soon(1, 13))
        elif step == "hold":
            conversation = s.conversation_hold(
                reach=reach, conversation=conversation, on=timezone.localdate()
            )
        else:
            conversation = s.conversation_document(reach=reach, conversation=conversation, summary=SUMMARY)
    return conversation


def _with_representative(unit: Unit, year: int) -> list[QualityConversation]:
    return list(
        QualityConversation.objects.filter(unit=unit, year=year, representative__isnull=False).order_by(
            "service_user_id", "representative_id"
        )
    )


def seed_demo_conversations(*, reach: Reach, unit: Unit) -> tuple[int, int]:
    """This year's conversations for the municipality of ``unit`` (the yearly generation), then
    the first unit's conversations moved by its caseworker ``reach`` to every state. Returns
    (conversations created, conversations moved)."""
    year = timezone.localdate().year
    generated = conversation_services.quality_conversations_generate(
        municipality=unit.service_area.municipality, year=year
    )
    moved = 0
    for conversation, target in zip(_with_representative(unit, year), FIRST_UNIT_TARGETS, strict=False):
        if conversation.state != Q.DUE:
            continue  # moved already (by an earlier run or by someone in the app): left alone
        conversation_to(reach=reach, conversation=conversation, state=target)
        moved += 1
    return generated.created, moved
