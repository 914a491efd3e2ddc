"""The one workflow engine: each workflow declares its transitions once, and one function performs
any of them (ADR 0015).

A workflow model (plans, meetings, cases, home visits, quality conversations) keeps its django-fsm-2
state field and transition methods, which change fields only. Its app registers a ``Workflow``: the
``Step`` of each transition (policy, guard, input, side effects, event name) and how to lock the row,
whom it concerns and how to audit it. ``perform_transition`` then does, in one transaction:

    lock → 409 wrong state (with the available transitions) → 403 not allowed for this caller →
    400 required input absent → 422 guard with ``missing`` → transition → save (a concurrent
    change → 409) → history row → side effects → audit row → outbox event

and ``transition_options`` answers, with the same declarations, what this caller can do now and why
not — for the API's ``transitions/`` and the web pages alike.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import models, transaction
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Cast, Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import ConcurrentTransition

from casework.audit import audit_record
from casework.errors import Conflict, GuardFailed, NotAllowed, TransitionNotAllowed
from casework.models import ServiceUser, WorkflowTransition
from casework.outbox import outbox_emit
from casework.selectors import Reach
from casework.services import InvalidField
from casework.system import is_system_actor

Policy = Callable[[Reach, Any], bool]


@dataclass(frozen=True)
class Move:
    """One transition under way, as the step's callbacks see it (the row is locked)."""

    reach: Reach
    obj: Any
    name: str
    source: str
    comment: str
    input: Mapping[str, Any]


@dataclass(frozen=True)
class Step:
    """One declared transition. ``name`` is the FSM method's name and the API's."""

    name: str
    event: str  # the event name the outbox carries; a constant of the workflow's app
    # Fields only: calls the FSM method with what it needs (default: ``obj.<name>()``). Checks that
    # can only fail with the input at hand (a double booking) may raise here, before the save.
    apply: Callable[[Move], None] | None = None
    # What is missing, knowable from the object alone (shown by ``transition_options``).
    guard: Callable[[Any], list[str]] | None = None
    # What is missing in the input (known only when performed; shown as ``input: …``).
    input_guard: Callable[[Any, Mapping[str, Any]], list[str]] | None = None
    needs_reason: bool = False  # a non-blank comment, else 422 ``missing: ["reason"]``
    requires: tuple[str, ...] = ()  # input that must be present, else 400 ``required``
    inputs: tuple[str, ...] = ()  # further input worth naming in the options (``input: …``)
    after: Callable[[Move], object] | None = None  # side effects on other rows, after the history row
    policy: Policy | None = None  # instead of the workflow's policy
    # Scheduled work's transition (year-end expiry): performed by the system actor from a task and
    # by nobody else, never offered to a caller nor reachable over the API.
    scheduled: bool = False


@dataclass(frozen=True)
class Workflow:
    model: type[models.Model]
    resource: str  # prefix of audit actions: ``<resource>.<transition>``
    steps: Sequence[Step]
    policy: Policy
    denied: Any  # the 403 detail (a lazy translation)
    person: Callable[[Any], ServiceUser]
    role: Callable[[Reach, Any], str]  # the actor's role, as the audit trail names it
    payload: Callable[[Any], dict[str, Any]] = field(default=lambda obj: {})
    # The row, locked with select_for_update and re-read; by default the row alone (``lock_row``).
    lock: Callable[[Any], Any] | None = None
    by_name: dict[str, Step] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "by_name", {step.name: step for step in self.steps})

    def step(self, name: str) -> Step | None:
        return self.by_name.get(name)

    @property
    def label(self) -> str:
        return self.model._meta.label_lower


_registry: dict[type[models.Model], Workflow] = {}


def register(workflow: Workflow) -> Workflow:
    """Called by each workflow app when its declarations module is imported (``AppConfig.ready``)."""
    fsm_names = {t.name for t in workflow.model().get_all_state_transitions()}  # type: ignore[attr-defined]
    declared = set(workflow.by_name)
    if declared != fsm_names:
        raise RuntimeError(
            f"{workflow.label}: declared {sorted(declared)} but the state machine has {sorted(fsm_names)}"
        )
    _registry[workflow.model] = workflow
    return workflow


def workflows() -> list[Workflow]:
    return sorted(_registry.values(), key=lambda workflow: workflow.label)


def workflow_for(obj_or_model: Any) -> Workflow:
    model = obj_or_model if isinstance(obj_or_model, type) else type(obj_or_model)
    return _registry[model]


@dataclass(frozen=True)
class TransitionOption:
    name: str
    target: str
    allowed: bool
    blocked_by: list[str]


def transition_options(reach: Reach, obj: Any) -> list[TransitionOption]:
    """The transitions from the object's state, whether this actor may take each now, and why not.

    ``blocked_by`` holds ``permission``, ``missing: <item>`` for each failed guard (these make it
    not allowed), and ``input: …`` for what the request itself must carry (these do not).
    """
    workflow = workflow_for(obj)
    options = []
    for transition in obj.transitions_from_here():
        step = workflow.by_name[transition.name]
        if step.scheduled:
            continue
        blocked = [] if _policy(workflow, step)(reach, obj) else ["permission"]
        blocked += [f"missing: {item}" for item in (step.guard(obj) if step.guard else [])]
        allowed = not blocked
        if step.needs_reason:
            blocked.append("input: comment (reason)")
        if step.requires:
            blocked.append(f"input: {', '.join(step.requires)}")
        blocked += [f"input: {item}" for item in step.inputs]
        options.append(TransitionOption(step.name, str(transition.target), allowed, blocked))
    return sorted(options, key=lambda option: option.name)


def lock_row(obj: Any) -> Any:
    """``obj``'s row, locked for this transaction and re-read (another request may have moved it)."""
    return type(obj)._default_manager.select_for_update().get(pk=obj.pk)


def available_transitions(obj: Any) -> list[str]:
    return sorted(t.name for t in obj.transitions_from_here())


@transaction.atomic
def perform_transition(reach: Reach, obj: Any, name: str, *, comment: str = "", **values: Any) -> Any:
    """Perform transition ``name`` on ``obj`` as ``reach.actor``; returns the re-read, moved object."""
    workflow = workflow_for(obj)
    step = workflow.step(name)
    if step is None:
        raise LookupError(f"{workflow.label} has no transition {name!r}")
    obj = (workflow.lock or lock_row)(obj)
    available = available_transitions(obj)
    if name not in available:
        raise TransitionNotAllowed(
            _("The %(object)s is '%(state)s'; '%(name)s' is not possible from there.")
            % {"object": workflow.model._meta.verbose_name, "state": obj.state, "name": name},
            available_transitions=available,
        )
    if step.scheduled:
        if not is_system_actor(reach.actor):
            raise NotAllowed(_("Only scheduled work does this."))
    elif not _policy(workflow, step)(reach, obj):
        raise NotAllowed(str(workflow.denied))
    absent = [item for item in step.requires if values.get(item) is None]
    if absent:
        raise _required(absent)
    missing = step.guard(obj) if step.guard else []
    if step.input_guard is not None:
        missing += step.input_guard(obj, values)
    if step.needs_reason and not comment.strip():
        missing.append("reason")
    if missing:
        raise GuardFailed(
            _("'%(name)s' needs: %(missing)s.") % {"name": name, "missing": ", ".join(missing)},
            missing=missing,
        )
    move = Move(reach=reach, obj=obj, name=name, source=obj.state, comment=comment, input=values)
    if step.apply is not None:
        step.apply(move)
    else:
        getattr(obj, name)()
    try:
        obj.save()
    except ConcurrentTransition as error:
        raise Conflict(
            _("The %(object)s was changed by someone else; reload it.")
            % {"object": workflow.model._meta.verbose_name},
            code="concurrent_change",
        ) from error
    WorkflowTransition.objects.create(
        object_type=workflow.label,
        object_id=str(obj.pk),
        name=name,
        source=move.source,
        target=obj.state,
        actor=reach.actor,
        comment=comment,
    )
    if step.after is not None:
        step.after(move)
    audit_record(
        actor=reach.actor,
        action=f"{workflow.resource}.{name}",
        obj=obj,
        role=workflow.role(reach, obj),
        service_user=workflow.person(obj),
        changes={"state": [move.source, obj.state]},
        comment=comment,
    )
    outbox_emit(
        event=step.event,
        obj=obj,
        payload={"from": move.source, "to": obj.state, **workflow.payload(obj)},
    )
    return obj


def time_in_future(obj: Any, values: Mapping[str, Any]) -> list[str]:
    """An input guard for scheduling: ``at`` must be given and later than now."""
    at = values.get("at")
    return [] if at is not None and at > timezone.now() else ["time_in_future"]


def history_for(obj: Any) -> models.QuerySet[WorkflowTransition]:
    """Every transition of one object, oldest first: one shape for every workflow."""
    return WorkflowTransition.objects.filter(
        object_type=obj._meta.label_lower, object_id=str(obj.pk)
    ).select_related("actor")


def transition_count(model: type[models.Model], name: str) -> Coalesce:
    """An annotation: how many times each row of ``model`` has taken transition ``name``."""
    rows = (
        WorkflowTransition.objects.filter(
            object_type=model._meta.label_lower,
            object_id=Cast(OuterRef("pk"), output_field=models.CharField()),
            name=name,
        )
        .order_by()
        .values("object_type")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(rows, output_field=models.IntegerField()), 0)


def _required(fields: list[str]) -> InvalidField:
    """400 naming every input the transition needs and the request left out."""
    error = InvalidField(field=fields[0], code="required", detail=_("Required for this transition."))
    error.extra["errors"] = [
        {"field": name, "code": "required", "detail": _("Required for this transition.")} for name in fields
    ]
    return error


def _policy(workflow: Workflow, step: Step) -> Policy:
    return step.policy or workflow.policy
