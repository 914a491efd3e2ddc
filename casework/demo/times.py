"""Wall-clock times in Oslo for the demo data of every app."""

from __future__ import annotations

import datetime

from django.utils import timezone


def at_hour(day: datetime.date, hour: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def soon(days: int, hour: int = 10) -> datetime.datetime:
    """A wall-clock time ``days`` days from today in Oslo (always in the future for days >= 1)."""
    return at_hour(timezone.localdate() + datetime.timedelta(days=days), hour)
