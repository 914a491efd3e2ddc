"""Holes found in review, each closed and kept closed."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from casework.models import AccessLogEntry, AuditEvent, Consent, Representative, ServiceUser
from casework.selectors import reach_for
from casework.services import service_user_access_grant
from tests.factories import ConsentFactory, RepresentativeFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_a_caseworker_may_not_link_a_portal_login_to_a_representative(world, api):
    outsider = UserFactory()

    response = api(world.actors["caseworker"]).post(
        "/api/v1/representatives/",
        {
            "service_user": world.person.pk,
            "kind": "relative",
            "first_name": "A",
            "last_name": "B",
            "portal_username": outsider.username,
        },
        format="json",
    )

    assert response.status_code == 403
    assert not Representative.objects.filter(user=outsider).exists()


def test_a_staff_login_can_never_be_a_portal_login(world, api):
    response = api(world.actors["unit_manager"]).post(
        "/api/v1/representatives/",
        {
            "service_user": world.person.pk,
            "kind": "relative",
            "first_name": "A",
            "last_name": "B",
            "portal_username": world.actors["caseworker_other_unit"].username,
        },
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "staff_login"


def test_taking_a_person_away_from_another_unit_needs_a_role_there(world, api):
    world.person.units.add(world.unit_b)

    response = api(world.actors["caseworker"]).patch(
        f"/api/v1/service-users/{world.person.pk}/", {"units": [world.unit_a.pk]}, format="json"
    )

    assert response.status_code == 403
    assert set(world.person.units.values_list("pk", flat=True)) == {world.unit_a.pk, world.unit_b.pk}


@pytest.mark.parametrize("endpoint", ["consents", "representatives", "mandates"])
def test_filtering_by_a_missing_or_unreachable_person_looks_the_same(world, api, endpoint):
    client = api(world.actors["caseworker"])

    missing = client.get(f"/api/v1/{endpoint}/?service_user=999999")
    unreachable = client.get(f"/api/v1/{endpoint}/?service_user={world.other_person.pk}")

    assert (missing.status_code, unreachable.status_code) == (200, 200)
    assert missing.json()["count"] == unreachable.json()["count"] == 0


def test_an_unknown_query_parameter_is_refused_without_echoing_its_value(world, api):
    response = api(world.actors["caseworker"]).get(
        f"/api/v1/service-users/?national_id={world.person.national_id}"
    )

    assert response.status_code == 400
    assert response.json()["errors"] == [
        {
            "field": "national_id",
            "code": "unknown_parameter",
            "detail": response.json()["errors"][0]["detail"],
        }
    ]
    assert world.person.national_id not in response.content.decode()
    assert AccessLogEntry.objects.count() == 0


def test_a_chunked_body_without_length_is_refused(world, api):
    response = api(world.actors["caseworker"]).generic(
        "POST",
        "/api/v1/service-users/search/",
        b"",
        content_type="application/json",
        HTTP_TRANSFER_ENCODING="chunked",
    )

    assert response.status_code == 411
    assert response["Content-Type"] == "application/problem+json"


def test_a_search_without_match_is_audited_without_the_number(world, api):
    response = api(world.actors["caseworker"]).post(
        "/api/v1/service-users/search/", {"national_id": world.other_person.national_id}, format="json"
    )

    assert response.status_code == 200, response.content
    assert response.json()["count"] == 0
    event = AuditEvent.objects.get(action="service_user.search_no_match")
    assert event.actor == world.actors["caseworker"]
    assert world.other_person.national_id not in str(event.changes) + event.comment + event.object_id


def test_the_response_to_a_write_is_logged_as_a_read(world, api):
    response = api(world.actors["caseworker"]).patch(
        f"/api/v1/service-users/{world.person.pk}/", {"city": "Lia"}, format="json"
    )

    assert response.status_code == 200, response.content
    assert (
        AccessLogEntry.objects.filter(service_user=world.person, resource="service_user.detail").count() == 1
    )


def test_grants_by_the_system_are_audited_with_a_role(world):
    person = world.other_person

    service_user_access_grant(
        reach=None, actor=world.actors["superuser"], service_user=person, user=UserFactory(), reason="plan"
    )

    assert AuditEvent.objects.filter(action="service_user.grant_access").latest("id").actor_role == "system"


def test_a_login_with_only_a_grant_sees_the_persons_representatives(world, api):
    granted = UserFactory()  # no unit membership at all
    service_user_access_grant(
        reach=None, actor=world.actors["superuser"], service_user=world.person, user=granted, reason="plan"
    )

    response = api(granted).get(f"/api/v1/representatives/?service_user={world.person.pk}")

    assert response.status_code == 200, response.content
    assert response.json()["count"] == Representative.objects.filter(service_user=world.person).count()


def test_a_new_password_ends_existing_tokens(world, client):
    user = world.actors["caseworker"]
    user.set_password("first-pass-2026")
    user.save()
    login = client.post(
        "/api/v1/auth/token/",
        {"username": user.username, "password": "first-pass-2026"},
        content_type="application/json",
    )
    assert login.status_code == 200, login.content
    token = login.json()["token"]
    assert client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {token}").status_code == 200

    user.set_password("second-pass-2026")
    user.save()

    assert client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {token}").status_code == 401


def test_seeding_again_does_not_undo_a_withdrawn_consent():
    call_command("seed_demo", stdout=io.StringIO())
    consent = Consent.objects.get(representative__user__username="parorende")
    Consent.objects.filter(pk=consent.pk).update(withdrawn_at="2026-01-01T00:00:00Z")

    call_command("seed_demo", stdout=io.StringIO())

    consent.refresh_from_db()
    assert consent.withdrawn_at is not None
    assert ServiceUser.objects.count() == 60


def test_the_admin_refuses_writes_from_staff_who_are_not_superusers(world, client):
    from django.contrib.auth.models import Permission

    staff = world.actors["caseworker"]
    staff.is_staff = True
    staff.save()
    staff.user_permissions.add(
        *Permission.objects.filter(codename__in=["add_serviceuser", "view_serviceuser"])
    )
    client.force_login(staff)

    assert client.get("/admin/casework/serviceuser/add/").status_code == 403
    assert client.get("/admin/casework/serviceuser/").status_code == 200


def test_reach_of_a_relative_needs_consent_to_their_own_access(world):
    relative_user = UserFactory()
    relative = RepresentativeFactory(service_user=world.person, user=relative_user)
    ConsentFactory(service_user=world.person, representative=relative, covers_plan=True)

    assert reach_for(relative_user).represented == {}
