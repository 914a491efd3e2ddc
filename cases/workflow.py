"""The transitions of the pre-decision case workflow (cases and their home visits), declared once
for the engine (casework/engine.py).

Who: caseworkers and unit managers of the case's unit (``casework.policies.may_work_on``). What is
missing: a completed home visit or a recorded reason for none before a decision; findings and
the person's own wishes at a visit; a time in the future. Side effects: the decision row, the
representatives present at a visit.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cases import events
from cases.choices import HomeVisitMissReason
from cases.models import Case, HomeVisit
from cases.services import decision_missing, record_decision, visit_completion_missing
from casework.engine import Move, Step, Workflow, register, time_in_future
from casework.policies import CASE_WORK_DENIED, may_work_on, work_role


def _miss_reason(visit: HomeVisit, values: Mapping[str, Any]) -> list[str]:
    return [] if values.get("reason") in HomeVisitMissReason.values else ["reason"]


def _set_representatives_present(move: Move) -> None:
    move.obj.representatives_present.set(move.input.get("representatives") or [])


CASE_WORKFLOW = register(
    Workflow(
        model=Case,
        resource="case",
        policy=lambda reach, case: may_work_on(reach, case.unit_id),
        denied=CASE_WORK_DENIED,
        person=lambda case: case.service_user,
        role=lambda reach, case: work_role(reach, case.unit_id),
        steps=(
            Step("start_assessment", events.CASE_ASSESSMENT_STARTED),
            Step(
                "decide",
                events.CASE_DECIDED,
                guard=decision_missing,
                requires=("outcome", "reasons", "complaint_information"),
                after=record_decision,
            ),
            Step("appeal", events.CASE_APPEALED),
            Step("close", events.CASE_CLOSED),
        ),
    )
)

HOME_VISIT_WORKFLOW = register(
    Workflow(
        model=HomeVisit,
        resource="homevisit",
        policy=lambda reach, visit: may_work_on(reach, visit.case.unit_id),
        denied=CASE_WORK_DENIED,
        person=lambda visit: visit.case.service_user,
        role=lambda reach, visit: work_role(reach, visit.case.unit_id),
        steps=(
            Step(
                "schedule",
                events.HOME_VISIT_SCHEDULED,
                requires=("at",),
                input_guard=time_in_future,
                apply=lambda move: move.obj.schedule(at=move.input["at"]),
            ),
            Step(
                "complete",
                events.HOME_VISIT_COMPLETED,
                inputs=("findings", "wishes"),
                input_guard=visit_completion_missing,
                apply=lambda move: move.obj.complete(
                    findings=move.input["findings"], wishes=move.input["wishes"]
                ),
                after=_set_representatives_present,
            ),
            Step(
                "miss",
                events.HOME_VISIT_MISSED,
                inputs=("reason",),
                input_guard=_miss_reason,
                apply=lambda move: move.obj.miss(reason=move.input["reason"]),
            ),
        ),
    )
)
