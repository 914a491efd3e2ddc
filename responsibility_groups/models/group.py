"""The responsibility group (ansvarsgruppe) around one person, and its members."""

from __future__ import annotations

import datetime

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casework.choices import BasisEnd
from casework.models import Representative, ServiceUser, Unit
from plans.models import IndividualPlan
from plans.participants import basis_end_has_reason, links_fit_kind
from responsibility_groups.choices import MemberKind


class ResponsibilityGroup(models.Model):
    service_user = models.ForeignKey(
        ServiceUser,
        on_delete=models.PROTECT,
        related_name="responsibility_groups",
        verbose_name=_("service user"),
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="responsibility_groups", verbose_name=_("unit")
    )
    coordinator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="led_groups",
        verbose_name=_("coordinator"),
    )
    plan = models.ForeignKey(
        IndividualPlan,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="responsibility_groups",
        verbose_name=_("individual plan"),
    )
    cadence_months = models.PositiveSmallIntegerField(
        _("meets every (months)"), default=3, help_text=_("Two to four meetings a year is common.")
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("responsibility group")
        verbose_name_plural = _("responsibility groups")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["service_user"],
                condition=Q(is_active=True),
                name="one_active_group_per_person",
                violation_error_message=_("The person already has an active responsibility group."),
            ),
            models.CheckConstraint(
                condition=Q(cadence_months__gte=1) & Q(cadence_months__lte=12),
                name="group_cadence_within_a_year",
                violation_error_message=_("A group meets at least once a year."),
            ),
        ]

    def __str__(self) -> str:
        return str(_("Responsibility group #%(id)s") % {"id": self.pk})

    def next_meeting_due(self, last_held: datetime.date | None) -> datetime.date:
        """The cadence counted from the last meeting held, or from the group's start."""
        start = last_held or timezone.localdate(self.created_at)
        return start + relativedelta(months=self.cadence_months)


class GroupMember(models.Model):
    """Someone who takes part in the group: staff, an external professional, the person, or a
    representative. Invitations and minutes go to members whose sharing is covered by consent."""

    group = models.ForeignKey(ResponsibilityGroup, on_delete=models.CASCADE, related_name="members")
    kind = models.CharField(_("kind"), max_length=20, choices=MemberKind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="group_memberships",
        verbose_name=_("staff member"),
    )
    representative = models.ForeignKey(
        Representative,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="group_memberships",
        verbose_name=_("representative"),
    )
    name = models.CharField(_("name"), max_length=200, blank=True)
    organisation = models.CharField(_("organisation"), max_length=200, blank=True)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    role = models.CharField(_("role in the group"), max_length=120, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    # Set when the consent or mandate that covered sharing with the member ended and no other
    # took its place (responsibility_groups.basis); cleared when one does. The row stays active:
    # the coordinator decides, and invitations and minutes already leave the member out.
    basis_ended_at = models.DateTimeField(_("basis ended at"), null=True, blank=True)
    basis_ended_reason = models.CharField(
        _("basis ended by"), max_length=20, choices=BasisEnd.choices, blank=True
    )

    class Meta:
        verbose_name = _("group member")
        verbose_name_plural = _("group members")
        ordering = ["id"]
        constraints = [
            # A member's login or representative matches its kind (plans.participants); rows that
            # broke the rule before it was enforced were made inactive by migration 0004.
            models.CheckConstraint(
                condition=Q(is_active=False) | links_fit_kind(),
                name="group_member_links_fit_kind",
                violation_error_message=_("The member's login or representative does not fit its kind."),
            ),
            models.UniqueConstraint(
                fields=["group"],
                condition=Q(kind=MemberKind.SERVICE_USER, is_active=True),
                name="group_member_one_person",
                violation_error_message=_("The person is already a member of their group."),
            ),
            # One active row per login and per representative (migration 0008 retired repeats).
            models.UniqueConstraint(
                fields=["group", "user"],
                condition=Q(is_active=True, user__isnull=False),
                name="group_member_login_once",
            ),
            models.UniqueConstraint(
                fields=["group", "representative"],
                condition=Q(is_active=True, representative__isnull=False),
                name="group_member_representative_once",
            ),
            models.CheckConstraint(
                condition=basis_end_has_reason(),
                name="group_member_basis_end_has_reason",
                violation_error_message=_("An ended basis has a time and a reason, or neither."),
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        if self.name:
            return self.name
        if self.user_id and self.user is not None:
            return self.user.get_full_name() or self.user.get_username()
        if self.representative_id and self.representative is not None:
            return f"{self.representative.first_name} {self.representative.last_name}"
        if self.kind == MemberKind.SERVICE_USER:
            return self.group.service_user.full_name
        return self.get_kind_display()

    @property
    def contact_email(self) -> str:
        if self.email:
            return self.email
        if self.user_id and self.user is not None:
            return self.user.email
        if self.representative_id and self.representative is not None:
            return self.representative.email
        if self.kind == MemberKind.SERVICE_USER:
            return self.group.service_user.email
        return ""
