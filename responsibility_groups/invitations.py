"""A meeting as calendar data for ``responsibility_groups.calendar`` (RFC 5545).

Calendar invitations leave the municipality's systems (Outlook, Google), so they carry neither
the person's name nor anything about their health: the summary says it is a responsibility-group
meeting of the unit, and the details stay in Medvirk.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from responsibility_groups.choices import MeetingState, MemberKind
from responsibility_groups.models import Meeting

NAMED_KINDS = (MemberKind.STAFF, MemberKind.EXTERNAL)


def meeting_calendar_data(meeting: Meeting) -> dict[str, Any]:
    coordinator = meeting.group.coordinator
    attendance = list(meeting.attendance.all())
    return {
        "uid": f"meeting-{meeting.uid}@{settings.CALENDAR_UID_DOMAIN}",
        "sequence": meeting.sequence,
        "status": "CANCELLED" if meeting.state == MeetingState.CANCELLED else "CONFIRMED",
        "summary": _("Responsibility-group meeting – %(unit)s") % {"unit": meeting.group.unit.name},
        "description": _("Agenda and minutes are in Medvirk (meeting %(id)s).") % {"id": meeting.pk},
        "location": meeting.place,
        "video_link": meeting.video_link,
        "start": meeting.starts_at,
        "end": meeting.ends_at,
        "organizer": {
            "name": coordinator.get_full_name() or coordinator.get_username(),
            # A coordinator without an address still needs an organizer: the service's no-reply one.
            "email": coordinator.email or settings.CALENDAR_FALLBACK_ORGANIZER,
        },
        # Staff and professionals by name; the person and their relatives by address only, so that
        # no external calendar holds who receives care. The person gets the invitation by letter.
        "attendees": [
            {
                "name": row.member.display_name if row.member.kind in NAMED_KINDS else "",
                "email": row.member.contact_email,
                "required": True,
            }
            for row in attendance
            if row.member.user_id != coordinator.pk and row.member.kind != MemberKind.SERVICE_USER
        ],
        "created": meeting.created_at,
        "last_modified": meeting.updated_at,
    }
