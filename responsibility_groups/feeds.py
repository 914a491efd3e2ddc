"""Personal calendar feeds: a secret, revocable subscription URL per staff member."""

from __future__ import annotations

import datetime
import hashlib
import secrets
from typing import Any

from django.db import transaction
from django.utils import timezone

from casework.audit import access_log_record, audit_record
from casework.selectors import reach_for, reachable_service_user_ids
from responsibility_groups.calendar import calendar_feed
from responsibility_groups.invitations import meeting_calendar_data
from responsibility_groups.models import CalendarFeedToken
from responsibility_groups.selectors import meetings_of_user

FEED_HISTORY = datetime.timedelta(days=90)  # past meetings kept in the feed


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def calendar_feed_rotate(*, actor: Any) -> str:
    """A new secret for the actor's feed (the old URL stops working); returns it once."""
    token = secrets.token_urlsafe(32)
    CalendarFeedToken.objects.update_or_create(user=actor, defaults={"key_hash": _hash(token)})
    audit_record(actor=actor, action="calendar_feed.rotate", obj=actor, role="staff")
    return token


@transaction.atomic
def calendar_feed_revoke(*, actor: Any) -> int:
    deleted, _details = CalendarFeedToken.objects.filter(user=actor).delete()
    if deleted:
        audit_record(actor=actor, action="calendar_feed.revoke", obj=actor, role="staff")
    return deleted


def calendar_feed_for_token(token: str) -> bytes | None:
    """The feed of whoever holds ``token``, or None for an unknown or revoked one."""
    feed = CalendarFeedToken.objects.select_related("user").filter(key_hash=_hash(token)).first()
    if feed is None or not feed.user.is_active:
        return None
    # The holder's meetings that they may still see now, through the same access path as the API,
    # and the read written to the access log like any other.
    reach = reach_for(feed.user)
    meetings = meetings_of_user(user=feed.user, since=timezone.now() - FEED_HISTORY)
    if not reach.is_superuser:
        meetings = meetings.filter(group__service_user_id__in=reachable_service_user_ids(reach))
    found = list(
        meetings.select_related("group__unit", "group__service_user").prefetch_related(
            "group__service_user__units"
        )
    )
    people = {m.group.service_user_id: m.group.service_user for m in found}
    access_log_record(reach=reach, resource="calendar_feed", people=people.values())
    return calendar_feed([meeting_calendar_data(m) for m in found], name="Ansvarsgruppemøter")
