"""Latency of plan transition requests, in-process through the whole stack.

    .venv/bin/python benchmarks/plan_transitions.py [--rounds 100]

Uses a demo plan (``seed_demo`` is run if needed): the caseworker puts an active plan on hold
and resumes it (two plain transitions per round), and then runs review rounds in which
``complete_review`` also freezes a new version of the full content. Prints median and p95 per
transition and the query count of one request. Target (issue 3): transition p50 <= 15 ms.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection
from rest_framework.test import APIClient

from casework.selectors import reach_for
from plans import services
from plans.models import IndividualPlan


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, round(0.95 * len(ordered)) - 1)]


def _timed(client: APIClient, url: str, body: dict[str, Any]) -> tuple[float, int]:
    executed: list[str] = []

    def count(execute: Any, sql: str, *rest: Any) -> Any:
        executed.append(sql)
        return execute(sql, *rest)

    with connection.execute_wrapper(count):
        started = time.perf_counter()
        response = client.post(url, body, format="json")
        elapsed = (time.perf_counter() - started) * 1000
    assert response.status_code == 200, response.content
    return elapsed, len(executed)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=100)
    args = parser.parse_args()
    if not IndividualPlan.objects.filter(state="active").exists():
        call_command("seed_demo")
    caseworker = get_user_model().objects.get(username="saksbehandler")
    plan = IndividualPlan.objects.filter(state="active", unit__memberships__user=caseworker).first()
    assert plan is not None
    client = APIClient()
    client.force_authenticate(caseworker)
    base = f"/api/v1/plans/{plan.pk}/transitions"
    timings: dict[str, list[float]] = {
        "put_on_hold": [],
        "resume": [],
        "start_review": [],
        "complete_review": [],
    }
    queries: dict[str, int] = {}
    reach = reach_for(caseworker)
    for _ in range(args.rounds):
        for name, body in (
            ("put_on_hold", {"comment": "Sykehusopphold"}),
            ("resume", {"comment": "Hjemme igjen"}),
        ):
            elapsed, queries[name] = _timed(client, f"{base}/{name}/", body)
            timings[name].append(elapsed)
    for _ in range(max(10, args.rounds // 5)):
        elapsed, queries["start_review"] = _timed(client, f"{base}/start_review/", {})
        timings["start_review"].append(elapsed)
        plan.refresh_from_db()
        for goal in plan.goals.all():  # the assessments are part of the review, not of the request
            services.goal_assess(reach=reach, goal=goal, progress="continued", assessment="Fortsetter.")
        services.plan_update(
            reach=reach,
            plan=plan,
            next_review_date=plan.next_review_date.replace(year=plan.next_review_date.year + 1),
        )
        elapsed, queries["complete_review"] = _timed(client, f"{base}/complete_review/", {})
        timings["complete_review"].append(elapsed)
    plan.refresh_from_db()
    print(
        f"plan transitions in-process, database={connection.vendor}, plan with {plan.goals.count()} goals, "
        f"{plan.measures.count()} measures, {plan.versions.count()} versions after the run"
    )
    print(f"{'transition':<16} {'requests':>8} {'median ms':>10} {'p95 ms':>8} {'queries':>8}")
    for name, values in timings.items():
        print(
            f"{name:<16} {len(values):>8} {statistics.median(values):>10.2f} {_p95(values):>8.2f} "
            f"{queries[name]:>8}"
        )
    plain = timings["put_on_hold"] + timings["resume"]
    print(f"plain transitions: median {statistics.median(plain):.2f} ms (target p50 <= 15 ms)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
