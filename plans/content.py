"""The plan's content as one JSON-able document: frozen in versions, diffed, exported.

``plan_content(plan)`` is the single description of what a plan says. A ``PlanVersion`` stores
it as it was approved; the PDF and FHIR exports render it; ``content_diff`` compares two. It holds
names and dates, never a national identity number.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Prefetch

from plans.models import GoalAssessment, IndividualPlan

CONTENT_SCHEMA = 1


def _date(value: datetime.date | None) -> str | None:
    return value.isoformat() if value else None


def _person_name(user: Any) -> str:
    return (user.get_full_name() or user.get_username()) if user is not None else ""


def plan_for_content(plan_id: int) -> IndividualPlan:
    """The plan with everything ``plan_content`` reads, in a fixed number of queries."""
    return (
        IndividualPlan.objects.select_related("service_user", "unit", "coordinator", "consent")
        .prefetch_related(
            "participants__user",
            "participants__representative",
            "measures__responsible",
            Prefetch(
                "goals__assessments",
                queryset=GoalAssessment.objects.select_related("review").order_by("review__number"),
            ),
        )
        .get(pk=plan_id)
    )


def _participant(p: Any, person_name: str) -> dict[str, Any]:
    if p.kind == "service_user" and not p.name:
        name = person_name
    elif p.user_id and not p.name:
        name = _person_name(p.user)
    elif p.representative_id and not p.name:
        name = f"{p.representative.first_name} {p.representative.last_name}"
    else:
        name = p.name
    return {
        "id": p.pk,
        "kind": p.kind,
        "name": name,
        "organisation": p.organisation,
        "contact": p.contact,
        "role": p.role,
        "contribution": p.contribution,
    }


def plan_content(plan: IndividualPlan) -> dict[str, Any]:
    """Everything the plan says, as plain data (use ``plan_for_content`` to load it)."""
    person = plan.service_user
    consent = plan.consent
    participants = {p.pk: _participant(p, person.full_name) for p in plan.participants.all()}
    return {
        "schema": CONTENT_SCHEMA,
        "plan": {
            "id": plan.pk,
            "state": plan.state,
            "unit": {"id": plan.unit_id, "name": plan.unit.name},
            "coordinator": {"id": plan.coordinator_id, "name": _person_name(plan.coordinator)},
            "service_user": {
                "id": person.pk,
                "name": person.full_name,
                "date_of_birth": _date(person.date_of_birth),
            },
            "resources": plan.resources,
            "needs": plan.needs,
            "cooperation": plan.cooperation,
            "period_start": _date(plan.period_start),
            "period_end": _date(plan.period_end),
            "next_review_date": _date(plan.next_review_date),
            "consent": None
            if consent is None
            else {
                "id": consent.pk,
                "given_by": consent.given_by,
                "valid_from": _date(consent.valid_from),
                "valid_to": _date(consent.valid_to),
                "covers_plan": consent.covers_plan,
                "covers_group_sharing": consent.covers_group_sharing,
            },
        },
        "goals": [
            {
                "id": goal.pk,
                "text": goal.text,
                "assessments": [
                    {
                        "review": a.review.number,
                        "progress": a.progress,
                        "assessment": a.assessment,
                        "assessed_at": a.assessed_at.isoformat(),
                    }
                    for a in goal.assessments.all()
                ],
            }
            for goal in plan.goals.all()
        ],
        "participants": list(participants.values()),
        "measures": [
            {
                "id": m.pk,
                "description": m.description,
                "scope": m.scope,
                "responsible": participants.get(m.responsible_id or 0, {}).get("name", ""),
                "responsible_id": m.responsible_id,
                "how_carried_out": m.how_carried_out,
                "start_date": _date(m.start_date),
                "end_date": _date(m.end_date),
            }
            for m in plan.measures.all()
        ],
    }


def _by_id(items: list[dict[str, Any]]) -> dict[Any, dict[str, Any]]:
    return {item["id"]: item for item in items}


def _section_diff(old: list[dict[str, Any]], new: list[dict[str, Any]], ignore: set[str]) -> dict[str, Any]:
    before, after = _by_id(old), _by_id(new)
    changed = []
    for key in sorted(before.keys() & after.keys()):
        fields = {
            name: [before[key].get(name), after[key].get(name)]
            for name in sorted(set(before[key]) | set(after[key]))
            if name not in ignore and before[key].get(name) != after[key].get(name)
        }
        if fields:
            changed.append({"id": key, "fields": fields})
    return {
        "added": [after[key] for key in sorted(after.keys() - before.keys())],
        "removed": [before[key] for key in sorted(before.keys() - after.keys())],
        "changed": changed,
    }


def content_diff(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    """Goals, measures and participants added, removed and changed; changed plan fields."""
    plan_fields = {
        name: [old["plan"].get(name), new["plan"].get(name)]
        for name in ("resources", "needs", "cooperation", "period_start", "period_end", "next_review_date")
        if old["plan"].get(name) != new["plan"].get(name)
    }
    return {
        "plan": plan_fields,
        "goals": _section_diff(old["goals"], new["goals"], ignore=set()),
        "measures": _section_diff(old["measures"], new["measures"], ignore={"responsible_id"}),
        "participants": _section_diff(old["participants"], new["participants"], ignore=set()),
    }
