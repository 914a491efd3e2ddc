"""Shared fixtures: a small municipality with one person and every kind of actor around them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from rest_framework.test import APIClient

from casework.choices import StaffRole
from casework.models import ServiceUser, Unit
from casework.services import service_user_access_grant
from tests.factories import (
    ConsentFactory,
    MandateFactory,
    MembershipFactory,
    RepresentativeFactory,
    ServiceUserFactory,
    UnitFactory,
    UserFactory,
)


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


def client_for(user: Any) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


@pytest.fixture
def api() -> Any:
    """``api(user)``: an API client acting as ``user`` (None: anonymous)."""
    return client_for
