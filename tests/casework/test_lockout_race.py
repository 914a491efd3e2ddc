"""The lockout holds under concurrent guesses: counting and refusing are one step.

Before, each guess read "not locked", checked the password, and only then counted: 20 guesses at
once were all checked against the hash, and a right password sent right after 12 wrong ones got a
token. Threads with their own database connections send the guesses here; row locks need
PostgreSQL (SQLite serialises whole transactions, so it proves nothing).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.db import connection, connections

from casework.auth import LockoutModelBackend
from casework.models import LoginThrottle
from tests.clients import CheckedAPIClient
from tests.factories import UserFactory

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent row locks need PostgreSQL"),
]

PASSWORD = "correct horse battery"  # tests.factories.UserFactory


def _at_once(count: int, attempt: Callable[[], Any]) -> list[Any]:
    """Run ``attempt`` in ``count`` threads released together; their results in order."""
    barrier = threading.Barrier(count)
    results: list[Any] = [None] * count

    def run(index: int) -> None:
        barrier.wait()
        try:
            results[index] = attempt()
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


@pytest.fixture
def hash_checks(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every password checked against a user's hash, by the backend, in any thread."""
    checked: list[str] = []
    lock = threading.Lock()
    original = AbstractBaseUser.check_password

    def counting(user: AbstractBaseUser, raw_password: str | None) -> bool:
        with lock:
            checked.append(user.get_username())
        return original(user, raw_password)

    monkeypatch.setattr(AbstractBaseUser, "check_password", counting)
    return checked


def test_twenty_concurrent_wrong_guesses_reach_the_hash_at_most_the_limit(settings, hash_checks):
    user = UserFactory(username="ase")
    backend = LockoutModelBackend()

    results = _at_once(20, lambda: backend.authenticate(None, username="ase", password="wrong"))

    assert results == [None] * 20
    assert len(hash_checks) == settings.LOGIN_LOCKOUT_FAILURES
    throttle = LoginThrottle.objects.get(username="ase")
    assert throttle.locked_until is not None
    assert user.pk


class TenthOfASecondHasher(PBKDF2PasswordHasher):
    """PBKDF2 slow enough for guesses to overlap while they hash, as they do in production."""

    iterations = 100_000


def test_the_right_password_sent_during_a_burst_of_wrong_ones_gets_no_token(settings):
    settings.PASSWORD_HASHERS = [f"{__name__}.TenthOfASecondHasher"]
    UserFactory(username="ase")

    def login(password: str) -> Any:
        body = {"username": "ase", "password": password}
        return CheckedAPIClient().post("/api/v1/auth/token/", body, format="json")

    statuses: list[int] = []
    burst = threading.Thread(target=lambda: statuses.extend(_at_once(12, lambda: login("wrong").status_code)))
    burst.start()
    time.sleep(0.3)  # the burst is still hashing
    right = login(PASSWORD)
    burst.join()

    assert statuses == [400] * 12
    assert right.status_code == 400
    assert "token" not in right.json()
