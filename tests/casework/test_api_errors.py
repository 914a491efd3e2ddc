"""Bad input answered as the contract says: RFC 9457 problem details, and nothing changed.

Every error is ``application/problem+json`` with ``type``, ``title``, ``status``, ``detail`` and
``code``; validation errors add ``errors`` as ``[{field, code, detail}]``. A refused write leaves
the service users, the audit trail and the access log exactly as they were.
"""

from __future__ import annotations

from typing import Any

import pytest

from casework.api.problems import PROBLEM_BASE_URI
from casework.models import AccessLogEntry, AuditEvent, ServiceUser
from tests.clients import CheckedClient

pytestmark = pytest.mark.django_db

PROBLEM = "application/problem+json"
VALID_NATIONAL_ID = "15076500565"  # born 1965-07-15
BAD_CHECKSUM = "15076500566"
TEN_DIGITS = "1507650056"


def _counts() -> tuple[int, int, int]:
    return ServiceUser.objects.count(), AuditEvent.objects.count(), AccessLogEntry.objects.count()


def _problem(response: Any, *, status: int, code: str) -> dict[str, Any]:
    """The body of a problem response, after checking its media type and common members."""
    assert response.status_code == status
    assert response["Content-Type"] == PROBLEM
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    assert body["code"] == code
    assert body["type"] == PROBLEM_BASE_URI + code.replace("_", "-")
    assert isinstance(body["title"], str)
    assert body["title"] != ""
    assert isinstance(body["detail"], str)
    return body


def _new_person(world: Any, **overrides: Any) -> dict[str, Any]:
    return {
        "national_id": VALID_NATIONAL_ID,
        "first_name": "Ny",
        "last_name": "Person",
        "units": [world.unit_a.pk],
        **overrides,
    }


# --- Fødselsnummer ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("national_id", "code"), [(BAD_CHECKSUM, "invalid_checksum"), (TEN_DIGITS, "invalid_length")]
)
def test_create_with_invalid_national_id_is_400_naming_the_field(world, api, national_id, code):
    before = _counts()

    response = api(world.actors["caseworker"]).post(
        "/api/v1/service-users/", _new_person(world, national_id=national_id), format="json"
    )

    body = _problem(response, status=400, code="invalid")
    assert body["errors"] == [{"field": "national_id", "code": code, "detail": body["errors"][0]["detail"]}]
    assert body["errors"][0]["detail"] != ""
    assert _counts() == before


@pytest.mark.parametrize(
    ("national_id", "code"), [(BAD_CHECKSUM, "invalid_checksum"), (TEN_DIGITS, "invalid_length")]
)
def test_search_with_invalid_national_id_is_400_naming_the_field(world, api, national_id, code):
    before = _counts()

    response = api(world.actors["caseworker"]).post(
        "/api/v1/service-users/search/", {"national_id": national_id}, format="json"
    )

    body = _problem(response, status=400, code="invalid")
    assert body["errors"] == [{"field": "national_id", "code": code, "detail": body["errors"][0]["detail"]}]
    assert _counts() == before


def test_invalid_national_id_is_not_echoed_back(world, api):
    response = api(world.actors["caseworker"]).post(
        "/api/v1/service-users/", _new_person(world, national_id=BAD_CHECKSUM), format="json"
    )

    assert response.status_code == 400
    assert BAD_CHECKSUM not in response.content.decode()


def test_date_of_birth_not_matching_the_national_id_is_400(world, api):
    before = _counts()

    response = api(world.actors["caseworker"]).post(
        "/api/v1/service-users/", _new_person(world, date_of_birth="1965-07-16"), format="json"
    )

    body = _problem(response, status=400, code="invalid")
    assert body["errors"] == [
        {"field": "date_of_birth", "code": "mismatch", "detail": body["errors"][0]["detail"]}
    ]
    assert _counts() == before


def test_duplicate_national_id_is_409(world, api):
    before = _counts()

    response = api(world.actors["caseworker"]).post(
        "/api/v1/service-users/", _new_person(world, national_id=world.person.national_id), format="json"
    )

    _problem(response, status=409, code="duplicate")
    assert _counts() == before
    assert world.person.national_id not in response.content.decode()


# --- Body shape -----------------------------------------------------------------------------


def test_unknown_body_field_on_create_is_400_unknown_field(world, api):
    before = _counts()

    response = api(world.actors["caseworker"]).post(
        "/api/v1/service-users/", _new_person(world, shoe_size=44), format="json"
    )

    body = _problem(response, status=400, code="invalid")
    assert body["errors"] == [
        {"field": "shoe_size", "code": "unknown_field", "detail": body["errors"][0]["detail"]}
    ]
    assert _counts() == before


def test_unknown_body_field_on_update_is_400_and_changes_nothing(world, api):
    before = _counts()

    response = api(world.actors["caseworker"]).patch(
        f"/api/v1/service-users/{world.person.pk}/", {"phone": "40000000", "national_id": "x"}, format="json"
    )

    body = _problem(response, status=400, code="invalid")
    assert body["errors"] == [
        {"field": "national_id", "code": "unknown_field", "detail": body["errors"][0]["detail"]}
    ]
    world.person.refresh_from_db()
    assert world.person.phone == "99887766"
    assert _counts() == before


def test_malformed_json_is_400_parse_error(world, api):
    before = _counts()

    response = api(world.actors["caseworker"]).post(
        "/api/v1/service-users/", '{"national_id": "15076500565",', content_type="application/json"
    )

    _problem(response, status=400, code="parse_error")
    assert _counts() == before


@pytest.mark.parametrize(
    "content_type", ["text/plain", "application/x-www-form-urlencoded", "application/xml"]
)
def test_wrong_content_type_is_415(world, api, content_type):
    before = _counts()

    response = api(world.actors["caseworker"]).post(
        "/api/v1/service-users/", "national_id=15076500565&first_name=Ny", content_type=content_type
    )

    _problem(response, status=415, code="unsupported_media_type")
    assert _counts() == before


def test_multipart_form_data_is_415(world, api):
    before = _counts()

    response = api(world.actors["caseworker"]).post(
        "/api/v1/service-users/", _new_person(world), format="multipart"
    )

    _problem(response, status=415, code="unsupported_media_type")
    assert _counts() == before


def test_body_over_one_megabyte_is_413(world, api):
    before = _counts()
    padding = "x" * (1024 * 1024)

    response = api(world.actors["caseworker"]).post(
        "/api/v1/service-users/", _new_person(world, address=padding), format="json"
    )

    body = _problem(response, status=413, code="request_too_large")
    assert "1048576" in body["detail"]
    assert _counts() == before


def test_content_length_over_the_limit_is_413_before_the_body_is_read(world, api):
    before = _counts()

    response = api(world.actors["caseworker"]).generic(
        "POST",
        "/api/v1/service-users/",
        b"{}",
        content_type="application/json",
        CONTENT_LENGTH="1048577",
    )

    _problem(response, status=413, code="request_too_large")
    assert _counts() == before


def test_body_of_exactly_one_megabyte_is_not_413(world, api):
    body = b'{"national_id": "' + b"1" * (1024 * 1024 - 19) + b'"}'
    assert len(body) == 1024 * 1024

    response = api(world.actors["caseworker"]).generic(
        "POST", "/api/v1/service-users/search/", body, content_type="application/json"
    )

    _problem(response, status=400, code="invalid")


# --- Who and where ----------------------------------------------------------------------------


def test_no_login_is_401_with_www_authenticate(world, api):
    response = api(None).get(f"/api/v1/service-users/{world.person.pk}/")

    _problem(response, status=401, code="not_authenticated")
    assert response["WWW-Authenticate"] == "Token"


def test_no_login_on_a_write_is_401_and_changes_nothing(world, api):
    before = _counts()

    response = api(None).post("/api/v1/service-users/", _new_person(world), format="json")

    _problem(response, status=401, code="not_authenticated")
    assert response["WWW-Authenticate"] == "Token"
    assert _counts() == before


def test_out_of_reach_is_404_like_a_missing_person(world, api):
    client = api(world.actors["caseworker_other_unit"])
    missing_pk = ServiceUser.objects.order_by("-pk").values_list("pk", flat=True)[0] + 1000

    out_of_reach = client.get(f"/api/v1/service-users/{world.person.pk}/")
    missing = client.get(f"/api/v1/service-users/{missing_pk}/")

    assert _problem(out_of_reach, status=404, code="not_found") == _problem(
        missing, status=404, code="not_found"
    )


def test_update_out_of_reach_is_404_and_changes_nothing(world, api):
    before = _counts()

    response = api(world.actors["caseworker_other_unit"]).patch(
        f"/api/v1/service-users/{world.person.pk}/", {"phone": "40000000"}, format="json"
    )

    _problem(response, status=404, code="not_found")
    world.person.refresh_from_db()
    assert world.person.phone == "99887766"
    assert _counts() == before


@pytest.mark.parametrize("method", ["put", "delete"])
def test_put_and_delete_on_a_service_user_are_405(world, api, method):
    before = _counts()

    response = getattr(api(world.actors["caseworker"]), method)(
        f"/api/v1/service-users/{world.person.pk}/", _new_person(world), format="json"
    )

    _problem(response, status=405, code="method_not_allowed")
    assert ServiceUser.objects.filter(pk=world.person.pk).count() == 1
    assert _counts() == before


def test_unknown_api_url_is_404_problem():
    response = CheckedClient().get("/api/v1/no-such-resource/")

    _problem(response, status=404, code="not_found")


def test_unknown_api_url_for_a_logged_in_user_is_404_problem(world, api):
    response = api(world.actors["caseworker"]).get("/api/v1/service-users/not-a-number/")

    _problem(response, status=404, code="not_found")
