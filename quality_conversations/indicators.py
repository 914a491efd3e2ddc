"""The quality conversations' two indicators, per unit: offered and held (one aggregate query each)."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet

from casework.indicators import Share, shares_by_unit, units_in_reach
from casework.selectors import Reach
from quality_conversations.choices import ConversationState
from quality_conversations.models import QualityConversation


def _conversations(reach: Reach, year: int) -> QuerySet[Any]:
    """Eligible representatives of the year: every conversation with a representative."""
    rows = QualityConversation.objects.filter(year=year, representative__isnull=False)
    return units_in_reach(reach, rows).exclude(state=ConversationState.NOT_APPLICABLE)


def conversations_offered(*, reach: Reach, year: int) -> dict[int, Share]:
    """Eligible representatives offered a conversation in the year (a declined offer counts)."""
    rows = (
        _conversations(reach, year)
        .values("unit_id")
        .annotate(numerator=Count("pk", filter=Q(offered_at__isnull=False)), denominator=Count("pk"))
        .order_by("unit_id")
    )
    return shares_by_unit(rows)


def conversations_held(*, reach: Reach, year: int) -> dict[int, Share]:
    """Eligible representatives with whom the conversation was held in the year."""
    rows = (
        _conversations(reach, year)
        .values("unit_id")
        .annotate(numerator=Count("pk", filter=Q(held_on__isnull=False)), denominator=Count("pk"))
        .order_by("unit_id")
    )
    return shares_by_unit(rows)
