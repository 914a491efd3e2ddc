"""Reads of individual plans, through the casework access path.

Staff see the plans of the people in their reach. A representative sees a plan only once it has
an approved version and only in an approved state, and only with a guardian's valid mandate or a
relative's consent that covers the plan itself; what they are shown is the latest approved
version, never the working copy (``plan_public_content``).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, Max, OuterRef, Q, QuerySet, Subquery
from django.http import Http404

from casework.choices import RepresentativeKind
from casework.limits import parse_id
from casework.models import Consent
from casework.selectors import Reach, one_in_reach, reachable_service_user_ids
from plans.choices import APPROVED_STATES
from plans.models import IndividualPlan, PlanVersion

# Version numbers are a PositiveIntegerField: larger numbers cannot exist.
MAX_VERSION_NUMBER = 2**31 - 1


def represented_with_plan_access(reach: Reach) -> list[int]:
    """People whose approved plan the actor may see as their guardian or consented relative."""
    guardians = [pid for pid, kind in reach.represented.items() if kind == RepresentativeKind.GUARDIAN]
    relatives = [pid for pid, kind in reach.represented.items() if kind == RepresentativeKind.RELATIVE]
    if relatives:
        relatives = list(
            Consent.objects.in_force(reach.at)
            .filter(
                service_user_id__in=relatives,
                representative__user=reach.actor,
                covers_relative_access=True,
                covers_plan=True,
            )
            .values_list("service_user_id", flat=True)
        )
    return sorted(set(guardians) | set(relatives))


def is_staff_view(reach: Reach, plan: IndividualPlan) -> bool:
    """Whether the actor sees the plan as staff (working copy) rather than as a representative."""
    if reach.is_superuser:
        return True
    staff_reach = reach.as_staff()
    return IndividualPlan.objects.filter(
        pk=plan.pk, service_user_id__in=reachable_service_user_ids(staff_reach)
    ).exists()


def plan_queryset_for(*, reach: Reach) -> QuerySet[IndividualPlan]:
    if not getattr(reach.actor, "is_authenticated", False):
        return IndividualPlan.objects.none()
    plans = IndividualPlan.objects.all()
    if reach.is_superuser:
        return plans
    staff_reach = reach.as_staff()
    visible = Q(service_user_id__in=reachable_service_user_ids(staff_reach))
    represented = represented_with_plan_access(reach) if reach.represented else []
    if represented:
        approved = Exists(PlanVersion.objects.filter(plan=OuterRef("pk")))
        visible |= Q(service_user_id__in=represented, state__in=[str(s) for s in APPROVED_STATES]) & Q(
            approved
        )
    return plans.filter(visible)


def plan_list_for(*, reach: Reach) -> QuerySet[IndividualPlan]:
    return (
        plan_queryset_for(reach=reach)
        .select_related("service_user", "unit", "coordinator")
        .prefetch_related("service_user__units")
        .order_by("-created_at", "-id")
    )


def plan_get_for(*, reach: Reach, id: Any) -> IndividualPlan:
    return one_in_reach(plan_list_for(reach=reach), id)


def plan_staff_get_for(*, reach: Reach, id: Any) -> IndividualPlan:
    """A plan the actor sees as staff; representatives get 404 (drafts are never theirs)."""
    staff_reach = reach.as_staff()
    return one_in_reach(plan_list_for(reach=staff_reach), id)


def plan_versions_for(*, reach: Reach, plan: IndividualPlan) -> QuerySet[PlanVersion]:
    """The approved versions the actor may read: every one for staff; for a representative only
    the latest, the one version that is theirs to see (the list, one version, a diff and the
    exports all read through here)."""
    versions = plan.versions.select_related("created_by").order_by("number")
    if is_staff_view(reach, plan):
        return versions
    latest = PlanVersion.objects.filter(plan=plan).order_by("-number").values("number")[:1]
    return versions.filter(number=Subquery(latest))


def plan_version_get_for(*, reach: Reach, plan: IndividualPlan, number: Any) -> PlanVersion:
    """One approved version the actor may read, or 404 (missing, not theirs, or malformed)."""
    wanted = parse_id(number)
    if wanted is None or wanted > MAX_VERSION_NUMBER:
        raise Http404
    version = plan_versions_for(reach=reach, plan=plan).filter(number=wanted).first()
    if version is None:
        raise Http404
    return version


def plan_latest_version(*, plan: IndividualPlan) -> PlanVersion | None:
    return plan.versions.order_by("-number").first()


def plan_detail_for(*, plan: IndividualPlan) -> IndividualPlan:
    """The plan re-read with its content, for the detail view (fixed number of queries)."""
    return (
        IndividualPlan.objects.select_related("service_user", "unit", "coordinator", "consent")
        .prefetch_related("goals", "participants", "measures")  # what the completeness check reads
        .annotate(latest_version_number=Max("versions__number"))  # not the versions' content
        .get(pk=plan.pk)
    )


def plan_document_content(*, reach: Reach, plan: IndividualPlan, version: str | None) -> dict[str, Any]:
    """The content a PDF or FHIR export of the plan shows.

    By default the latest approved version; ``version=N`` another one; staff get the working
    copy (marked as a draft) when there is no approved version yet, or with ``version=draft``.
    Representatives only ever get the latest approved version.
    """
    staff = is_staff_view(reach, plan)
    if version == "draft" or (version is None and staff and not plan.versions.exists()):
        if not staff:
            raise Http404
        from plans.content import plan_content, plan_for_content

        return plan_content(plan_for_content(plan.pk))
    if version is None:
        chosen = plan_latest_version(plan=plan)
        if chosen is None:
            raise Http404
    else:
        chosen = plan_version_get_for(reach=reach, plan=plan, number=version)
    return version_document_content(plan=plan, version=chosen)


def version_document_content(*, plan: IndividualPlan, version: PlanVersion) -> dict[str, Any]:
    """An approved version's content for export, with the plan's live state."""
    chosen = version
    content = dict(chosen.content)
    # The approved content as frozen, with the plan's status as it is now: a plan put on hold or
    # completed after its last approval must not be exported as active.
    content["plan"] = {**content["plan"], "state": plan.state}
    content["version"] = {
        "number": chosen.number,
        "created_at": chosen.created_at.isoformat(),
        "reason": chosen.reason,
    }
    return content


def plan_latest_versions(*, plans: list[IndividualPlan]) -> dict[int, PlanVersion]:
    """The latest approved version of each plan, in one query."""
    latest: dict[int, PlanVersion] = {}
    for version in (
        PlanVersion.objects.filter(plan__in=plans).select_related("created_by").order_by("plan", "number")
    ):
        latest[version.plan_id] = version
    return latest
