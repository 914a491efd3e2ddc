"""Demo plans: one plan in every state for people of the demo municipality's first unit.

Built through the services, so every step is audited and has its history, exactly as if a
caseworker had clicked through it. Create-only: a person who already has a plan is left alone.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from casework.choices import ConsentGiver
from casework.models import ServiceUser, Unit
from casework.selectors import Reach
from casework.services import consent_create
from plans import services
from plans.choices import ParticipantKind, PlanState
from plans.models import Goal, IndividualPlan, Measure, Participant

GOALS = (
    "Jeg vil bo i egen leilighet og klare meg mest mulig selv.",
    "Jeg vil ha en fast jobb to dager i uka.",
    "Jeg vil gå tur med venner hver helg.",
)
MEASURES = (
    ("Praktisk bistand i hjemmet", "3 timer per uke", "Hjemmebesøk tirsdag og fredag formiddag."),
    ("Arbeidstrening i vekstbedrift", "2 dager per uke", "Avtale med NAV og Strandvik Vekst AS."),
    ("Støttekontakt", "4 timer annenhver uke", "Fritidsaktivitet etter eget ønske."),
)


def _today() -> datetime.date:
    return timezone.localdate()


def fill_plan(*, reach: Reach, plan: IndividualPlan, review_in_days: int = 180) -> IndividualPlan:
    """All nine statutory contents, with consent and a review date (by default half a year ahead)."""
    consent = consent_create(
        reach=reach,
        service_user=plan.service_user,
        given_by=ConsentGiver.SERVICE_USER,
        covers_plan=True,
        covers_group_sharing=True,
        valid_from=_today() - datetime.timedelta(days=30),
    )
    services.plan_update(
        reach=reach,
        plan=plan,
        consent=consent,
        resources="Godt humør, liker å lage mat og gå turer. Har god kontakt med familien.",
        needs="Trenger hjelp til å planlegge uka, handle og holde orden på økonomien.",
        cooperation="NAV (arbeid og aktivitet), fastlegen, Strandvik Vekst AS.",
        period_start=_today() - datetime.timedelta(days=30),
        period_end=_today() + datetime.timedelta(days=700),
        next_review_date=_today() + datetime.timedelta(days=review_in_days),
    )
    for text in GOALS[:2]:
        services.plan_item_create(reach=reach, plan=plan, model=Goal, text=text)
    services.plan_item_create(
        reach=reach,
        plan=plan,
        model=Participant,
        kind=ParticipantKind.SERVICE_USER,
        contribution="Sier hva som er viktig for meg, og deltar på møtene.",
    )
    staff = services.plan_item_create(
        reach=reach,
        plan=plan,
        model=Participant,
        kind=ParticipantKind.STAFF,
        user=plan.coordinator,
        role="koordinator",
        contribution="Leder ansvarsgruppen og følger opp planen.",
    )
    services.plan_item_create(
        reach=reach,
        plan=plan,
        model=Participant,
        kind=ParticipantKind.EXTERNAL,
        name="Nils Haugland",
        organisation="NAV Strandvik",
        contact="nils.haugland@nav.example",
        role="veileder",
        contribution="Avklarer arbeidstrening.",
    )
    for description, scope, how in MEASURES[:2]:
        services.plan_item_create(
            reach=reach,
            plan=plan,
            model=Measure,
            description=description,
            scope=scope,
            responsible=staff,
            how_carried_out=how,
            start_date=_today(),
        )
    return IndividualPlan.objects.get(pk=plan.pk)


def _review(reach: Reach, plan: IndividualPlan, note: str, next_review_in_days: int) -> IndividualPlan:
    plan = services.plan_start_review(reach=reach, plan=plan, comment="Evaluering i ansvarsgruppemøte")
    for goal in plan.goals.all():
        services.goal_assess(reach=reach, goal=goal, progress="partly_achieved", assessment=note)
    services.plan_item_create(reach=reach, plan=plan, model=Goal, text=GOALS[2])
    new_goal = plan.goals.order_by("-id")[0]
    services.goal_assess(
        reach=reach, goal=new_goal, progress="continued", assessment="Nytt mål fra denne evalueringen."
    )
    services.plan_update(
        reach=reach,
        plan=plan,
        next_review_date=_today() + datetime.timedelta(days=next_review_in_days),
    )
    return services.plan_complete_review(reach=reach, plan=plan, comment="Evaluering fullført")


@transaction.atomic
def plan_in_state(
    *,
    reach: Reach,
    service_user: ServiceUser,
    unit: Unit,
    coordinator: Any,
    state: str,
    next_review_in_days: int = 360,
) -> IndividualPlan:
    """A plan for ``service_user`` moved through the services to ``state``."""
    plan = services.plan_create(reach=reach, service_user=service_user, unit=unit, coordinator=coordinator)
    if state == PlanState.DRAFT:
        return plan
    if state == PlanState.DECLINED:
        return services.plan_decline(reach=reach, plan=plan, comment="Ønsker ikke individuell plan nå.")
    plan = services.plan_request_consent(reach=reach, plan=plan, comment="Samtykkeskjema sendt")
    if state == PlanState.AWAITING_CONSENT:
        return plan
    # An active plan has been reviewed once: its first review date lies before the current one.
    plan = fill_plan(reach=reach, plan=plan, review_in_days=min(180, next_review_in_days // 2))
    plan = services.plan_record_consent(reach=reach, plan=plan)
    if state == PlanState.IN_PREPARATION:
        return plan
    if state == PlanState.WITHDRAWN:
        return services.plan_withdraw(reach=reach, plan=plan, comment="Samtykket ble trukket tilbake.")
    plan = services.plan_activate(reach=reach, plan=plan, comment="Planen er godkjent i ansvarsgruppen")
    if state == PlanState.ACTIVE:
        # Two approved versions.
        return _review(reach, plan, "God fremgang, fortsetter som før.", next_review_in_days)
    if state == PlanState.UNDER_REVIEW:
        return services.plan_start_review(reach=reach, plan=plan)
    if state == PlanState.ON_HOLD:
        return services.plan_put_on_hold(reach=reach, plan=plan, comment="Sykehusopphold")
    if state == PlanState.COMPLETED:
        return services.plan_complete(
            reach=reach,
            plan=plan,
            comment="Målene er nådd",
            final_evaluation="Bor nå i egen leilighet og har fast arbeid.",
        )
    raise ValueError(f"no demo path to {state!r}")


# The demo people (by position in the first unit) and the state of their plan. The guardian's
# person (0) and the relative's person (2) have active plans with two approved versions.
DEMO_PLAN_STATES = (
    (0, PlanState.ACTIVE),
    (2, PlanState.ACTIVE),
    (3, PlanState.DRAFT),
    (4, PlanState.AWAITING_CONSENT),
    (5, PlanState.IN_PREPARATION),
    (6, PlanState.UNDER_REVIEW),
    (7, PlanState.ON_HOLD),
    (8, PlanState.COMPLETED),
    (9, PlanState.WITHDRAWN),
    (1, PlanState.DECLINED),
)
# The relative's person's plan is due for review soon, so the coordinator has a reminder.
DEMO_REVIEW_SOON = {2: 20}


def seed_demo_plans(*, reach: Reach, people: list[ServiceUser], unit: Unit, coordinator: Any) -> int:
    created = 0
    for index, state in DEMO_PLAN_STATES:
        person = people[index]
        if IndividualPlan.objects.filter(service_user=person).exists():
            continue
        plan_in_state(
            reach=reach,
            service_user=person,
            unit=unit,
            coordinator=coordinator,
            state=state,
            next_review_in_days=DEMO_REVIEW_SOON.get(index, 360),
        )
        created += 1
    return created
