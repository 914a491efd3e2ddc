"""Writes to individual plans: every one checks permission, changes, audits and emits, in one
transaction. Lock order: the plan row first (``_lock``), then its content rows.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import ConcurrentTransition

from casework.audit import audit_record, changes_between
from casework.choices import AccessSource
from casework.models import Consent, ServiceUser, StaffMembership, Unit
from casework.selectors import Reach
from casework.services import (
    InvalidField,
    access_reason_add,
    access_reasons_end,
    ensure_unit_serves,
)
from config.errors import Conflict, GuardFailed, TransitionNotAllowed
from notifications.services import outbox_emit
from plans import guards
from plans.choices import ParticipantKind, PlanState, VersionReason
from plans.content import plan_content, plan_for_content
from plans.models import (
    Goal,
    GoalAssessment,
    IndividualPlan,
    Participant,
    PlanReview,
    PlanTransition,
    PlanVersion,
)
from plans.participants import IDENTITY_FIELDS, duplicate_problem, kind_field_problem
from plans.policies import ensure_can_create, ensure_can_edit, ensure_can_move


def _lock(plan: IndividualPlan) -> IndividualPlan:
    """The plan row, locked for this transaction and re-read (another request may have moved it)."""
    return IndividualPlan.objects.select_for_update().select_related("service_user", "unit").get(pk=plan.pk)


def _role(reach: Reach, plan: IndividualPlan) -> str:
    if reach.is_superuser:
        return "superuser"
    roles = set(reach.roles_in([plan.unit_id]))
    if plan.coordinator_id == reach.actor.pk:
        roles.add("plan_coordinator")
    return ",".join(sorted(roles)) or "staff"


def _audit(reach: Reach, plan: IndividualPlan, action: str, obj: models.Model, **kwargs: Any) -> None:
    audit_record(
        actor=reach.actor,
        action=action,
        obj=obj,
        role=_role(reach, plan),
        service_user=plan.service_user,
        **kwargs,
    )


def _grant_plan_access(plan: IndividualPlan, user: Any, actor: Any) -> None:
    """Those who work on the plan (its coordinator, staff participants) may see the person: the
    plan is their reason in the access ledger, whatever else gives them access."""
    access_reason_add(
        actor=actor,
        service_user=plan.service_user,
        user=user,
        source=AccessSource.PLAN,
        source_id=plan.pk,
        reason=_("Individual plan #%(id)s") % {"id": plan.pk},
    )


def _release_plan_access(plan: IndividualPlan, users: set[Any] | None, actor: Any) -> None:
    """End the plan's reason for ``users`` (logins or ids; None: everyone); other reasons stay."""
    access_reasons_end(
        actor=actor,
        service_user=plan.service_user,
        users=users,
        source=AccessSource.PLAN,
        source_id=plan.pk,
        reason=_("Individual plan #%(id)s") % {"id": plan.pk},
    )


def _still_on_plan(plan: IndividualPlan, user_id: int) -> bool:
    return user_id == plan.coordinator_id or plan.participants.filter(user_id=user_id).exists()


def _end_plan_access(plan: IndividualPlan, actor: Any) -> None:
    """Withdrawal and completion end, at once, every reason the plan gave."""
    _release_plan_access(plan, None, actor)


# --- Creating and editing -------------------------------------------------------------------------


@transaction.atomic
def plan_create(
    *, reach: Reach, service_user: ServiceUser, unit: Unit, coordinator: Any, comment: str = ""
) -> IndividualPlan:
    ensure_can_create(reach=reach, unit_id=unit.pk)
    ensure_unit_serves(service_user=service_user, unit=unit)
    if not StaffMembership.objects.filter(user=coordinator).exists():
        raise InvalidField(
            field="coordinator", code="not_staff", detail=_("The coordinator must be a staff member.")
        )
    try:
        with transaction.atomic():
            plan = IndividualPlan.objects.create(
                service_user=service_user, unit=unit, coordinator=coordinator
            )
    except IntegrityError as error:
        raise Conflict(
            _("The person already has an individual plan that is not closed."), code="open_plan_exists"
        ) from error
    _grant_plan_access(plan, coordinator, reach.actor)
    _audit(
        reach,
        plan,
        "plan.create",
        plan,
        changes={"unit": [None, unit.pk], "coordinator": [None, coordinator.pk]},
        comment=comment,
    )
    outbox_emit(event="plan.created", obj=plan, payload={"coordinator": coordinator.pk})
    return plan


PLAN_FIELDS = ("resources", "needs", "cooperation", "period_start", "period_end", "next_review_date")


@transaction.atomic
def plan_update(
    *, reach: Reach, plan: IndividualPlan, consent: Consent | None = None, **changes: Any
) -> IndividualPlan:
    plan = _lock(plan)
    ensure_can_edit(reach=reach, plan=plan)
    unknown = set(changes) - set(PLAN_FIELDS)
    if unknown:
        raise TypeError(f"unexpected fields: {sorted(unknown)}")
    if consent is not None:
        if consent.service_user_id != plan.service_user_id:
            raise InvalidField(
                field="consent", code="other_person", detail=_("The consent is for another person.")
            )
        changes["consent"] = consent
    start = changes.get("period_start", plan.period_start)
    end = changes.get("period_end", plan.period_end)
    if start and end and end < start:
        raise InvalidField(
            field="period_end", code="before_start", detail=_("The end date is before the start date.")
        )
    before = {name: getattr(plan, name) for name in changes}
    for name, value in changes.items():
        setattr(plan, name, value)
    diff = changes_between(before, changes)
    if diff:
        plan.save()
        _audit(reach, plan, "plan.update", plan, changes=diff)
    return plan


def _item_values(item: models.Model, names: list[str]) -> dict[str, Any]:
    return {name: getattr(item, name) for name in names}


@transaction.atomic
def plan_item_create(
    *, reach: Reach, plan: IndividualPlan, model: type[models.Model], **values: Any
) -> models.Model:
    """Add a goal, participant or measure to a plan that is open for work."""
    plan = _lock(plan)
    ensure_can_edit(reach=reach, plan=plan)
    _check_item_references(plan, values)
    if model is Participant:
        _check_participant_kind(values.get("kind", ""), values, plan.participants.all())
    item = model._default_manager.create(plan=plan, **values)
    if isinstance(item, Participant) and item.kind == ParticipantKind.STAFF:
        _grant_plan_access(plan, item.user, reach.actor)
    _audit(
        reach,
        plan,
        f"plan.{model._meta.model_name}.create",
        item,
        changes=changes_between({}, _item_values(item, list(values))),
    )
    return item


@transaction.atomic
def plan_item_update(*, reach: Reach, item: Any, **values: Any) -> Any:
    plan = _lock(item.plan)
    ensure_can_edit(reach=reach, plan=plan)
    _check_item_references(plan, values)
    before = _item_values(item, list(values))
    previous_user = getattr(item, "user", None)
    for name, value in values.items():
        setattr(item, name, value)
    if isinstance(item, Participant):
        _check_participant_kind(
            item.kind,
            {field: getattr(item, field, None) for field in IDENTITY_FIELDS},
            plan.participants.exclude(pk=item.pk),
        )
    diff = changes_between(before, values)
    if diff:
        # Only the fields changed: a mark set meanwhile by a withdrawn consent (plans.basis) stays.
        item.save(update_fields=list(values))
        if isinstance(item, Participant) and previous_user != item.user:
            if previous_user is not None and not _still_on_plan(plan, previous_user.pk):
                _release_plan_access(plan, {previous_user}, reach.actor)
            if item.kind == ParticipantKind.STAFF:
                _grant_plan_access(plan, item.user, reach.actor)
        _audit(reach, plan, f"plan.{item._meta.model_name}.update", item, changes=diff)
    return item


@transaction.atomic
def plan_item_delete(*, reach: Reach, item: Any) -> None:
    plan = _lock(item.plan)
    ensure_can_edit(reach=reach, plan=plan)
    if isinstance(item, Participant) and item.measures.exists():
        raise Conflict(_("The participant is responsible for measures; reassign them first."), code="in_use")
    if isinstance(item, Goal) and item.assessments.filter(review__completed_at__isnull=False).exists():
        raise Conflict(_("A goal assessed in a completed review cannot be removed."), code="in_use")
    _audit(reach, plan, f"plan.{item._meta.model_name}.delete", item, changes={"id": [item.pk, None]})
    user_id = getattr(item, "user_id", None)
    item.delete()
    if user_id is not None and not _still_on_plan(plan, user_id):
        _release_plan_access(plan, {user_id}, reach.actor)


def _check_participant_kind(kind: str, values: dict[str, Any], others: Any) -> None:
    problem = kind_field_problem(kind, values) or duplicate_problem(kind, values, others)
    if problem is not None:
        field, code, detail = problem
        raise InvalidField(field=field, code=code, detail=detail)


def _check_item_references(plan: IndividualPlan, values: dict[str, Any]) -> None:
    responsible = values.get("responsible")
    if responsible is not None and responsible.plan_id != plan.pk:
        raise InvalidField(
            field="responsible", code="other_plan", detail=_("The participant belongs to another plan.")
        )
    representative = values.get("representative")
    if representative is not None and representative.service_user_id != plan.service_user_id:
        raise InvalidField(
            field="representative",
            code="other_person",
            detail=_("The representative belongs to another service user."),
        )


@transaction.atomic
def goal_assess(*, reach: Reach, goal: Goal, progress: str, assessment: str) -> GoalAssessment:
    """Record how far a goal was reached, in the review under way (once per goal and review)."""
    plan = _lock(goal.plan)
    ensure_can_move(reach=reach, plan=plan)
    review = plan.reviews.filter(completed_at__isnull=True).order_by("-number").first()
    if plan.state != PlanState.UNDER_REVIEW or review is None:
        raise Conflict(_("Goals are assessed while the plan is under review."), code="not_under_review")
    row, _created = GoalAssessment.objects.update_or_create(
        goal=goal,
        review=review,
        defaults={"progress": progress, "assessment": assessment, "assessed_by": reach.actor},
    )
    _audit(
        reach,
        plan,
        "plan.goal.assess",
        goal,
        changes={"progress": [None, progress], "review": [None, review.number]},
    )
    return row


# --- Transitions ----------------------------------------------------------------------------


@dataclass(frozen=True)
class TransitionSpec:
    name: str
    needs_reason: bool = False
    needs_final_evaluation: bool = False


@transaction.atomic
def _transition(
    *,
    reach: Reach,
    plan: IndividualPlan,
    spec: TransitionSpec,
    comment: str,
    call: Callable[[IndividualPlan], None],
    after: Callable[[IndividualPlan], object] | None = None,
    extra_missing: list[str] | None = None,
) -> IndividualPlan:
    """Lock, check state, permission and guard; transition; save; history, audit and outbox."""
    plan = _lock(plan)
    available = [t.name for t in plan.transitions_from_here()]
    if spec.name not in available:
        raise TransitionNotAllowed(
            _("The plan is '%(state)s'; '%(name)s' is not possible from there.")
            % {"state": plan.state, "name": spec.name},
            available_transitions=sorted(available),
        )
    ensure_can_move(reach=reach, plan=plan)
    missing = guards.missing_for(plan, spec.name) + (extra_missing or [])
    if spec.needs_reason and not comment.strip():
        missing.append("reason")
    if missing:
        raise GuardFailed(
            _("'%(name)s' needs: %(missing)s.") % {"name": spec.name, "missing": ", ".join(missing)},
            missing=missing,
        )
    source = plan.state
    call(plan)
    try:
        plan.save()
    except ConcurrentTransition as error:
        raise Conflict(
            _("The plan was changed by someone else; reload it."), code="concurrent_change"
        ) from error
    PlanTransition.objects.create(
        plan=plan, name=spec.name, source=source, target=plan.state, actor=reach.actor, comment=comment
    )
    if after is not None:
        after(plan)
    _audit(reach, plan, f"plan.{spec.name}", plan, changes={"state": [source, plan.state]}, comment=comment)
    outbox_emit(
        event=f"plan.{spec.name}", obj=plan, payload={"from": source, "to": plan.state, "plan": plan.pk}
    )
    return plan


def _freeze(plan: IndividualPlan, actor: Any, reason: str) -> PlanVersion:
    last = plan.versions.order_by("-number").values_list("number", flat=True).first() or 0
    return PlanVersion.objects.create(
        plan=plan,
        number=last + 1,
        reason=reason,
        content=plan_content(plan_for_content(plan.pk)),
        created_by=actor,
    )


def plan_request_consent(*, reach: Reach, plan: IndividualPlan, comment: str = "") -> IndividualPlan:
    return _transition(
        reach=reach,
        plan=plan,
        spec=TRANSITIONS["request_consent"],
        comment=comment,
        call=lambda p: p.request_consent(),
    )


def plan_record_consent(*, reach: Reach, plan: IndividualPlan, comment: str = "") -> IndividualPlan:
    return _transition(
        reach=reach,
        plan=plan,
        spec=TRANSITIONS["record_consent"],
        comment=comment,
        call=lambda p: p.record_consent(),
    )


def plan_activate(*, reach: Reach, plan: IndividualPlan, comment: str = "") -> IndividualPlan:
    return _transition(
        reach=reach,
        plan=plan,
        spec=TRANSITIONS["activate"],
        comment=comment,
        call=lambda p: p.activate(),
        after=lambda p: _freeze(p, reach.actor, VersionReason.ACTIVATION),
    )


def _open_review(plan: IndividualPlan, actor: Any) -> None:
    number = (plan.reviews.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    PlanReview.objects.create(
        plan=plan, number=number, due_date=plan.next_review_date, started_at=timezone.now(), started_by=actor
    )


def plan_start_review(*, reach: Reach, plan: IndividualPlan, comment: str = "") -> IndividualPlan:
    return _transition(
        reach=reach,
        plan=plan,
        spec=TRANSITIONS["start_review"],
        comment=comment,
        call=lambda p: p.start_review(),
        after=lambda p: _open_review(p, reach.actor),
    )


def _close_review(plan: IndividualPlan, actor: Any) -> None:
    plan.reviews.filter(completed_at__isnull=True).update(completed_at=timezone.now())
    _freeze(plan, actor, VersionReason.REVIEW)


def plan_complete_review(*, reach: Reach, plan: IndividualPlan, comment: str = "") -> IndividualPlan:
    return _transition(
        reach=reach,
        plan=plan,
        spec=TRANSITIONS["complete_review"],
        comment=comment,
        call=lambda p: p.complete_review(),
        after=lambda p: _close_review(p, reach.actor),
    )


def plan_put_on_hold(*, reach: Reach, plan: IndividualPlan, comment: str = "") -> IndividualPlan:
    return _transition(
        reach=reach,
        plan=plan,
        spec=TRANSITIONS["put_on_hold"],
        comment=comment,
        call=lambda p: p.put_on_hold(reason=comment),
    )


def plan_resume(*, reach: Reach, plan: IndividualPlan, comment: str = "") -> IndividualPlan:
    return _transition(
        reach=reach, plan=plan, spec=TRANSITIONS["resume"], comment=comment, call=lambda p: p.resume()
    )


def plan_complete(
    *, reach: Reach, plan: IndividualPlan, comment: str = "", final_evaluation: str = ""
) -> IndividualPlan:
    return _transition(
        reach=reach,
        plan=plan,
        spec=TRANSITIONS["complete"],
        comment=comment,
        call=lambda p: p.complete(reason=comment, final_evaluation=final_evaluation),
        after=lambda p: _end_plan_access(p, reach.actor),
        extra_missing=[] if final_evaluation.strip() else ["final_evaluation"],
    )


def plan_withdraw(*, reach: Reach, plan: IndividualPlan, comment: str = "") -> IndividualPlan:
    """Consent withdrawn: the plan ends and every participant's access ends with it, at once."""
    return _transition(
        reach=reach,
        plan=plan,
        spec=TRANSITIONS["withdraw"],
        comment=comment,
        call=lambda p: p.withdraw(reason=comment),
        after=lambda p: _end_plan_access(p, reach.actor),
    )


def plan_decline(*, reach: Reach, plan: IndividualPlan, comment: str = "") -> IndividualPlan:
    """The person declined a plan; the coordinator (and their access) is kept, as the law asks."""
    return _transition(
        reach=reach,
        plan=plan,
        spec=TRANSITIONS["decline"],
        comment=comment,
        call=lambda p: p.decline(reason=comment),
    )


TRANSITIONS: dict[str, TransitionSpec] = {
    spec.name: spec
    for spec in (
        TransitionSpec("request_consent"),
        TransitionSpec("record_consent"),
        TransitionSpec("activate"),
        TransitionSpec("start_review"),
        TransitionSpec("complete_review"),
        TransitionSpec("put_on_hold", needs_reason=True),
        TransitionSpec("resume", needs_reason=True),
        TransitionSpec("complete", needs_reason=True, needs_final_evaluation=True),
        TransitionSpec("withdraw", needs_reason=True),
        TransitionSpec("decline", needs_reason=True),
    )
}

TRANSITION_SERVICES: dict[str, Callable[..., IndividualPlan]] = {
    "request_consent": plan_request_consent,
    "record_consent": plan_record_consent,
    "activate": plan_activate,
    "start_review": plan_start_review,
    "complete_review": plan_complete_review,
    "put_on_hold": plan_put_on_hold,
    "resume": plan_resume,
    "complete": plan_complete,
    "withdraw": plan_withdraw,
    "decline": plan_decline,
}
