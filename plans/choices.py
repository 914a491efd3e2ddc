"""States and kinds of the individual plan."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class PlanState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    AWAITING_CONSENT = "awaiting_consent", _("Awaiting consent")
    IN_PREPARATION = "in_preparation", _("In preparation")
    ACTIVE = "active", _("Active")
    UNDER_REVIEW = "under_review", _("Under review")
    ON_HOLD = "on_hold", _("On hold")
    COMPLETED = "completed", _("Completed")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    DECLINED = "declined", _("Declined")


# A person has at most one plan outside these states (database constraint).
CLOSED_STATES = (PlanState.COMPLETED, PlanState.WITHDRAWN, PlanState.DECLINED)
# Content (goals, measures, participants, texts) can be edited only here; elsewhere 409.
EDITABLE_STATES = (
    PlanState.DRAFT,
    PlanState.AWAITING_CONSENT,
    PlanState.IN_PREPARATION,
    PlanState.UNDER_REVIEW,
)
# States whose approved content representatives may see (through the latest version).
APPROVED_STATES = (PlanState.ACTIVE, PlanState.UNDER_REVIEW, PlanState.ON_HOLD, PlanState.COMPLETED)

# FHIR R4 CarePlan.status (http://hl7.org/fhir/request-status); "declined" never became a plan.
FHIR_CAREPLAN_STATUS = {
    PlanState.DRAFT: "draft",
    PlanState.AWAITING_CONSENT: "draft",
    PlanState.IN_PREPARATION: "draft",
    PlanState.ACTIVE: "active",
    PlanState.UNDER_REVIEW: "active",
    PlanState.ON_HOLD: "on-hold",
    PlanState.COMPLETED: "completed",
    PlanState.WITHDRAWN: "revoked",
    PlanState.DECLINED: "revoked",
}


class ParticipantKind(models.TextChoices):
    SERVICE_USER = "service_user", _("The service user")
    REPRESENTATIVE = "representative", _("Guardian or relative")
    STAFF = "staff", _("Municipal staff")
    EXTERNAL = "external", _("External professional")


class GoalProgress(models.TextChoices):
    ACHIEVED = "achieved", _("Achieved")
    PARTLY_ACHIEVED = "partly_achieved", _("Partly achieved")
    NOT_ACHIEVED = "not_achieved", _("Not achieved")
    CONTINUED = "continued", _("Continued unchanged")
    DISCONTINUED = "discontinued", _("Discontinued")


class VersionReason(models.TextChoices):
    ACTIVATION = "activation", _("Activated")
    REVIEW = "review", _("Review completed")
