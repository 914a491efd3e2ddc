"""Shared fixtures: a small municipality with one person and every kind of actor around them.

Every response a test receives must have its status checked. The test clients here (``api``,
``client_for`` and ``client``; ``CheckedClient``/``CheckedAPIClient`` from ``tests.clients``
where a test builds one itself) record each response in the running test's ledger, and reading
a response's ``status_code`` marks it checked. A test that passes although one of its responses
was never checked fails afterwards, naming the unchecked requests (method and path): a setup
request that failed would otherwise go unnoticed, and the test pass for the wrong reason. So
assert the exact status of every request, setup included::

    response = api(user).post(url, body, format="json")
    assert response.status_code == 201, response.content

Reading the status for any other purpose counts too, as does anything that reads it (Django's
``assertContains``, ``assertRedirects``). With ``follow=True`` the redirects followed count as
checked; the final response does not. Ruff (TID251) refuses Django's and DRF's own clients in tests;
pytest-django's ``admin_client`` is replaced too, and ``async_client`` is not checked.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from casework.choices import StaffRole
from casework.models import ServiceUser, Unit
from casework.services import service_user_access_grant
from tests.clients import CheckedAPIClient, CheckedClient, ResponseLedger, recording
from tests.factories import (
    ConsentFactory,
    MandateFactory,
    MembershipFactory,
    RepresentativeFactory,
    ServiceUserFactory,
    UnitFactory,
    UserFactory,
)

pytest_plugins = ["pytester"]  # for tests/test_checked_clients.py


@pytest.fixture(autouse=True, scope="session")
def _celery_runs_in_process() -> Any:
    """Tasks queued after a commit run right there, so tests see the whole path to delivery.

    Tests that need a real worker and broker (tests/notifications/test_reliability.py) start them.
    """
    from config.celery import app

    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True
    yield
    app.conf.task_always_eager = False


@pytest.fixture(autouse=True)
def _response_ledger() -> Iterator[ResponseLedger]:
    """Where the checked clients record the responses of this test (see the module docstring)."""
    with recording() as ledger:
        yield ledger


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    """Fail a test that passed with a response whose status it never checked.

    A test that failed already says why; it is not failed a second time for this.
    """
    result = yield
    ledger = getattr(item, "funcargs", {}).get("_response_ledger")
    if ledger is not None:
        ledger.fail_if_unchecked()
    return result


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    """PBKDF2 at full strength costs ~0.3 s per user; tests do not need it."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@dataclass
class World:
    unit_a: Unit
    unit_b: Unit
    person: ServiceUser  # served by unit A
    other_person: ServiceUser  # served by unit B only
    actors: dict[str, Any]


# Every actor of the permission matrix, by name; see the ``world`` fixture.
ACTORS = (
    "superuser",
    "caseworker",  # caseworker in unit A
    "caseworker_other_unit",  # caseworker in unit B
    "coordinator",  # coordinator in unit B, explicitly granted the person (plan coordinator)
    "unit_manager",  # unit manager in unit A
    "quality_admin",  # quality administrator in unit A
    "guardian",  # guardian of the person with a valid personal mandate
    "guardian_expired",  # guardian whose mandate has expired
    "relative",  # relative with the person's consent to access
    "relative_without_consent",  # relative of the person, no consent
    "anonymous",
)


@pytest.fixture
def world(db: Any) -> World:
    unit_a = UnitFactory(name="Bo- og aktivitetstilbud Nord")
    unit_b = UnitFactory(name="Hjemmetjenesten Øst", service_area=unit_a.service_area)
    person = ServiceUserFactory(units=[unit_a], first_name="Åse", last_name="Berg")
    other_person = ServiceUserFactory(units=[unit_b], first_name="Per", last_name="Lie")
    actors: dict[str, Any] = {"anonymous": None, "superuser": UserFactory(superuser=True)}
    for name, unit, role in (
        ("caseworker", unit_a, StaffRole.CASEWORKER),
        ("caseworker_other_unit", unit_b, StaffRole.CASEWORKER),
        ("coordinator", unit_b, StaffRole.COORDINATOR),
        ("unit_manager", unit_a, StaffRole.UNIT_MANAGER),
        ("quality_admin", unit_a, StaffRole.QUALITY_ADMIN),
    ):
        actors[name] = MembershipFactory(unit=unit, role=role, user__username=name).user
    service_user_access_grant(
        reach=None,
        actor=actors["superuser"],
        service_user=person,
        user=actors["coordinator"],
        reason="koordinator for individuell plan",
    )
    for name, expired in (("guardian", False), ("guardian_expired", True)):
        actors[name] = UserFactory(username=name)
        MandateFactory(
            representative__service_user=person, representative__user=actors[name], expired=expired
        )
    actors["relative"] = UserFactory(username="relative")
    relative = RepresentativeFactory(service_user=person, user=actors["relative"])
    ConsentFactory(service_user=person, representative=relative, relative_access=True)
    actors["relative_without_consent"] = UserFactory(username="relative_without_consent")
    RepresentativeFactory(service_user=person, user=actors["relative_without_consent"])
    return World(unit_a=unit_a, unit_b=unit_b, person=person, other_person=other_person, actors=actors)


def client_for(user: Any) -> CheckedAPIClient:
    """An API client acting as ``user`` (None: anonymous) whose responses must be checked."""
    client = CheckedAPIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


@pytest.fixture
def api() -> Any:
    """``api(user)``: ``client_for(user)``."""
    return client_for


@pytest.fixture
def client() -> CheckedClient:
    """Django's test client (in place of pytest-django's), its responses checked like ``api``'s."""
    return CheckedClient()


@pytest.fixture
def admin_client(admin_user: Any) -> CheckedClient:
    """pytest-django's ``admin_client``, checked like ``client``."""
    client = CheckedClient()
    client.force_login(admin_user)
    return client
