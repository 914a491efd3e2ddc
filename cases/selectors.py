"""Reads of cases and home visits: through the kernel's access path, 404 outside reach."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from cases.choices import CaseState
from cases.models import Case, HomeVisit
from casework.selectors import Reach, one_in_reach, reachable_service_user_ids


def case_list_for(*, reach: Reach) -> QuerySet[Case]:
    """Cases of people the actor reaches as staff (representatives follow cases in the portal)."""
    if not getattr(reach.actor, "is_authenticated", False):
        return Case.objects.none()
    # The decision is part of every case shown (``CaseSerializer``): joined here, so that each
    # list of cases reads it with the page rather than once a row.
    cases = Case.objects.select_related("service_user", "unit", "decision").prefetch_related(
        "service_user__units"
    )
    if reach.is_superuser:
        return cases.order_by("received_on", "id")
    staff_ids = reachable_service_user_ids(reach.as_staff())
    return cases.filter(service_user_id__in=staff_ids).order_by("received_on", "id")


def case_get_for(*, reach: Reach, id: Any) -> Case:
    return one_in_reach(case_list_for(reach=reach), id)


def cases_past_reply_deadline(*, reach: Reach, unit_id: int | None = None) -> list[Case]:
    """Undecided cases whose provisional-reply date has passed with no reply sent."""
    cases = case_list_for(reach=reach).filter(
        state__in=[CaseState.RECEIVED, CaseState.UNDER_ASSESSMENT],
        reply_due_on__lt=timezone.localdate(),
        provisional_reply_sent_on__isnull=True,
    )
    if unit_id is not None:
        cases = cases.filter(unit_id=unit_id)
    return list(cases)


def home_visit_list_for(*, reach: Reach) -> QuerySet[HomeVisit]:
    if not getattr(reach.actor, "is_authenticated", False):
        return HomeVisit.objects.none()
    visits = HomeVisit.objects.select_related("case__service_user", "case__unit").prefetch_related(
        "case__service_user__units"
    )
    if reach.is_superuser:
        return visits.order_by("created_at", "id")
    staff_ids = reachable_service_user_ids(reach.as_staff())
    return visits.filter(case__service_user_id__in=staff_ids).order_by("created_at", "id")


def home_visit_get_for(*, reach: Reach, id: Any) -> HomeVisit:
    return one_in_reach(home_visit_list_for(reach=reach), id)
