"""Meetings of a responsibility group and their state machine.

Transition methods change fields only (ADR 0001); bookings, invitations, versions and audit rows
are written by ``responsibility_groups.services``.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from casework.models.workflow import WorkflowStateMixin
from responsibility_groups.choices import MeetingState
from responsibility_groups.models.group import GroupMember, ResponsibilityGroup

S = MeetingState


class Meeting(WorkflowStateMixin, ConcurrentTransitionMixin, models.Model):
    group = models.ForeignKey(ResponsibilityGroup, on_delete=models.PROTECT, related_name="meetings")
    state = FSMField(_("state"), default=S.PROPOSED, choices=S.choices, protected=True, db_index=True)
    state_changed_at = models.DateTimeField(_("state changed at"), default=timezone.now)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    video_link = models.URLField(_("video link"), blank=True)
    # iCalendar: the same UID for the whole life of the meeting, SEQUENCE raised on each change.
    uid = models.UUIDField(_("calendar UID"), default=uuid.uuid4, unique=True, editable=False)
    sequence = models.PositiveIntegerField(_("calendar sequence"), default=0)
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["starts_at", "id"]
        indexes = [
            models.Index(fields=["group", "starts_at"], name="meeting_group_start_idx"),
            models.Index(fields=["starts_at", "id"], name="meeting_start_idx"),  # the list's order
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")),
                name="meeting_ends_after_start",
                violation_error_message=_("A meeting ends after it starts."),
            ),
        ]

    def __str__(self) -> str:
        return str(_("Meeting %(when)s") % {"when": f"{timezone.localtime(self.starts_at):%d.%m.%Y %H:%M}"})

    @transition(field=state, source=S.PROPOSED, target=S.INVITED)
    def invite(self) -> None:
        self._moved()

    @transition(field=state, source=S.INVITED, target=S.INVITED)
    def reschedule(self, *, starts_at: object, ends_at: object) -> None:
        self.starts_at, self.ends_at = starts_at, ends_at  # type: ignore[assignment]
        self.sequence += 1

    @transition(field=state, source=[S.PROPOSED, S.INVITED], target=S.CANCELLED)
    def cancel(self, *, reason: str) -> None:
        self.cancel_reason = reason
        self.sequence += 1
        self._moved()

    @transition(field=state, source=S.INVITED, target=S.HELD)
    def record_held(self) -> None:
        self._moved()

    @transition(field=state, source=S.HELD, target=S.MINUTES_DRAFT)
    def start_minutes(self) -> None:
        self._moved()

    @transition(field=state, source=S.MINUTES_DRAFT, target=S.MINUTES_APPROVED)
    def approve_minutes(self) -> None:
        self._moved()

    @transition(field=state, source=S.MINUTES_APPROVED, target=S.MINUTES_DRAFT)
    def correct_minutes(self) -> None:
        self._moved()


class MeetingBooking(models.Model):
    """A staff member's time taken by a meeting. On PostgreSQL an exclusion constraint (migration
    0002) refuses two overlapping active bookings of the same login, whatever the requests do."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="bookings")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="meeting_bookings"
    )
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    active = models.BooleanField(default=True)

    class Meta:
        verbose_name = _("booking")
        verbose_name_plural = _("bookings")
        indexes = [models.Index(fields=["user", "starts_at"], name="booking_user_start_idx")]
        constraints = [models.UniqueConstraint(fields=["meeting", "user"], name="booking_once_per_meeting")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.starts_at:%Y-%m-%d %H:%M}"


class Attendance(models.Model):
    """Who was invited, and whether they took part (recorded when the meeting is held)."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendance")
    member = models.ForeignKey(GroupMember, on_delete=models.PROTECT, related_name="attendance")
    attended = models.BooleanField(_("attended"), null=True, blank=True)

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "member"], name="attendance_once_per_member")
        ]

    def __str__(self) -> str:
        return f"{self.member} {self.attended}"


class AgendaItem(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="agenda")
    title = models.CharField(_("item"), max_length=300)
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.title


class MinutesTopic(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="topics")
    title = models.CharField(_("topic"), max_length=300)
    notes = models.TextField(_("notes"), blank=True)
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("minutes topic")
        verbose_name_plural = _("minutes topics")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.title


class Agreement(models.Model):
    """An agreement in the minutes: what, who follows it up, by when; it may become a plan measure."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="agreements")
    text = models.TextField(_("agreement"))
    owner = models.ForeignKey(
        GroupMember,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="agreements",
        verbose_name=_("owner"),
    )
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    to_plan = models.BooleanField(_("add to the individual plan"), default=False)
    plan_measure = models.ForeignKey(
        "plans.Measure",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="agreements",
        verbose_name=_("plan measure"),
    )
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("agreement")
        verbose_name_plural = _("agreements")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.text[:60]


class MinutesVersion(models.Model):
    """Approved minutes as they were approved: locked, and append-only on PostgreSQL."""

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="minutes_versions")
    number = models.PositiveIntegerField(_("version"))
    content = models.JSONField(_("content"))
    approved_at = models.DateTimeField(_("approved at"), auto_now_add=True)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("minutes version")
        verbose_name_plural = _("minutes versions")
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "number"], name="minutes_version_number_unique")
        ]

    def __str__(self) -> str:
        return f"{self.meeting} v{self.number}"


class MinutesComment(models.Model):
    """An attendee's comment on approved minutes (the minutes themselves stay locked)."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    version = models.PositiveIntegerField(_("on version"))
    text = models.TextField(_("comment"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("minutes comment")
        verbose_name_plural = _("minutes comments")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.text[:60]


class CalendarFeedToken(models.Model):
    """A staff member's secret calendar subscription (webcal). Only the SHA-256 is stored; the
    token is shown once and can be rotated or revoked."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed"
    )
    key_hash = models.CharField(_("key hash"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")

    def __str__(self) -> str:
        return f"{self.user_id}"
