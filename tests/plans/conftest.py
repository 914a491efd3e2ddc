"""Plans built through the services, in any state, around the shared ``world``."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone

from casework.selectors import reach_for
from plans import services
from plans.choices import ParticipantKind
from plans.models import Goal, IndividualPlan, Measure, Participant
from tests.factories import ConsentFactory


def _today() -> datetime.date:
    return timezone.localdate()


class PlanBuilder:
    """Moves a plan of ``world.person`` (unit A) to a state, as the unit's caseworker."""

    def __init__(self, world: Any) -> None:
        self.world = world
        self.actor = world.actors["caseworker"]

    @property
    def reach(self) -> Any:
        return reach_for(self.actor)

    def draft(self) -> IndividualPlan:
        return services.plan_create(
            reach=self.reach,
            service_user=self.world.person,
            unit=self.world.unit_a,
            coordinator=self.world.actors["caseworker"],
        )

    def fill(self, plan: IndividualPlan) -> IndividualPlan:
        """All nine statutory contents, with a review date in the future."""
        consent = ConsentFactory(service_user=self.world.person, covers_plan=True)
        services.plan_update(
            reach=self.reach,
            plan=plan,
            consent=consent,
            resources="Liker å gå turer og lage mat.",
            needs="Trenger hjelp til å planlegge uka.",
            cooperation="NAV (arbeid), fastlege.",
            period_start=_today(),
            period_end=_today() + datetime.timedelta(days=365),
            next_review_date=_today() + datetime.timedelta(days=180),
        )
        for text in ("Jeg vil bo i egen leilighet.", "Jeg vil ha en jobb to dager i uka."):
            services.plan_item_create(reach=self.reach, plan=plan, model=Goal, text=text)
        person = services.plan_item_create(
            reach=self.reach,
            plan=plan,
            model=Participant,
            kind=ParticipantKind.SERVICE_USER,
            contribution="Forteller hva som er viktig for meg.",
        )
        staff = services.plan_item_create(
            reach=self.reach,
            plan=plan,
            model=Participant,
            kind=ParticipantKind.STAFF,
            user=self.actor,
            role="saksbehandler",
            contribution="Følger opp vedtak.",
        )
        services.plan_item_create(
            reach=self.reach,
            plan=plan,
            model=Measure,
            description="Praktisk bistand i hjemmet",
            scope="3 timer per uke",
            responsible=staff,
            how_carried_out="Hjemmebesøk tirsdag og fredag.",
            start_date=_today(),
        )
        assert person.pk
        return IndividualPlan.objects.get(pk=plan.pk)

    def in_preparation(self) -> IndividualPlan:
        plan = self.fill(self.draft())
        services.plan_request_consent(reach=self.reach, plan=plan)
        return services.plan_record_consent(reach=self.reach, plan=plan)

    def active(self) -> IndividualPlan:
        return services.plan_activate(reach=self.reach, plan=self.in_preparation())

    def under_review(self) -> IndividualPlan:
        return services.plan_start_review(reach=self.reach, plan=self.active())

    def reviewed_twice(self) -> IndividualPlan:
        plan = self.under_review()
        for goal in plan.goals.all():
            services.goal_assess(
                reach=self.reach, goal=goal, progress="partly_achieved", assessment="På vei."
            )
        services.plan_update(
            reach=self.reach, plan=plan, next_review_date=plan.next_review_date + datetime.timedelta(days=180)
        )
        return services.plan_complete_review(reach=self.reach, plan=plan)


@pytest.fixture
def plans(world: Any) -> PlanBuilder:
    return PlanBuilder(world)
