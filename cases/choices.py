"""States and kinds of the pre-decision case workflow: cases, home visits, decisions."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class CaseState(models.TextChoices):
    RECEIVED = "received", _("Received")
    UNDER_ASSESSMENT = "under_assessment", _("Under assessment")
    DECIDED = "decided", _("Decided")
    APPEALED = "appealed", _("Appealed")
    CLOSED = "closed", _("Closed")


class HomeVisitState(models.TextChoices):
    PLANNED = "planned", _("Planned")
    SCHEDULED = "scheduled", _("Scheduled")
    COMPLETED = "completed", _("Completed")
    NOT_COMPLETED = "not_completed", _("Not completed")


class HomeVisitMissReason(models.TextChoices):
    DECLINED = "declined", _("The person declined")
    NOT_AT_HOME = "not_at_home", _("Not at home")
    CANCELLED = "cancelled", _("Cancelled")


class DecisionOutcome(models.TextChoices):
    GRANTED = "granted", _("Granted")
    PARTLY_GRANTED = "partly_granted", _("Partly granted")
    REFUSED = "refused", _("Refused")
