"""The system actor (casework.system): made by migration 0007, found again after a flush, one of a
kind, and never a login anybody can use."""

from __future__ import annotations

import importlib
from typing import Any

import pytest
from django.apps import apps as global_apps
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import is_password_usable
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from casework.audit import audit_record
from casework.system import SYSTEM_USERNAME, is_system_actor, system_actor
from tests.factories import UserFactory

MIGRATION = importlib.import_module("casework.migrations.0007_system_actor")
PASSWORD = "correct horse battery"  # tests.factories.UserFactory
TOKEN_URL = "/api/v1/auth/token/"
ME_URL = "/api/v1/me/"
BEFORE = [("casework", "0006_access_grant_ledger")]
AFTER = [("casework", "0007_system_actor")]


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

    _migrate(AFTER)
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
            _migrate(AFTER)

        person.refresh_from_db()
        assert (person.is_active, is_password_usable(person.password)) == (True, True)
    finally:
        person.delete()
        _migrate(AFTER)


@pytest.mark.django_db(transaction=True)
def test_undoing_the_migration_keeps_the_login_once_the_audit_trail_names_it():
    _migrate(AFTER)
    system = system_actor()
    audit_record(actor=system, action="test.scheduled", obj=None)

    _migrate(BEFORE)
    kept = _systems()
    _migrate(AFTER)

    assert [user.pk for user in kept] == [system.pk]
    assert [user.pk for user in _systems()] == [system.pk]


@pytest.mark.django_db(transaction=True)
def test_undoing_the_migration_removes_the_login_while_nothing_names_it():
    _migrate(AFTER)
    system_actor()

    _migrate(BEFORE)
    removed = _systems() == []
    _migrate(AFTER)

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
