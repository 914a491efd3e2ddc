"""Every answer that shows a person's data writes its access-log row, writes included.

``PersonDataViewSet`` refuses to answer (500, and the request's writes roll back) when an action
returns a body without having logged the read; the whole suite runs through it, so an action
that forgets shows up as a failing test. Here: the guard itself, and the write the probe found
unlogged (adding a representative to a responsibility group named them in the answer).
"""

from __future__ import annotations

import inspect
import re
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.urls import URLResolver, get_resolver
from rest_framework.response import Response
from rest_framework.test import APIRequestFactory, force_authenticate

from casework.api.base import PersonDataViewSet
from casework.models import AccessLogEntry
from tests.responsibility_groups.conftest import GroupBuilder

pytestmark = pytest.mark.django_db


def test_adding_a_representative_to_a_group_logs_the_read_of_the_person(world, api):
    group = GroupBuilder(world).group()
    guardian = world.actors["guardian"].representations.get()
    before = AccessLogEntry.objects.count()

    response = api(world.actors["caseworker"]).post(
        f"/api/v1/responsibility-groups/{group.pk}/members/",
        {"kind": "representative", "representative": guardian.pk},
        format="json",
    )

    assert response.status_code == 201, response.content
    assert guardian.last_name in response.json()["display_name"]
    logged = AccessLogEntry.objects.order_by("id")[before:]
    assert [(row.service_user_id, row.resource, row.actor_id) for row in logged] == [
        (world.person.pk, "responsibility_group.members", world.actors["caseworker"].pk)
    ]


class _Forgetful(PersonDataViewSet):
    access_resource = "test"

    def list(self, request: Any) -> Response:
        return Response({"first_name": "Åse"})


def test_an_answer_with_data_but_no_access_log_row_is_refused(world):
    view = _Forgetful.as_view({"get": "list"})
    request = APIRequestFactory().get("/api/v1/test/")
    force_authenticate(request, user=world.actors["caseworker"])

    with pytest.raises(ImproperlyConfigured, match="answered without writing the access log"):
        view(request)


# Read in each action's source: an answer with a body goes through one of these, or the action
# answers 204 without one. The guard above fails such an action at run time; this finds it even
# when no test reaches the action's success path (two actions once answered only 500 so).
_LOGGING_CALLS = re.compile(
    r"log_read|log_people|log_plan_read|respond_with|self\._detail|self\._minutes"
    r"|super\(\)\.(list|retrieve)|HTTP_204_NO_CONTENT"
    r"|self\.transition_response"  # the workflow mixin's hook: respond_with or _detail, each logging
)


def _person_data_actions() -> list[tuple[str, Any]]:
    def walk(resolver: Any) -> Any:
        for entry in resolver.url_patterns:
            if isinstance(entry, URLResolver):
                yield from walk(entry)
            else:
                yield entry

    found = {}
    for pattern in walk(get_resolver()):
        view, actions = getattr(pattern.callback, "cls", None), getattr(pattern.callback, "actions", None)
        if view is not None and actions and issubclass(view, PersonDataViewSet):
            for name in actions.values():
                found[f"{view.__name__}.{name}"] = getattr(view, name)
    return sorted(found.items())


@pytest.mark.parametrize(
    ("name", "method"), _person_data_actions(), ids=lambda v: v if isinstance(v, str) else ""
)
def test_every_person_data_action_logs_what_it_answers(name, method):
    assert _LOGGING_CALLS.search(inspect.getsource(method)), f"{name} answers without logging the read"
