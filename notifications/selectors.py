"""Reads: the caller's own inbox, and the deliveries of an object for staff who can see it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from cases import selectors as case_selectors
from casework import selectors as casework_selectors
from casework.models import Representative
from casework.selectors import Reach, reach_for
from notifications.choices import Channel
from notifications.models import Notification, NotificationPreference
from plans.models import IndividualPlan
from plans.selectors import plan_staff_get_for, represented_with_plan_access
from quality_conversations import selectors as conversation_selectors
from responsibility_groups.selectors import group_get_for, meeting_get_for


def inbox_for(*, user: Any) -> QuerySet[Notification]:
    """The caller's own messages; those about a person they represent only while they still do,
    and those about the person's plan only while they may see the plan."""
    if not getattr(user, "is_authenticated", False):
        return Notification.objects.none()
    rows = Notification.objects.filter(recipient_user=user, channel=Channel.INBOX)
    represented_once = set(Representative.objects.filter(user=user).values_list("service_user_id", flat=True))
    if represented_once:
        reach = reach_for(user)
        lapsed = represented_once - set(reach.represented)
        rows = rows.exclude(service_user_id__in=lapsed)
        without_plan = set(reach.represented) - set(represented_with_plan_access(reach))
        rows = rows.exclude(service_user_id__in=without_plan, object_type=IndividualPlan._meta.label_lower)
    return rows.order_by("-created_at", "-id")


def inbox_get_for(*, user: Any, id: Any) -> Notification:
    return casework_selectors.one_in_reach(inbox_for(user=user), id)


def preference_for(*, user: Any) -> NotificationPreference:
    """The caller's preferences; the defaults (unsaved) until they change one."""
    return NotificationPreference.objects.filter(user=user).first() or NotificationPreference(user=user)


def _staff_only(reach: Reach) -> Reach:
    """Delivery status names the other recipients: for staff only, never for representatives."""
    staff = reach.as_staff()
    if not (staff.is_superuser or staff.is_staff_member):
        raise Http404
    return staff


# The objects whose deliveries staff may look up, each through the selector that applies reach.
OBJECT_SELECTORS: dict[str, Callable[..., Any]] = {
    "plan": plan_staff_get_for,
    "group": group_get_for,
    "meeting": meeting_get_for,
    "case": case_selectors.case_get_for,
    "home_visit": case_selectors.home_visit_get_for,
    "quality_conversation": conversation_selectors.quality_conversation_get_for,
}


def delivery_object_for(*, reach: Reach, object_type: str, object_id: Any) -> Any:
    """The object named, if the caller reaches it as staff (404 otherwise)."""
    return OBJECT_SELECTORS[object_type](reach=_staff_only(reach), id=object_id)


def _deliveries() -> QuerySet[Notification]:
    # The access log of a look reads the person's units.
    return Notification.objects.select_related("service_user").prefetch_related("service_user__units")


def deliveries_of(*, obj: Any) -> QuerySet[Notification]:
    rows = _deliveries().filter(object_type=obj._meta.label_lower, object_id=str(obj.pk))
    return rows.order_by("-created_at", "-id")


def delivery_get_for(*, reach: Reach, id: Any) -> Notification:
    """One delivery, for staff who reach the person it concerns (404 otherwise)."""
    staff = _staff_only(reach)
    row = casework_selectors.one_in_reach(_deliveries(), id)
    if staff.is_superuser:
        return row
    if row.service_user_id is None:
        raise Http404  # digests: their recipient's own business
    casework_selectors.service_user_get_for(reach=staff, id=row.service_user_id)
    return row
