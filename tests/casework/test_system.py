"""The system actor (casework.system): made by migration 0007, found again after a flush, one of a
kind, and never a login anybody can use."""

from __future__ import annotations

import datetime
import importlib
from typing import Any

import pytest
from django.apps import apps as global_apps
from django.contrib.auth import authenticate, get_user_model
from django.contrib.auth.hashers import is_password_usable
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.http import Http404
from django.urls import reverse
from django.utils import timezone, translation

from casework.audit import audit_record
from casework.auth import _hash, _password_marker, api_token_issue
from casework.choices import StaffRole
from casework.models import ApiToken, AuditEvent, Representative, StaffMembership
from casework.selectors import staff_user_in_municipality
from casework.system import SYSTEM_USERNAME, actor_name, is_system_actor, system_actor
from quality_conversations.models import QualityConversation
from quality_conversations.services import quality_conversations_expire, quality_conversations_generate
from tests.clients import CheckedAPIClient
from tests.factories import MembershipFactory, UserFactory

MIGRATION = importlib.import_module("casework.migrations.0007_system_actor")
PASSWORD = "correct horse battery"  # tests.factories.UserFactory
TOKEN_URL = "/api/v1/auth/token/"
ME_URL = "/api/v1/me/"
BEFORE = [("casework", "0006_access_grant_ledger")]


def _after() -> list[tuple[str, str]]:
    """Every app at its latest migration (0007 and all that came after it): a test never leaves
    the database behind the models of the code."""
    return list(MigrationExecutor(connection).loader.graph.leaf_nodes())


def _migrate(targets: list[tuple[str, str]]) -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)


def _systems() -> list[Any]:
    return list(get_user_model().objects.filter(username=SYSTEM_USERNAME))


# --- The migration ------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_the_migration_makes_a_login_nobody_can_use_and_a_second_run_changes_nothing():
    _migrate(BEFORE)
    assert _systems() == []

    _migrate(_after())
    [made] = _systems()
    MIGRATION.create_system_actor(global_apps, None)  # as a second run would

    assert [(user.pk, user.password) for user in _systems()] == [(made.pk, made.password)]
    assert (made.is_active, made.is_staff, made.is_superuser) == (False, False, False)
    assert not is_password_usable(made.password)


@pytest.mark.django_db(transaction=True)
def test_the_migration_will_not_take_over_a_login_named_system_that_someone_can_use():
    _migrate(BEFORE)
    assert _systems() == []
    person = UserFactory(username=SYSTEM_USERNAME)  # active, with a password
    try:
        with pytest.raises(RuntimeError, match="Rename that login"):
            _migrate(_after())

        person.refresh_from_db()
        assert (person.is_active, is_password_usable(person.password)) == (True, True)
    finally:
        person.delete()
        _migrate(_after())


@pytest.mark.django_db(transaction=True)
def test_undoing_the_migration_keeps_the_login_once_the_audit_trail_names_it():
    _migrate(_after())
    system = system_actor()
    audit_record(actor=system, action="test.scheduled", obj=None)

    _migrate(BEFORE)
    kept = _systems()
    _migrate(_after())

    assert [user.pk for user in kept] == [system.pk]
    assert [user.pk for user in _systems()] == [system.pk]


@pytest.mark.django_db(transaction=True)
def test_undoing_the_migration_removes_the_login_while_nothing_names_it():
    _migrate(_after())
    system_actor()

    _migrate(BEFORE)
    removed = _systems() == []
    _migrate(_after())

    assert removed
    assert len(_systems()) == 1


# --- The accessor -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_accessor_returns_the_login_the_migration_made():
    # pytest-django runs the tests that roll back before those that flush, so the migration's
    # row is still there.
    [made] = _systems()

    assert system_actor().pk == made.pk
    assert is_system_actor(made)


@pytest.mark.django_db
def test_the_accessor_makes_the_login_again_after_a_flush_removed_it():
    get_user_model().objects.filter(username=SYSTEM_USERNAME).delete()

    system = system_actor()

    assert [user.pk for user in _systems()] == [system.pk]
    assert (system.is_active, system.is_staff, system.is_superuser) == (False, False, False)
    assert not is_password_usable(system.password)


@pytest.mark.django_db
def test_audit_rows_of_the_system_name_it_and_the_role_system_whatever_the_caller_says():
    event = audit_record(actor=system_actor(), action="test.scheduled", obj=None, role="caseworker")

    assert (event.actor_id, event.actor_username, event.actor_role) == (
        system_actor().pk,
        SYSTEM_USERNAME,
        "system",
    )


# --- Nobody signs in as it ------------------------------------------------------------------------


def _switched_on() -> Any:
    """The worst case: someone gave the system a password and made it active and staff."""
    system = system_actor()
    system.set_password(PASSWORD)
    system.is_active = system.is_staff = True
    system.save()
    return system


def _token_request(username: str, password: str) -> Any:
    return CheckedAPIClient().post(TOKEN_URL, {"username": username, "password": password}, format="json")


# A refused login answers 400 outside the request's transaction; see tests/casework/test_auth.py.
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("switched_on", [False, True], ids=["as-migrated", "switched-on"])
def test_no_password_signs_in_as_the_system(switched_on):
    system = _switched_on() if switched_on else system_actor()

    response = _token_request(SYSTEM_USERNAME, PASSWORD)

    assert response.status_code == 400
    assert authenticate(username=SYSTEM_USERNAME, password=PASSWORD) is None
    assert not ApiToken.objects.filter(user=system).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("switched_on", [False, True], ids=["as-migrated", "switched-on"])
def test_a_session_of_the_system_is_no_session(client, switched_on):
    client.force_login(_switched_on() if switched_on else system_actor())

    me = client.get(ME_URL)
    admin = client.get(reverse("admin:index"))

    assert me.status_code == 401
    assert admin.status_code == 302
    assert admin["Location"].startswith(reverse("admin:login"))


def _forged_token(user: Any) -> CheckedAPIClient:
    """A token row for ``user`` made past ``api_token_issue``, as a broken script might."""
    key = f"forged-{user.pk}"
    ApiToken.objects.create(
        user=user,
        key_hash=_hash(key),
        password_marker=_password_marker(user),
        expires_at=timezone.now() + datetime.timedelta(hours=1),
    )
    client = CheckedAPIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


@pytest.mark.django_db
def test_no_token_is_issued_to_the_system_and_none_is_accepted_for_it():
    system = _switched_on()
    person = UserFactory()

    with pytest.raises(PermissionDenied):
        api_token_issue(user=system)
    as_system = _forged_token(system).get(ME_URL)
    as_person = _forged_token(person).get(ME_URL)  # the same forgery works for a person

    assert (as_system.status_code, as_person.status_code) == (401, 200)
    assert ApiToken.objects.filter(user=system).count() == 1  # only the forged one


# --- No picker offers it --------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_system_is_not_a_staff_member_to_pick_even_with_a_role(world):
    system = _switched_on()
    MembershipFactory(user=system, unit=world.unit_a, role=StaffRole.CASEWORKER)
    municipality_id = world.unit_a.service_area.municipality_id

    with pytest.raises(Http404):
        staff_user_in_municipality(municipality_id=municipality_id, id=system.pk)
    caseworker = staff_user_in_municipality(municipality_id=municipality_id, id=world.actors["caseworker"].pk)

    assert caseworker == world.actors["caseworker"]


@pytest.mark.django_db
def test_the_system_is_no_portal_login_for_a_representative(world, api):
    system = system_actor()
    system.is_active = True  # the worst case: switched on (as staff it would be refused as staff)
    system.save()

    response = api(world.actors["unit_manager"]).post(
        "/api/v1/representatives/",
        {
            "service_user": world.person.pk,
            "kind": "relative",
            "first_name": "A",
            "last_name": "B",
            "portal_username": SYSTEM_USERNAME,
        },
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "unknown"
    assert not Representative.objects.filter(user=system).exists()


@pytest.fixture
def admin_web(client):
    client.force_login(UserFactory(username="root", superuser=True))
    return client


@pytest.mark.django_db
def test_the_admin_autocomplete_of_logins_leaves_the_system_out(admin_web):
    system_actor()
    UserFactory(username="systemansvarlig")

    response = admin_web.get(
        reverse("admin:autocomplete"),
        {"term": "system", "app_label": "casework", "model_name": "staffmembership", "field_name": "user"},
    )

    assert response.status_code == 200
    assert [row["text"] for row in response.json()["results"]] == ["systemansvarlig"]


@pytest.mark.django_db
def test_the_admin_refuses_the_system_as_a_staff_member_posted_by_id(admin_web, world):
    system = system_actor()

    response = admin_web.post(
        reverse("admin:casework_staffmembership_add"),
        {"user": system.pk, "unit": world.unit_a.pk, "role": StaffRole.CASEWORKER},
    )

    assert response.status_code == 200  # the form again, with the error
    assert "user" in response.context["adminform"].form.errors
    assert not StaffMembership.objects.filter(user=system).exists()


@pytest.mark.django_db
def test_the_admin_shows_the_system_login_but_changes_nothing_of_it(admin_web):
    system = system_actor()
    password = system.password

    shown = admin_web.get(reverse("admin:auth_user_change", args=[system.pk]))
    changed = admin_web.post(
        reverse("admin:auth_user_change", args=[system.pk]),
        {
            "username": SYSTEM_USERNAME,
            "is_active": "on",
            "date_joined_0": "2026-01-01",
            "date_joined_1": "00:00",
        },
    )
    new_password = admin_web.get(reverse("admin:auth_user_password_change", args=[system.pk]))
    deleted = admin_web.post(reverse("admin:auth_user_delete", args=[system.pk]), {"post": "yes"})

    assert shown.status_code == 200
    assert (changed.status_code, new_password.status_code, deleted.status_code) == (403, 403, 403)
    system.refresh_from_db()
    assert (system.is_active, system.password) == (False, password)


# --- How it is named ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_admin_names_the_system_in_the_audit_trail(admin_web):
    audit_record(actor=system_actor(), action="test.scheduled", obj=None)
    AuditEvent.objects.create(
        actor=None, actor_username="system", actor_role="system", action="test.migrated"
    )

    response = admin_web.get(reverse("admin:casework_auditevent_changelist"))

    assert response.status_code == 200
    assert response.content.decode().count('<td class="field-who">Systemet</td>') == 2


@pytest.mark.django_db
@pytest.mark.parametrize(("language", "name"), [("nb", "Systemet"), ("en", "System")])
def test_the_history_api_names_the_system_in_the_language_asked(world, api, language, name):
    last_year = timezone.localdate().year - 1
    quality_conversations_generate(municipality=world.person.municipality, year=last_year)
    quality_conversations_expire(year=last_year, actor=system_actor())
    expired = QualityConversation.objects.filter(year=last_year, representative__isnull=False).first()

    response = api(world.actors["unit_manager"]).get(
        f"/api/v1/quality-conversations/{expired.pk}/history/", headers={"accept-language": language}
    )

    assert response.status_code == 200
    assert [(row["name"], row["actor"]) for row in response.json()["results"]] == [("expire", name)]


@pytest.mark.django_db
def test_the_system_is_named_system_in_the_language_asked_and_people_by_their_names():
    person = UserFactory(username="kari", first_name="Kari", last_name="Nordmann")

    with translation.override("en"):
        english = actor_name(system_actor())
    with translation.override("nb"):
        norwegian = actor_name(system_actor())

    assert (english, norwegian, actor_name(person), actor_name(None)) == (
        "System",
        "Systemet",
        "Kari Nordmann",
        "",
    )
