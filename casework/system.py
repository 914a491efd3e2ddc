"""The system actor: the login that scheduled work acts as, and how it is named.

Scheduled work (the yearly quality conversations and their year-end expiry) writes history rows,
whose actor is required, and audit rows, which must name who acted. It acts as one login that
exists for this alone: migration ``casework/0007_system_actor`` creates it with the username
``system``, an unusable password, inactive, neither staff nor superuser. Nobody signs in as it:
``casework.auth`` refuses it by name for passwords, sessions and tokens alike (so switching it on
in the admin changes nothing), and no picker of staff offers it. Audit rows it writes carry the
role ``system``, and the admin and the API call it "System", translated.

Audit rows that migrations wrote "as the system" before the login existed have no actor, the
username ``system`` and the role ``system``; they are named the same way.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.utils.translation import pgettext

SYSTEM_USERNAME = "system"
SYSTEM_ROLE = "system"


def system_actor() -> Any:
    """The system's login, read on every call (one indexed SELECT; scheduled work asks once a run).

    Not cached per process: a test that flushes the database (pytest-django's
    ``django_db(transaction=True)``, Django's ``TransactionTestCase`` without
    ``serialized_rollback``) deletes the row the migration made, and a cached instance would then
    name a login that no longer exists. For the same reason it is fetched with ``get_or_create``:
    where the row has gone it is made again exactly as the migration makes it. Two workers that
    both find it missing are safe: the username is unique, and ``get_or_create`` reads the winner's
    row after losing the insert.
    """
    users = get_user_model()._default_manager
    user, _created = users.get_or_create(
        **{get_user_model().USERNAME_FIELD: SYSTEM_USERNAME},
        defaults={
            "password": make_password(None),  # unusable: no password ever matches
            "is_active": False,
            "is_staff": False,
            "is_superuser": False,
        },
    )
    return user


def is_system_actor(user: Any) -> bool:
    """True for the system's login (by its reserved username; no query)."""
    return user is not None and getattr(user, "get_username", lambda: None)() == SYSTEM_USERNAME


def actor_name(user: Any) -> str:
    """How history and audit pages name who acted: "System" for the system, else the person's
    full name or, without one, the username; empty for nobody."""
    if user is None:
        return ""
    if is_system_actor(user):
        return system_name()
    return str(user.get_full_name() or user.get_username())


def system_name() -> str:
    """ "System", in the language of the request."""
    return pgettext("the actor of scheduled work", "System")
