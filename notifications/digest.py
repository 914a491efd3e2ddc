"""The daily digest: a staff member's held emails of the last day in one email each morning."""

from __future__ import annotations

import datetime
import logging
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from notifications.catalogue import DIGEST_KIND
from notifications.choices import Channel, DeliveryStatus
from notifications.models import Notification
from notifications.recipients import staff_recipient
from notifications.rendering import render_message

logger = logging.getLogger(__name__)


def build_digests(today: datetime.date | None = None) -> list[int]:
    """One digest per staff member with held emails; answers the digests' ids to send."""
    today = today or timezone.localdate()
    held = Notification.objects.filter(status=DeliveryStatus.HELD_FOR_DIGEST, channel=Channel.EMAIL)
    ids: list[int] = []
    users = get_user_model().objects.filter(pk__in=held.values("recipient_user_id"), is_active=True)
    for user in users.order_by("pk"):
        with transaction.atomic():
            digest_id = _digest_for(user, today)
        if digest_id is not None:
            ids.append(digest_id)
    logger.info("daily digests: %s to send", len(ids))
    return ids


def _digest_for(user: Any, today: datetime.date) -> int | None:
    items = list(
        Notification.objects.select_for_update()
        .filter(recipient_user=user, status=DeliveryStatus.HELD_FOR_DIGEST, channel=Channel.EMAIL)
        .order_by("created_at", "pk")
    )
    if not items:
        return None
    recipient = staff_recipient(user)
    rendered = render_message(
        DIGEST_KIND, recipient.language, {"items": items, "count": len(items), "date": today}
    )
    digest, created = Notification.objects.get_or_create(
        key=f"digest:{recipient.key}:{today.isoformat()}",
        defaults={
            "kind": DIGEST_KIND,
            "channel": Channel.EMAIL,
            "object_type": "auth.user",
            "object_id": str(user.pk),
            "recipient_user": user,
            "recipient_name": recipient.name,
            "address": recipient.email,
            "language": rendered.language,
            "subject": rendered.subject[:300],
            "body": rendered.body,
        },
    )
    if not created:
        # Today's digest has gone already: what came in since waits for tomorrow's.
        return None
    Notification.objects.filter(pk__in=[item.pk for item in items]).update(
        status=DeliveryStatus.IN_DIGEST, digest=digest
    )  # delivered when the digest is: see its row
    return digest.pk
