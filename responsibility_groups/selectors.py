"""Reads of responsibility groups and meetings, through the casework access path.

Staff see the groups and meetings of the people in their reach (units or explicit grants).
Representatives follow meetings through the portal (a later issue); here they see nothing.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.db.models import Max, Prefetch, Q, QuerySet
from django.utils import timezone

from casework.selectors import Reach, one_in_reach, reachable_service_user_ids
from responsibility_groups.choices import BOOKED_STATES, MeetingState
from responsibility_groups.models import Attendance, GroupMember, Meeting, ResponsibilityGroup
from responsibility_groups.sharing import Seat, sharing_missing_for_seats

HELD_STATES = [MeetingState.HELD, MeetingState.MINUTES_DRAFT, MeetingState.MINUTES_APPROVED]


def _people_filter(reach: Reach, prefix: str) -> Q:
    if reach.is_superuser:
        return Q()
    staff_reach = reach.as_staff()
    return Q(**{f"{prefix}__in": reachable_service_user_ids(staff_reach)})


def group_list_for(*, reach: Reach) -> QuerySet[ResponsibilityGroup]:
    if not getattr(reach.actor, "is_authenticated", False):
        return ResponsibilityGroup.objects.none()
    return (
        ResponsibilityGroup.objects.filter(_people_filter(reach, "service_user_id"))
        .select_related("service_user", "unit", "coordinator")
        .prefetch_related("service_user__units")
        .annotate(last_held_at=Max("meetings__starts_at", filter=Q(meetings__state__in=HELD_STATES)))
        .order_by("-created_at", "-id")
    )


def group_get_for(*, reach: Reach, id: Any) -> ResponsibilityGroup:
    return one_in_reach(group_list_for(reach=reach), id)


def next_meeting_due(group: ResponsibilityGroup) -> datetime.date:
    last = getattr(group, "last_held_at", None)
    return group.next_meeting_due(timezone.localdate(last) if last else None)


def groups_overdue_for(*, reach: Reach, unit_id: int | None = None) -> list[ResponsibilityGroup]:
    """Active groups whose next meeting by their cadence is past, oldest due first."""
    groups = group_list_for(reach=reach).filter(is_active=True)
    if unit_id is not None:
        groups = groups.filter(unit_id=unit_id)
    today = timezone.localdate()
    overdue = [group for group in groups if next_meeting_due(group) < today]
    return sorted(overdue, key=next_meeting_due)


def meeting_list_for(*, reach: Reach) -> QuerySet[Meeting]:
    if not getattr(reach.actor, "is_authenticated", False):
        return Meeting.objects.none()
    return (
        Meeting.objects.filter(_people_filter(reach, "group__service_user_id"))
        .select_related("group__service_user", "group__unit", "group__coordinator")
        .prefetch_related("group__service_user__units")
        .order_by("starts_at", "id")
    )


def meeting_get_for(*, reach: Reach, id: Any) -> Meeting:
    return one_in_reach(meeting_list_for(reach=reach), id)


def meetings_of_user(*, user: Any, since: datetime.datetime | None = None) -> QuerySet[Meeting]:
    """A staff member's own meetings (booked or cancelled), for their calendar."""
    meetings = Meeting.objects.filter(
        Q(bookings__user=user) | Q(group__coordinator=user),
        state__in=[*BOOKED_STATES, MeetingState.CANCELLED],
    )
    if since is not None:
        meetings = meetings.filter(ends_at__gte=since)
    return (
        meetings.distinct()
        .select_related("group__coordinator")
        .prefetch_related(
            Prefetch(
                "attendance",
                queryset=Attendance.objects.select_related("member__user", "member__representative"),
            )
        )
    )


def member_sharing_status(
    *, group: ResponsibilityGroup, members: Iterable[GroupMember] | None = None
) -> dict[int, list[str]]:
    """Per member id, what consent is missing for sharing with them now (empty: covered).

    ``members`` (default: all the group's) with their representatives loaded; the consents and
    mandates are read once for all of them (``sharing_missing_for_seats``), not once a member.
    """
    if members is None:
        members = group.members.select_related("representative")
    seats = {
        member.pk: Seat(
            kind=member.kind,
            representative=member.representative,
            is_coordinator=member.user_id is not None and member.user_id == group.coordinator_id,
        )
        for member in members
    }
    return sharing_missing_for_seats(service_user_id=group.service_user_id, seats=seats)
