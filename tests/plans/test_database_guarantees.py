"""What PostgreSQL guarantees for plans: racing transitions and append-only history.

Two requests move the same plan at once: exactly one wins, the other gets a conflict. Runs on
PostgreSQL only: SQLite serialises writers with BEGIN IMMEDIATE, so no two transactions ever
overlap there and the race cannot happen; nor does SQLite have the append-only triggers.
"""

from __future__ import annotations

import itertools
import threading

import pytest
from django.db import connection, connections

from casework.engine import history_for
from casework.errors import Conflict
from casework.selectors import reach_for
from plans import services
from plans.models import IndividualPlan

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks and triggers need PostgreSQL"),
]


def _race(plan_id: int, actor, *transitions) -> list[str]:
    """Run the transitions in threads that all read the plan, then move it at the same moment."""
    barrier = threading.Barrier(len(transitions))
    outcomes: list[str] = []

    def contender(transition) -> None:
        try:
            plan = IndividualPlan.objects.get(pk=plan_id)  # every contender reads the same state
            barrier.wait(timeout=10)
            transition(reach=reach_for(actor), plan=plan)
            outcomes.append("won")
        except Conflict as error:
            outcomes.append(error.code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=contender, args=(t,)) for t in transitions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


def test_two_reviews_started_at_once_one_wins(plans, world):
    plan = plans.active()

    outcomes = _race(
        plan.pk, world.actors["caseworker"], services.plan_start_review, services.plan_start_review
    )

    assert sorted(outcomes) == ["transition_not_allowed", "won"]
    assert history_for(plan).filter(name="start_review").count() == 1
    assert plan.reviews.count() == 1


def test_activation_racing_a_decline_leaves_exactly_one_of_them(plans, world):
    plan = plans.in_preparation()

    def decline(*, reach, plan):
        return services.plan_decline(reach=reach, plan=plan, comment="Ønsker ikke plan")

    outcomes = _race(plan.pk, world.actors["caseworker"], services.plan_activate, decline)

    assert sorted(outcomes) == ["transition_not_allowed", "won"]
    later = history_for(plan).exclude(name__in=["request_consent", "record_consent"])
    assert later.count() == 1
    plan.refresh_from_db()
    assert plan.state == later.get().target


def test_racing_transitions_keep_the_history_a_single_chain(plans, world):
    plan = plans.in_preparation()

    def withdraw(*, reach, plan):
        return services.plan_withdraw(reach=reach, plan=plan, comment="Samtykke trukket")

    _race(plan.pk, world.actors["caseworker"], services.plan_activate, withdraw)

    rows = list(history_for(plan).order_by("id").values_list("source", "target"))
    assert all(previous[1] == current[0] for previous, current in itertools.pairwise(rows))
    plan.refresh_from_db()
    assert plan.state == rows[-1][1]


def test_an_approved_version_cannot_be_rewritten_in_the_database(plans):
    from django.db import DatabaseError, transaction

    from plans.models import PlanVersion

    plan = plans.active()
    version = PlanVersion.objects.get(plan=plan)

    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        PlanVersion.objects.filter(pk=version.pk).update(content={"goals": []})
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        history_for(plan).delete()

    version.refresh_from_db()
    assert len(version.content["goals"]) == 2
