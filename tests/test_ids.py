"""One rule for ids from outside (casework.limits): ASCII digits, 1 to 2^63 - 1, else as missing.

Generated from the URL conf: every route with an id in its path answers a malformed id with the
same 404 problem as a missing one (non-ASCII digits, numbers past 2^63 that overflow SQLite). Then
the filters: an id out of reach and one that does not exist give the same answer, and a malformed
one is 400, never 500.
"""

from __future__ import annotations

import re
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from casework.auth import api_token_issue
from tests.responsibility_groups.conftest import GroupBuilder

pytestmark = pytest.mark.django_db

# Path parameters that name an object (or a version number); others (a transition's name, a
# calendar token) are given a harmless value.
ID_PARAMETERS = {"pk", "plan_pk", "member_id", "number", "a", "b"}
OTHER_PARAMETERS = {"name": "invite", "token": "x", "format": "json"}
MALFORMED_IDS = ["١", "²", "٣٤", "0", "01", str(2**63), str(2**64), "9" * 30, "1.0", "-1"]

_GROUP = re.compile(r"\(\?P<(?P<name>\w+)>[^)]*\)")
_ROUTE = re.compile(r"<(?:\w+:)?(?P<name>\w+)>")


def _routes(resolver: URLResolver, prefix: str = "") -> Iterator[str]:
    for entry in resolver.url_patterns:
        pattern = prefix + str(entry.pattern).lstrip("^").rstrip("$")
        if isinstance(entry, URLResolver):
            yield from _routes(entry, pattern)
        elif isinstance(entry, URLPattern):
            yield pattern


def _parameters(route: str) -> set[str]:
    return {m["name"] for m in _GROUP.finditer(route)} | {m["name"] for m in _ROUTE.finditer(route)}


def _fill(route: str, values: dict[str, str]) -> str:
    route = _GROUP.sub(lambda m: values[m["name"]], route)
    route = _ROUTE.sub(lambda m: values[m["name"]], route)
    return "/" + route.replace("\\.", ".")


ROUTES_WITH_IDS = sorted(
    route
    for route in _routes(get_resolver())
    if route.startswith("api/") and _parameters(route) & ID_PARAMETERS and "(?P<format>" not in route
)


def test_the_walk_finds_the_routes_with_ids():
    assert {"api/v1/plans/(?P<pk>[1-9][0-9]{0,18})/", "api/v1/plans/<id:plan_pk>/goals/<id:pk>/"} <= set(
        ROUTES_WITH_IDS
    )


@pytest.mark.parametrize("route", ROUTES_WITH_IDS)
def test_a_malformed_id_in_a_path_is_404_like_a_missing_one(route, world, api):
    client = api(world.actors["superuser"])
    unknown = {name: "1" if name in {"a", "b", "number"} else "987654" for name in ID_PARAMETERS}
    missing = client.get(_fill(route, {**OTHER_PARAMETERS, **unknown}))

    answers = {}
    for bad in MALFORMED_IDS:
        for name in _parameters(route) & ID_PARAMETERS:
            response = client.get(_fill(route, {**OTHER_PARAMETERS, **unknown, name: bad}))
            answers[(name, bad)] = (response.status_code, response["Content-Type"])

    assert missing.status_code in {404, 405}
    expected = (404, "application/problem+json") if missing.status_code == 404 else None
    if expected is not None:
        assert answers == dict.fromkeys(answers, expected)
    else:  # a write-only route: a malformed id must not get further than a missing one
        assert {status for status, _type in answers.values()} <= {404, 405}


@pytest.mark.django_db(transaction=True)
def test_a_plan_asked_for_with_arabic_indic_digits_is_not_plan_1(world, live_server):
    """Over real HTTP: Django's test client decodes such a path differently from a WSGI server."""
    from tests.plans.conftest import PlanBuilder

    plan = PlanBuilder(world).draft()
    _token, key = api_token_issue(user=world.actors["caseworker"])
    arabic = "".join(chr(0x0660 + int(digit)) for digit in str(plan.pk))

    def status(path: str) -> int:
        url = live_server.url + path
        request = urllib.request.Request(url, headers={"Authorization": f"Token {key}"})  # noqa: S310
        try:
            with urllib.request.urlopen(request) as response:  # noqa: S310  (the test's own server)
                return int(response.status)
        except urllib.error.HTTPError as error:
            return error.code

    assert status(f"/api/v1/plans/{plan.pk}/") == 200
    assert status(f"/api/v1/plans/{quote(arabic)}/") == 404


# --- Filters: out of reach and missing look the same -----------------------------------------


def _list(client: Any, path: str) -> tuple[int, Any]:
    response = client.get(path)
    return response.status_code, response.json()


def test_a_meeting_filter_by_a_group_out_of_reach_answers_like_a_missing_group(world, api):
    group = GroupBuilder(world).group()  # unit A: out of reach for unit B's caseworker
    client = api(world.actors["caseworker_other_unit"])

    out_of_reach = _list(client, f"/api/v1/meetings/?group={group.pk}")
    missing = _list(client, f"/api/v1/meetings/?group={group.pk + 1000}")

    assert out_of_reach == missing
    assert out_of_reach[0] == 200
    assert out_of_reach[1]["count"] == 0


def test_a_home_visit_filter_by_a_case_out_of_reach_answers_like_a_missing_case(world, api):
    from cases import services as cases
    from casework.selectors import reach_for

    case = cases.case_create(
        reach=reach_for(world.actors["caseworker"]),
        service_user=world.person,
        unit=world.unit_a,
        service_applied_for="Praktisk bistand",
        received_on=world.person.created_at.date(),
    )
    client = api(world.actors["caseworker_other_unit"])

    out_of_reach = _list(client, f"/api/v1/home-visits/?case={case.pk}")
    missing = _list(client, f"/api/v1/home-visits/?case={case.pk + 1000}")

    assert out_of_reach == missing
    assert out_of_reach[0] == 200


LIST_FILTERS = [
    "/api/v1/meetings/?group={}",
    "/api/v1/home-visits/?case={}",
    "/api/v1/cases/?unit={}",
    "/api/v1/quality-conversations/?unit={}",
    "/api/v1/quality-conversations/?year={}",
    "/api/v1/plans/?service_user={}",
    "/api/v1/service-users/?unit={}",
    "/api/v1/representatives/?service_user={}",
    "/api/v1/consents/?representative={}",
    "/api/v1/units/?service_area={}",
    "/api/v1/cases/past-deadline/?unit={}",
    "/api/v1/quality-conversations/not-offered/?unit={}",
    "/api/v1/responsibility-groups/overdue/?unit={}",
    "/api/v1/notifications/deliveries/?object_type=plan&object_id={}",
]


@pytest.mark.parametrize("path", LIST_FILTERS)
@pytest.mark.parametrize("bad", ["²", "١", str(2**63), "9" * 30, "1e3", "-1"])
def test_a_malformed_number_in_a_filter_is_400(path, bad, world, api):
    response = api(world.actors["superuser"]).get(path.format(bad))

    assert response.status_code == 400, response.content
    assert response["Content-Type"] == "application/problem+json"


def test_a_malformed_id_in_a_body_is_400_not_a_server_error(world, api):
    client = api(world.actors["caseworker"])
    bodies = [{"service_user": bad, "unit": world.unit_a.pk} for bad in ("١", str(2**63), 2**64, 1.5)]

    answers = [
        client.post("/api/v1/cases/", {**body, "service_applied_for": "x", "received_on": "2026-01-05"})
        for body in bodies
    ]

    assert [(r.status_code, r.json()["errors"][0]["field"]) for r in answers] == [(400, "service_user")] * 4
