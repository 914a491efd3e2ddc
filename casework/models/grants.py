"""Access outside a person's units: the ledger of reasons, and the permission it keeps.

A staff member who does not work in a unit serving a person may still see them for a reason: an
explicit grant, a place on the person's individual plan, a seat in their responsibility group.
``AccessGrant`` is the ledger, one row per reason; each source adds and ends only its own row, and
access lasts while any of them is active (ended rows stay, for the record and for
``/service-users/{id}/access-reasons/``). The access path (``casework.selectors``) reads the ledger.

``ServiceUserUserObjectPermission`` (django-guardian, direct foreign keys) is the permission the
ledger keeps in step: it exists exactly while the user has an active reason, so that
``user.has_perm("casework.view_serviceuser", person)`` answers as the access path does.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from guardian.models import UserObjectPermissionBase

from casework.choices import AccessSource
from casework.models.people import ServiceUser


class ServiceUserUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(ServiceUser, on_delete=models.CASCADE)

    class Meta(UserObjectPermissionBase.Meta):
        verbose_name = _("access grant to a service user (user)")
        verbose_name_plural = _("access grants to service users (users)")


class AccessGrant(models.Model):
    """One reason why ``user`` may see ``service_user`` outside the units that serve them."""

    service_user = models.ForeignKey(
        ServiceUser, on_delete=models.PROTECT, related_name="access_grants", verbose_name=_("service user")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="access_grants",
        verbose_name=_("user"),
    )
    source = models.CharField(_("source"), max_length=20, choices=AccessSource.choices)
    # The plan's or the group's id; 0 for an explicit grant.
    source_id = models.PositiveBigIntegerField(_("source id"), default=0)
    reason = models.CharField(_("reason"), max_length=200)
    since = models.DateTimeField(_("since"))
    until = models.DateTimeField(_("until"), null=True, blank=True)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("granted by"),
    )
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("ended by"),
    )

    class Meta:
        verbose_name = _("access reason")
        verbose_name_plural = _("access reasons")
        ordering = ["service_user", "user", "since", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["service_user", "user", "source", "source_id"],
                condition=Q(until__isnull=True),
                name="access_grant_active_once",
            ),
        ]
        indexes = [models.Index(fields=["user", "until"], name="access_grant_user_idx")]

    def __str__(self) -> str:
        return (
            f"{self.user} → {self.service_user} ({self.get_source_display()} {self.source_id or ''})".strip()
        )
