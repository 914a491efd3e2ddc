"""Guards of the plan's transitions, each able to say what is missing.

``missing_for(plan, transition)`` names what blocks a transition (the API's ``blocked_by`` and
the 422 ``missing`` list); the boolean functions are the django-fsm ``conditions``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.utils import timezone

if TYPE_CHECKING:
    from plans.models import IndividualPlan

# The nine statutory contents (forskrift om individuell plan § 5), as names the API returns.
CONTENT_ITEMS = (
    "goals",
    "resources",
    "needs",
    "participants",
    "coordinator",
    "contributions",
    "measures",
    "measure_execution",
    "plan_period",
    "review_date",
    "consent",
    "cooperation",
)


def consent_missing(plan: IndividualPlan) -> list[str]:
    consent = plan.consent
    if (
        consent is None
        or consent.service_user_id != plan.service_user_id
        or not consent.covers_plan
        or not consent.is_in_force()
    ):
        return ["consent"]
    return []


def completeness(plan: IndividualPlan) -> list[str]:
    """What of the nine statutory contents the plan still lacks (empty when complete)."""
    missing: list[str] = []
    goals = list(plan.goals.all())
    participants = list(plan.participants.all())
    measures = list(plan.measures.all())
    if not goals:
        missing.append("goals")
    if not plan.resources.strip():
        missing.append("resources")
    if not plan.needs.strip():
        missing.append("needs")
    if not participants:
        missing.append("participants")
    if plan.coordinator_id is None:
        missing.append("coordinator")
    # What the person, the services and relatives each contribute: the person takes part, and
    # every participant's contribution is written down.
    if not any(p.kind == "service_user" for p in participants) or any(
        not p.contribution.strip() for p in participants
    ):
        missing.append("contributions")
    if not measures or any(not m.scope.strip() or m.responsible_id is None for m in measures):
        missing.append("measures")
    if not measures or any(not m.how_carried_out.strip() for m in measures):
        missing.append("measure_execution")
    if plan.period_start is None:
        missing.append("plan_period")
    if plan.next_review_date is None:
        missing.append("review_date")
    missing += consent_missing(plan)
    if not plan.cooperation.strip():
        missing.append("cooperation")
    return missing


def _review_date_in_future(plan: IndividualPlan) -> bool:
    return plan.next_review_date is not None and plan.next_review_date > timezone.localdate()


def review_missing(plan: IndividualPlan) -> list[str]:
    """Completing a review: every goal assessed in this review, and a new review date."""
    review = plan.reviews.filter(completed_at__isnull=True).order_by("-number").first()
    missing: list[str] = []
    if review is None:
        return ["open_review"]
    assessed = set(review.assessments.values_list("goal_id", flat=True))
    if any(goal.pk not in assessed for goal in plan.goals.all()):
        missing.append("goal_assessments")
    new_date = plan.next_review_date
    moved_on = new_date is not None and (review.due_date is None or new_date > review.due_date)
    if not _review_date_in_future(plan) or not moved_on:
        missing.append("new_review_date")
    return missing


def missing_for(plan: IndividualPlan, transition: str) -> list[str]:
    if transition == "request_consent":
        return [] if plan.coordinator_id else ["coordinator"]
    if transition == "record_consent":
        return consent_missing(plan)
    if transition == "activate":
        missing = completeness(plan)
        if "review_date" not in missing and not _review_date_in_future(plan):
            missing.append("review_date_in_future")
        return missing
    if transition == "complete_review":
        return review_missing(plan)
    return []


def has_coordinator(plan: Any) -> bool:  # a django-fsm condition
    return not missing_for(plan, "request_consent")


def has_valid_consent(plan: Any) -> bool:  # a django-fsm condition
    return not missing_for(plan, "record_consent")


def may_activate(plan: Any) -> bool:  # a django-fsm condition
    return not missing_for(plan, "activate")


def may_complete_review(plan: Any) -> bool:  # a django-fsm condition
    return not missing_for(plan, "complete_review")
