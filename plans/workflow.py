"""The individual plan's transitions, declared once for the engine (casework/engine.py).

Who: the plan's coordinator or a caseworker of its unit (``plans.policies.may_move``). What is
missing: ``plans.guards.missing_for``. Side effects: a version frozen at activation and at each
completed review, a review opened and closed, the plan's access reasons ended when it ends.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casework.engine import Move, Step, Workflow, register
from plans import events, guards
from plans.choices import VersionReason
from plans.content import plan_content, plan_for_content
from plans.models import IndividualPlan, PlanReview, PlanVersion
from plans.policies import may_move
from plans.services import plan_access_end, plan_lock, plan_role


def _freeze(plan: IndividualPlan, actor: Any, reason: str) -> PlanVersion:
    last = plan.versions.order_by("-number").values_list("number", flat=True).first() or 0
    return PlanVersion.objects.create(
        plan=plan,
        number=last + 1,
        reason=reason,
        content=plan_content(plan_for_content(plan.pk)),
        created_by=actor,
    )


def _open_review(move: Move) -> None:
    plan = move.obj
    number = (plan.reviews.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    PlanReview.objects.create(
        plan=plan,
        number=number,
        due_date=plan.next_review_date,
        started_at=timezone.now(),
        started_by=move.reach.actor,
    )


def _close_review(move: Move) -> None:
    move.obj.reviews.filter(completed_at__isnull=True).update(completed_at=timezone.now())
    _freeze(move.obj, move.reach.actor, VersionReason.REVIEW)


def _final_evaluation_missing(plan: IndividualPlan, values: dict) -> list[str]:
    return [] if str(values.get("final_evaluation") or "").strip() else ["final_evaluation"]


def _step(name: str, event: str, **declared: Any) -> Step:
    return Step(name=name, event=event, guard=lambda plan: guards.missing_for(plan, name), **declared)


PLAN_WORKFLOW = register(
    Workflow(
        model=IndividualPlan,
        resource="plan",
        policy=may_move,
        denied=_("Only the plan's coordinator or a caseworker of its unit may change the plan."),
        lock=plan_lock,
        person=lambda plan: plan.service_user,
        role=lambda reach, plan: plan_role(reach, plan),
        payload=lambda plan: {"plan": plan.pk},
        steps=(
            _step("request_consent", events.PLAN_CONSENT_REQUESTED),
            _step("record_consent", events.PLAN_CONSENT_RECORDED),
            _step(
                "activate",
                events.PLAN_ACTIVATED,
                after=lambda move: _freeze(move.obj, move.reach.actor, VersionReason.ACTIVATION),
            ),
            _step("start_review", events.PLAN_REVIEW_STARTED, after=_open_review),
            _step("complete_review", events.PLAN_REVIEW_COMPLETED, after=_close_review),
            _step(
                "put_on_hold",
                events.PLAN_PUT_ON_HOLD,
                needs_reason=True,
                apply=lambda move: move.obj.put_on_hold(reason=move.comment),
            ),
            _step("resume", events.PLAN_RESUMED, needs_reason=True),
            _step(
                "complete",
                events.PLAN_COMPLETED,
                needs_reason=True,
                inputs=("final_evaluation",),
                input_guard=_final_evaluation_missing,
                apply=lambda move: move.obj.complete(
                    reason=move.comment, final_evaluation=str(move.input.get("final_evaluation") or "")
                ),
                after=lambda move: plan_access_end(move.obj, move.reach.actor),
            ),
            _step(
                "withdraw",
                events.PLAN_WITHDRAWN,
                needs_reason=True,
                apply=lambda move: move.obj.withdraw(reason=move.comment),
                after=lambda move: plan_access_end(move.obj, move.reach.actor),
            ),
            _step(
                "decline",
                events.PLAN_DECLINED,
                needs_reason=True,
                apply=lambda move: move.obj.decline(reason=move.comment),
            ),
        ),
    )
)
