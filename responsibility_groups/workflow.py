"""The meeting's transitions, declared once for the engine (casework/engine.py).

Who: the group's coordinator or the caseworkers and coordinators of its unit
(``responsibility_groups.policies.may_run``). What is missing: members the person's consent does
not cover (invitations, new times and minutes reach only those it does), topics of the minutes,
attendance once the meeting has started. Side effects: bookings (ADR 0009), attendance rows, the
approved minutes' version and the agreements that become plan measures.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from casework.engine import Step, Workflow, register
from responsibility_groups import events
from responsibility_groups.models import Meeting
from responsibility_groups.policies import may_run
from responsibility_groups.services import (
    apply_approve_minutes,
    apply_cancel,
    apply_invite,
    apply_reschedule,
    group_role,
    meeting_guard_missing,
    meeting_lock,
)


def _step(name: str, event: str, **declared: Any) -> Step:
    return Step(
        name=name, event=event, guard=lambda meeting: meeting_guard_missing(meeting, name), **declared
    )


MEETING_WORKFLOW = register(
    Workflow(
        model=Meeting,
        resource="meeting",
        policy=lambda reach, meeting: may_run(reach, meeting.group),
        denied=_("Only the group's coordinator or caseworkers and coordinators of its unit may do this."),
        lock=meeting_lock,
        person=lambda meeting: meeting.group.service_user,
        role=lambda reach, meeting: group_role(reach, meeting.group),
        payload=lambda meeting: {"meeting": meeting.pk, "sequence": meeting.sequence},
        steps=(
            _step("invite", events.MEETING_INVITED, apply=apply_invite),
            _step(
                "reschedule",
                events.MEETING_RESCHEDULED,
                requires=("starts_at", "ends_at"),
                apply=apply_reschedule,
            ),
            _step("cancel", events.MEETING_CANCELLED, needs_reason=True, apply=apply_cancel),
            _step("record_held", events.MEETING_HELD),
            _step("start_minutes", events.MEETING_MINUTES_STARTED),
            _step("approve_minutes", events.MEETING_MINUTES_APPROVED, apply=apply_approve_minutes),
            _step("correct_minutes", events.MEETING_MINUTES_CORRECTED, needs_reason=True),
        ),
    )
)
