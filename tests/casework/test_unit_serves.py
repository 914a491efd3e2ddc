"""Work on a person is registered to a unit that serves them, through every endpoint that starts it.

The endpoints come from the OpenAPI schema: every POST whose body names both a ``service_user``
and a ``unit``. Each needs a registered body below; a new such endpoint fails the first test until
it is added, so it cannot go unchecked. The actor is the coordinator of another unit who reaches
the person through an explicit grant (as a plan's coordinator does): they may work on the person,
but not register that work to their own unit, out of sight of the unit that serves the person.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator

from cases.models import Case
from casework.choices import StaffRole
from plans.models import IndividualPlan
from responsibility_groups.models import ResponsibilityGroup
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


def _bodies(world: Any, actor: Any) -> dict[str, dict[str, Any]]:
    return {
        "/api/v1/cases/": {
            "service_applied_for": "Praktisk bistand",
            "received_on": str(timezone.localdate()),
        },
        "/api/v1/plans/": {"coordinator": actor.pk},
        "/api/v1/responsibility-groups/": {"coordinator": actor.pk},
    }


CREATED = {
    "/api/v1/cases/": Case,
    "/api/v1/plans/": IndividualPlan,
    "/api/v1/responsibility-groups/": ResponsibilityGroup,
}


def _operations_naming_a_person_and_a_unit() -> list[str]:
    schema = json.loads(json.dumps(SchemaGenerator().get_schema(request=None, public=True), default=str))
    components = schema["components"]["schemas"]
    found = []
    for path, item in schema["paths"].items():
        body = item.get("post", {}).get("requestBody", {}).get("content", {}).get("application/json")
        if body is None:
            continue
        properties = components[body["schema"]["$ref"].rsplit("/", 1)[-1]].get("properties", {})
        if {"service_user", "unit"} <= set(properties):
            found.append(path)
    return sorted(found)


OPERATIONS = _operations_naming_a_person_and_a_unit()


def test_every_operation_that_starts_work_in_a_unit_is_covered():
    assert sorted(CREATED) == OPERATIONS


@pytest.fixture
def granted_coordinator(world: Any) -> Any:
    """The world's coordinator (unit B, granted the person of unit A), also a caseworker in B."""
    actor = world.actors["coordinator"]
    MembershipFactory(user=actor, unit=world.unit_b, role=StaffRole.CASEWORKER)
    return actor


@pytest.mark.parametrize("path", OPERATIONS)
def test_work_registered_to_a_unit_that_does_not_serve_the_person_is_400(
    path, world, api, granted_coordinator
):
    body = {
        **_bodies(world, granted_coordinator)[path],
        "service_user": world.person.pk,
        "unit": world.unit_b.pk,
    }

    response = api(granted_coordinator).post(path, body, format="json")

    assert response.status_code == 400, response.content
    assert [(e["field"], e["code"]) for e in response.json()["errors"]] == [("unit", "not_serving")]
    assert CREATED[path].objects.count() == 0


@pytest.mark.parametrize("path", OPERATIONS)
def test_work_registered_to_the_persons_own_unit_is_created(path, world, api):
    actor = world.actors["caseworker"]
    body = {**_bodies(world, actor)[path], "service_user": world.person.pk, "unit": world.unit_a.pk}

    response = api(actor).post(path, body, format="json")

    assert response.status_code == 201, response.content
    assert CREATED[path].objects.count() == 1
