"""The individual plan as a FHIR R4 Bundle (CarePlan, Goals, CareTeam), from ``plan_content(plan)``.

A pure function of the content dict returning plain JSON-able dicts. The person appears only as a
display reference (``{"type": "Patient", "display": name}``): no identifier, no national identity
number, no link to a Patient resource the receiver could not resolve. Every ``fullUrl`` is a
``urn:uuid:`` made with uuid5 from the plan id and the item's id, so the same content always gives
the same bundle.
"""

from __future__ import annotations

import datetime
import uuid
from typing import Any

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext

from plans.choices import FHIR_CAREPLAN_STATUS, GoalProgress, ParticipantKind, PlanState

# Fixed namespace: changing it changes every exported resource id.
NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:medvirk:plans:fhir")
GOAL_ACHIEVEMENT = "http://terminology.hl7.org/CodeSystem/goal-achievement"

# GoalProgress at the latest review -> Goal.achievementStatus code (goal-achievement code system).
ACHIEVEMENT = {
    GoalProgress.ACHIEVED: "achieved",
    GoalProgress.PARTLY_ACHIEVED: "improving",
    GoalProgress.NOT_ACHIEVED: "not-achieved",
    GoalProgress.CONTINUED: "in-progress",
}
MEMBER_TYPE = {
    ParticipantKind.SERVICE_USER: "Patient",
    ParticipantKind.REPRESENTATIVE: "RelatedPerson",
    ParticipantKind.STAFF: "Practitioner",
    ParticipantKind.EXTERNAL: "Practitioner",
}
# Plan states that decide every activity's status, whatever its dates say.
ACTIVITY_STATUS_BY_STATE = {
    PlanState.ON_HOLD: "on-hold",
    PlanState.COMPLETED: "completed",
    PlanState.WITHDRAWN: "cancelled",
    PlanState.DECLINED: "cancelled",
}


def _urn(plan_id: Any, kind: str, item_id: Any = "") -> str:
    return f"urn:uuid:{uuid.uuid5(NAMESPACE, f'plan/{plan_id}/{kind}/{item_id}')}"


def _entry(full_url: str, resource: dict[str, Any]) -> dict[str, Any]:
    return {"fullUrl": full_url, "resource": {**resource, "id": full_url.removeprefix("urn:uuid:")}}


def _period(start: str | None, end: str | None) -> dict[str, str]:
    return {key: value for key, value in (("start", start), ("end", end)) if value}


def _activity_status(measure: dict[str, Any], state: str, today: datetime.date) -> str:
    if state in ACTIVITY_STATUS_BY_STATE:
        return ACTIVITY_STATUS_BY_STATE[PlanState(state)]
    start, end = measure.get("start_date"), measure.get("end_date")
    if end and datetime.date.fromisoformat(end) < today:
        return "completed"
    if start and datetime.date.fromisoformat(start) <= today:
        return "in-progress"
    return "scheduled" if start else "not-started"


def _goal(goal: dict[str, Any], subject: dict[str, str]) -> dict[str, Any]:
    resource: dict[str, Any] = {
        "resourceType": "Goal",
        "lifecycleStatus": "active",
        "description": {"text": goal["text"]},
        "subject": subject,
        "expressedBy": subject,  # in the person's own words
    }
    assessments = sorted(goal["assessments"], key=lambda a: a["review"])
    if assessments:
        latest = assessments[-1]["progress"]
        if latest == GoalProgress.ACHIEVED:
            resource["lifecycleStatus"] = "completed"
        elif latest == GoalProgress.DISCONTINUED:
            resource["lifecycleStatus"] = "cancelled"
        if latest in ACHIEVEMENT:
            code = ACHIEVEMENT[GoalProgress(latest)]
            label = str(GoalProgress(latest).label)
            resource["achievementStatus"] = {
                "coding": [{"system": GOAL_ACHIEVEMENT, "code": code}],
                "text": label,
            }
        resource["note"] = [
            {
                "time": a["assessed_at"],
                "text": gettext("Review %(number)s: %(progress)s. %(assessment)s")
                % {
                    "number": a["review"],
                    "progress": GoalProgress(a["progress"]).label,
                    "assessment": a["assessment"],
                },
            }
            for a in assessments
        ]
    return resource


def _care_team(content: dict[str, Any], subject: dict[str, str]) -> dict[str, Any]:
    plan = content["plan"]
    participants = []
    notes = []
    for p in content["participants"]:
        participant: dict[str, Any] = {
            "member": {"type": MEMBER_TYPE.get(p["kind"], "Practitioner"), "display": p["name"]},
            "role": [{"text": p["role"] or str(ParticipantKind(p["kind"]).label)}],
        }
        if p.get("organisation"):
            participant["onBehalfOf"] = {"type": "Organization", "display": p["organisation"]}
        participants.append(participant)
        if p.get("contribution"):
            notes.append({"text": f"{p['name']}: {p['contribution']}"})
    team: dict[str, Any] = {
        "resourceType": "CareTeam",
        "status": "inactive" if plan["state"] in ACTIVITY_STATUS_BY_STATE else "active",
        "name": gettext("Individual plan"),
        "subject": subject,
        "participant": participants,
        "managingOrganization": [{"type": "Organization", "display": plan["unit"]["name"]}],
    }
    if notes:
        team["note"] = notes
    return team


def _activity(measure: dict[str, Any], state: str, today: datetime.date) -> dict[str, Any]:
    lines = [measure["description"]]
    if measure.get("scope"):
        lines.append(f"{gettext('Scope')}: {measure['scope']}")
    if measure.get("how_carried_out"):
        lines.append(f"{gettext('How it is carried out')}: {measure['how_carried_out']}")
    detail: dict[str, Any] = {
        "status": _activity_status(measure, state, today),
        "description": "\n".join(lines),
    }
    period = _period(measure.get("start_date"), measure.get("end_date"))
    if period:
        detail["scheduledPeriod"] = period
    if measure.get("responsible"):
        detail["performer"] = [{"display": measure["responsible"]}]
    return {"detail": detail}


def plan_fhir_bundle(content: dict[str, Any], *, today: datetime.date | None = None) -> dict[str, Any]:
    """A FHIR R4 Bundle (type "collection"): the CarePlan first, then its Goals and CareTeam.

    ``today`` decides the measures' activity status from their dates (default: today's local date).
    Labels and notes are in the site's default language.
    """
    today = today or timezone.localdate()
    plan = content["plan"]
    plan_id, state = plan["id"], plan["state"]
    subject = {"type": "Patient", "display": plan["service_user"]["name"]}
    with translation.override(settings.LANGUAGE_CODE):
        goals = [(_urn(plan_id, "goal", g["id"]), _goal(g, subject)) for g in content["goals"]]
        team_url = _urn(plan_id, "careteam")
        care_plan: dict[str, Any] = {
            "resourceType": "CarePlan",
            "status": FHIR_CAREPLAN_STATUS[PlanState(state)],
            "intent": "plan",
            "title": gettext("Individual plan"),
            "subject": subject,
            "author": {"type": "Practitioner", "display": plan["coordinator"]["name"]},
            "careTeam": [{"reference": team_url}],
            "goal": [{"reference": url} for url, _ in goals],
            "activity": [_activity(m, state, today) for m in content["measures"]],
        }
        period = _period(plan.get("period_start"), plan.get("period_end"))
        if period:
            care_plan["period"] = period
        notes = [
            (gettext("Resources"), plan.get("resources")),
            (gettext("Needs"), plan.get("needs")),
            (gettext("Cooperation with other agencies"), plan.get("cooperation")),
        ]
        care_plan["note"] = [{"text": f"{label}: {text}"} for label, text in notes if text]
        team = _care_team(content, subject)
    version = content.get("version")
    if version:
        care_plan["meta"] = {"versionId": str(version["number"])}
    entries = [_entry(_urn(plan_id, "careplan"), care_plan)]
    entries += [_entry(url, goal) for url, goal in goals]
    entries.append(_entry(team_url, team))
    bundle: dict[str, Any] = {"resourceType": "Bundle", "type": "collection", "entry": entries}
    if version:
        bundle["timestamp"] = version["created_at"]
    return bundle
