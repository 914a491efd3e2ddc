"""The municipality's structure and the staff who work in it."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from casework.choices import StaffRole


class Municipality(models.Model):
    """The tenant: one Norwegian kommune."""

    name = models.CharField(_("name"), max_length=120)
    number = models.CharField(_("municipality number"), max_length=4, unique=True)
    # The day each year from which the annual quality conversations are created.
    conversations_month = models.PositiveSmallIntegerField(_("quality conversations from (month)"), default=1)
    conversations_day = models.PositiveSmallIntegerField(_("quality conversations from (day)"), default=15)

    class Meta:
        verbose_name = _("municipality")
        verbose_name_plural = _("municipalities")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ServiceArea(models.Model):
    """Tjenesteområde: a group of result units, e.g. health and care."""

    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        related_name="service_areas",
        verbose_name=_("municipality"),
    )
    name = models.CharField(_("name"), max_length=120)

    class Meta:
        verbose_name = _("service area")
        verbose_name_plural = _("service areas")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["municipality", "name"], name="service_area_name_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class Unit(models.Model):
    """Resultatenhet: the unit that delivers services and is measured on the scorecard."""

    service_area = models.ForeignKey(
        ServiceArea,
        on_delete=models.PROTECT,
        related_name="units",
        verbose_name=_("service area"),
    )
    name = models.CharField(_("name"), max_length=160)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["service_area", "name"], name="unit_name_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class StaffMembership(models.Model):
    """A login's role in a unit. One login may hold several roles in several units."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="staff_memberships",
        verbose_name=_("user"),
    )
    unit = models.ForeignKey(
        Unit,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("unit"),
    )
    role = models.CharField(_("role"), max_length=20, choices=StaffRole.choices)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("staff membership")
        verbose_name_plural = _("staff memberships")
        constraints = [
            models.UniqueConstraint(fields=["user", "unit", "role"], name="membership_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.get_role_display()} – {self.unit}"
