"""Every list of the API runs a pinned number of queries, the same for 1, 10 and 50 rows.

In the manner of open-zaak's ``ZaakListPerformanceTests`` and zulip's query-count assertions, and
generated rather than written per endpoint: the list routes come from the URL conf
(tests/list_routes.py), and each needs an entry in tests/list_budgets.py saying how to make its
rows, which logins read it and how many queries each read costs. Each read goes through the whole
HTTP stack, authentication included (``Authorization: Token …``), and every statement sent to the
database is counted (tests/query_budget.py). A failure prints the SQL.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import resolve

from casework.auth import api_token_issue
from tests.clients import CheckedAPIClient
from tests.list_budgets import REGISTRY
from tests.list_routes import list_routes
from tests.list_rows import Scene, build_scene
from tests.query_budget import QueryLog, count_queries

SIZES = (1, 10, 50)


def test_every_list_route_has_a_budget() -> None:
    names = {route.name for route in list_routes()}
    unregistered = sorted(names - set(REGISTRY))
    stale = sorted(set(REGISTRY) - names)
    assert not unregistered, (
        f"list routes with no query budget: {unregistered}; add each to tests/list_budgets.py "
        "(how to make its rows, who reads it, the pinned count)"
    )
    assert not stale, f"budgets for routes that are no longer lists: {stale}"


@pytest.fixture
def scene(db: Any) -> Scene:
    return build_scene()


def _client(user: Any) -> CheckedAPIClient:
    """A client that signs in as a script does: with an API token in the Authorization header."""
    _token, key = api_token_issue(user=user)
    client = CheckedAPIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def _read(client: CheckedAPIClient, path: str, n: int) -> QueryLog:
    with count_queries() as log:
        response = client.get(path)
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["count"], len(body["results"])) == (n, n), (
        f"GET {path}: the rows made are not the rows shown"
    )
    return log


def _report(name: str, login: str, path: str, budget: int, logs: dict[int, QueryLog]) -> str:
    counts = ", ".join(f"{len(log)} at {n} rows" for n, log in logs.items())
    sql = "\n".join(f"--- {n} rows ({len(log)} queries):\n{log.report()}" for n, log in logs.items())
    return f"{name}: GET {path} as {login} is pinned at {budget} queries; it ran {counts}.\n{sql}"


@pytest.mark.parametrize("name", sorted(REGISTRY))
def test_list_runs_its_pinned_queries_at_1_10_and_50_rows(name: str, scene: Scene) -> None:
    budget = REGISTRY[name]
    clients = {login: _client(scene.users[login]) for login in budget.logins}
    logs: dict[str, dict[int, QueryLog]] = {login: {} for login in budget.logins}
    paths: dict[str, str] = {}
    for n in SIZES:
        for login, client in clients.items():
            path = budget.rows(scene, n)
            assert resolve(path.split("?")[0]).url_name == name, f"{name}: the builder reads {path}"
            paths[login] = path
            logs[login][n] = _read(client, path, n)

    failures = [
        _report(name, login, paths[login], pinned, logs[login])
        for login, pinned in budget.logins.items()
        if any(len(log) != pinned for log in logs[login].values())
    ]
    assert not failures, "\n\n".join(failures)
