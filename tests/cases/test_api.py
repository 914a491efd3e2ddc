"""The cases and home-visits API: the workflow endpoints, the deadline work list, who sees what."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from cases.models import Case
from casework.models import AccessLogEntry

pytestmark = pytest.mark.django_db


def _post(client, url, body=None, status=200):
    """A set-up step: POST ``body`` as JSON, which must be answered ``status``."""
    response = client.post(url, body or {}, format="json")
    assert response.status_code == status, response.content
    return response


@pytest.fixture
def case_id(world, api):
    client = api(world.actors["caseworker"])
    created = client.post(
        "/api/v1/cases/",
        {
            "service_user": world.person.pk,
            "unit": world.unit_a.pk,
            "service_applied_for": "Hjemmesykepleie",
            "received_on": (timezone.localdate() - datetime.timedelta(days=40)).isoformat(),
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    return created.json()["id"]


def test_deciding_without_a_visit_is_422_and_with_one_200(world, api, case_id):
    client = api(world.actors["caseworker"])
    _post(client, f"/api/v1/cases/{case_id}/transitions/start_assessment/")
    decision = {
        "outcome": "granted",
        "reasons": "Dokumentert behov.",
        "complaint_information": "Klagefrist 3 uker.",
    }

    refused = client.post(f"/api/v1/cases/{case_id}/transitions/decide/", decision, format="json")
    visit = _post(client, "/api/v1/home-visits/", {"case": case_id}, status=201).json()["id"]
    _post(
        client,
        f"/api/v1/home-visits/{visit}/transitions/schedule/",
        {"at": (timezone.now() + datetime.timedelta(days=1)).isoformat()},
    )
    _post(
        client,
        f"/api/v1/home-visits/{visit}/transitions/complete/",
        {"findings": "Trenger hjelp morgen og kveld.", "wishes": "Jeg vil klare meg hjemme."},
    )
    decided = client.post(f"/api/v1/cases/{case_id}/transitions/decide/", decision, format="json")

    assert refused.status_code == 422
    assert refused.json()["missing"] == ["home_visit_or_reason"]
    assert decided.status_code == 200
    assert decided.json()["state"] == "decided"
    assert decided.json()["decision"]["outcome"] == "granted"


def test_a_case_past_one_month_without_reply_is_on_the_work_list(world, api, case_id):
    response = api(world.actors["unit_manager"]).get(f"/api/v1/cases/past-deadline/?unit={world.unit_a.pk}")

    assert response.status_code == 200, response.content
    assert [row["id"] for row in response.json()["results"]] == [case_id]
    assert AccessLogEntry.objects.filter(resource="case.past_deadline").count() == 1


def test_the_transitions_list_names_the_missing_visit(world, api, case_id):
    client = api(world.actors["caseworker"])
    _post(client, f"/api/v1/cases/{case_id}/transitions/start_assessment/")

    response = client.get(f"/api/v1/cases/{case_id}/transitions/")

    assert response.status_code == 200, response.content
    assert response.json() == [
        {
            "name": "decide",
            "target": "decided",
            "allowed": False,
            "blocked_by": [
                "missing: home_visit_or_reason",
                "input: outcome, reasons, complaint_information",
            ],
        }
    ]


def test_history_lists_the_steps(world, api, case_id):
    client = api(world.actors["caseworker"])
    _post(client, f"/api/v1/cases/{case_id}/transitions/start_assessment/", {"comment": "Fordelt"})

    response = client.get(f"/api/v1/cases/{case_id}/history/")

    assert response.status_code == 200, response.content
    assert [(r["name"], r["comment"]) for r in response.json()["results"]] == [
        ("start_assessment", "Fordelt")
    ]


CASE_DETAIL = {
    "superuser": 200,
    "caseworker": 200,
    "caseworker_other_unit": 404,
    "coordinator": 200,
    "unit_manager": 200,
    "quality_admin": 200,
    "guardian": 404,
    "guardian_expired": 404,
    "relative": 404,
    "relative_without_consent": 404,
    "anonymous": 401,
}


@pytest.mark.parametrize(("actor", "expected"), CASE_DETAIL.items())
def test_case_detail_permission_matrix(world, api, case_id, actor, expected):
    assert api(world.actors[actor]).get(f"/api/v1/cases/{case_id}/").status_code == expected


@pytest.mark.parametrize("actor", ["coordinator", "quality_admin"])
def test_readers_may_not_move_a_case(world, api, case_id, actor):
    response = api(world.actors[actor]).post(
        f"/api/v1/cases/{case_id}/transitions/start_assessment/", {}, format="json"
    )

    assert response.status_code == 403
    assert Case.objects.get(pk=case_id).state == "received"


def test_a_case_received_in_the_future_is_400(world, api):
    response = api(world.actors["caseworker"]).post(
        "/api/v1/cases/",
        {
            "service_user": world.person.pk,
            "unit": world.unit_a.pk,
            "service_applied_for": "Hjemmesykepleie",
            "received_on": (timezone.localdate() + datetime.timedelta(days=1)).isoformat(),
        },
        format="json",
    )

    assert response.status_code == 400
    assert Case.objects.count() == 0


def test_a_provisional_reply_takes_the_case_off_the_work_list(world, api, case_id):
    client = api(world.actors["caseworker"])

    sent = client.post(
        f"/api/v1/cases/{case_id}/provisional-reply/",
        {"sent_on": timezone.localdate().isoformat()},
        format="json",
    )

    assert sent.status_code == 200
    work_list = client.get("/api/v1/cases/past-deadline/")
    assert work_list.status_code == 200, work_list.content
    assert (work_list.json()["count"], work_list.json()["results"]) == (0, [])


def test_appeal_and_close_after_the_decision(world, api, case_id):
    client = api(world.actors["caseworker"])
    _post(client, f"/api/v1/cases/{case_id}/transitions/start_assessment/")
    _post(client, f"/api/v1/cases/{case_id}/no-visit-reason/", {"reason": "Ønsket ikke besøk"})
    _post(
        client,
        f"/api/v1/cases/{case_id}/transitions/decide/",
        {"outcome": "refused", "reasons": "Ikke behov.", "complaint_information": "Klage innen tre uker."},
    )

    appealed = client.post(
        f"/api/v1/cases/{case_id}/transitions/appeal/", {"comment": "Klage mottatt"}, format="json"
    )
    closed = client.post(f"/api/v1/cases/{case_id}/transitions/close/", {}, format="json")

    assert (appealed.status_code, closed.status_code) == (200, 200), (appealed.content, closed.content)
    assert (appealed.json()["state"], closed.json()["state"]) == ("appealed", "closed")


def test_a_visit_with_a_guardian_whose_mandate_ended_is_422(world, api, case_id):
    from casework.models import Representative

    client = api(world.actors["caseworker"])
    expired = Representative.objects.get(user=world.actors["guardian_expired"])
    valid = Representative.objects.get(user=world.actors["guardian"])
    visit = _post(client, "/api/v1/home-visits/", {"case": case_id}, status=201).json()["id"]
    _post(
        client,
        f"/api/v1/home-visits/{visit}/transitions/schedule/",
        {"at": (timezone.now() + datetime.timedelta(days=1)).isoformat()},
    )
    body = {"findings": "Funn", "wishes": "Ønsker", "representatives": [expired.pk]}

    refused = client.post(f"/api/v1/home-visits/{visit}/transitions/complete/", body, format="json")
    body["representatives"] = [valid.pk]
    done = client.post(f"/api/v1/home-visits/{visit}/transitions/complete/", body, format="json")

    assert refused.status_code == 422
    assert done.status_code == 200
    transitions = client.get(f"/api/v1/home-visits/{visit}/transitions/")
    assert transitions.status_code == 200, transitions.content
    assert transitions.json() == []


def test_deciding_a_closed_case_is_409_even_without_the_decision_fields(world, api, case_id):
    client = api(world.actors["caseworker"])
    _post(client, f"/api/v1/cases/{case_id}/transitions/start_assessment/")
    _post(client, f"/api/v1/cases/{case_id}/no-visit-reason/", {"reason": "Grunn"})
    _post(
        client,
        f"/api/v1/cases/{case_id}/transitions/decide/",
        {"outcome": "refused", "reasons": "R", "complaint_information": "K"},
    )
    _post(client, f"/api/v1/cases/{case_id}/transitions/close/")

    response = client.post(f"/api/v1/cases/{case_id}/transitions/decide/", {}, format="json")

    assert response.status_code == 409
