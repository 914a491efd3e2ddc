"""Authentication: password logins with lockout, and hashed API tokens.

The lockout lives in the authentication backend so that every password login (the token
endpoint, the admin and session login) counts failures in the same place. The system actor
(``casework.system``) never signs in: the backend refuses it for passwords and sessions, and
tokens are neither issued to it nor accepted for it, even if someone made it active.
"""

from __future__ import annotations

import datetime
import hashlib
import secrets
from typing import Any

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db.models import Case, F, Q, Value, When
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions
from rest_framework.request import Request

from casework.models import ApiToken, LoginThrottle
from casework.system import is_system_actor


def _throttle_key(username: str) -> str:
    return username.strip().lower()[:150]


def login_attempt_admit(username: str) -> bool:
    """Count an attempt as a failure before its password is checked; False while locked.

    Counting and refusing are one conditional UPDATE: concurrent guesses queue on the row, and
    each sees the count the ones before it left. So at most ``LOGIN_LOCKOUT_FAILURES`` attempts
    per window ever reach the password hash, however many arrive at once; the one that reaches
    the limit sets the lock. A right password then clears the count (``login_success_record``).
    """
    key = _throttle_key(username)
    now = timezone.now()
    window = datetime.timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)
    limit = settings.LOGIN_LOCKOUT_FAILURES
    LoginThrottle.objects.bulk_create([LoginThrottle(username=key)], ignore_conflicts=True)
    # A count whose last failure lies a whole window back starts again.
    stale = Q(last_failure_at__isnull=True) | Q(last_failure_at__lte=now - window)
    counted = Case(When(stale, then=Value(1)), default=F("failures") + 1)
    reaches_limit = Q(pk__isnull=False) if limit <= 1 else ~stale & Q(failures__gte=limit - 1)
    admitted = (
        LoginThrottle.objects.filter(username=key)
        .filter(Q(locked_until__isnull=True) | Q(locked_until__lte=now))
        .update(
            # Every SET below reads the row as it was before this statement.
            failures=Case(When(reaches_limit, then=Value(0)), default=counted),
            locked_until=Case(When(reaches_limit, then=Value(now + window)), default=Value(None)),
            last_failure_at=now,
        )
    )
    return admitted == 1


def login_success_record(username: str) -> None:
    LoginThrottle.objects.filter(username=_throttle_key(username)).update(failures=0, locked_until=None)


class LockoutModelBackend(ModelBackend):
    """Django's model backend, behind the lockout: a locked username is refused unchecked."""

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> User | None:
        if username is None or password is None:
            return None
        if not login_attempt_admit(username):
            return None
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is not None:
            login_success_record(username)
        return user

    def user_can_authenticate(self, user: Any) -> bool:
        """Asked for a password login and for every request of a session: inactive logins and
        the system actor are refused, whatever their flags say."""
        return super().user_can_authenticate(user) and not is_system_actor(user)


# --- API tokens -------------------------------------------------------------------------------


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def _password_marker(user: Any) -> str:
    return hashlib.sha256(f"medvirk-token:{user.password}".encode()).hexdigest()


def api_token_issue(*, user: User) -> tuple[ApiToken, str]:
    """Create a token for ``user``; returns the row and the clear key (shown once)."""
    if is_system_actor(user):
        raise PermissionDenied("The system actor has no API tokens.")
    key = secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        key_hash=_hash(key),
        password_marker=_password_marker(user),
        expires_at=timezone.now() + datetime.timedelta(hours=settings.API_TOKEN_TTL_HOURS),
    )
    return token, key


def api_token_revoke(*, key: str) -> int:
    deleted, _details = ApiToken.objects.filter(key_hash=_hash(key)).delete()
    return deleted


class ApiTokenAuthentication(authentication.BaseAuthentication):
    """``Authorization: Token <key>``, checked against the stored hash and expiry."""

    keyword = "Token"

    def authenticate(self, request: Request) -> tuple[Any, ApiToken] | None:
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("Malformed token header."))
        try:
            key = header[1].decode()
        except UnicodeError as error:
            raise exceptions.AuthenticationFailed(_("Malformed token header.")) from error
        token = (
            ApiToken.objects.select_related("user")
            .filter(key_hash=_hash(key), expires_at__gt=timezone.now())
            .first()
        )
        if (
            token is None
            or not token.user.is_active
            or is_system_actor(token.user)
            or token.password_marker != _password_marker(token.user)
        ):
            raise exceptions.AuthenticationFailed(_("Invalid or expired token."))
        return token.user, token

    def authenticate_header(self, request: Request) -> str:
        return self.keyword
