"""Attachments are built per copy: an invitation mailed to everyone hands no one else's address on."""

from __future__ import annotations

from typing import Any

import pytest
from icalendar import Calendar

from notifications.attachments import attachment_parts
from notifications.models import Notification
from responsibility_groups import services as group_services
from responsibility_groups.choices import MemberKind
from tests.factories import RepresentativeFactory

pytestmark = pytest.mark.django_db


def _attendees(row: Notification) -> list[str]:
    (part,), _on_sent = attachment_parts(row)
    calendar = Calendar.from_ical(part.get_payload(decode=True))
    (event,) = calendar.walk("VEVENT")
    attendees = event.get("attendee", [])
    return sorted(str(a) for a in (attendees if isinstance(attendees, list) else [attendees]))


def test_each_copy_of_the_invitation_lists_the_professionals_and_only_its_own_relative(
    world: Any, groups: Any
) -> None:
    group = groups.group()
    relative = RepresentativeFactory(service_user=world.person, email="datter@example.org")
    group_services.member_add(
        reach=groups.reach, group=group, kind=MemberKind.REPRESENTATIVE, representative=relative
    )
    group_services.member_add(
        reach=groups.reach, group=group, kind=MemberKind.EXTERNAL, name="Dr. Lege", email="lege@legesenter.no"
    )
    meeting = groups.meeting(group)
    group_services.meeting_transition(reach=groups.reach, meeting=meeting, name="invite")

    def row(address: str) -> Notification:
        return Notification(
            object_type="responsibility_groups.meeting",
            object_id=str(meeting.pk),
            address=address,
            attachments=[{"type": "meeting_ics", "method": "REQUEST"}],
        )

    assert _attendees(row("lege@legesenter.no")) == ["mailto:lege@legesenter.no"]
    assert _attendees(row("datter@example.org")) == ["mailto:datter@example.org", "mailto:lege@legesenter.no"]
