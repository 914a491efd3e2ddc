"""What every answer under /api/ is, in every mode: errors are problem documents, nothing is cached.

Generated where it can be: the nested-JSON refusal over every operation of the schema that takes
a body, as anonymous and as a caseworker; the problem format for unknown paths, refused methods
and server errors with DEBUG on and off; ``Cache-Control: no-store`` on every kind of answer
(JSON, PDF, iCalendar, FHIR, errors).
"""

from __future__ import annotations

import datetime
import json
import re

import pytest
from django.http import HttpRequest, HttpResponse
from django.urls import path
from drf_spectacular.generators import SchemaGenerator

from config import urls as project_urls
from tests.plans.conftest import PlanBuilder
from tests.responsibility_groups.conftest import GroupBuilder

pytestmark = pytest.mark.django_db

PROBLEM = "application/problem+json"
NESTED = "[" * 1000 + "]" * 1000


def _boom(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("a bug")


# A URL conf with a view that fails, beside the real ones (and their error handlers).
urlpatterns = [path("api/v1/boom/", _boom), *project_urls.urlpatterns]
handler400 = project_urls.handler400
handler403 = project_urls.handler403
handler404 = project_urls.handler404
handler500 = project_urls.handler500


def _body_operations() -> list[tuple[str, str]]:
    schema = json.loads(json.dumps(SchemaGenerator().get_schema(request=None, public=True), default=str))
    return sorted(
        (method.upper(), re.sub(r"\{[^}]+\}", "1", route))
        for route, item in schema["paths"].items()
        for method, operation in item.items()
        if method in {"post", "put", "patch"}
    )


BODY_OPERATIONS = _body_operations()


@pytest.mark.parametrize("actor", ["anonymous", "caseworker"])
@pytest.mark.parametrize(("method", "route"), BODY_OPERATIONS)
def test_deeply_nested_json_is_never_a_server_error(method, route, actor, world, api):
    client = api(world.actors[actor])
    client.raise_request_exception = False

    response = client.generic(method, route, NESTED, content_type="application/json")

    assert response.status_code < 500, response.content
    if response.status_code >= 400:
        assert response["Content-Type"] == PROBLEM
    else:  # the few operations that take no body and so never read it
        assert route in {
            "/api/v1/auth/token/revoke/",
            "/api/v1/calendar-feed/",
            "/api/v1/notifications/read-all/",
        }


def test_deeply_nested_json_to_the_token_endpoint_is_400(api):
    response = api(None).post("/api/v1/auth/token/", NESTED, content_type="application/json")

    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"


def test_json_just_within_the_depth_limit_is_read(api):
    from casework.api.parsers import MAX_JSON_DEPTH

    deep = "[" * (MAX_JSON_DEPTH - 1) + "]" * (MAX_JSON_DEPTH - 1)
    body = '{"username": "x", "password": "y", "extra": ' + deep + "}"

    response = api(None).post("/api/v1/auth/token/", body, content_type="application/json")

    assert response.status_code == 400
    assert [error["code"] for error in response.json()["errors"]] == ["unknown_field"]


@pytest.mark.parametrize("debug", [True, False])
@pytest.mark.parametrize(
    "unknown", ["/api/v1/nothing-here/", "/api/v2/plans/", "/api/", "/api/v1/plans/1/nothing/"]
)
def test_an_unknown_api_path_is_a_404_problem_in_every_mode(unknown, debug, settings, world, api):
    settings.DEBUG = debug

    response = api(world.actors["caseworker"]).get(unknown)

    assert (response.status_code, response["Content-Type"]) == (404, PROBLEM)
    assert response.json()["code"] == "not_found"


@pytest.mark.parametrize("debug", [True, False])
def test_a_server_error_is_a_500_problem_in_every_mode(debug, settings, world, api):
    settings.DEBUG = debug
    settings.ROOT_URLCONF = __name__
    client = api(world.actors["caseworker"])
    client.raise_request_exception = False

    response = client.get("/api/v1/boom/")

    assert (response.status_code, response["Content-Type"]) == (500, PROBLEM)
    assert response.json()["code"] == "server_error"
    assert b"Traceback" not in response.content and b"a bug" not in response.content


def test_a_method_a_plain_view_refuses_is_a_405_problem_naming_the_allowed_ones(api):
    response = api(None).post("/api/v1/calendar-feed/abc.ics")

    assert (response.status_code, response["Content-Type"]) == (405, PROBLEM)
    assert response["Allow"] == "GET"


# --- No copies in caches ---------------------------------------------------------------------


def test_every_kind_of_answer_about_a_person_is_no_store(world, api):
    plan = PlanBuilder(world).active()
    meeting = GroupBuilder(world).invited()
    client = api(world.actors["caseworker"])
    paths = [
        "/api/v1/service-users/",
        f"/api/v1/service-users/{world.person.pk}/",
        f"/api/v1/plans/{plan.pk}/",
        f"/api/v1/plans/{plan.pk}/pdf",
        f"/api/v1/plans/{plan.pk}/fhir",
        f"/api/v1/meetings/{meeting.pk}/ics",
        f"/api/v1/meetings/{meeting.pk}/minutes/pdf",
        "/api/v1/plans/987654/",  # an error
    ]

    answers = {p: (r.status_code, r["Cache-Control"]) for p in paths if (r := client.get(p))}

    assert [cache for _code, cache in answers.values()] == ["no-store"] * len(paths)
    assert [code for code, _cache in answers.values()] == [200] * 7 + [404]


def test_the_calendar_feed_and_a_write_are_no_store(world, api):
    GroupBuilder(world).invited()
    client = api(world.actors["caseworker"])

    created = client.post("/api/v1/calendar-feed/")
    feed = api(None).get(created.json()["https_url"].split("testserver", 1)[1])

    assert (created.status_code, created["Cache-Control"]) == (201, "no-store")
    assert (feed.status_code, feed["Cache-Control"]) == (200, "no-store")


# --- Found by an outside review of the hardening -------------------------------------------------


@pytest.mark.parametrize(
    ("path", "headers", "status"),
    [
        ("/api/v1/plans/999999/", {"HTTP_ACCEPT": "text/html"}, 406),  # a browser asking for a page
        ("/api/v1/plans/999999/?format=api", {}, 404),
        ("/api/v1/schema/?format=xml", {}, 404),  # the schema's own YAML renderer
        ("/api/v1/schema/", {"HTTP_ACCEPT": "application/xml"}, 406),
    ],
)
def test_an_error_is_a_json_problem_whatever_the_client_asks_for(path, headers, status, world, api):
    response = api(world.actors["caseworker"]).get(path, **headers)

    assert (response.status_code, response["Content-Type"]) == (status, PROBLEM)
    assert json.loads(response.content)["status"] == status


def test_a_representative_asking_for_html_gets_a_406_problem(world, api):
    plan = PlanBuilder(world).active()

    response = api(world.actors["guardian"]).get(f"/api/v1/plans/{plan.pk}/", HTTP_ACCEPT="text/html")

    assert (response.status_code, response["Content-Type"]) == (406, PROBLEM)


@pytest.mark.parametrize("debug", [True, False])
def test_too_many_query_parameters_are_a_400_problem_in_every_mode(debug, settings, world, api):
    settings.DEBUG = debug
    query = "&".join(f"a{n}=1" for n in range(1001))
    client = api(world.actors["caseworker"])
    client.raise_request_exception = False

    response = client.get(f"/api/v1/plans/?{query}")

    assert (response.status_code, response["Content-Type"]) == (400, PROBLEM)
    assert response["Cache-Control"] == "no-store"


@pytest.mark.parametrize("debug", [True, False])
def test_a_post_to_a_path_without_its_slash_is_a_404_problem(debug, settings, world, api):
    settings.DEBUG = debug
    client = api(world.actors["caseworker"])
    client.raise_request_exception = False

    response = client.post("/api/v1/plans", {}, format="json")

    assert (response.status_code, response["Content-Type"]) == (404, PROBLEM)


def test_a_405_names_only_the_methods_served(world, api):
    client = api(world.actors["caseworker"])

    options = client.options("/api/v1/plans/")

    assert options.status_code == 405
    assert options["Allow"] == "GET, POST, HEAD"


def test_the_documents_answer_head_like_get(world, api):
    plan = PlanBuilder(world).active()

    response = api(world.actors["caseworker"]).head(f"/api/v1/plans/{plan.pk}/fhir")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/fhir+json"


@pytest.mark.parametrize(
    "query",
    ["version=", "version=2&version=1", "version=abc", "version=02", "version=1&foo=bar", "format=json"],
)
def test_the_plan_exports_take_only_a_well_formed_version(query, world, api):
    plan = PlanBuilder(world).active()

    response = api(world.actors["caseworker"]).get(f"/api/v1/plans/{plan.pk}/fhir?{query}")

    assert response.status_code == 400, response.content


@pytest.mark.parametrize(
    "path", ["/api/v1/me/?foo=1", "/api/v1/meetings/{m}/ics?foo=1", "/api/v1/meetings/{m}/minutes/pdf?foo="]
)
def test_the_views_outside_the_viewsets_refuse_unknown_and_blank_parameters(path, world, api):
    meeting = GroupBuilder(world).invited()

    response = api(world.actors["caseworker"]).get(path.format(m=meeting.pk))

    assert response.status_code == 400, response.content


@pytest.mark.parametrize(
    "path",
    ["/api/v1/plans/?ordering=national_id", "/api/v1/notifications/?unread=1", "/api/v1/plans/?page=abc"],
)
def test_an_ordering_a_yes_or_no_and_a_page_are_taken_in_their_one_form(path, world, api):
    response = api(world.actors["caseworker"]).get(path)

    assert response.status_code == 400, response.content


def test_a_meeting_stored_past_the_supported_dates_has_no_ics_but_no_500_either(world, api):
    from responsibility_groups.models import Meeting

    groups = GroupBuilder(world)
    meeting = groups.meeting()
    far = datetime.datetime(9999, 12, 31, 20, tzinfo=datetime.UTC)
    Meeting.objects.filter(pk=meeting.pk).update(starts_at=far, ends_at=far + datetime.timedelta(hours=1))

    response = api(groups.actor).get(f"/api/v1/meetings/{meeting.pk}/ics")

    assert (response.status_code, response.json()["code"]) == (409, "unwritable_meeting")


@pytest.mark.parametrize("value", ["２０２７-06-01T10:00:00", "2027-W22-2T10:00", "2027-06-01T10:00\x00"])
def test_a_time_is_written_in_iso_8601_with_ascii_digits(value, world, api):
    groups = GroupBuilder(world)
    body = {"group": groups.group().pk, "starts_at": value, "ends_at": "2027-06-01T11:00:00"}

    response = api(groups.actor).post("/api/v1/meetings/", body, format="json")

    assert response.status_code == 400
    assert [e["field"] for e in response.json()["errors"]] == ["starts_at"]


def test_an_id_has_one_spelling(world, api):
    plan = PlanBuilder(world).draft()
    client = api(world.actors["caseworker"])

    answers = [client.get(f"/api/v1/plans/{spelling}/").status_code for spelling in (plan.pk, f"0{plan.pk}")]
    pdf = client.get(f"/api/v1/plans/{'0' * 10}{plan.pk}/fhir")

    assert answers == [200, 404]
    assert pdf.status_code == 404
