"""Reads of quality conversations: through the kernel's access path, 404 outside reach."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from casework.selectors import Reach, one_in_reach, reachable_service_user_ids
from quality_conversations.models import QualityConversation


def quality_conversation_list_for(*, reach: Reach) -> QuerySet[QualityConversation]:
    """Conversations of people the actor reaches as staff (representatives: the portal, later)."""
    if not getattr(reach.actor, "is_authenticated", False):
        return QualityConversation.objects.none()
    rows = QualityConversation.objects.select_related("service_user", "unit").prefetch_related(
        "service_user__units"
    )
    if reach.is_superuser:
        return rows.order_by("year", "id")
    staff_ids = reachable_service_user_ids(reach.as_staff())
    return rows.filter(service_user_id__in=staff_ids).order_by("year", "id")


def quality_conversation_get_for(*, reach: Reach, id: Any) -> QualityConversation:
    return one_in_reach(quality_conversation_list_for(reach=reach), id)
