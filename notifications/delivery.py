"""Turning an outbox event or a reminder into notification rows, one per recipient and channel.

Rows are created with ``bulk_create(ignore_conflicts=True)`` on their unique idempotency key, so a
fan-out or reminder scan that runs twice (a redelivered task, beat firing twice, two workers)
adds nothing the second time. Inbox messages are delivered by being written.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from notifications.catalogue import (
    EVENT_HOLDER_MESSAGES,
    EVENT_MESSAGES,
    MEETING_KINDS_SUPERSEDED,
    PLAN_PDF,
    SUPERSEDING_EVENTS,
    Message,
    announced_version_context,
    holder_context,
    load,
    message_for,
)
from notifications.choices import Channel, DeliveryStatus
from notifications.keys import notification_key
from notifications.models import Notification, OutboxEvent
from notifications.recipients import Recipient
from notifications.rendering import Rendered, render_message

logger = logging.getLogger(__name__)


def _service_user_id(obj: Any) -> int | None:
    if hasattr(obj, "service_user_id"):
        return int(obj.service_user_id)
    if hasattr(obj, "group"):
        return int(obj.group.service_user_id)
    if hasattr(obj, "case"):
        return int(obj.case.service_user_id)
    return None


def _announced_version(message: Message, obj: Any, at: datetime.datetime) -> Any:
    """The plan version the event announced: the latest one approved when it happened."""
    if not message.announces_version:
        return None
    return obj.versions.filter(created_at__lte=at).order_by("-number").first()


def _attachments(message: Message, recipient: Recipient, plan_version: int | None) -> list[dict[str, Any]]:
    chosen = []
    for spec in message.attachments:
        if spec != PLAN_PDF:
            chosen.append(dict(spec))
        elif recipient.plan_pdf_by_email and plan_version is not None:
            chosen.append({**spec, "version": plan_version})
    return chosen


def create_notifications(
    *,
    message: Message,
    obj: Any,
    key: str,
    event: OutboxEvent | None = None,
    extra_context: dict[str, Any] | None = None,
    recipients: Iterable[Recipient] | None = None,
) -> list[int]:
    """Rows for everyone ``message`` goes to about ``obj``; answers the ids waiting to be sent."""
    now = timezone.now()
    announced = _announced_version(message, obj, event.created_at if event is not None else now)
    plan_version = announced.number if announced is not None and PLAN_PDF in message.attachments else None
    about = {
        "object_type": obj._meta.label_lower,
        "object_id": str(obj.pk),
        "service_user_id": _service_user_id(obj),
        "expires_at": message.expires(obj),
    }
    context = {
        **message.context(obj),
        **(announced_version_context(obj, announced) if announced is not None else {}),
        **(extra_context or {}),
    }
    rendered: dict[tuple[str, bool], Rendered] = {}
    rows: list[Notification] = []
    for recipient in message.recipients(obj) if recipients is None else recipients:
        for channel in sorted(recipient.channels):
            attachments = _attachments(message, recipient, plan_version) if channel == Channel.EMAIL else []
            # The text says "the calendar invitation is attached" only where it is.
            version = (recipient.language, bool(attachments))
            if version not in rendered:
                rendered[version] = render_message(
                    message.kind, recipient.language, {**context, "attached": bool(attachments)}
                )
            text = rendered[version]
            status = DeliveryStatus.PENDING
            if channel == Channel.INBOX:
                status = DeliveryStatus.DELIVERED
            elif channel == Channel.EMAIL and recipient.daily_digest and message.digestible:
                status = DeliveryStatus.HELD_FOR_DIGEST
            rows.append(
                Notification(
                    key=notification_key(key, recipient.key, channel),
                    kind=message.kind,
                    channel=channel,
                    status=status,
                    event=event,
                    **about,
                    recipient_user=recipient.user,
                    recipient_name=recipient.name[:200],
                    address=recipient.address_for(channel),
                    language=text.language,
                    subject=text.subject[:300],
                    body=text.body,
                    attachments=attachments,
                    next_attempt_at=now,
                    delivered_at=now if status == DeliveryStatus.DELIVERED else None,
                )
            )
    if not rows:
        return []
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    return list(
        Notification.objects.filter(key__in=[row.key for row in rows], status=DeliveryStatus.PENDING)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def _withdraw_pending_meeting_messages(event: OutboxEvent) -> int:
    """Unsent messages with the meeting's old time are not sent (e.g. an SMS held by quiet hours)."""
    return Notification.objects.filter(
        object_type=event.object_type,
        object_id=event.object_id,
        kind__in=MEETING_KINDS_SUPERSEDED,
        status__in=[DeliveryStatus.PENDING, DeliveryStatus.HELD_FOR_DIGEST],
        created_at__lte=event.created_at,
    ).update(status=DeliveryStatus.CANCELLED, last_error=f"superseded by {event.event}")


def _fan_out_to_holders(event: OutboxEvent) -> list[int]:
    """A consent or mandate event: one message about each plan and group its payload lists, to
    that plan's or group's coordinator now, if it is still open (``EVENT_HOLDER_MESSAGES``).

    Each has its own key source (``e<event>:plans<id>``): a coordinator of both the plan and the
    group gets both messages.
    """
    ids: list[int] = []
    for holders, kind in EVENT_HOLDER_MESSAGES[event.event].items():
        message = message_for(kind)
        for entry in event.payload.get(holders, []):
            obj = load(message, entry["id"])
            if obj is None or not message.relevant(obj):
                continue
            ids += create_notifications(
                message=message,
                obj=obj,
                key=f"e{event.pk}:{holders}{obj.pk}",
                event=event,
                extra_context=holder_context(event.payload, entry),
            )
    return ids


def fan_out(event_id: int) -> list[int]:
    """Notification rows for one outbox event, once; answers the ids to send now."""
    with transaction.atomic():
        event = (
            OutboxEvent.objects.select_for_update().filter(pk=event_id, dispatched_at__isnull=True).first()
        )
        if event is None:
            return []
        ids: list[int] = []
        kind = EVENT_MESSAGES.get(event.event)
        too_old = event.created_at < timezone.now() - timedelta(
            hours=settings.NOTIFICATIONS_EVENT_MAX_AGE_HOURS
        )
        if event.event in SUPERSEDING_EVENTS:
            _withdraw_pending_meeting_messages(event)
        if kind is not None and not too_old:
            message = message_for(kind)
            obj = load(message, event.object_id)
            if obj is not None and message.relevant(obj):
                ids = create_notifications(message=message, obj=obj, key=f"e{event.pk}", event=event)
        elif event.event in EVENT_HOLDER_MESSAGES and not too_old:
            ids = _fan_out_to_holders(event)
        event.dispatched_at = timezone.now()
        event.save(update_fields=["dispatched_at"])
    logger.info(
        "outbox event %s (%s) fanned out into %s notifications to send", event.pk, event.event, len(ids)
    )
    return ids
