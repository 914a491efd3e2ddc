"""Writes to cases, home visits and decisions (services; the API comes next).

Each transition: lock the row, check the state (409 with the possible transitions), who may act
(403), the guard (422 naming what is missing), then the transition, its history row, the audit
row and the outbox event, in one transaction.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

from dateutil.relativedelta import relativedelta
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from casework.audit import audit_record, changes_between
from casework.choices import CASE_WRITE_ROLES, CaseState, HomeVisitMissReason
from casework.models import Case, Decision, HomeVisit, Representative, ServiceUser, Unit, WorkflowTransition
from casework.selectors import Reach
from casework.services import InvalidField, ensure_unit_serves
from config.errors import Conflict, GuardFailed, NotAllowed, TransitionNotAllowed
from notifications.services import outbox_emit


def _ensure_can_work_on(reach: Reach, unit_id: int) -> None:
    if not (reach.is_superuser or reach.roles_in([unit_id]) & CASE_WRITE_ROLES):
        raise NotAllowed(_("Only caseworkers and unit managers of the case's unit may do this."))


def _move(
    *,
    reach: Reach,
    obj: Any,
    name: str,
    case: Case,
    call: Callable[[Any], None],
    missing: list[str] | None = None,
    comment: str = "",
) -> Any:
    """The shared steps of every case and home-visit transition (``obj`` is already locked)."""
    available = sorted(t.name for t in obj.transitions_from_here())
    if name not in available:
        raise TransitionNotAllowed(
            _("'%(name)s' is not possible from '%(state)s'.") % {"name": name, "state": obj.state},
            available_transitions=available,
        )
    _ensure_can_work_on(reach, case.unit_id)
    if missing:
        raise GuardFailed(
            _("'%(name)s' needs: %(missing)s.") % {"name": name, "missing": ", ".join(missing)},
            missing=missing,
        )
    source = obj.state
    call(obj)
    obj.save()
    label = obj._meta.label_lower
    WorkflowTransition.objects.create(
        object_type=label,
        object_id=str(obj.pk),
        name=name,
        source=source,
        target=obj.state,
        actor=reach.actor,
        comment=comment,
    )
    audit_record(
        actor=reach.actor,
        action=f"{obj._meta.model_name}.{name}",
        obj=obj,
        role=",".join(sorted(reach.roles_in([case.unit_id]))) or "superuser",
        service_user=case.service_user,
        changes={"state": [source, obj.state]},
        comment=comment,
    )
    outbox_emit(event=f"{obj._meta.model_name}.{name}", obj=obj, payload={"from": source, "to": obj.state})
    return obj


def _locked(model: type[models.Model], pk: int) -> Any:
    return model._default_manager.select_for_update().get(pk=pk)


@transaction.atomic
def case_create(
    *,
    reach: Reach,
    service_user: ServiceUser,
    unit: Unit,
    service_applied_for: str,
    received_on: datetime.date,
) -> Case:
    _ensure_can_work_on(reach, unit.pk)
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


@transaction.atomic
def case_start_assessment(*, reach: Reach, case: Case, comment: str = "") -> Case:
    case = _locked(Case, case.pk)
    return _move(
        reach=reach,
        obj=case,
        name="start_assessment",
        case=case,
        call=lambda c: c.start_assessment(),
        comment=comment,
    )


def decision_missing(case: Case) -> list[str]:
    """Deciding needs a completed home visit for the case, or a recorded reason why none was made."""
    if case.no_visit_reason.strip() or case.home_visits.filter(state="completed").exists():
        return []
    return ["home_visit_or_reason"]


@transaction.atomic
def case_record_no_visit_reason(*, reach: Reach, case: Case, reason: str) -> Case:
    case = _locked(Case, case.pk)
    _ensure_can_work_on(reach, case.unit_id)
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


@transaction.atomic
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
    case = _locked(Case, case.pk)
    _move(
        reach=reach,
        obj=case,
        name="decide",
        case=case,
        call=lambda c: c.decide(),
        missing=decision_missing(case),
    )
    decision = Decision.objects.create(
        case=case,
        outcome=outcome,
        services=services,
        reasons=reasons,
        complaint_information=complaint_information,
        complaint_deadline=timezone.localdate() + datetime.timedelta(weeks=complaint_weeks),
        decided_by=reach.actor,
    )
    audit_record(
        actor=reach.actor,
        action="decision.create",
        obj=decision,
        service_user=case.service_user,
        changes=changes_between(
            {},
            {
                "outcome": outcome,
                "services": services,
                "reasons": reasons,
                "complaint_deadline": decision.complaint_deadline,
            },
        ),
    )
    return decision


@transaction.atomic
def home_visit_plan(*, reach: Reach, case: Case) -> HomeVisit:
    case = _locked(Case, case.pk)
    _ensure_can_work_on(reach, case.unit_id)
    _ensure_undecided(case)
    visit = HomeVisit.objects.create(case=case)
    audit_record(actor=reach.actor, action="homevisit.plan", obj=visit, service_user=case.service_user)
    return visit


@transaction.atomic
def home_visit_schedule(*, reach: Reach, visit: HomeVisit, at: datetime.datetime) -> HomeVisit:
    visit = _locked(HomeVisit, visit.pk)
    missing = [] if at > timezone.now() else ["time_in_future"]
    return _move(
        reach=reach,
        obj=visit,
        name="schedule",
        case=visit.case,
        call=lambda v: v.schedule(at=at),
        missing=missing,
    )


@transaction.atomic
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
    visit = _locked(HomeVisit, visit.pk)
    missing = [name for name, text in (("findings", findings), ("wishes", wishes)) if not text.strip()]
    for representative in representatives:
        if representative.service_user_id != visit.case.service_user_id:
            raise InvalidField(
                field="representatives", code="other_person", detail=_("Not the person's representative.")
            )
        if not representative_may_take_part(representative):
            missing.append(f"representative_valid ({representative.pk})")
    visit = _move(
        reach=reach,
        obj=visit,
        name="complete",
        case=visit.case,
        call=lambda v: v.complete(findings=findings, wishes=wishes),
        missing=missing,
    )
    visit.representatives_present.set(representatives)
    return visit


def representative_may_take_part(representative: Representative) -> bool:
    """At the visit only as the person wishes (a consent in force to the relative's involvement)
    or as a guardian's valid mandate covering personal matters allows."""
    if representative.kind == "guardian":
        return representative.mandates.valid_on(timezone.localdate()).filter(covers_personal=True).exists()
    return representative.consents.in_force().filter(covers_relative_access=True).exists()


@transaction.atomic
def home_visit_miss(*, reach: Reach, visit: HomeVisit, reason: str) -> HomeVisit:
    visit = _locked(HomeVisit, visit.pk)
    missing = [] if reason in HomeVisitMissReason.values else ["reason"]
    return _move(
        reach=reach,
        obj=visit,
        name="miss",
        case=visit.case,
        call=lambda v: v.miss(reason=reason),
        missing=missing,
    )


@transaction.atomic
def case_appeal(*, reach: Reach, case: Case, comment: str = "") -> Case:
    """The person complained about the decision."""
    case = _locked(Case, case.pk)
    return _move(reach=reach, obj=case, name="appeal", case=case, call=lambda c: c.appeal(), comment=comment)


@transaction.atomic
def case_close(*, reach: Reach, case: Case, comment: str = "") -> Case:
    case = _locked(Case, case.pk)
    return _move(reach=reach, obj=case, name="close", case=case, call=lambda c: c.close(), comment=comment)


@transaction.atomic
def case_record_provisional_reply(*, reach: Reach, case: Case, sent_on: datetime.date) -> Case:
    """The provisional reply (forvaltningsloven § 11 a) was sent; the case leaves the work list."""
    case = _locked(Case, case.pk)
    _ensure_can_work_on(reach, case.unit_id)
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
