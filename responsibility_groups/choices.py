"""States and kinds of responsibility groups and their meetings."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from plans.choices import ParticipantKind


class MeetingState(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    INVITED = "invited", _("Invited")
    HELD = "held", _("Held")
    MINUTES_DRAFT = "minutes_draft", _("Minutes in draft")
    MINUTES_APPROVED = "minutes_approved", _("Minutes approved")
    CANCELLED = "cancelled", _("Cancelled")


# States in which a meeting holds its members' time (double booking is refused against these).
BOOKED_STATES = (
    MeetingState.INVITED,
    MeetingState.HELD,
    MeetingState.MINUTES_DRAFT,
    MeetingState.MINUTES_APPROVED,
)


# Group members are the same kinds of people as plan participants.
MemberKind = ParticipantKind
