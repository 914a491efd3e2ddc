"""API tokens for scripts: issue, use, expire, revoke; and the login lockout.

The token view runs outside ``ATOMIC_REQUESTS`` so that a failed login's count survives its 400
answer. Under the plain ``db`` fixture every test runs inside one outer transaction, which the
400's rollback marker would poison; tests that send a failing login therefore use
``django_db(transaction=True)`` and see what production sees: the count is committed.
"""

from __future__ import annotations

import datetime
import hashlib
from typing import Any

import pytest
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from casework.models import ApiToken, LoginThrottle
from tests.clients import CheckedAPIClient
from tests.factories import UserFactory

TOKEN_URL = "/api/v1/auth/token/"
REVOKE_URL = "/api/v1/auth/token/revoke/"
ME_URL = "/api/v1/me/"
PASSWORD = "correct horse battery"  # tests.factories.UserFactory

committed = pytest.mark.django_db(transaction=True)


def _login(username: str, password: str) -> Any:
    return CheckedAPIClient().post(TOKEN_URL, {"username": username, "password": password}, format="json")


def _token(username: str) -> str:
    """A token for ``username``, who logs in with the right password."""
    response = _login(username, PASSWORD)
    assert response.status_code == 200, response.content
    token: str = response.json()["token"]
    return token


def _with_token(token: str) -> CheckedAPIClient:
    client = CheckedAPIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


def _fail(username: str, times: int) -> None:
    for _attempt in range(times):
        assert _login(username, "wrong password").status_code == 400


# --- Issuing and using a token ----------------------------------------------------------------


@pytest.mark.django_db
def test_right_credentials_return_a_token_and_its_expiry(settings):
    settings.API_TOKEN_TTL_HOURS = 10
    UserFactory(username="skript")
    before = timezone.now()

    response = _login("skript", PASSWORD)

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"token", "expires_at"}
    assert ApiToken.objects.count() == 1
    expires_at = parse_datetime(body["expires_at"])
    assert expires_at == ApiToken.objects.get().expires_at
    assert (
        before + datetime.timedelta(hours=10) <= expires_at <= timezone.now() + datetime.timedelta(hours=10)
    )


@pytest.mark.django_db
def test_the_token_authenticates_the_user():
    UserFactory(username="skript")
    token = _token("skript")

    response = _with_token(token).get(ME_URL)

    assert response.status_code == 200
    assert response.json()["username"] == "skript"


@pytest.mark.django_db
def test_each_login_issues_a_new_token():
    UserFactory(username="skript")

    first = _token("skript")
    second = _token("skript")

    assert first != second
    assert ApiToken.objects.count() == 2


@pytest.mark.django_db
def test_only_the_hash_of_the_token_is_stored():
    UserFactory(username="skript")

    token = _token("skript")

    row = ApiToken.objects.get()
    assert row.key_hash != token
    assert row.key_hash == hashlib.sha256(token.encode()).hexdigest()
    assert ApiToken.objects.filter(key_hash=token).count() == 0


@pytest.mark.django_db
def test_an_expired_token_is_401():
    UserFactory(username="skript")
    token = _token("skript")
    ApiToken.objects.update(expires_at=timezone.now() - datetime.timedelta(seconds=1))

    response = _with_token(token).get(ME_URL)

    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    assert response["WWW-Authenticate"] == "Token"
    assert response.json()["code"] == "not_authenticated"


@pytest.mark.django_db
def test_an_unknown_token_is_401():
    response = _with_token("not-a-token-we-issued").get(ME_URL)

    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


@pytest.mark.django_db
def test_a_malformed_token_header_is_401():
    client = CheckedAPIClient()
    client.credentials(HTTP_AUTHORIZATION="Token two parts")

    response = client.get(ME_URL)

    assert response.status_code == 401


@pytest.mark.django_db
def test_the_token_of_a_deactivated_user_is_401():
    user = UserFactory(username="skript")
    token = _token("skript")
    user.is_active = False
    user.save()

    response = _with_token(token).get(ME_URL)

    assert response.status_code == 401


# --- Revoking -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_revoke_makes_the_token_stop_working():
    UserFactory(username="skript")
    token = _token("skript")
    client = _with_token(token)

    response = client.post(REVOKE_URL)

    assert response.status_code == 204
    assert ApiToken.objects.count() == 0
    assert client.get(ME_URL).status_code == 401


@pytest.mark.django_db
def test_revoke_leaves_the_users_other_tokens_working():
    UserFactory(username="skript")
    revoked = _token("skript")
    kept = _token("skript")

    assert _with_token(revoked).post(REVOKE_URL).status_code == 204

    assert ApiToken.objects.count() == 1
    assert _with_token(kept).get(ME_URL).status_code == 200


@pytest.mark.django_db
def test_revoke_without_login_is_401():
    UserFactory(username="skript")
    _token("skript")

    response = CheckedAPIClient().post(REVOKE_URL)

    assert response.status_code == 401
    assert ApiToken.objects.count() == 1


# --- Wrong credentials ----------------------------------------------------------------------


@committed
def test_wrong_password_is_400_and_issues_no_token():
    UserFactory(username="skript")

    response = _login("skript", "wrong password")

    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["code"] == "invalid"
    assert body["errors"] == [
        {"field": "", "code": "invalid_credentials", "detail": body["errors"][0]["detail"]}
    ]
    assert ApiToken.objects.count() == 0


@committed
def test_unknown_user_and_wrong_password_get_the_same_answer():
    UserFactory(username="skript")

    wrong_password = _login("skript", "wrong password")
    unknown_user = _login("nobody", "wrong password")

    assert wrong_password.status_code == unknown_user.status_code == 400
    assert wrong_password.json() == unknown_user.json()


@committed
def test_inactive_user_with_the_right_password_gets_the_same_answer_as_a_wrong_password():
    UserFactory(username="skript")
    UserFactory(username="sluttet", is_active=False)

    inactive = _login("sluttet", PASSWORD)
    wrong_password = _login("skript", "wrong password")

    assert inactive.status_code == wrong_password.status_code == 400
    assert inactive.json() == wrong_password.json()
    assert ApiToken.objects.count() == 0


@committed
def test_missing_password_is_400_naming_the_field():
    UserFactory(username="skript")

    response = CheckedAPIClient().post(TOKEN_URL, {"username": "skript"}, format="json")

    assert response.status_code == 400
    body = response.json()
    assert body["errors"] == [
        {"field": "password", "code": "required", "detail": body["errors"][0]["detail"]}
    ]
    assert LoginThrottle.objects.count() == 0


@committed
def test_a_failed_login_is_counted_although_the_answer_is_400():
    UserFactory(username="skript")

    _fail("skript", 1)

    throttle = LoginThrottle.objects.get()
    assert throttle.username == "skript"
    assert throttle.failures == 1
    assert throttle.locked_until is None


# --- Lockout --------------------------------------------------------------------------------


@committed
def test_the_right_password_is_refused_once_the_failure_limit_is_reached(settings):
    settings.LOGIN_LOCKOUT_FAILURES = 5
    UserFactory(username="skript")
    _fail("skript", 5)
    wrong_password = _login("skript", "wrong password")

    response = _login("skript", PASSWORD)

    assert response.status_code == wrong_password.status_code == 400
    assert response.json() == wrong_password.json()
    assert ApiToken.objects.count() == 0


@committed
def test_one_failure_below_the_limit_still_lets_the_right_password_in(settings):
    settings.LOGIN_LOCKOUT_FAILURES = 5
    UserFactory(username="skript")
    _fail("skript", 4)

    response = _login("skript", PASSWORD)

    assert response.status_code == 200
    assert LoginThrottle.objects.get().failures == 0


@committed
def test_the_limit_follows_the_setting(settings):
    settings.LOGIN_LOCKOUT_FAILURES = 2
    UserFactory(username="skript")
    _fail("skript", 2)

    response = _login("skript", PASSWORD)

    assert response.status_code == 400
    assert ApiToken.objects.count() == 0


@committed
def test_the_lock_lasts_the_configured_minutes(settings):
    settings.LOGIN_LOCKOUT_FAILURES = 2
    settings.LOGIN_LOCKOUT_MINUTES = 15
    UserFactory(username="skript")
    before = timezone.now()

    _fail("skript", 2)

    locked_until = LoginThrottle.objects.get().locked_until
    assert locked_until is not None
    window = datetime.timedelta(minutes=15)
    assert before + window <= locked_until <= timezone.now() + window


@committed
def test_the_right_password_works_again_when_the_lock_has_passed(settings):
    settings.LOGIN_LOCKOUT_FAILURES = 2
    UserFactory(username="skript")
    _fail("skript", 2)
    LoginThrottle.objects.update(locked_until=timezone.now() - datetime.timedelta(seconds=1))

    response = _login("skript", PASSWORD)

    assert response.status_code == 200
    assert ApiToken.objects.count() == 1
    throttle = LoginThrottle.objects.get()
    assert (throttle.failures, throttle.locked_until) == (0, None)


@committed
def test_the_lock_is_per_username_regardless_of_case_and_spaces(settings):
    settings.LOGIN_LOCKOUT_FAILURES = 2
    UserFactory(username="skript")
    _fail(" SKRIPT", 1)
    _fail("Skript", 1)

    response = _login("skript", PASSWORD)

    assert response.status_code == 400
    assert LoginThrottle.objects.count() == 1


@committed
def test_the_lock_of_one_user_does_not_touch_another(settings):
    settings.LOGIN_LOCKOUT_FAILURES = 2
    UserFactory(username="skript")
    UserFactory(username="annen")
    _fail("skript", 2)

    response = _login("annen", PASSWORD)

    assert response.status_code == 200


@committed
def test_failures_older_than_the_window_are_forgotten(settings):
    settings.LOGIN_LOCKOUT_FAILURES = 2
    settings.LOGIN_LOCKOUT_MINUTES = 15
    UserFactory(username="skript")
    _fail("skript", 1)
    LoginThrottle.objects.update(last_failure_at=timezone.now() - datetime.timedelta(minutes=16))
    _fail("skript", 1)

    response = _login("skript", PASSWORD)

    assert response.status_code == 200


@committed
def test_a_locked_login_is_not_counted_again(settings):
    settings.LOGIN_LOCKOUT_FAILURES = 2
    UserFactory(username="skript")
    _fail("skript", 2)
    locked_until = LoginThrottle.objects.get().locked_until

    _fail("skript", 3)

    throttle = LoginThrottle.objects.get()
    assert throttle.locked_until == locked_until
    assert throttle.failures == 0
