"""Writes to individual plans: every one checks permission, changes, audits and emits, in one
transaction. Lock order: the plan row first (``_lock``), then its content rows.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import IntegrityError, models, transaction
from django.utils.translation import gettext as _

from casework.audit import audit_record, changes_between
from casework.choices import AccessSource
from casework.engine import perform_transition
from casework.errors import Conflict
from casework.models import Consent, ServiceUser, StaffMembership, Unit
from casework.outbox import outbox_emit
from casework.selectors import Reach
from casework.services import (
    InvalidField,
    access_reason_add,
    access_reasons_end,
    ensure_unit_serves,
)
from plans import events
from plans.choices import ParticipantKind, PlanState
from plans.models import (
    Goal,
    GoalAssessment,
    IndividualPlan,
    Participant,
)
from plans.participants import IDENTITY_FIELDS, duplicate_problem, kind_field_problem
from plans.policies import ensure_can_create, ensure_can_edit, ensure_can_move


def plan_lock(plan: IndividualPlan) -> IndividualPlan:
    """The plan row, locked for this transaction and re-read (another request may have moved it)."""
    return IndividualPlan.objects.select_for_update().select_related("service_user", "unit").get(pk=plan.pk)


def plan_role(reach: Reach, plan: IndividualPlan) -> str:
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
        role=plan_role(reach, plan),
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


def plan_access_end(plan: IndividualPlan, actor: Any) -> None:
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
    outbox_emit(event=events.PLAN_CREATED, obj=plan, payload={"coordinator": coordinator.pk})
    return plan


PLAN_FIELDS = ("resources", "needs", "cooperation", "period_start", "period_end", "next_review_date")


@transaction.atomic
def plan_update(
    *, reach: Reach, plan: IndividualPlan, consent: Consent | None = None, **changes: Any
) -> IndividualPlan:
    plan = plan_lock(plan)
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
    plan = plan_lock(plan)
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
    plan = plan_lock(item.plan)
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
    plan = plan_lock(item.plan)
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
    plan = plan_lock(goal.plan)
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


# --- Transitions (declared in plans/workflow.py, performed by the engine) -------------------


def _transition(name: str) -> Callable[..., IndividualPlan]:
    def perform(*, reach: Reach, plan: IndividualPlan, comment: str = "", **values: Any) -> IndividualPlan:
        result: IndividualPlan = perform_transition(reach, plan, name, comment=comment, **values)
        return result

    perform.__name__ = perform.__qualname__ = f"plan_{name}"
    perform.__doc__ = f"The plan's ``{name}`` transition (plans/workflow.py declares it)."
    return perform


plan_request_consent = _transition("request_consent")
plan_record_consent = _transition("record_consent")
plan_activate = _transition("activate")
plan_start_review = _transition("start_review")
plan_complete_review = _transition("complete_review")
plan_put_on_hold = _transition("put_on_hold")
plan_resume = _transition("resume")
plan_complete = _transition("complete")  # also takes ``final_evaluation``
plan_withdraw = _transition("withdraw")
plan_decline = _transition("decline")
