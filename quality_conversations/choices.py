"""The states of an annual quality conversation."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ConversationState(models.TextChoices):
    DUE = "due", _("Due")
    OFFERED = "offered", _("Offered")
    ACCEPTED = "accepted", _("Accepted")
    SCHEDULED = "scheduled", _("Scheduled")
    HELD = "held", _("Held")
    DOCUMENTED = "documented", _("Documented")
    DECLINED = "declined", _("Declined")
    NOT_APPLICABLE = "not_applicable", _("Not applicable")
    EXPIRED = "expired", _("Expired")
