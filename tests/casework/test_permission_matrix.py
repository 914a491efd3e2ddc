"""Who may do what, endpoint by endpoint: each actor of the matrix against one person.

The person is served by unit A. See ``tests/conftest.py`` for who each actor is. 404 means
"outside reach" and is indistinguishable from a missing object; 403 means "in reach, but this
action is not yours".
"""

from __future__ import annotations

import pytest

from casework.choices import RepresentativeKind
from casework.models import AuditEvent, Consent, Mandate, Representative, ServiceUser

pytestmark = pytest.mark.django_db

DETAIL = {
    "superuser": 200,
    "caseworker": 200,
    "caseworker_other_unit": 404,
    "coordinator": 200,
    "unit_manager": 200,
    "quality_admin": 200,
    "guardian": 200,
    "guardian_expired": 404,
    "relative": 200,
    "relative_without_consent": 404,
    "anonymous": 401,
}


@pytest.mark.parametrize(("actor", "expected"), DETAIL.items())
def test_service_user_detail(world, api, actor, expected):
    response = api(world.actors[actor]).get(f"/api/v1/service-users/{world.person.pk}/")

    assert response.status_code == expected
    if expected == 200:
        assert response.json()["national_id"] == world.person.national_id
    else:
        assert response["Content-Type"] == "application/problem+json"
        assert world.person.national_id not in response.content.decode()


LIST_IDS = {
    "superuser": "both",
    "caseworker": "person",
    "caseworker_other_unit": "other",
    "coordinator": "both",
    "unit_manager": "person",
    "quality_admin": "person",
    "guardian": "person",
    "guardian_expired": "none",
    "relative": "person",
    "relative_without_consent": "none",
}


@pytest.mark.parametrize(("actor", "sees"), LIST_IDS.items())
def test_service_user_list(world, api, actor, sees):
    expected = {
        "both": {world.person.pk, world.other_person.pk},
        "person": {world.person.pk},
        "other": {world.other_person.pk},
        "none": set(),
    }[sees]

    response = api(world.actors[actor]).get("/api/v1/service-users/")

    assert response.status_code == 200
    body = response.json()
    assert {row["id"] for row in body["results"]} == expected
    assert body["count"] == len(expected)


def test_service_user_list_anonymous(world, api):
    assert api(None).get("/api/v1/service-users/").status_code == 401


UPDATE = {
    "superuser": 200,
    "caseworker": 200,
    "caseworker_other_unit": 404,
    "coordinator": 403,
    "unit_manager": 200,
    "quality_admin": 403,
    "guardian": 403,
    "guardian_expired": 404,
    "relative": 403,
    "relative_without_consent": 404,
    "anonymous": 401,
}


@pytest.mark.parametrize(("actor", "expected"), UPDATE.items())
def test_service_user_update(world, api, actor, expected):
    audit_before = AuditEvent.objects.count()

    response = api(world.actors[actor]).patch(
        f"/api/v1/service-users/{world.person.pk}/", {"phone": "40000000"}, format="json"
    )

    assert response.status_code == expected
    world.person.refresh_from_db()
    if expected == 200:
        assert world.person.phone == "40000000"
        assert AuditEvent.objects.count() == audit_before + 1
    else:
        assert world.person.phone == "99887766"
        assert AuditEvent.objects.count() == audit_before


CREATE = {
    "superuser": 201,
    "caseworker": 201,
    "caseworker_other_unit": 403,
    "coordinator": 403,
    "unit_manager": 201,
    "quality_admin": 403,
    "guardian": 403,
    "guardian_expired": 403,
    "relative": 403,
    "relative_without_consent": 403,
    "anonymous": 401,
}


@pytest.mark.parametrize(("actor", "expected"), CREATE.items())
def test_service_user_create_in_unit_a(world, api, actor, expected):
    count_before = ServiceUser.objects.count()

    response = api(world.actors[actor]).post(
        "/api/v1/service-users/",
        {"national_id": "15076500565", "first_name": "Ny", "last_name": "Person", "units": [world.unit_a.pk]},
        format="json",
    )

    assert response.status_code == expected
    assert ServiceUser.objects.count() == count_before + (1 if expected == 201 else 0)


ACCESS_LOG = {
    "superuser": 200,
    "caseworker": 403,
    "caseworker_other_unit": 404,
    "coordinator": 403,
    "unit_manager": 200,
    "quality_admin": 200,
    "guardian": 403,
    "guardian_expired": 404,
    "relative": 403,
    "relative_without_consent": 404,
    "anonymous": 401,
}


@pytest.mark.parametrize(("actor", "expected"), ACCESS_LOG.items())
def test_service_user_access_log(world, api, actor, expected):
    response = api(world.actors[actor]).get(f"/api/v1/service-users/{world.person.pk}/access-log/")

    assert response.status_code == expected


SEARCH = {
    "superuser": 1,
    "caseworker": 1,
    "caseworker_other_unit": 0,
    "coordinator": 1,
    "unit_manager": 1,
    "quality_admin": 1,
    "guardian": 1,
    "guardian_expired": 0,
    "relative": 1,
    "relative_without_consent": 0,
}


@pytest.mark.parametrize(("actor", "found"), SEARCH.items())
def test_service_user_search(world, api, actor, found):
    response = api(world.actors[actor]).post(
        "/api/v1/service-users/search/", {"national_id": world.person.national_id}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["count"] == found


def test_service_user_search_anonymous(world, api):
    response = api(None).post(
        "/api/v1/service-users/search/", {"national_id": world.person.national_id}, format="json"
    )
    assert response.status_code == 401


# --- Representatives, mandates and consents about the person --------------------------------

REPRESENTATIVE_OF_GUARDIAN = {
    "superuser": 200,
    "caseworker": 200,
    "caseworker_other_unit": 404,
    "coordinator": 200,
    "unit_manager": 200,
    "quality_admin": 200,
    "guardian": 200,  # their own record, while the mandate is valid
    "guardian_expired": 404,
    "relative": 404,  # another representative's record
    "relative_without_consent": 404,
    "anonymous": 401,
}


@pytest.mark.parametrize(("actor", "expected"), REPRESENTATIVE_OF_GUARDIAN.items())
def test_representative_detail(world, api, actor, expected):
    guardian = Representative.objects.get(user=world.actors["guardian"])

    response = api(world.actors[actor]).get(f"/api/v1/representatives/{guardian.pk}/")

    assert response.status_code == expected


@pytest.mark.parametrize(("actor", "expected"), REPRESENTATIVE_OF_GUARDIAN.items())
def test_mandate_detail(world, api, actor, expected):
    mandate = Mandate.objects.get(representative__user=world.actors["guardian"])

    response = api(world.actors[actor]).get(f"/api/v1/mandates/{mandate.pk}/")

    assert response.status_code == expected


CONSENT_OF_RELATIVE = {
    **REPRESENTATIVE_OF_GUARDIAN,
    "guardian": 404,
    "relative": 200,  # the consent that gives them access
}


@pytest.mark.parametrize(("actor", "expected"), CONSENT_OF_RELATIVE.items())
def test_consent_detail(world, api, actor, expected):
    consent = Consent.objects.get(representative__user=world.actors["relative"])

    response = api(world.actors[actor]).get(f"/api/v1/consents/{consent.pk}/")

    assert response.status_code == expected


WRITE_ABOUT_PERSON = {
    "superuser": 201,
    "caseworker": 201,
    "caseworker_other_unit": 400,  # the person is not found in their reach
    "coordinator": 403,
    "unit_manager": 201,
    "quality_admin": 403,
    "guardian": 403,
    "guardian_expired": 400,
    "relative": 403,
    "relative_without_consent": 400,
    "anonymous": 401,
}


@pytest.mark.parametrize(("actor", "expected"), WRITE_ABOUT_PERSON.items())
def test_representative_create(world, api, actor, expected):
    before = Representative.objects.count()

    response = api(world.actors[actor]).post(
        "/api/v1/representatives/",
        {
            "service_user": world.person.pk,
            "kind": RepresentativeKind.RELATIVE,
            "first_name": "Nils",
            "last_name": "Berg",
        },
        format="json",
    )

    assert response.status_code == expected
    assert Representative.objects.count() == before + (1 if expected == 201 else 0)
    if expected == 400:
        assert response.json()["errors"] == [
            {"field": "service_user", "code": "not_found", "detail": response.json()["errors"][0]["detail"]}
        ]


@pytest.mark.parametrize(("actor", "expected"), WRITE_ABOUT_PERSON.items())
def test_consent_create(world, api, actor, expected):
    before = Consent.objects.count()

    response = api(world.actors[actor]).post(
        "/api/v1/consents/",
        {
            "service_user": world.person.pk,
            "given_by": "service_user",
            "covers_group_sharing": True,
            "valid_from": "2026-01-01",
        },
        format="json",
    )

    assert response.status_code == expected
    assert Consent.objects.count() == before + (1 if expected == 201 else 0)


# --- Units (not personal data: staff see the units of their municipality) ----------------------

UNITS = {
    "superuser": 200,
    "caseworker": 200,
    "caseworker_other_unit": 200,
    "coordinator": 200,
    "unit_manager": 200,
    "quality_admin": 200,
    "guardian": 404,
    "guardian_expired": 404,
    "relative": 404,
    "relative_without_consent": 404,
    "anonymous": 401,
}


@pytest.mark.parametrize(("actor", "expected"), UNITS.items())
def test_unit_detail(world, api, actor, expected):
    response = api(world.actors[actor]).get(f"/api/v1/units/{world.unit_a.pk}/")

    assert response.status_code == expected


# --- Lists of representatives: staff see those of people in reach, a representative their own --

REPRESENTATIVE_LIST = {
    "superuser": 4,
    "caseworker": 4,
    "caseworker_other_unit": 0,
    "coordinator": 4,
    "unit_manager": 4,
    "quality_admin": 4,
    "guardian": 1,
    "guardian_expired": 0,
    "relative": 1,
    "relative_without_consent": 0,
}


@pytest.mark.parametrize(("actor", "count"), REPRESENTATIVE_LIST.items())
def test_representative_list(world, api, actor, count):
    response = api(world.actors[actor]).get("/api/v1/representatives/")

    assert response.status_code == 200
    assert response.json()["count"] == count


# --- Changing a mandate and withdrawing a consent -------------------------------------------

CHANGE_ABOUT_PERSON = {
    "superuser": 200,
    "caseworker": 200,
    "caseworker_other_unit": 404,
    "coordinator": 403,
    "unit_manager": 200,
    "quality_admin": 403,
    "anonymous": 401,
}


@pytest.mark.parametrize(("actor", "expected"), CHANGE_ABOUT_PERSON.items())
def test_mandate_end(world, api, actor, expected):
    mandate = Mandate.objects.get(representative__user=world.actors["guardian"])

    response = api(world.actors[actor]).patch(
        f"/api/v1/mandates/{mandate.pk}/", {"valid_to": "2030-12-31"}, format="json"
    )

    assert response.status_code == expected
    mandate.refresh_from_db()
    assert (mandate.valid_to is not None) == (expected == 200)


@pytest.mark.parametrize(
    ("actor", "expected"), {**CHANGE_ABOUT_PERSON, "relative": 403, "guardian": 404}.items()
)
def test_consent_withdraw(world, api, actor, expected):
    consent = Consent.objects.get(representative__user=world.actors["relative"])

    response = api(world.actors[actor]).post(f"/api/v1/consents/{consent.pk}/withdraw/", {}, format="json")

    assert response.status_code == expected
    consent.refresh_from_db()
    assert (consent.withdrawn_at is not None) == (expected == 200)
