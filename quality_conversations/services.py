"""Annual quality conversations: yearly generation, the transitions, and expiry at year end."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from casework.audit import audit_record
from casework.choices import RepresentativeKind
from casework.engine import Move, perform_transition
from casework.errors import TransitionNotAllowed
from casework.models import Consent, Mandate, Municipality, Representative, ServiceUser
from casework.selectors import Reach
from casework.system import SYSTEM_ROLE, system_actor
from plans.choices import CLOSED_STATES, EDITABLE_STATES
from plans.models import IndividualPlan, Measure
from plans.services import plan_item_create
from quality_conversations.choices import ConversationState
from quality_conversations.models import UNFINISHED, FollowUp, QualityConversation

BATCH = 2000
EXPIRY_BATCH = 200  # conversations expired per transaction


@dataclass(frozen=True)
class GenerationResult:
    year: int
    created: int
    not_applicable: int
    total: int


def _eligible_representatives(municipality: Municipality, on: datetime.date) -> Any:
    """Guardians whose mandate covers personal matters, and relatives the person has consented
    to involve, valid on ``on``."""
    at = timezone.make_aware(datetime.datetime.combine(on, datetime.time(12)))
    mandate = Mandate.objects.valid_on(on).filter(representative=OuterRef("pk"), covers_personal=True)
    consent = Consent.objects.in_force(at).filter(
        representative=OuterRef("pk"), service_user=OuterRef("service_user"), covers_relative_access=True
    )
    return (
        Representative.objects.filter(service_user__municipality=municipality)
        .annotate(has_mandate=Exists(mandate), has_consent=Exists(consent))
        .filter(
            Q(kind=RepresentativeKind.GUARDIAN, has_mandate=True)
            | Q(kind=RepresentativeKind.RELATIVE, has_consent=True)
        )
        .values_list("pk", "service_user_id")
    )


def quality_conversations_generate(
    *, municipality: Municipality, year: int, on: datetime.date | None = None
) -> GenerationResult:
    """Create this year's conversations; a second run creates nothing (database constraints).
    A run that creates some writes one audit row, by the system actor."""
    on = on or timezone.localdate()
    before = QualityConversation.objects.filter(year=year, service_user__municipality=municipality).count()
    eligible: dict[int, list[int]] = {}
    for rep_id, person_id in _eligible_representatives(municipality, on).iterator(chunk_size=BATCH):
        eligible.setdefault(person_id, []).append(rep_id)
    through = ServiceUser.units.through
    first_unit: dict[int, int] = {}
    for person_id, unit_id in (
        through.objects.filter(serviceuser__municipality=municipality)
        .order_by("serviceuser_id", "unit_id")
        .values_list("serviceuser_id", "unit_id")
    ):
        first_unit.setdefault(person_id, unit_id)
    rows: list[QualityConversation] = []
    reason = _("No guardian or relative who may be offered a conversation.")
    for person_id, unit_id in first_unit.items():
        reps = eligible.get(person_id)
        if reps:
            rows += [
                QualityConversation(
                    service_user_id=person_id, representative_id=rep, unit_id=unit_id, year=year
                )
                for rep in reps
            ]
        else:
            rows.append(
                QualityConversation(
                    service_user_id=person_id,
                    unit_id=unit_id,
                    year=year,
                    state=ConversationState.NOT_APPLICABLE,
                    not_applicable_reason=reason,
                )
            )
    with transaction.atomic():
        QualityConversation.objects.bulk_create(rows, batch_size=BATCH, ignore_conflicts=True)
        conversations = QualityConversation.objects.filter(year=year, service_user__municipality=municipality)
        total = conversations.count()
        if total > before:  # scheduled work: audited as the system, whoever started the run
            audit_record(
                actor=system_actor(),
                action="qualityconversation.generate_year",
                obj=municipality,
                role=SYSTEM_ROLE,
                changes={"year": [None, year], "created": [None, total - before]},
            )
    return GenerationResult(
        year=year,
        created=total - before,
        not_applicable=conversations.filter(state=ConversationState.NOT_APPLICABLE).count(),
        total=total,
    )


def representative_valid_now(conversation: QualityConversation) -> bool:
    rep = conversation.representative
    if rep is None:
        return False
    if rep.kind == RepresentativeKind.GUARDIAN:
        return rep.mandates.valid_on(timezone.localdate()).filter(covers_personal=True).exists()
    return (
        Consent.objects.in_force()
        .filter(representative=rep, service_user_id=conversation.service_user_id, covers_relative_access=True)
        .exists()
    )


def conversation_offer(*, reach: Reach, conversation: QualityConversation) -> QualityConversation:
    """An offer needs a representative whose mandate or consent is valid now (422 otherwise)."""
    moved: QualityConversation = perform_transition(reach, conversation, "offer")
    return moved


def conversation_accept(*, reach: Reach, conversation: QualityConversation) -> QualityConversation:
    moved: QualityConversation = perform_transition(reach, conversation, "accept")
    return moved


def conversation_decline(*, reach: Reach, conversation: QualityConversation) -> QualityConversation:
    moved: QualityConversation = perform_transition(reach, conversation, "decline")
    return moved


def conversation_schedule(
    *, reach: Reach, conversation: QualityConversation, at: datetime.datetime
) -> QualityConversation:
    moved: QualityConversation = perform_transition(reach, conversation, "schedule", at=at)
    return moved


def conversation_hold(
    *, reach: Reach, conversation: QualityConversation, on: datetime.date
) -> QualityConversation:
    moved: QualityConversation = perform_transition(reach, conversation, "hold", on=on)
    return moved


def conversation_document(
    *,
    reach: Reach,
    conversation: QualityConversation,
    summary: str,
    follow_ups: list[dict[str, Any]] | None = None,
) -> QualityConversation:
    """The summary and the follow-up actions (what, who, by when); a follow-up marked for the plan
    becomes a measure in the person's individual plan, which must be open for changes (422)."""
    moved: QualityConversation = perform_transition(
        reach, conversation, "document", summary=summary, follow_ups=follow_ups or []
    )
    return moved


def _open_plan(conversation: QualityConversation) -> Any:

    return (
        IndividualPlan.objects.filter(service_user_id=conversation.service_user_id)
        .exclude(state__in=[str(s) for s in CLOSED_STATES])
        .first()
    )


def documentation_missing(conversation: QualityConversation, values: Mapping[str, Any]) -> list[str]:

    missing = [] if str(values.get("summary") or "").strip() else ["summary"]
    if any(item.get("to_plan") for item in values.get("follow_ups") or []):
        plan = _open_plan(conversation)
        if plan is None or plan.state not in EDITABLE_STATES:
            missing.append("plan_open_for_changes")
    return missing


def record_follow_ups(move: Move) -> None:
    """The ``document`` transition's follow-ups, each audited; those for the plan become measures."""

    conversation, follow_ups = move.obj, move.input.get("follow_ups") or []
    plan = _open_plan(conversation) if any(item.get("to_plan") for item in follow_ups) else None
    for item in follow_ups:
        measure: Any = None
        if item.get("to_plan") and plan is not None:
            measure = plan_item_create(
                reach=move.reach,
                plan=plan,
                model=Measure,
                description=item["text"],
                end_date=item.get("deadline"),
            )
        follow_up = FollowUp.objects.create(
            conversation=conversation,
            text=item["text"],
            owner=item.get("owner"),
            deadline=item.get("deadline"),
            plan_measure=measure,
        )
        audit_record(
            actor=move.reach.actor,
            action="followup.create",
            obj=follow_up,
            service_user=conversation.service_user,
            changes={"deadline": [None, follow_up.deadline.isoformat() if follow_up.deadline else None]},
        )


def quality_conversations_expire(*, year: int, actor: Any) -> int:
    """Whatever is unfinished when the year has ended becomes expired: each conversation through
    its ``expire`` transition (a history row, an audit row and an event each), ``EXPIRY_BATCH`` at
    a time in a transaction of their own, so that a crash keeps what was done and a rerun (or a
    second worker) goes on from there. ``actor`` is the system actor."""
    reach = Reach(actor=actor, at=timezone.now())
    expired = 0
    while True:
        with transaction.atomic():
            batch = list(
                QualityConversation.objects.filter(year=year, state__in=UNFINISHED).order_by("pk")[
                    :EXPIRY_BATCH
                ]
            )
            for conversation in batch:
                try:
                    perform_transition(reach, conversation, "expire", comment=str(year))
                    expired += 1
                except TransitionNotAllowed:  # finished or expired meanwhile by someone else
                    continue
        if len(batch) < EXPIRY_BATCH:
            break
    if expired:
        with transaction.atomic():
            audit_record(
                actor=actor,
                action="qualityconversation.expire_year",
                obj=None,
                role="system",
                changes={"year": [None, year], "expired": [None, expired]},
            )
    return expired
