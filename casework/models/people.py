"""Service users, their representatives, guardians' mandates and consent."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casework.choices import ConsentGiver, Language, RepresentativeKind
from casework.models.organisation import Municipality, Unit


def mask_national_id(value: str) -> str:
    """Show the birth date part only: 11 digits become ``DDMMYY*****``."""
    return f"{value[:6]}*****" if value else ""


class ServiceUser(models.Model):
    """Tjenestemottaker: the person the work is about (not a login)."""

    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        related_name="service_users",
        verbose_name=_("municipality"),
    )
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    date_of_birth = models.DateField(_("date of birth"))
    # Validated with python-stdnum in the services; never put in a URL or a log line.
    national_id = models.CharField(_("national identity number"), max_length=11, unique=True)
    units = models.ManyToManyField(
        Unit,
        related_name="service_users",
        verbose_name=_("units"),
        blank=True,
    )
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    email = models.EmailField(_("email"), blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=4, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    preferred_language = models.CharField(
        _("preferred language"),
        max_length=2,
        choices=Language.choices,
        default=Language.BOKMAAL,
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("service user")
        verbose_name_plural = _("service users")
        ordering = ["last_name", "first_name", "id"]
        indexes = [
            models.Index(fields=["last_name", "first_name", "id"], name="service_user_name_idx"),
        ]

    def __str__(self) -> str:
        # Used in the admin and in audit summaries: the name only, never the national id.
        return f"{self.first_name} {self.last_name}"

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def masked_national_id(self) -> str:
        return mask_national_id(self.national_id)


class Representative(models.Model):
    """A guardian (verge) or relative (pårørende) of one service user."""

    service_user = models.ForeignKey(
        ServiceUser,
        on_delete=models.PROTECT,
        related_name="representatives",
        verbose_name=_("service user"),
    )
    kind = models.CharField(_("kind"), max_length=10, choices=RepresentativeKind.choices)
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    relation = models.CharField(
        _("relation"),
        max_length=60,
        blank=True,
        help_text=_("E.g. daughter, brother, appointed guardian."),
    )
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    email = models.EmailField(_("email"), blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="representations",
        verbose_name=_("portal login"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("representative")
        verbose_name_plural = _("representatives")
        ordering = ["last_name", "first_name", "id"]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name} ({self.get_kind_display()})"


def _valid_on(day: datetime.date, prefix: str = "") -> Q:
    """Records whose ``valid_from``/``valid_to`` (inclusive, open-ended) cover ``day``."""
    return Q(**{f"{prefix}valid_from__lte": day}) & (
        Q(**{f"{prefix}valid_to__isnull": True}) | Q(**{f"{prefix}valid_to__gte": day})
    )


class MandateQuerySet(models.QuerySet["Mandate"]):
    def valid_on(self, day: datetime.date) -> MandateQuerySet:
        return self.filter(_valid_on(day))


class Mandate(models.Model):
    """Vergefullmakt: the written mandate a guardian acts within (vergemålsloven)."""

    representative = models.ForeignKey(
        Representative,
        on_delete=models.PROTECT,
        related_name="mandates",
        verbose_name=_("guardian"),
        limit_choices_to={"kind": RepresentativeKind.GUARDIAN},
    )
    covers_personal = models.BooleanField(_("covers personal matters"), default=False)
    covers_economic = models.BooleanField(_("covers economic matters"), default=False)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    certificate_reference = models.CharField(
        _("guardian certificate reference"),
        max_length=60,
        help_text=_(
            "Reference to the guardian's certificate (vergeattest) from the Civil Affairs Authority."
        ),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = MandateQuerySet.as_manager()

    class Meta:
        verbose_name = _("mandate")
        verbose_name_plural = _("mandates")
        ordering = ["-valid_from", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(covers_personal=True) | Q(covers_economic=True),
                name="mandate_has_scope",
                violation_error_message=_("A mandate covers personal matters, economic matters or both."),
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="mandate_period_ordered",
                violation_error_message=_("The end date is before the start date."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.representative} {self.valid_from}–{self.valid_to or ''}"

    def is_valid_on(self, day: datetime.date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or self.valid_to >= day)


class ConsentQuerySet(models.QuerySet["Consent"]):
    def in_force(self, at: datetime.datetime | None = None) -> ConsentQuerySet:
        """Consents valid on the day of ``at`` (default now) and not withdrawn by then."""
        at = at or timezone.now()
        return self.filter(_valid_on(timezone.localdate(at))).filter(
            Q(withdrawn_at__isnull=True) | Q(withdrawn_at__gt=at)
        )


class Consent(models.Model):
    """Samtykke: who gave it, on whose behalf, what it covers, for how long, and its withdrawal."""

    service_user = models.ForeignKey(
        ServiceUser,
        on_delete=models.PROTECT,
        related_name="consents",
        verbose_name=_("service user"),
    )
    given_by = models.CharField(_("given by"), max_length=20, choices=ConsentGiver.choices)
    given_by_representative = models.ForeignKey(
        Representative,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("guardian who consented"),
    )
    representative = models.ForeignKey(
        Representative,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="consents",
        verbose_name=_("relative given access"),
    )
    covers_plan = models.BooleanField(_("covers the individual plan"), default=False)
    covers_group_sharing = models.BooleanField(
        _("covers information sharing in the responsibility group"),
        default=False,
    )
    covers_relative_access = models.BooleanField(_("covers the relative's access"), default=False)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    withdrawal_reason = models.CharField(_("withdrawal reason"), max_length=300, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = ConsentQuerySet.as_manager()

    class Meta:
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        ordering = ["-valid_from", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(covers_plan=True) | Q(covers_group_sharing=True) | Q(covers_relative_access=True),
                name="consent_has_scope",
                violation_error_message=_("A consent must cover at least one thing."),
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="consent_period_ordered",
                violation_error_message=_("The end date is before the start date."),
            ),
            models.CheckConstraint(
                condition=Q(covers_relative_access=False) | Q(representative__isnull=False),
                name="consent_relative_access_names_relative",
                violation_error_message=_("Name the relative who is given access."),
            ),
            models.CheckConstraint(
                condition=~Q(given_by=ConsentGiver.GUARDIAN) | Q(given_by_representative__isnull=False),
                name="consent_by_guardian_names_guardian",
                violation_error_message=_("Name the guardian who consented on the person's behalf."),
            ),
        ]

    def __str__(self) -> str:
        label = _("Consent")
        return f"{label} #{self.pk} {self.valid_from}–{self.valid_to or ''}"

    def is_in_force(self, at: datetime.datetime | None = None) -> bool:
        at = at or timezone.now()
        day = timezone.localdate(at)
        return (
            self.valid_from <= day
            and (self.valid_to is None or self.valid_to >= day)
            and (self.withdrawn_at is None or self.withdrawn_at > at)
        )
