"""The transactional outbox: events written in the same transaction as the change they announce.

A workflow calls ``casework.outbox.outbox_emit`` inside its transaction; the row commits or rolls
back with the change. Notifications (a layer above) read these rows and deliver; the database is
the source of truth and the broker only rings the bell. The table keeps the name it was created
with when the outbox lived in notifications (ADR 0008).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class OutboxEvent(models.Model):
    event = models.CharField(_("event"), max_length=60, db_index=True)
    object_type = models.CharField(_("object type"), max_length=60)
    object_id = models.CharField(_("object id"), max_length=40)
    payload = models.JSONField(_("payload"), default=dict)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    dispatched_at = models.DateTimeField(_("dispatched at"), null=True, blank=True, db_index=True)

    class Meta:
        db_table = "notifications_outboxevent"
        verbose_name = _("outbox event")
        verbose_name_plural = _("outbox events")
        ordering = ["id"]
        # The dispatcher asks whether a meeting has been moved or cancelled since a row was made.
        indexes = [models.Index(fields=["object_type", "object_id", "created_at"], name="outbox_object_idx")]

    def __str__(self) -> str:
        return f"{self.event} {self.object_type}#{self.object_id}"
