"""Writes to cases, home visits and decisions.

The transitions are declared in ``cases/workflow.py`` and performed by the engine
(``casework/engine.py``); the functions here are their named entry points and side effects.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any

from dateutil.relativedelta import relativedelta
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.choices import CaseState
from cases.models import Case, Decision, HomeVisit
from casework.audit import audit_record, changes_between
from casework.engine import Move, lock_row, perform_transition
from casework.errors import Conflict
from casework.models import Representative, ServiceUser, Unit
from casework.policies import ensure_can_work_on
from casework.selectors import Reach
from casework.services import InvalidField, ensure_unit_serves


@transaction.atomic
def case_create(
    *,
    reach: Reach,
    service_user: ServiceUser,
    unit: Unit,
    service_applied_for: str,
    received_on: datetime.date,
) -> Case:
    ensure_can_work_on(reach, unit.pk)
    ensure_unit_serves(service_user=service_user, unit=unit)
    if received_on > timezone.localdate():
        raise InvalidField(
            field="received_on", code="in_the_future", detail=_("A case cannot be received in the future.")
        )
    case = Case.objects.create(
        service_user=service_user,
        unit=unit,
        service_applied_for=service_applied_for,
        received_on=received_on,
        reply_due_on=received_on + relativedelta(months=1),
    )
    audit_record(
        actor=reach.actor,
        action="case.create",
        obj=case,
        service_user=service_user,
        changes={
            "service_applied_for": [None, service_applied_for],
            "received_on": [None, received_on.isoformat()],
        },
    )
    return case


def case_start_assessment(*, reach: Reach, case: Case, comment: str = "") -> Case:
    moved: Case = perform_transition(reach, case, "start_assessment", comment=comment)
    return moved


def decision_missing(case: Case) -> list[str]:
    """Deciding needs a completed home visit for the case, or a recorded reason why none was made."""
    if case.no_visit_reason.strip() or case.home_visits.filter(state="completed").exists():
        return []
    return ["home_visit_or_reason"]


@transaction.atomic
def case_record_no_visit_reason(*, reach: Reach, case: Case, reason: str) -> Case:
    case = lock_row(case)
    ensure_can_work_on(reach, case.unit_id)
    _ensure_undecided(case)
    if not reason.strip():
        raise InvalidField(field="reason", code="required", detail=_("Give the reason."))
    before = case.no_visit_reason
    case.no_visit_reason = reason
    case.save(update_fields=["no_visit_reason"])
    audit_record(
        actor=reach.actor,
        action="case.no_visit_reason",
        obj=case,
        service_user=case.service_user,
        changes={"no_visit_reason": [before or None, reason]},
    )
    return case


def _ensure_undecided(case: Case) -> None:
    """The evidence for a decision (visits, the reason for none) is gathered before it (409 after)."""
    if case.state not in (CaseState.RECEIVED, CaseState.UNDER_ASSESSMENT):
        raise Conflict(_("The case is already decided."), code="case_decided")


def case_decide(
    *,
    reach: Reach,
    case: Case,
    outcome: str,
    reasons: str,
    complaint_information: str,
    services: str = "",
    complaint_weeks: int = 3,
) -> Decision:
    """The formal decision (vedtak): only after a home visit or a recorded reason for none."""
    moved: Case = perform_transition(
        reach,
        case,
        "decide",
        outcome=outcome,
        reasons=reasons,
        complaint_information=complaint_information,
        services=services,
        complaint_weeks=complaint_weeks,
    )
    return moved.decision


def record_decision(move: Move) -> None:
    """The ``decide`` transition's decision row, with its own audit row."""
    case, values = move.obj, move.input
    decision = Decision.objects.create(
        case=case,
        outcome=values["outcome"],
        services=values.get("services") or "",
        reasons=values["reasons"],
        complaint_information=values["complaint_information"],
        complaint_deadline=timezone.localdate()
        + datetime.timedelta(weeks=values.get("complaint_weeks") or 3),
        decided_by=move.reach.actor,
    )
    audit_record(
        actor=move.reach.actor,
        action="decision.create",
        obj=decision,
        service_user=case.service_user,
        changes=changes_between(
            {},
            {
                "outcome": decision.outcome,
                "services": decision.services,
                "reasons": decision.reasons,
                "complaint_deadline": decision.complaint_deadline,
            },
        ),
    )


@transaction.atomic
def home_visit_plan(*, reach: Reach, case: Case) -> HomeVisit:
    case = lock_row(case)
    ensure_can_work_on(reach, case.unit_id)
    _ensure_undecided(case)
    visit = HomeVisit.objects.create(case=case)
    audit_record(actor=reach.actor, action="homevisit.plan", obj=visit, service_user=case.service_user)
    return visit


def home_visit_schedule(*, reach: Reach, visit: HomeVisit, at: datetime.datetime) -> HomeVisit:
    moved: HomeVisit = perform_transition(reach, visit, "schedule", at=at)
    return moved


def home_visit_complete(
    *,
    reach: Reach,
    visit: HomeVisit,
    findings: str,
    wishes: str,
    representatives: list[Representative] = (),  # type: ignore[assignment]
) -> HomeVisit:
    """Findings and the person's own wishes are both required; representatives present must be
    the person's and covered (a guardian's valid mandate or the person's consent)."""
    moved: HomeVisit = perform_transition(
        reach, visit, "complete", findings=findings, wishes=wishes, representatives=list(representatives)
    )
    return moved


def visit_completion_missing(visit: HomeVisit, values: Mapping[str, Any]) -> list[str]:
    missing = [name for name in ("findings", "wishes") if not str(values.get(name) or "").strip()]
    for representative in values.get("representatives") or []:
        if representative.service_user_id != visit.case.service_user_id:
            raise InvalidField(
                field="representatives", code="other_person", detail=_("Not the person's representative.")
            )
        if not representative_may_take_part(representative):
            missing.append(f"representative_valid ({representative.pk})")
    return missing


def representative_may_take_part(representative: Representative) -> bool:
    """At the visit only as the person wishes (a consent in force to the relative's involvement)
    or as a guardian's valid mandate covering personal matters allows."""
    if representative.kind == "guardian":
        return representative.mandates.valid_on(timezone.localdate()).filter(covers_personal=True).exists()
    return representative.consents.in_force().filter(covers_relative_access=True).exists()


def home_visit_miss(*, reach: Reach, visit: HomeVisit, reason: str) -> HomeVisit:
    moved: HomeVisit = perform_transition(reach, visit, "miss", reason=reason)
    return moved


def case_appeal(*, reach: Reach, case: Case, comment: str = "") -> Case:
    """The person complained about the decision."""
    moved: Case = perform_transition(reach, case, "appeal", comment=comment)
    return moved


def case_close(*, reach: Reach, case: Case, comment: str = "") -> Case:
    moved: Case = perform_transition(reach, case, "close", comment=comment)
    return moved


@transaction.atomic
def case_record_provisional_reply(*, reach: Reach, case: Case, sent_on: datetime.date) -> Case:
    """The provisional reply (forvaltningsloven § 11 a) was sent; the case leaves the work list."""
    case = lock_row(case)
    ensure_can_work_on(reach, case.unit_id)
    if sent_on > timezone.localdate() or sent_on < case.received_on:
        raise InvalidField(
            field="sent_on",
            code="out_of_range",
            detail=_("The reply is sent after receipt and not in the future."),
        )
    case.provisional_reply_sent_on = sent_on
    case.save(update_fields=["provisional_reply_sent_on"])
    audit_record(
        actor=reach.actor,
        action="case.provisional_reply",
        obj=case,
        service_user=case.service_user,
        changes={"provisional_reply_sent_on": [None, sent_on.isoformat()]},
    )
    return case
