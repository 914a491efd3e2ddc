"""The minutes of a meeting as one JSON-able document: frozen when approved, rendered as PDF.

Holds names, roles and texts of the meeting; never a national identity number.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from responsibility_groups.models import Meeting


def minutes_content(meeting: Meeting) -> dict[str, Any]:
    group = meeting.group
    attendance = meeting.attendance.select_related(
        "member__user", "member__representative", "member__group__service_user"
    )
    return {
        "schema": 1,
        "meeting": {
            "id": meeting.pk,
            "starts_at": timezone.localtime(meeting.starts_at).isoformat(),
            "ends_at": timezone.localtime(meeting.ends_at).isoformat(),
            "place": meeting.place,
            "video_link": meeting.video_link,
        },
        "group": {
            "id": group.pk,
            "service_user": group.service_user.full_name,
            "unit": group.unit.name,
            "coordinator": group.coordinator.get_full_name() or group.coordinator.get_username(),
        },
        "attendees": [
            {
                "member": row.member_id,
                "name": row.member.display_name,
                "kind": row.member.kind,
                "role": row.member.role,
                "organisation": row.member.organisation,
                "attended": bool(row.attended),
            }
            for row in attendance
        ],
        "agenda": [item.title for item in meeting.agenda.all()],
        "topics": [{"title": t.title, "notes": t.notes} for t in meeting.topics.all()],
        "agreements": [
            {
                "text": a.text,
                "owner": a.owner.display_name if a.owner else "",
                "deadline": a.deadline.isoformat() if a.deadline else None,
            }
            for a in meeting.agreements.select_related("owner__user", "owner__representative")
        ],
    }
