"""The API contract's pagination (``?page=&page_size=``, max 200) applies to every list.

From the schema: every GET that answers a list answers a page (``count``, ``next``, ``previous``,
``results``) and documents ``page`` and ``page_size``; only the transitions from a state, a short
fixed set, are a plain array. Then every paged list is asked for one row at a time; each needs a
path below, so a new list fails here until it is added.
"""

from __future__ import annotations

import datetime
import json
from typing import Any

import pytest
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator

from cases import services as cases
from casework.selectors import reach_for
from notifications.models import Notification
from quality_conversations import services as conversations
from tests.factories import UnitFactory
from tests.plans.conftest import PlanBuilder
from tests.responsibility_groups.conftest import GroupBuilder

pytestmark = pytest.mark.django_db

PLAIN_ARRAYS_ALLOWED = "/transitions/"  # the transitions from the current state (api.md)


def _schema() -> dict[str, Any]:
    return dict(json.loads(json.dumps(SchemaGenerator().get_schema(request=None, public=True), default=str)))


def _list_operations(schema: dict[str, Any]) -> dict[str, str]:
    """Path -> 'page' or 'array', for every GET whose 200 answer is a list."""
    found = {}
    for path, item in schema["paths"].items():
        content = item.get("get", {}).get("responses", {}).get("200", {}).get("content", {})
        for body in content.values():
            shape = body.get("schema", {})
            if shape.get("type") == "array":
                found[path] = "array"
            elif "Paginated" in shape.get("$ref", ""):
                found[path] = "page"
    return found


SCHEMA = _schema()
LISTS = _list_operations(SCHEMA)


def test_only_the_transitions_are_a_plain_array():
    assert sorted(p for p, shape in LISTS.items() if shape == "array" and PLAIN_ARRAYS_ALLOWED not in p) == []


def test_every_page_documents_page_and_page_size():
    undocumented = [
        path
        for path, shape in LISTS.items()
        if shape == "page"
        and not {"page", "page_size"}
        <= {p["name"] for p in SCHEMA["paths"][path]["get"].get("parameters", [])}
    ]

    assert undocumented == []


@pytest.fixture
def filled(world: Any) -> dict[str, Any]:
    """One object of each kind a list hangs under, with something in each list."""
    plan = PlanBuilder(world).reviewed_twice()
    meeting = GroupBuilder(world).invited()
    case = cases.case_create(
        reach=reach_for(world.actors["caseworker"]),
        service_user=world.person,
        unit=world.unit_a,
        service_applied_for="Praktisk bistand",
        received_on=timezone.localdate() - datetime.timedelta(days=60),
    )
    visit = cases.home_visit_plan(reach=reach_for(world.actors["caseworker"]), case=case)
    conversations.quality_conversations_generate(
        municipality=world.person.municipality, year=timezone.localdate().year
    )
    Notification.objects.filter(recipient_user=world.actors["caseworker"]).delete()
    return {
        "id": None,
        "plan": plan.pk,
        "meeting": meeting.pk,
        "group": meeting.group_id,
        "case": case.pk,
        "visit": visit.pk,
        "conversation": world.person.quality_conversations.first().pk,
        "person": world.person.pk,
    }


# Each paged list, with the object its path names and any query it needs.
PATHS = {
    "/api/v1/cases/": ("", ""),
    "/api/v1/cases/{id}/history/": ("case", ""),
    "/api/v1/cases/past-deadline/": ("", ""),
    "/api/v1/consents/": ("", ""),
    "/api/v1/home-visits/": ("", ""),
    "/api/v1/home-visits/{id}/history/": ("visit", ""),
    "/api/v1/mandates/": ("", ""),
    "/api/v1/meetings/": ("", ""),
    "/api/v1/meetings/{id}/history/": ("meeting", ""),
    "/api/v1/meetings/{id}/minutes/comments/": ("meeting", ""),
    "/api/v1/meetings/{id}/minutes/versions/": ("meeting", ""),
    "/api/v1/notifications/": ("", ""),
    "/api/v1/notifications/deliveries/": ("", "object_type=meeting&object_id={meeting}"),
    "/api/v1/plans/": ("", ""),
    "/api/v1/plans/{id}/history/": ("plan", ""),
    "/api/v1/plans/{id}/versions/": ("plan", ""),
    "/api/v1/plans/{plan_pk}/goals/": ("plan", ""),
    "/api/v1/plans/{plan_pk}/measures/": ("plan", ""),
    "/api/v1/plans/{plan_pk}/participants/": ("plan", ""),
    "/api/v1/quality-conversations/": ("", ""),
    "/api/v1/quality-conversations/{id}/history/": ("conversation", ""),
    "/api/v1/quality-conversations/not-offered/": ("", ""),
    "/api/v1/representatives/": ("", ""),
    "/api/v1/responsibility-groups/": ("", ""),
    "/api/v1/responsibility-groups/{id}/members/": ("group", ""),
    "/api/v1/responsibility-groups/overdue/": ("", ""),
    "/api/v1/service-users/": ("", ""),
    "/api/v1/service-users/{id}/access-log/": ("person", ""),
    "/api/v1/service-users/{id}/access-reasons/": ("person", ""),
    "/api/v1/units/": ("", ""),
}


def test_every_paged_list_has_a_path_here():
    assert sorted(PATHS) == sorted(p for p, shape in LISTS.items() if shape == "page")


@pytest.mark.parametrize("template", sorted(PATHS))
def test_every_list_answers_one_page_of_one_row(template, filled, world, api):
    subject, query = PATHS[template]
    path = template
    if subject:
        path = path.replace("{id}", str(filled[subject])).replace("{plan_pk}", str(filled[subject]))
    query = "&".join(filter(None, [query.format(**filled), "page=1&page_size=1"]))
    inbox = template == "/api/v1/notifications/"
    client = api(world.actors["caseworker" if inbox else "superuser"])

    response = client.get(f"{path}?{query}")

    assert response.status_code == 200, response.content
    body = response.json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert len(body["results"]) == min(1, body["count"])
    assert body["previous"] is None


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("page_size=201", "page_size"),
        ("page_size=0", "page_size"),
        ("page_size=١", "page_size"),
        ("page_size=true", "page_size"),
        ("page=-1", "page"),
        ("page=١", "page"),
        ("page=1.5", "page"),
        ("page=", "page"),
        ("page=1&page=2", "page"),
    ],
)
def test_a_malformed_page_or_page_size_is_400(query, field, world, api):
    response = api(world.actors["superuser"]).get(f"/api/v1/units/?{query}")

    assert response.status_code == 400, response.content
    assert [e["field"] for e in response.json()["errors"]] == [field]


def test_a_page_of_200_is_the_largest(world, api):
    UnitFactory.create_batch(201, service_area=world.unit_a.service_area)

    response = api(world.actors["superuser"]).get("/api/v1/units/?page_size=200")

    assert response.status_code == 200
    assert (response.json()["count"], len(response.json()["results"])) == (203, 200)


@pytest.mark.parametrize(
    "tail", ["minutes/comments/?state=xyz", "history/?group=1", "minutes/versions/?ordering=number"]
)
def test_a_lists_filters_are_not_taken_by_the_other_actions(tail, world, api):
    meeting = GroupBuilder(world).invited()

    response = api(world.actors["caseworker"]).get(f"/api/v1/meetings/{meeting.pk}/{tail}")

    assert response.status_code == 400, response.content
    assert [e["code"] for e in response.json()["errors"]] == ["unknown_parameter"]
