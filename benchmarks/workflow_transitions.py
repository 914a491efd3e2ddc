"""Latency of transition requests for every workflow, in-process through the whole stack.

    .venv/bin/python benchmarks/workflow_transitions.py [--rounds 100]

A request as a user makes it: ``Authorization: Token …`` (the hashed API token is checked on
every request), the strict input, the engine (lock, state, policy, guards, save, history,
audit, outbox event) and the answer with its access-log rows. On the demo municipality
(``seed_demo`` is run if needed), each workflow repeats transitions that can follow each other:
a plan put on hold and resumed, a meeting and a home visit rescheduled, a quality conversation
scheduled again, and new cases taken into assessment. Writes to the database it runs on: use a
demo or benchmark database. Target (issue 11): transition p50 <= 15 ms.
"""

from __future__ import annotations

import argparse
import datetime
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient

from cases.models import HomeVisit
from cases.services import case_create
from casework.auth import api_token_issue
from casework.selectors import reach_for
from plans.models import IndividualPlan
from quality_conversations.models import QualityConversation
from responsibility_groups.models import Meeting


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, round(0.95 * len(ordered)) - 1)]


def _client(username: str) -> APIClient:
    _token, key = api_token_issue(user=get_user_model().objects.get(username=username))
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def _timed(client: APIClient, url: str, body: dict[str, Any]) -> tuple[float, int]:
    executed: list[str] = []

    def count(execute: Any, sql: str, *rest: Any) -> Any:
        executed.append(sql)
        return execute(sql, *rest)

    with connection.execute_wrapper(count):
        started = time.perf_counter()
        response = client.post(url, body, format="json")
        elapsed = (time.perf_counter() - started) * 1000
    assert response.status_code == 200, (url, response.content)
    return elapsed, len(executed)


def _later(days: int, rounds: int, index: int) -> datetime.datetime:
    """A time ``days`` ahead, a different hour each round (no two rounds book the same slot)."""
    base = timezone.now().replace(minute=0, second=0, microsecond=0) + datetime.timedelta(days=days)
    return base + datetime.timedelta(hours=index % (rounds + 1))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=100)
    args = parser.parse_args()
    rounds = args.rounds
    if not IndividualPlan.objects.filter(state="active").exists():
        call_command("seed_demo")
    caseworker = _client("saksbehandler")
    coordinator_meeting = Meeting.objects.filter(
        state="invited", starts_at__gt=timezone.now(), group__unit__name="Bo- og aktivitetstilbud Nord"
    ).first()
    plan = IndividualPlan.objects.filter(
        state="active", unit__memberships__user__username="saksbehandler"
    ).first()
    visit = HomeVisit.objects.filter(
        state__in=["planned", "scheduled"], case__unit__memberships__user__username="saksbehandler"
    ).first()
    conversation = QualityConversation.objects.filter(
        state__in=["accepted", "scheduled"], unit__memberships__user__username="saksbehandler"
    ).first()
    assert plan and coordinator_meeting and visit and conversation, "the demo lacks an object in state"

    runs: dict[str, Callable[[int], tuple[float, int]]] = {
        "plan put_on_hold": lambda i: _timed(
            caseworker, f"/api/v1/plans/{plan.pk}/transitions/put_on_hold/", {"comment": "Sykehus"}
        ),
        "plan resume": lambda i: _timed(
            caseworker, f"/api/v1/plans/{plan.pk}/transitions/resume/", {"comment": "Hjemme igjen"}
        ),
        "meeting reschedule": lambda i: _timed(
            caseworker,
            f"/api/v1/meetings/{coordinator_meeting.pk}/transitions/reschedule/",
            {
                "starts_at": _later(60, rounds, i).isoformat(),
                "ends_at": (_later(60, rounds, i) + datetime.timedelta(minutes=45)).isoformat(),
            },
        ),
        "home visit schedule": lambda i: _timed(
            caseworker,
            f"/api/v1/home-visits/{visit.pk}/transitions/schedule/",
            {"at": _later(20, rounds, i).isoformat()},
        ),
        "conversation schedule": lambda i: _timed(
            caseworker,
            f"/api/v1/quality-conversations/{conversation.pk}/transitions/schedule/",
            {"at": _later(30, rounds, i).isoformat()},
        ),
    }
    reach = reach_for(get_user_model().objects.get(username="saksbehandler"))
    person = plan.service_user
    fresh_cases = [
        case_create(
            reach=reach,
            service_user=person,
            unit=plan.unit,
            service_applied_for="Benchmark",
            received_on=timezone.localdate(),
        )
        for _ in range(rounds)
    ]
    runs["case start_assessment"] = lambda i: _timed(
        caseworker, f"/api/v1/cases/{fresh_cases[i].pk}/transitions/start_assessment/", {}
    )

    timings: dict[str, list[float]] = {name: [] for name in runs}
    queries: dict[str, int] = {}
    for index in range(rounds):
        for name, run in runs.items():
            elapsed, queries[name] = run(index)
            timings[name].append(elapsed)

    print(f"workflow transitions in-process with token authentication, database={connection.vendor}")
    print(f"{'transition':<22} {'requests':>8} {'median ms':>10} {'p95 ms':>8} {'queries':>8}")
    for name, values in timings.items():
        print(
            f"{name:<22} {len(values):>8} {statistics.median(values):>10.2f} {_p95(values):>8.2f} "
            f"{queries[name]:>8}"
        )
    every = [value for values in timings.values() for value in values]
    print(f"all transitions: median {statistics.median(every):.2f} ms (target p50 <= 15 ms)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
