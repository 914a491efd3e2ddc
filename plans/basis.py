"""Plan participants who take part by a guardian's mandate or a relative's consent (ADR 0017).

A representative takes part in a plan on the basis that the access path gives them the plan
(``plans.selectors.represented_with_plan_access``): a guardian by a mandate valid that day that
covers personal matters; a relative by a consent in force that names them and covers both their
access and the plan. When a withdrawn consent or an ended mandate leaves a representative
participant of an open plan with neither, the participant is marked (``basis_ended_at``,
``basis_ended_reason``), not removed: the coordinator decides what follows, and the access path
already shows them nothing. A new consent or mandate that covers them again clears the mark.

The person, the coordinator, staff and external professionals take part by the plan itself, not
by a consent of their own: when the consent to the plan goes, the plan is withdrawn
(``plan_withdraw``), which ends everyone's access at once. Their rows are never marked here; the
coordinator's message says whether the plan still has a consent in force.
"""

from __future__ import annotations

import datetime
from collections import Counter
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from casework.basis import BasisChange, basis_mark_and_clear
from casework.choices import RepresentativeKind
from casework.models import Consent, Mandate, Representative
from plans import guards
from plans.choices import CLOSED_STATES, ParticipantKind
from plans.models import IndividualPlan, Participant

_CLOSED = [str(state) for state in CLOSED_STATES]


def representatives_with_plan_access(*, service_user_id: int, at: datetime.datetime) -> QuerySet[Any]:
    """Ids of the person's representatives who may see the plan at ``at`` (the access path's rule)."""
    mandates = Mandate.objects.valid_on(timezone.localdate(at)).filter(covers_personal=True)
    consents = Consent.objects.in_force(at).filter(
        service_user_id=service_user_id, covers_relative_access=True, covers_plan=True
    )
    return Representative.objects.filter(
        Q(kind=RepresentativeKind.GUARDIAN, pk__in=mandates.values("representative_id"))
        | Q(kind=RepresentativeKind.RELATIVE, pk__in=consents.values("representative_id")),
        service_user_id=service_user_id,
    ).values("pk")


def _open_plans(service_user_id: int) -> QuerySet[IndividualPlan]:
    return IndividualPlan.objects.filter(service_user_id=service_user_id).exclude(state__in=_CLOSED)


def _dependents(service_user_id: int) -> QuerySet[Participant]:
    """The participants of the person's open plans who take part by a mandate or a consent."""
    return Participant.objects.filter(
        plan__service_user_id=service_user_id, kind=ParticipantKind.REPRESENTATIVE
    ).exclude(plan__state__in=_CLOSED)


class PlanParticipantBasis:
    key = "plans"

    def covered(self, *, service_user_id: int, at: datetime.datetime) -> set[int]:
        entitled = representatives_with_plan_access(service_user_id=service_user_id, at=at)
        return set(
            _dependents(service_user_id).filter(representative_id__in=entitled).values_list("pk", flat=True)
        )

    def settle(self, *, covered_before: set[int], change: BasisChange) -> list[dict[str, Any]]:
        person = change.service_user
        lost = basis_mark_and_clear(
            rows=list(_dependents(person.pk).order_by("pk")),
            covered_before=covered_before,
            covered_now=self.covered(service_user_id=person.pk, at=change.at),
            change=change,
            action="plan.participant",
        )
        marked = Counter(participant.plan_id for participant in lost)
        return [
            {
                "id": plan.pk,
                "marked": marked[plan.pk],
                # Whether the plan is left without a consent in force (then it must be withdrawn).
                "consent_missing": bool(guards.consent_missing(plan)),
            }
            for plan in _open_plans(person.pk).select_related("consent").order_by("pk")
        ]
