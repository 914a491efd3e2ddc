"""Writing to the outbox. Must be called inside the transaction of the change it announces."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from casework.audit import audit_record
from casework.selectors import Reach
from config.errors import Conflict
from notifications.choices import Channel, DeliveryStatus
from notifications.keys import recipient_of
from notifications.models import Notification, NotificationPreference, OutboxEvent


def outbox_emit(*, event: str, obj: models.Model, payload: Mapping[str, Any] | None = None) -> OutboxEvent:
    """Record that ``event`` happened to ``obj``; no identifiers of people in the payload."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("outbox_emit must run inside the transaction of the change it announces")
    row = OutboxEvent.objects.create(
        event=event, object_type=obj._meta.label_lower, object_id=str(obj.pk), payload=dict(payload or {})
    )
    from notifications.tasks import enqueue_fan_out  # tasks import the workflows' models

    enqueue_fan_out(row.pk)
    return row


# --- The inbox, preferences and retrying by hand -----------------------------------------------


def inbox_mark_read(*, actor: Any, notification: Notification) -> Notification:
    """Idempotent: a message read twice keeps the first time it was read."""
    if notification.read_at is None:
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=timezone.now())
        notification.refresh_from_db(fields=["read_at"])
    return notification


def inbox_mark_all_read(*, actor: Any) -> int:
    return Notification.objects.filter(
        recipient_user=actor, channel=Channel.INBOX, read_at__isnull=True
    ).update(read_at=timezone.now())


@transaction.atomic
def preference_update(*, actor: Any, **fields: Any) -> NotificationPreference:
    preference, _ = NotificationPreference.objects.select_for_update().get_or_create(user=actor)
    changes = {
        name: [getattr(preference, name), value]
        for name, value in fields.items()
        if getattr(preference, name) != value
    }
    for name, value in fields.items():
        setattr(preference, name, value)
    preference.save()
    if changes:
        audit_record(actor=actor, action="notification_preference.update", obj=preference, changes=changes)
    return preference


def current_address(row: Notification) -> str:
    """The recipient's address as registered now (the row keeps the one it was created with)."""
    from django.contrib.auth import get_user_model

    from casework.models import Representative, ServiceUser
    from responsibility_groups.models import GroupMember

    recipient = recipient_of(row.key)
    kind, pk = recipient[:1], recipient[1:]
    if not pk.isdigit():
        return ""
    model: Any = {"u": get_user_model(), "r": Representative, "m": GroupMember, "p": ServiceUser}.get(kind)
    holder = model._default_manager.filter(pk=pk).first() if model is not None else None
    if holder is None:
        return row.address
    # The address registered now, even if it has been removed (the row then fails for want of one).
    if row.channel == Channel.EMAIL:
        return str(getattr(holder, "email", ""))
    if row.channel == Channel.SMS:
        return str(getattr(holder, "phone", ""))
    return row.address


def _still_a_recipient(row: Notification) -> bool:
    """Whether the row's recipient would get this message now (mandate, consent, membership)."""
    from notifications.catalogue import MESSAGES, load

    message = MESSAGES.get(row.kind)
    if message is None:
        return True  # a digest: the staff member's own
    obj = load(message, row.object_id)
    if obj is None:
        return False
    return recipient_of(row.key) in {candidate.key for candidate in message.recipients(obj)}


@transaction.atomic
def delivery_retry(*, reach: Reach, notification: Notification) -> Notification:
    """A failed delivery sent again by hand, with a fresh round of attempts (409 unless failed)."""
    row = Notification.objects.select_for_update().get(pk=notification.pk)
    if row.status != DeliveryStatus.FAILED:
        raise Conflict(_("Only a failed notification can be sent again."), code="not_failed")
    if not _still_a_recipient(row):
        raise Conflict(
            _("The recipient would no longer get this message (consent, mandate or membership)."),
            code="recipient_not_entitled",
        )
    previous_error = row.last_error
    row.address = current_address(row)  # a corrected address is used
    row.status = DeliveryStatus.PENDING
    row.attempts = 0
    row.next_attempt_at = timezone.now()
    row.expires_at = None  # sent by hand: the sender has judged it still worth sending
    row.save(update_fields=["address", "status", "attempts", "next_attempt_at", "expires_at"])
    audit_record(
        actor=reach.actor,
        action="notification.retry",
        obj=row,
        role=",".join(sorted(reach.all_roles())) or ("superuser" if reach.is_superuser else ""),
        service_user=row.service_user,
        changes={"status": [DeliveryStatus.FAILED, DeliveryStatus.PENDING]},
        comment=previous_error,
    )
    from notifications.tasks import enqueue_delivery

    enqueue_delivery([row.pk])
    return row
