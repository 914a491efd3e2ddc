"""Indicators of the casework workflows, per unit and period, each in one aggregate query.

Each returns ``{unit_id: Share(numerator, denominator)}`` for the units the actor reaches as staff
(or all, for a superuser). The scorecard (a later issue) turns them into green, yellow and red.
"""

from __future__ import annotations

import dataclasses
import datetime
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from casework.selectors import Reach


@dataclasses.dataclass(frozen=True)
class Share:
    numerator: int
    denominator: int

    @property
    def ratio(self) -> float | None:
        return self.numerator / self.denominator if self.denominator else None


def units_in_reach(reach: Reach, queryset: QuerySet[Any]) -> QuerySet[Any]:
    return queryset if reach.is_superuser else queryset.filter(unit_id__in=sorted(reach.unit_ids))


def period_bounds(start: datetime.date, end: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    """[start, end) as aware datetimes in Oslo: a decision at 23:30 on 31 December is that year's."""
    tz = timezone.get_current_timezone()
    return (
        datetime.datetime.combine(start, datetime.time.min, tzinfo=tz),
        datetime.datetime.combine(end, datetime.time.min, tzinfo=tz),
    )


def shares_by_unit(rows: QuerySet[Any]) -> dict[int, Share]:
    return {row["unit_id"]: Share(row["numerator"], row["denominator"]) for row in rows}
