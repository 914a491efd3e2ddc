"""Latency of the service-user list for a unit caseworker and for a superuser.

Run on data from ``manage.py seed_demo --scale 100000`` (the command seeds it if missing):

    .venv/bin/python benchmarks/service_user_list.py [--requests 200] [--scale 100000]

In-process: requests go through Django's full stack (middleware, authentication, the access
path, pagination, the access log INSERT) with DRF's test client, so network time is excluded.
Prints median and p95 latency per actor, the ratio caseworker/superuser, and the query count of
one request. Targets (issue 2): ratio <= 1.2 and p95 <= 50 ms.
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

from casework.demo.scale import SCALE_MUNICIPALITY, scale_username
from casework.models import ServiceUser

URL = "/api/v1/service-users/?page_size=50"


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))
    return ordered[index]


def _measure(client: APIClient, requests: int) -> tuple[list[float], int, int]:
    for _ in range(10):  # warm caches and connections
        assert client.get(URL).status_code == 200
    executed: list[str] = []

    def count(execute: Any, sql: str, *rest: Any) -> Any:
        executed.append(sql)
        return execute(sql, *rest)

    with connection.execute_wrapper(count):
        response = client.get(URL)
    assert response.status_code == 200, response.content
    timings = []
    for _ in range(requests):
        started = time.perf_counter()
        response = client.get(URL)
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
    return timings, len(executed), response.json()["count"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--scale", type=int, default=100_000)
    args = parser.parse_args()

    if not ServiceUser.objects.filter(municipality__number=SCALE_MUNICIPALITY[1]).count() >= args.scale:
        call_command("seed_demo", scale=args.scale)
    users = get_user_model().objects
    actors = {
        "caseworker": users.get(username=scale_username("caseworker", 0)),
        "superuser": users.get(username="admin"),
    }
    results = {}
    for label, user in actors.items():
        client = APIClient()
        client.force_authenticate(user)
        results[label] = _measure(client, args.requests)

    vendor = connection.vendor
    total = ServiceUser.objects.count()
    print(
        f"service-user list, {args.requests} requests each, page_size=50, database={vendor}, "
        f"{total} service users"
    )
    print(f"{'actor':<12} {'rows seen':>10} {'median ms':>10} {'p95 ms':>8} {'queries':>8}")
    for label, (timings, query_count, count) in results.items():
        print(
            f"{label:<12} {count:>10} {statistics.median(timings):>10.2f} "
            f"{_percentile(timings, 0.95):>8.2f} {query_count:>8}"
        )
    case, sup = results["caseworker"][0], results["superuser"][0]
    median_ratio = statistics.median(case) / statistics.median(sup)
    p95_ratio = _percentile(case, 0.95) / _percentile(sup, 0.95)
    print(f"ratio caseworker/superuser: median {median_ratio:.2f}, p95 {p95_ratio:.2f} (target <= 1.2)")
    worst_p95 = max(_percentile(t, 0.95) for t, _q, _c in results.values())
    print(f"worst p95: {worst_p95:.2f} ms (target <= 50 ms)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
