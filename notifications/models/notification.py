"""One message to one recipient on one channel: the unit of delivery, retry and reading."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casework.choices import Language
from casework.models import OutboxEvent, ServiceUser
from notifications.choices import Channel, DeliveryStatus


class Notification(models.Model):
    # Unique per (source, recipient, channel): the outbox fan-out and the reminder scans may run
    # any number of times and still create one row, so the message is sent once.
    key = models.CharField(_("idempotency key"), max_length=200, unique=True)
    kind = models.CharField(_("message"), max_length=60, db_index=True)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    status = models.CharField(
        _("status"), max_length=20, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    event = models.ForeignKey(
        OutboxEvent, on_delete=models.PROTECT, null=True, blank=True, related_name="notifications"
    )
    # What the message is about, so that staff can see the deliveries of a plan or a meeting.
    object_type = models.CharField(_("object type"), max_length=60)
    object_id = models.CharField(_("object id"), max_length=40)
    service_user = models.ForeignKey(
        ServiceUser,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("service user"),
    )
    recipient_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
        verbose_name=_("recipient login"),
    )
    recipient_name = models.CharField(_("recipient"), max_length=200)
    address = models.CharField(_("address"), max_length=254, blank=True)
    language = models.CharField(_("language"), max_length=2, choices=Language.choices)
    subject = models.CharField(_("subject"), max_length=300)
    body = models.TextField(_("text"))
    attachments = models.JSONField(_("attachments"), default=list, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"), default=timezone.now)
    # A sender owns the row until then; a row still 'sending' after it was left by a dead worker.
    claimed_until = models.DateTimeField(_("claimed until"), null=True, blank=True)
    # Which claim owns the row: only that sender may record the outcome.
    claim_token = models.UUIDField(_("claim"), null=True, blank=True, db_index=True, editable=False)
    # After this the message says nothing useful any more (a reminder of a meeting that has begun).
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    # When the sweeper last published the row (it waits a while before publishing it again).
    queued_at = models.DateTimeField(_("queued by the sweeper at"), null=True, blank=True)
    in_doubt_resends = models.PositiveSmallIntegerField(_("resent after an interrupted attempt"), default=0)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    digest = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="digested",
        verbose_name=_("sent in digest"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(status__in=[DeliveryStatus.PENDING, DeliveryStatus.SENDING]),
                name="notification_due_idx",
            ),
            models.Index(fields=["recipient_user", "channel", "-created_at"], name="notification_inbox_idx"),
            models.Index(fields=["object_type", "object_id"], name="notification_object_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} → {self.recipient_name} ({self.get_channel_display()})"
