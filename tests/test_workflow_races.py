"""Two transactions move the same object at once, for every registered workflow: one wins, the
other gets 409, and the history has one row. Generated from the engine's registry and the demo.

PostgreSQL only: SQLite serialises writers (BEGIN IMMEDIATE), so two transactions never overlap
there and the race cannot happen.
"""

from __future__ import annotations

import io
import threading
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection, connections

from casework.engine import (
    Workflow,
    available_transitions,
    history_for,
    perform_transition,
    transition_options,
    workflow_for,
    workflows,
)
from casework.errors import Conflict
from casework.selectors import reach_for
from tests.workflow_examples import DEMO_LOGINS, example_input, one_per_state

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="overlapping transactions need PostgreSQL"),
]


def _contest(workflow: Workflow) -> tuple[Any, Any, str]:
    """An object, a demo login allowed to move it, and a transition that cannot be taken twice in a
    row (the loser must find it gone, not take it again)."""
    users = list(get_user_model().objects.filter(username__in=DEMO_LOGINS).order_by("username"))
    for obj in one_per_state(workflow):
        for user in users:
            for option in transition_options(reach_for(user), obj):
                target_allows_it_again = any(
                    t.name == option.name and t.source in (option.target, "*")
                    for t in type(obj)().get_all_state_transitions()
                )
                if option.allowed and not target_allows_it_again:
                    return obj, user, option.name
    raise AssertionError(f"the demo has no {workflow.label} that a demo login can move")


def _race(obj: Any, user: Any, name: str) -> list[str]:
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def contender() -> None:
        try:
            stale = type(obj)._default_manager.get(pk=obj.pk)  # both read the same state
            barrier.wait(timeout=10)
            perform_transition(reach_for(user), stale, name, **example_input(stale))
            outcomes.append("won")
        except Conflict as error:
            outcomes.append(error.code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=contender) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


def test_two_transactions_moving_one_object_at_once_one_wins_in_every_workflow():
    # One demo for all workflows (seeding it is most of this test's time); each race moves an
    # object of its own workflow only.
    call_command("seed_demo", stdout=io.StringIO())
    results = {}
    for workflow in workflows():
        obj, user, name = _contest(workflow)
        before = history_for(obj).filter(name=name).count()

        outcomes = _race(obj, user, name)

        moved = type(obj)._default_manager.get(pk=obj.pk)
        results[workflow.label] = (
            sorted(outcomes) in (["transition_not_allowed", "won"], ["concurrent_change", "won"]),
            history_for(obj).filter(name=name).count() - before,
            moved.state == history_for(obj).order_by("-id").first().target,
            name not in available_transitions(moved) and workflow_for(moved) is workflow,
        )

    assert results == {workflow.label: (True, 1, True, True) for workflow in workflows()}
