"""The audit trail of writes and the access log of reads.

Both tables are append-only: the application only inserts, the admin is read-only, and on
PostgreSQL a trigger (migration 0002) makes the database refuse UPDATE and DELETE.
See docs/adr/0003-audit-and-access-log.md.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from casework.choices import AccessBasis
from casework.models.people import ServiceUser


class AuditEvent(models.Model):
    """One write: who (and in which role) did what to which object, when, and what changed."""

    occurred_at = models.DateTimeField(_("occurred at"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("actor"),
    )
    actor_username = models.CharField(_("actor's username"), max_length=150)
    actor_role = models.CharField(_("actor's role"), max_length=120, blank=True)
    action = models.CharField(_("action"), max_length=60, db_index=True)
    object_type = models.CharField(_("object type"), max_length=60)
    object_id = models.CharField(_("object id"), max_length=40)
    service_user = models.ForeignKey(
        ServiceUser,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("whose data"),
    )
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    comment = models.CharField(_("comment"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-occurred_at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"], name="audit_object_idx")]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M} {self.actor_username} {self.action}"


class AccessLogEntry(models.Model):
    """One read of a person's data (pasientjournalloven § 22, Normen fact sheet 15)."""

    occurred_at = models.DateTimeField(_("occurred at"), auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("who"),
    )
    actor_role = models.CharField(_("role"), max_length=120)
    service_user = models.ForeignKey(
        ServiceUser,
        on_delete=models.PROTECT,
        related_name="access_log",
        verbose_name=_("whose data"),
    )
    resource = models.CharField(_("what"), max_length=60)
    basis = models.CharField(_("why"), max_length=20, choices=AccessBasis.choices)

    class Meta:
        verbose_name = _("access log entry")
        verbose_name_plural = _("access log")
        ordering = ["-occurred_at", "-id"]
        indexes = [
            models.Index(fields=["service_user", "-occurred_at"], name="access_log_person_idx"),
            models.Index(fields=["actor", "-occurred_at"], name="access_log_actor_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M} {self.actor_id} {self.resource}"
