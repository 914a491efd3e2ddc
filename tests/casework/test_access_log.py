"""The access log: every read of a person's data leaves one row saying who, in which role, what
and why (pasientjournalloven § 22, Normen fact sheet 15), and the rows cannot be rewritten.

See ``tests/conftest.py`` for the ``world``: the person is served by unit A.
"""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from casework.choices import AccessBasis, StaffRole
from casework.models import AccessLogEntry, AuditEvent, Consent, Mandate, Representative
from tests.factories import MembershipFactory, ServiceUserFactory

pytestmark = pytest.mark.django_db

UNREGISTERED_NATIONAL_ID = "15076500565"  # valid, and not one the factories hand out


def _entries() -> list[tuple[int, str, int, str, str]]:
    return list(
        AccessLogEntry.objects.order_by("id").values_list(
            "actor_id", "actor_role", "service_user_id", "resource", "basis"
        )
    )


# --- Detail reads -----------------------------------------------------------------------------

DETAIL_BASIS = {
    "caseworker": ("caseworker", AccessBasis.UNIT_STAFF),
    "unit_manager": ("unit_manager", AccessBasis.UNIT_STAFF),
    "quality_admin": ("quality_admin", AccessBasis.UNIT_STAFF),
    "guardian": ("guardian", AccessBasis.GUARDIAN_MANDATE),
    "relative": ("relative", AccessBasis.RELATIVE_CONSENT),
    "coordinator": ("coordinator", AccessBasis.EXPLICIT_GRANT),
    "superuser": ("superuser", AccessBasis.SUPERUSER),
}


@pytest.mark.parametrize(("actor", "role_and_basis"), DETAIL_BASIS.items())
def test_a_detail_read_logs_one_entry_with_role_and_basis(world, api, actor, role_and_basis):
    user = world.actors[actor]
    role, basis = role_and_basis

    response = api(user).get(f"/api/v1/service-users/{world.person.pk}/")

    assert response.status_code == 200
    assert _entries() == [(user.pk, role, world.person.pk, "service_user.detail", basis)]


@pytest.mark.parametrize("actor", ["caseworker_other_unit", "guardian_expired", "relative_without_consent"])
def test_a_refused_detail_read_logs_nothing(world, api, actor):
    response = api(world.actors[actor]).get(f"/api/v1/service-users/{world.person.pk}/")

    assert response.status_code == 404
    assert AccessLogEntry.objects.count() == 0


def test_an_anonymous_read_logs_nothing(world, api):
    response = api(None).get(f"/api/v1/service-users/{world.person.pk}/")

    assert response.status_code == 401
    assert AccessLogEntry.objects.count() == 0


def test_a_read_by_someone_in_two_roles_names_both(world, api):
    user = world.actors["caseworker"]
    MembershipFactory(user=user, unit=world.unit_a, role=StaffRole.QUALITY_ADMIN)

    response = api(user).get(f"/api/v1/service-users/{world.person.pk}/")

    assert response.status_code == 200, response.content
    assert AccessLogEntry.objects.get().actor_role == "caseworker,quality_admin"


# --- Lists and search ---------------------------------------------------------------------------


def test_a_list_page_logs_one_entry_per_person_on_it(world, api):
    more = [ServiceUserFactory(units=[world.unit_a]) for _ in range(2)]
    user = world.actors["caseworker"]

    response = api(user).get("/api/v1/service-users/")

    assert response.status_code == 200, response.content
    assert response.json()["count"] == 3
    assert AccessLogEntry.objects.count() == 3
    assert set(AccessLogEntry.objects.values_list("service_user_id", flat=True)) == {
        world.person.pk,
        *(person.pk for person in more),
    }
    assert set(AccessLogEntry.objects.values_list("actor_id", "resource", "basis")) == {
        (user.pk, "service_user.list", AccessBasis.UNIT_STAFF)
    }


def test_a_list_logs_only_the_page_shown(world, api):
    for _ in range(4):
        ServiceUserFactory(units=[world.unit_a])

    response = api(world.actors["caseworker"]).get("/api/v1/service-users/?page_size=2")

    assert response.status_code == 200, response.content
    assert response.json()["count"] == 5
    shown = {row["id"] for row in response.json()["results"]}
    assert set(AccessLogEntry.objects.values_list("service_user_id", flat=True)) == shown
    assert AccessLogEntry.objects.count() == 2


def test_an_empty_list_logs_nothing(world, api):
    response = api(world.actors["guardian_expired"]).get("/api/v1/service-users/")

    assert response.status_code == 200, response.content
    assert response.json()["count"] == 0
    assert AccessLogEntry.objects.count() == 0


def test_a_search_with_a_match_logs_the_person(world, api):
    user = world.actors["caseworker"]

    response = api(user).post(
        "/api/v1/service-users/search/", {"national_id": world.person.national_id}, format="json"
    )

    assert response.status_code == 200, response.content
    assert response.json()["count"] == 1
    assert _entries() == [
        (user.pk, "caseworker", world.person.pk, "service_user.search", AccessBasis.UNIT_STAFF)
    ]


def test_a_search_without_a_match_logs_nothing(world, api):
    response = api(world.actors["caseworker"]).post(
        "/api/v1/service-users/search/", {"national_id": UNREGISTERED_NATIONAL_ID}, format="json"
    )

    assert response.status_code == 200, response.content
    assert response.json()["count"] == 0
    assert AccessLogEntry.objects.count() == 0


def test_a_search_for_someone_out_of_reach_logs_nothing(world, api):
    response = api(world.actors["caseworker_other_unit"]).post(
        "/api/v1/service-users/search/", {"national_id": world.person.national_id}, format="json"
    )

    assert response.status_code == 200, response.content
    assert response.json()["count"] == 0
    assert AccessLogEntry.objects.count() == 0


# --- Representatives, mandates, consents --------------------------------------------------------


def test_reading_a_representative_logs_the_person(world, api):
    user = world.actors["caseworker"]
    row = Representative.objects.get(user=world.actors["guardian"])

    response = api(user).get(f"/api/v1/representatives/{row.pk}/")

    assert response.status_code == 200, response.content
    assert _entries() == [
        (user.pk, "caseworker", world.person.pk, "representative.detail", AccessBasis.UNIT_STAFF)
    ]


def test_reading_a_mandate_logs_the_person(world, api):
    user = world.actors["guardian"]
    row = Mandate.objects.get(representative__user=user)

    response = api(user).get(f"/api/v1/mandates/{row.pk}/")

    assert response.status_code == 200, response.content
    assert _entries() == [
        (user.pk, "guardian", world.person.pk, "mandate.detail", AccessBasis.GUARDIAN_MANDATE)
    ]


def test_reading_a_consent_logs_the_person(world, api):
    user = world.actors["relative"]
    row = Consent.objects.get(representative__user=user)

    response = api(user).get(f"/api/v1/consents/{row.pk}/")

    assert response.status_code == 200, response.content
    assert _entries() == [
        (user.pk, "relative", world.person.pk, "consent.detail", AccessBasis.RELATIVE_CONSENT)
    ]


@pytest.mark.parametrize(
    ("url", "rows", "resource"),
    [
        ("/api/v1/representatives/", 4, "representative.list"),  # two guardians, two relatives
        ("/api/v1/mandates/", 2, "mandate.list"),  # the valid and the expired mandate
        ("/api/v1/consents/", 1, "consent.list"),  # the relative's access consent
    ],
)
def test_a_list_of_rows_about_one_person_logs_the_person_once(world, api, url, rows, resource):
    user = world.actors["caseworker"]

    response = api(user).get(url)

    assert response.status_code == 200, response.content
    assert response.json()["count"] == rows
    assert _entries() == [(user.pk, "caseworker", world.person.pk, resource, AccessBasis.UNIT_STAFF)]


# --- No national identity numbers ----------------------------------------------------------------


def test_no_log_entry_contains_the_national_id(world, api):
    client = api(world.actors["caseworker"])
    detail = client.get(f"/api/v1/service-users/{world.person.pk}/")
    assert detail.status_code == 200, detail.content
    listing = client.get("/api/v1/service-users/")
    assert listing.status_code == 200, listing.content
    search = client.post(
        "/api/v1/service-users/search/", {"national_id": world.person.national_id}, format="json"
    )
    assert search.status_code == 200, search.content

    rows = list(AccessLogEntry.objects.values())
    assert len(rows) == 3
    for row in rows:
        for value in row.values():
            assert world.person.national_id not in str(value)
            assert world.person.masked_national_id not in str(value)


def test_the_access_log_page_does_not_show_the_national_id(world, api):
    read = api(world.actors["caseworker"]).get(f"/api/v1/service-users/{world.person.pk}/")
    assert read.status_code == 200, read.content

    response = api(world.actors["unit_manager"]).get(f"/api/v1/service-users/{world.person.pk}/access-log/")

    assert response.status_code == 200
    assert world.person.national_id not in response.content.decode()


# --- Reading the log --------------------------------------------------------------------------


def test_the_access_log_lists_the_entries_newest_first(world, api):
    for actor in ("caseworker", "guardian", "relative"):
        response = api(world.actors[actor]).get(f"/api/v1/service-users/{world.person.pk}/")
        assert response.status_code == 200, response.content
    manager = world.actors["unit_manager"]

    response = api(manager).get(f"/api/v1/service-users/{world.person.pk}/access-log/")

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 4
    assert [(row["who"], row["actor_role"], row["resource"], row["basis"]) for row in body["results"]] == [
        (manager.get_full_name(), "unit_manager", "service_user.access_log", AccessBasis.UNIT_STAFF),
        (
            world.actors["relative"].get_full_name(),
            "relative",
            "service_user.detail",
            AccessBasis.RELATIVE_CONSENT,
        ),
        (
            world.actors["guardian"].get_full_name(),
            "guardian",
            "service_user.detail",
            AccessBasis.GUARDIAN_MANDATE,
        ),
        (
            world.actors["caseworker"].get_full_name(),
            "caseworker",
            "service_user.detail",
            AccessBasis.UNIT_STAFF,
        ),
    ]
    ids = [row["id"] for row in body["results"]]
    assert ids == sorted(ids, reverse=True)


def test_the_access_log_shows_only_this_persons_entries(world, api):
    read = api(world.actors["superuser"]).get(f"/api/v1/service-users/{world.other_person.pk}/")
    assert read.status_code == 200, read.content

    response = api(world.actors["unit_manager"]).get(f"/api/v1/service-users/{world.person.pk}/access-log/")

    assert response.status_code == 200, response.content
    assert [row["resource"] for row in response.json()["results"]] == ["service_user.access_log"]


def test_a_refused_access_log_read_logs_nothing(world, api):
    response = api(world.actors["caseworker"]).get(f"/api/v1/service-users/{world.person.pk}/access-log/")

    assert response.status_code == 403
    assert AccessLogEntry.objects.count() == 0


# --- Append-only in the database (PostgreSQL trigger, migration 0002) ----------------------------

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="the append-only trigger exists only on PostgreSQL (migration 0002); SQLite has none",
)


@pytest.fixture
def logged(world, api) -> tuple[AccessLogEntry, AuditEvent]:
    """One access-log entry (a read) and one audit event (a write), both about the person."""
    client = api(world.actors["caseworker"])
    read = client.get(f"/api/v1/service-users/{world.person.pk}/")
    assert read.status_code == 200, read.content
    first_read = AccessLogEntry.objects.get()
    update = client.patch(f"/api/v1/service-users/{world.person.pk}/", {"phone": "40000000"}, format="json")
    assert update.status_code == 200, update.content
    return first_read, AuditEvent.objects.get(action="service_user.update")


@pytest.mark.postgres
@on_postgresql
@pytest.mark.parametrize("model", [AccessLogEntry, AuditEvent], ids=["accesslogentry", "auditevent"])
def test_the_database_refuses_to_update_a_log_row(logged, model):
    row = next(obj for obj in logged if isinstance(obj, model))

    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        model.objects.filter(pk=row.pk).update(actor_role="rewritten")

    assert model.objects.get(pk=row.pk).actor_role == row.actor_role


@pytest.mark.postgres
@on_postgresql
@pytest.mark.parametrize("model", [AccessLogEntry, AuditEvent], ids=["accesslogentry", "auditevent"])
def test_the_database_refuses_to_delete_a_log_row(logged, model):
    row = next(obj for obj in logged if isinstance(obj, model))
    before = model.objects.count()

    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        model.objects.filter(pk=row.pk).delete()

    assert model.objects.count() == before


@pytest.mark.postgres
@on_postgresql
@pytest.mark.parametrize("table", ["casework_accesslogentry", "casework_auditevent"])
def test_the_database_refuses_raw_sql_changes_too(logged, table):
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(f"UPDATE {table} SET actor_role = 'rewritten'")  # noqa: S608 - fixed table names

    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(f"DELETE FROM {table}")  # noqa: S608
