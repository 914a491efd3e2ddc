"""The plans API: who sees what, the workflow endpoints, versions and diffs, errors."""

from __future__ import annotations

import pytest

from casework.engine import history_for
from casework.models import AccessLogEntry
from plans.choices import PlanState
from plans.models import Goal, IndividualPlan
from tests.query_budget import count_queries

pytestmark = pytest.mark.django_db


def _url(plan, tail=""):
    return f"/api/v1/plans/{plan.pk}/{tail}"


# --- Who sees a plan ------------------------------------------------------------------------

DRAFT_DETAIL = {
    "superuser": 200,
    "caseworker": 200,
    "caseworker_other_unit": 404,
    "coordinator": 200,  # explicitly granted the person (world fixture)
    "unit_manager": 200,
    "quality_admin": 200,
    "guardian": 404,  # drafts are never shown to representatives
    "guardian_expired": 404,
    "relative": 404,
    "relative_without_consent": 404,
    "anonymous": 401,
}


@pytest.mark.parametrize(("actor", "expected"), DRAFT_DETAIL.items())
def test_draft_plan_detail(plans, world, api, actor, expected):
    plan = plans.draft()

    response = api(world.actors[actor]).get(_url(plan))

    assert response.status_code == expected


ACTIVE_DETAIL = {
    **DRAFT_DETAIL,
    "guardian": "version",
    "relative": "version",  # their consent (world fixture) covers the plan as well as access
}


@pytest.mark.parametrize(("actor", "expected"), ACTIVE_DETAIL.items())
def test_active_plan_detail(plans, world, api, actor, expected):
    plan = plans.active()

    response = api(world.actors[actor]).get(_url(plan))

    if expected == "version":
        assert response.status_code == 200
        body = response.json()
        assert set(body) == {"id", "state", "state_changed_at", "version"}
        assert body["version"]["number"] == 1
        assert len(body["version"]["content"]["goals"]) == 2
    else:
        assert response.status_code == expected


def test_a_relative_whose_consent_does_not_cover_the_plan_sees_no_plan(plans, world, api):
    from casework.models import Consent

    Consent.objects.filter(representative__user=world.actors["relative"]).update(covers_plan=False)
    plan = plans.active()

    assert api(world.actors["relative"]).get(_url(plan)).status_code == 404
    listing = api(world.actors["relative"]).get("/api/v1/plans/")
    assert listing.status_code == 200, listing.content
    assert listing.json()["count"] == 0


def test_a_relative_sees_the_approved_version_never_the_working_copy(plans, world, api):
    plan = plans.active()
    services_reach = plans.reach
    from plans import services

    services.plan_start_review(reach=services_reach, plan=plan)
    services.plan_item_create(reach=services_reach, plan=plan, model=Goal, text="Et utkast til nytt mål")

    response = api(world.actors["relative"]).get(_url(plan))

    assert response.status_code == 200
    assert "Et utkast til nytt mål" not in response.content.decode()
    assert api(world.actors["relative"]).get(_url(plan, "goals/")).status_code == 404
    assert api(world.actors["relative"]).get(_url(plan, "transitions/")).status_code == 404


def test_reading_a_plan_is_written_to_the_access_log(plans, world, api):
    plan = plans.draft()

    response = api(world.actors["unit_manager"]).get(_url(plan))
    assert response.status_code == 200, response.content

    entry = AccessLogEntry.objects.get(resource="plan.detail")
    assert (entry.actor, entry.service_user) == (world.actors["unit_manager"], world.person)


# --- The workflow endpoints -------------------------------------------------------------------


def test_transitions_list_what_blocks_each(plans, world, api):
    plan = plans.draft()
    from plans import services

    services.plan_request_consent(reach=plans.reach, plan=plan)

    response = api(world.actors["caseworker"]).get(_url(plan, "transitions/"))

    assert response.status_code == 200
    options = {o["name"]: o for o in response.json()}
    assert set(options) == {"record_consent", "decline", "withdraw"}
    assert options["record_consent"] == {
        "name": "record_consent",
        "target": "in_preparation",
        "allowed": False,
        "blocked_by": ["missing: consent"],
    }
    assert options["decline"]["allowed"] is True
    assert options["decline"]["blocked_by"] == ["input: comment (reason)"]


def test_transitions_for_a_reader_are_blocked_by_permission(plans, world, api):
    plan = plans.draft()

    response = api(world.actors["quality_admin"]).get(_url(plan, "transitions/"))

    assert response.status_code == 200, response.content
    assert {o["name"]: o["blocked_by"][0] for o in response.json()} == {
        "decline": "permission",
        "request_consent": "permission",
    }


def test_performing_a_transition_returns_the_plan(plans, world, api):
    plan = plans.draft()

    response = api(world.actors["caseworker"]).post(
        _url(plan, "transitions/request_consent/"), {"comment": "Sendt brev"}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["state"] == "awaiting_consent"
    assert history_for(plan).get().comment == "Sendt brev"


def test_a_transition_from_the_wrong_state_is_409_with_the_allowed_ones(plans, world, api):
    plan = plans.draft()

    response = api(world.actors["caseworker"]).post(_url(plan, "transitions/activate/"), {}, format="json")

    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "transition_not_allowed"
    assert body["available_transitions"] == ["decline", "request_consent"]
    plan.refresh_from_db()
    assert plan.state == PlanState.DRAFT


def test_a_failed_guard_is_422_naming_what_is_missing(plans, world, api):
    plan = plans.draft()
    requested = api(world.actors["caseworker"]).post(
        _url(plan, "transitions/request_consent/"), {}, format="json"
    )
    assert requested.status_code == 200, requested.content

    response = api(world.actors["caseworker"]).post(
        _url(plan, "transitions/record_consent/"), {}, format="json"
    )

    assert response.status_code == 422
    assert response.json()["missing"] == ["consent"]
    assert response["Content-Type"] == "application/problem+json"


def test_an_unknown_transition_is_404(plans, world, api):
    plan = plans.draft()

    response = api(world.actors["caseworker"]).post(_url(plan, "transitions/teleport/"), {}, format="json")

    assert response.status_code == 404


def test_a_reader_may_not_move_the_plan(plans, world, api):
    plan = plans.draft()

    response = api(world.actors["unit_manager"]).post(
        _url(plan, "transitions/request_consent/"), {}, format="json"
    )

    assert response.status_code == 403
    plan.refresh_from_db()
    assert plan.state == PlanState.DRAFT


def test_history_lists_every_transition(plans, world, api):
    plan = plans.active()

    response = api(world.actors["unit_manager"]).get(_url(plan, "history/"))

    assert response.status_code == 200, response.content
    assert [(r["name"], r["source"], r["target"]) for r in response.json()["results"]] == [
        ("request_consent", "draft", "awaiting_consent"),
        ("record_consent", "awaiting_consent", "in_preparation"),
        ("activate", "in_preparation", "active"),
    ]


def test_editing_a_locked_plan_is_409_and_changes_nothing(plans, world, api):
    plan = plans.active()

    response = api(world.actors["caseworker"]).post(_url(plan, "goals/"), {"text": "Nytt"}, format="json")
    patch = api(world.actors["caseworker"]).patch(_url(plan), {"needs": "Endret"}, format="json")

    assert (response.status_code, patch.status_code) == (409, 409)
    assert response.json()["code"] == "plan_locked"
    plan.refresh_from_db()
    assert plan.goals.count() == 2
    assert plan.needs == "Trenger hjelp til å planlegge uka."


def test_a_second_open_plan_through_the_api_is_409(plans, world, api):
    plans.draft()

    response = api(world.actors["caseworker"]).post(
        "/api/v1/plans/",
        {
            "service_user": world.person.pk,
            "unit": world.unit_a.pk,
            "coordinator": world.actors["caseworker"].pk,
        },
        format="json",
    )

    assert response.status_code == 409
    assert response.json()["code"] == "open_plan_exists"
    assert IndividualPlan.objects.count() == 1


def test_creating_a_plan_for_someone_out_of_reach_is_400_not_found(world, api):
    response = api(world.actors["caseworker"]).post(
        "/api/v1/plans/",
        {
            "service_user": world.other_person.pk,
            "unit": world.unit_b.pk,
            "coordinator": world.actors["caseworker"].pk,
        },
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["errors"][0] == {
        "field": "service_user",
        "code": "not_found",
        "detail": response.json()["errors"][0]["detail"],
    }
    assert IndividualPlan.objects.count() == 0


def test_detail_shows_what_is_missing_for_activation(plans, world, api):
    plan = plans.draft()

    response = api(world.actors["caseworker"]).get(_url(plan))

    assert response.status_code == 200, response.content
    body = response.json()
    assert "goals" in body["missing"]
    assert "consent" in body["missing"]


# --- Versions ---------------------------------------------------------------------------------


def test_versions_and_the_diff_between_two(plans, world, api):
    plan = plans.under_review()
    from plans import services

    first, second = list(plan.goals.all())
    services.plan_item_update(
        reach=plans.reach, item=first, text="Jeg vil bo i egen leilighet innen sommeren."
    )
    services.plan_item_delete(reach=plans.reach, item=second)
    services.plan_item_create(reach=plans.reach, plan=plan, model=Goal, text="Jeg vil lære å sykle.")
    for goal in plan.goals.all():
        services.goal_assess(reach=plans.reach, goal=goal, progress="continued", assessment="Fortsetter.")
    services.plan_update(
        reach=plans.reach, plan=plan, next_review_date=plan.next_review_date.replace(year=2099)
    )
    services.plan_complete_review(reach=plans.reach, plan=plan)

    versions = api(world.actors["caseworker"]).get(_url(plan, "versions/"))
    diff_response = api(world.actors["caseworker"]).get(_url(plan, "versions/1/diff/2/"))

    assert versions.status_code == 200, versions.content
    assert diff_response.status_code == 200, diff_response.content
    assert [v["number"] for v in versions.json()["results"]] == [1, 2]
    diff = diff_response.json()
    assert [g["text"] for g in diff["goals"]["added"]] == ["Jeg vil lære å sykle."]
    assert [g["text"] for g in diff["goals"]["removed"]] == ["Jeg vil ha en jobb to dager i uka."]
    assert diff["goals"]["changed"][0]["fields"]["text"] == [
        "Jeg vil bo i egen leilighet.",
        "Jeg vil bo i egen leilighet innen sommeren.",
    ]
    assert diff["plan"]["next_review_date"][1].startswith("2099-")


def test_a_missing_version_is_404(plans, world, api):
    plan = plans.active()

    assert api(world.actors["caseworker"]).get(_url(plan, "versions/7/")).status_code == 404


# --- Query budgets --------------------------------------------------------------------------


def test_a_transition_request_runs_a_fixed_number_of_queries(plans, world, api):
    client = api(world.actors["caseworker"])
    first = plans.draft()
    from casework.selectors import reach_for as _reach_for
    from plans import services as _services

    _services.plan_item_create(reach=_reach_for(world.actors["caseworker"]), plan=first, model=Goal, text="x")
    with count_queries() as one:
        response = client.post(_url(first, "transitions/request_consent/"), {}, format="json")
    assert response.status_code == 200, response.content
    from casework.selectors import reach_for
    from plans import services
    from tests.factories import ServiceUserFactory

    person = ServiceUserFactory(units=[world.unit_a])
    second = services.plan_create(
        reach=reach_for(world.actors["caseworker"]),
        service_user=person,
        unit=world.unit_a,
        coordinator=world.actors["caseworker"],
    )
    for text in ("a", "b", "c", "d", "e"):
        services.plan_item_create(
            reach=reach_for(world.actors["caseworker"]), plan=second, model=Goal, text=text
        )
    with count_queries() as two:
        response = client.post(_url(second, "transitions/request_consent/"), {}, format="json")
    assert response.status_code == 200, response.content

    assert len(one) == len(two), two.report()


def test_the_plan_admin_is_read_only_and_logs_what_it_shows(plans, world, client):
    plan = plans.active()
    client.force_login(world.actors["superuser"])

    page = client.get(f"/admin/plans/individualplan/{plan.pk}/change/")

    assert page.status_code == 200
    assert "Jeg vil bo i egen leilighet." in page.content.decode()
    assert client.get("/admin/plans/individualplan/add/").status_code == 403
    assert AccessLogEntry.objects.filter(resource="admin.plan.detail", service_user=world.person).count() == 1


def test_content_gives_the_working_copy_in_the_shape_of_a_version(plans, world, api):
    plan = plans.active()
    from plans import services

    services.plan_start_review(reach=plans.reach, plan=plan)
    services.plan_item_create(reach=plans.reach, plan=plan, model=Goal, text="Et nytt mål i arbeid")

    working_response = api(world.actors["caseworker"]).get(_url(plan, "content/"))
    approved_response = api(world.actors["caseworker"]).get(_url(plan, "versions/1/"))

    assert working_response.status_code == 200, working_response.content
    assert approved_response.status_code == 200, approved_response.content
    working, approved = working_response.json(), approved_response.json()["content"]
    assert set(working) == set(approved)
    assert [g["text"] for g in working["goals"]][-1] == "Et nytt mål i arbeid"
    assert "Et nytt mål i arbeid" not in [g["text"] for g in approved["goals"]]
    assert api(world.actors["guardian"]).get(_url(plan, "content/")).status_code == 404
