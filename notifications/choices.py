"""Choices for notifications: channels and the life of one delivery."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    EMAIL = "email", _("Email")
    SMS = "sms", _("SMS")
    INBOX = "inbox", _("Portal inbox")


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENDING = "sending", _("Sending")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Failed")
    # A staff member who wants a daily digest gets these in one email the next morning.
    HELD_FOR_DIGEST = "held_for_digest", _("Held for the daily digest")
    IN_DIGEST = "in_digest", _("Sent in a digest")
    # Not sent: the meeting it was about is over, moved or cancelled.
    CANCELLED = "cancelled", _("Not sent: no longer relevant")
