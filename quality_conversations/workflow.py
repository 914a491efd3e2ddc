"""The annual quality conversation's transitions, declared once for the engine (casework/engine.py).

Who: caseworkers and unit managers of the conversation's unit (``casework.policies.may_work_on``).
What is missing: a representative whose mandate or consent is valid now (to offer and schedule),
a time in the future, a date in the conversation's year, a summary, an open plan for follow-ups
marked for it. ``mark_not_applicable`` and ``expire`` are scheduled work's, never a caller's.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from casework.engine import Step, Workflow, register, time_in_future
from casework.policies import CASE_WORK_DENIED, may_work_on, work_role
from quality_conversations import events
from quality_conversations.models import QualityConversation
from quality_conversations.services import documentation_missing, record_follow_ups, representative_valid_now


def _representative_valid(conversation: QualityConversation) -> list[str]:
    return [] if representative_valid_now(conversation) else ["representative_valid"]


def _in_the_year(conversation: QualityConversation, values: Mapping[str, Any]) -> list[str]:
    on = values.get("on")
    return [] if on is not None and on.year == conversation.year else ["held_in_the_conversation_year"]


CONVERSATION_WORKFLOW = register(
    Workflow(
        model=QualityConversation,
        resource="qualityconversation",
        policy=lambda reach, conversation: may_work_on(reach, conversation.unit_id),
        denied=CASE_WORK_DENIED,
        person=lambda conversation: conversation.service_user,
        role=lambda reach, conversation: work_role(reach, conversation.unit_id),
        steps=(
            Step("offer", events.CONVERSATION_OFFERED, guard=_representative_valid),
            Step("accept", events.CONVERSATION_ACCEPTED),
            Step("decline", events.CONVERSATION_DECLINED),
            Step(
                "schedule",
                events.CONVERSATION_SCHEDULED,
                guard=_representative_valid,
                requires=("at",),
                input_guard=time_in_future,
                apply=lambda move: move.obj.schedule(at=move.input["at"]),
            ),
            Step(
                "hold",
                events.CONVERSATION_HELD,
                requires=("on",),
                input_guard=_in_the_year,
                apply=lambda move: move.obj.hold(on=move.input["on"]),
            ),
            Step(
                "document",
                events.CONVERSATION_DOCUMENTED,
                inputs=("summary",),
                input_guard=documentation_missing,
                apply=lambda move: move.obj.document(summary=move.input["summary"]),
                after=record_follow_ups,
            ),
            Step(
                "mark_not_applicable",
                events.CONVERSATION_NOT_APPLICABLE,
                scheduled=True,
                apply=lambda move: move.obj.mark_not_applicable(reason=move.comment),
            ),
            Step("expire", events.CONVERSATION_EXPIRED, scheduled=True),
        ),
    )
)
