from plans.models.content import Goal, GoalAssessment, Measure, Participant, PlanReview
from plans.models.history import PlanVersion
from plans.models.plan import IndividualPlan

__all__ = [
    "Goal",
    "GoalAssessment",
    "IndividualPlan",
    "Measure",
    "Participant",
    "PlanReview",
    "PlanVersion",
]
