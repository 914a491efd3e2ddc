"""Whom information about the person may be shared with in the group (consent or mandate).

Sharing in a responsibility group needs the person's consent: only members covered by it may be
invited and receive minutes. The person is always covered, and so is the group's coordinator (the
person's statutory coordinator, who runs the group); a guardian whose valid mandate covers
personal matters acts for the person; everyone else needs a consent in force that covers
information sharing in the group.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from django.db.models import Q
from django.utils import timezone

from casework.choices import RepresentativeKind
from casework.models import Consent, Mandate
from responsibility_groups.choices import MemberKind

GROUP_SHARING_CONSENT = "consent: group_information_sharing"
K = TypeVar("K")


@dataclass(frozen=True)
class Seat:
    """Who a member is, as far as sharing goes (a group member, or one about to be added)."""

    kind: str
    representative: Any = None
    is_coordinator: bool = False


def sharing_missing(
    *,
    service_user_id: int,
    kind: str,
    representative: Any = None,
    is_coordinator: bool = False,
    at: datetime.datetime | None = None,
) -> list[str]:
    """What is missing before information may be shared with such a member (empty: covered)."""
    seat = Seat(kind=kind, representative=representative, is_coordinator=is_coordinator)
    return sharing_missing_for_seats(service_user_id=service_user_id, seats={0: seat}, at=at)[0]


def sharing_missing_for_seats(
    *, service_user_id: int, seats: Mapping[K, Seat], at: datetime.datetime | None = None
) -> dict[K, list[str]]:
    """``sharing_missing`` for many members of one person's group at once, in at most two queries
    whatever their number: the guardians' mandates in force, then the person's consents in force
    that cover sharing in the group. Each is asked only when some member still needs it."""
    at = at or timezone.now()
    missing: dict[K, list[str]] = {}
    pending: dict[K, Any] = {}  # key -> representative (or None): those not covered by who they are
    for key, seat in seats.items():
        if seat.kind == MemberKind.SERVICE_USER or seat.is_coordinator:
            missing[key] = []
        else:
            pending[key] = seat.representative

    def guardian(key: K) -> bool:
        rep = pending[key]
        return (
            seats[key].kind == MemberKind.REPRESENTATIVE
            and rep is not None
            and rep.kind == RepresentativeKind.GUARDIAN
        )

    guardians = {pending[key].pk for key in pending if guardian(key)}
    if guardians:
        # A guardian whose valid mandate covers personal matters acts for the person.
        mandated = set(
            Mandate.objects.valid_on(timezone.localdate(at))
            .filter(representative_id__in=sorted(guardians), covers_personal=True)
            .order_by()
            .values_list("representative_id", flat=True)
        )
        for key in [key for key in pending if guardian(key) and pending[key].pk in mandated]:
            missing[key] = []
            del pending[key]
    if pending:
        # A consent that names a representative covers that representative only; a general one
        # (naming nobody) covers every member.
        named = sorted({rep.pk for rep in pending.values() if rep is not None})
        scope = Q(representative__isnull=True)
        if named:
            scope |= Q(representative_id__in=named)
        consented = set(
            Consent.objects.in_force(at)
            .filter(scope, service_user_id=service_user_id, covers_group_sharing=True)
            .order_by()
            .values_list("representative_id", flat=True)
        )
        for key, rep in pending.items():
            covered = None in consented or (rep is not None and rep.pk in consented)
            missing[key] = [] if covered else [GROUP_SHARING_CONSENT]
    return {key: missing[key] for key in seats}
