"""A plan's frozen, approved versions (append-only); its transitions are in the engine's one
history table, casework.WorkflowTransition."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from plans.choices import VersionReason
from plans.models.plan import IndividualPlan


class PlanVersion(models.Model):
    """The full content of the plan as approved at an activation or a completed review."""

    plan = models.ForeignKey(IndividualPlan, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    reason = models.CharField(_("reason"), max_length=20, choices=VersionReason.choices)
    content = models.JSONField(_("content"))
    created_at = models.DateTimeField(_("approved at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("approved by")
    )

    class Meta:
        verbose_name = _("plan version")
        verbose_name_plural = _("plan versions")
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="plan_version_number_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.plan} v{self.number}"
