"""Annual quality conversations: yearly generation, the transitions, and expiry at year end."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from casework.audit import audit_record
from casework.cases import _locked, _move
from casework.choices import ConversationState, RepresentativeKind
from casework.models import (
    Consent,
    FollowUp,
    Mandate,
    Municipality,
    QualityConversation,
    Representative,
    ServiceUser,
    WorkflowTransition,
)
from casework.models.conversations import UNFINISHED
from casework.selectors import Reach
from casework.system import SYSTEM_ROLE, system_actor

BATCH = 2000


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


def _conversation_move(
    reach: Reach, conversation: QualityConversation, name: str, call: Any, missing: list[str]
) -> Any:
    conversation = _locked(QualityConversation, conversation.pk)
    case_like = _CaseView(conversation)
    return _move(reach=reach, obj=conversation, name=name, case=case_like, call=call, missing=missing)  # type: ignore[arg-type]


class _CaseView:
    """What ``_move`` reads of a case (unit and person), for a conversation."""

    def __init__(self, conversation: QualityConversation) -> None:
        self.unit_id = conversation.unit_id
        self.service_user = conversation.service_user


@transaction.atomic
def conversation_offer(*, reach: Reach, conversation: QualityConversation) -> QualityConversation:
    """An offer needs a representative whose mandate or consent is valid now (422 otherwise)."""
    missing = [] if representative_valid_now(conversation) else ["representative_valid"]
    return _conversation_move(reach, conversation, "offer", lambda c: c.offer(), missing)


@transaction.atomic
def conversation_accept(*, reach: Reach, conversation: QualityConversation) -> QualityConversation:
    return _conversation_move(reach, conversation, "accept", lambda c: c.accept(), [])


@transaction.atomic
def conversation_decline(*, reach: Reach, conversation: QualityConversation) -> QualityConversation:
    return _conversation_move(reach, conversation, "decline", lambda c: c.decline(), [])


@transaction.atomic
def conversation_schedule(
    *, reach: Reach, conversation: QualityConversation, at: datetime.datetime
) -> QualityConversation:
    missing = [] if representative_valid_now(conversation) else ["representative_valid"]
    if at <= timezone.now():
        missing.append("time_in_future")
    return _conversation_move(reach, conversation, "schedule", lambda c: c.schedule(at=at), missing)


@transaction.atomic
def conversation_hold(
    *, reach: Reach, conversation: QualityConversation, on: datetime.date
) -> QualityConversation:
    missing = [] if on.year == conversation.year else ["held_in_the_conversation_year"]
    return _conversation_move(reach, conversation, "hold", lambda c: c.hold(on=on), missing)


@transaction.atomic
def conversation_document(
    *,
    reach: Reach,
    conversation: QualityConversation,
    summary: str,
    follow_ups: list[dict[str, Any]] | None = None,
) -> QualityConversation:
    """The summary and the follow-up actions (what, who, by when); a follow-up marked for the plan
    becomes a measure in the person's individual plan, which must be open for changes (422)."""
    from plans.choices import CLOSED_STATES, EDITABLE_STATES
    from plans.models import IndividualPlan, Measure
    from plans.services import plan_item_create

    follow_ups = follow_ups or []
    missing = [] if summary.strip() else ["summary"]
    plan = None
    if any(item.get("to_plan") for item in follow_ups):
        plan = (
            IndividualPlan.objects.filter(service_user_id=conversation.service_user_id)
            .exclude(state__in=[str(s) for s in CLOSED_STATES])
            .first()
        )
        if plan is None or plan.state not in EDITABLE_STATES:
            missing.append("plan_open_for_changes")
    conversation = _conversation_move(
        reach, conversation, "document", lambda c: c.document(summary=summary), missing
    )
    for item in follow_ups:
        measure: Any = None
        if item.get("to_plan") and plan is not None:
            measure = plan_item_create(
                reach=reach, plan=plan, model=Measure, description=item["text"], end_date=item.get("deadline")
            )
        follow_up = FollowUp.objects.create(
            conversation=conversation,
            text=item["text"],
            owner=item.get("owner"),
            deadline=item.get("deadline"),
            plan_measure=measure,
        )
        audit_record(
            actor=reach.actor,
            action="followup.create",
            obj=follow_up,
            service_user=conversation.service_user,
            changes={"deadline": [None, follow_up.deadline.isoformat() if follow_up.deadline else None]},
        )
    return conversation


@transaction.atomic
def quality_conversations_expire(*, year: int, actor: Any) -> int:
    """Whatever is unfinished when the year has ended becomes expired (one history row each)."""
    unfinished = QualityConversation.objects.select_for_update().filter(year=year, state__in=UNFINISHED)
    rows = list(unfinished.values_list("pk", "state"))
    now = timezone.now()
    QualityConversation.objects.filter(pk__in=[pk for pk, _state in rows]).update(
        state=ConversationState.EXPIRED, state_changed_at=now
    )
    WorkflowTransition.objects.bulk_create(
        [
            WorkflowTransition(
                object_type="casework.qualityconversation",
                object_id=str(pk),
                name="expire",
                source=state,
                target=ConversationState.EXPIRED,
                actor=actor,
                comment=str(year),
            )
            for pk, state in rows
        ],
        batch_size=BATCH,
    )
    if rows:
        audit_record(
            actor=actor,
            action="qualityconversation.expire_year",
            obj=None,
            role="system",
            changes={"year": [None, year], "expired": [None, len(rows)]},
        )
    return len(rows)
