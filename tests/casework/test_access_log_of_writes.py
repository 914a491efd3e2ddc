"""Every answer that shows a person's data writes its access-log row, writes included.

``PersonDataViewSet`` refuses to answer (500, and the request's writes roll back) when an action
returns a body without having logged the read; the whole suite runs through it, so an action
that forgets shows up as a failing test. Here: the guard itself, and the write the probe found
unlogged (adding a representative to a responsibility group named them in the answer).
"""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
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
