"""Whom information about the person may be shared with in the group (consent or mandate).

Sharing in a responsibility group needs the person's consent: only members covered by it may be
invited and receive minutes. The person is always covered, and so is the group's coordinator (the
person's statutory coordinator, who runs the group); a guardian whose valid mandate covers
personal matters acts for the person; everyone else needs a consent in force that covers
information sharing in the group.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Q
from django.utils import timezone

from casework.choices import RepresentativeKind
from casework.models import Consent, Mandate
from responsibility_groups.choices import MemberKind

GROUP_SHARING_CONSENT = "consent: group_information_sharing"


def sharing_missing(
    *,
    service_user_id: int,
    kind: str,
    representative: Any = None,
    is_coordinator: bool = False,
    at: datetime.datetime | None = None,
) -> list[str]:
    """What is missing before information may be shared with such a member (empty: covered)."""
    at = at or timezone.now()
    if kind == MemberKind.SERVICE_USER or is_coordinator:
        return []
    if (
        kind == MemberKind.REPRESENTATIVE
        and representative is not None
        and representative.kind == RepresentativeKind.GUARDIAN
        and Mandate.objects.valid_on(timezone.localdate(at))
        .filter(representative=representative, covers_personal=True)
        .exists()
    ):
        return []
    # A consent that names a representative covers that representative only; a general one
    # (naming nobody) covers every member.
    scope = Q(representative__isnull=True)
    if representative is not None:
        scope |= Q(representative=representative)
    covered = (
        Consent.objects.in_force(at)
        .filter(scope, service_user_id=service_user_id, covers_group_sharing=True)
        .exists()
    )
    return [] if covered else [GROUP_SHARING_CONSENT]
