"""The case workflow's two indicators, per unit: decisions after a home visit, and within a month."""

from __future__ import annotations

import datetime

from django.db.models import Count, Exists, F, OuterRef, Q

from cases.choices import HomeVisitState
from cases.models import Case, HomeVisit
from casework.indicators import Share, period_bounds, shares_by_unit, units_in_reach
from casework.selectors import Reach


def decisions_after_home_visit(*, reach: Reach, start: datetime.date, end: datetime.date) -> dict[int, Share]:
    """Decisions made in [start, end) that a completed home visit preceded."""
    since, until = period_bounds(start, end)
    visited = Exists(
        HomeVisit.objects.filter(
            case=OuterRef("pk"), state=HomeVisitState.COMPLETED, state_changed_at__lte=OuterRef("decided_at")
        )
    )
    rows = (
        units_in_reach(reach, Case.objects.filter(decided_at__gte=since, decided_at__lt=until))
        .annotate(visited=visited)
        .values("unit_id")
        .annotate(numerator=Count("pk", filter=Q(visited=True)), denominator=Count("pk"))
        .order_by("unit_id")
    )
    return shares_by_unit(rows)


def decisions_within_a_month(*, reach: Reach, start: datetime.date, end: datetime.date) -> dict[int, Share]:
    """Decisions made in [start, end) within one month of receipt."""
    since, until = period_bounds(start, end)
    rows = (
        units_in_reach(reach, Case.objects.filter(decided_at__gte=since, decided_at__lt=until))
        .values("unit_id")
        .annotate(
            numerator=Count("pk", filter=Q(decided_at__date__lte=F("reply_due_on"))),
            denominator=Count("pk"),
        )
        .order_by("unit_id")
    )
    return shares_by_unit(rows)
