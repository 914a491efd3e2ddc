"""Group members whom sharing is covered for by a consent or a mandate (ADR 0017).

Whether information about the person may be shared with a member is ``sharing_missing``'s rule
(``responsibility_groups.sharing``), the one invitations and minutes follow: the person and the
group's coordinator always; a guardian by a valid mandate covering personal matters; anyone else
by a consent in force covering sharing in the group, naming nobody or naming them. When a
withdrawn consent or an ended mandate leaves an active member of an active group without any of
these, the member is marked (``basis_ended_at``, ``basis_ended_reason``), not removed: the
coordinator decides whether they leave, and meanwhile invitations and minutes leave them out. A
new consent or mandate that covers them again clears the mark.
"""

from __future__ import annotations

import datetime
from collections import Counter
from typing import Any

from django.db.models import QuerySet

from casework.basis import BasisChange, basis_mark_and_clear
from responsibility_groups.models import GroupMember, ResponsibilityGroup
from responsibility_groups.sharing import sharing_missing


def _active_groups(service_user_id: int) -> QuerySet[ResponsibilityGroup]:
    return ResponsibilityGroup.objects.filter(service_user_id=service_user_id, is_active=True)


def _dependents(service_user_id: int) -> QuerySet[GroupMember]:
    """The active members of the person's active groups."""
    return GroupMember.objects.filter(
        group__service_user_id=service_user_id, group__is_active=True, is_active=True
    ).select_related("group", "representative")


def _covered_at(member: GroupMember, at: datetime.datetime) -> bool:
    group = member.group
    return not sharing_missing(
        service_user_id=group.service_user_id,
        kind=member.kind,
        representative=member.representative,
        is_coordinator=member.user_id is not None and member.user_id == group.coordinator_id,
        at=at,
    )


class GroupMemberBasis:
    key = "groups"

    def covered(self, *, service_user_id: int, at: datetime.datetime) -> set[int]:
        return {member.pk for member in _dependents(service_user_id) if _covered_at(member, at)}

    def settle(self, *, covered_before: set[int], change: BasisChange) -> list[dict[str, Any]]:
        person = change.service_user
        rows = list(_dependents(person.pk).order_by("pk"))
        lost = basis_mark_and_clear(
            rows=rows,
            covered_before=covered_before,
            covered_now={member.pk for member in rows if _covered_at(member, change.at)},
            change=change,
            action="group.member",
        )
        marked = Counter(member.group_id for member in lost)
        return [
            {"id": group.pk, "marked": marked[group.pk]} for group in _active_groups(person.pk).order_by("pk")
        ]
