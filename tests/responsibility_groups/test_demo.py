"""The demo responsibility groups: built by ``seed_demo`` through the services, idempotent."""

from __future__ import annotations

import io
import itertools

import pytest
from django.core.management import call_command
from django.utils import timezone

from casework.choices import RepresentativeKind
from casework.models import AuditEvent, Consent, Representative
from responsibility_groups.choices import MeetingState, MemberKind
from responsibility_groups.models import (
    Attendance,
    GroupMember,
    Meeting,
    MeetingBooking,
    MinutesVersion,
    ResponsibilityGroup,
)

pytestmark = pytest.mark.django_db


def _counts() -> list[int]:
    rows = [
        model.objects.count()
        for model in (
            ResponsibilityGroup,
            GroupMember,
            Meeting,
            MeetingBooking,
            Attendance,
            MinutesVersion,
            Consent,
        )
    ]
    # seed_demo records one "demo.seed" event on every run; nothing about groups the second time.
    return [*rows, AuditEvent.objects.filter(action__regex=r"^(group|meeting)\.").count()]


def _seed() -> str:
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def test_seed_demo_adds_groups_and_meetings_once():
    first_output = _seed()
    first = _counts()

    second_output = _seed()

    assert "3 responsibility groups and 10 meetings added" in first_output
    assert "0 responsibility groups and 0 meetings added" in second_output
    assert _counts() == first


def test_demo_groups_have_held_invited_and_proposed_meetings():
    _seed()
    now = timezone.now()
    groups = list(ResponsibilityGroup.objects.select_related("coordinator", "plan"))

    assert len(groups) == 3
    assert {group.coordinator.username for group in groups} == {"koordinator"}
    assert all(group.plan is not None and group.plan.state in ("active", "under_review") for group in groups)
    approved = Meeting.objects.filter(state=MeetingState.MINUTES_APPROVED)
    assert approved.count() == 6
    assert all(meeting.ends_at < now for meeting in approved)
    assert MinutesVersion.objects.filter(meeting__in=approved).count() == 6
    assert not Attendance.objects.filter(meeting__in=approved, attended__isnull=True).exists()
    invited = Meeting.objects.filter(state=MeetingState.INVITED)
    assert {meeting.group_id for meeting in invited} == {group.pk for group in groups}
    assert all(meeting.starts_at > now for meeting in invited)
    assert Meeting.objects.filter(state=MeetingState.PROPOSED).count() == 1
    for group in groups:
        kinds = set(group.members.values_list("kind", flat=True))
        assert {MemberKind.SERVICE_USER, MemberKind.STAFF, MemberKind.EXTERNAL} <= kinds
        external = group.members.get(kind=MemberKind.EXTERNAL)
        assert external.name and external.organisation and "@" in external.email


def test_the_guardians_and_the_relatives_person_have_a_group_with_them_in_it():
    _seed()

    for username, kind in (
        ("verge", RepresentativeKind.GUARDIAN),
        ("parorende", RepresentativeKind.RELATIVE),
    ):
        rep = Representative.objects.get(user__username=username, kind=kind)
        group = ResponsibilityGroup.objects.get(service_user=rep.service_user)
        assert group.members.filter(kind=MemberKind.REPRESENTATIVE, representative=rep).exists(), username


def test_the_coordinator_is_never_double_booked():
    _seed()
    bookings = list(
        MeetingBooking.objects.filter(user__username="koordinator", active=True).order_by("starts_at")
    )

    assert len(bookings) == 9
    for earlier, later in itertools.pairwise(bookings):
        assert earlier.ends_at <= later.starts_at


def test_the_demo_groups_are_audited():
    _seed()

    actions = set(AuditEvent.objects.values_list("action", flat=True))

    assert {
        "group.create",
        "group.member.add",
        "meeting.create",
        "meeting.invite",
        "meeting.attendance",
        "meeting.record_held",
        "meeting.minutes.write",
        "meeting.approve_minutes",
    } <= actions
