"""The inbox, preferences and retrying by hand (the outbox itself is ``casework.outbox``)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from casework.audit import audit_record
from casework.errors import Conflict
from casework.selectors import Reach
from notifications.choices import Channel, DeliveryStatus
from notifications.keys import recipient_of
from notifications.models import Notification, NotificationPreference
from notifications.recipients import Recipient, staff_recipient

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


def _current_recipient(row: Notification) -> Recipient | None:
    """The row's recipient as the message would find them now, or None if it would not find them
    (mandate, consent or membership ended); their current address comes with them."""
    from notifications.catalogue import MESSAGES, load

    message = MESSAGES.get(row.kind)
    if message is None:  # a digest: the staff member's own
        return staff_recipient(row.recipient_user) if row.recipient_user is not None else None
    obj = load(message, row.object_id)
    if obj is None:
        return None
    wanted = recipient_of(row.key)
    return next((candidate for candidate in message.recipients(obj) if candidate.key == wanted), None)


@transaction.atomic
def delivery_retry(*, reach: Reach, notification: Notification) -> Notification:
    """A failed delivery sent again by hand, with a fresh round of attempts (409 unless failed)."""
    row = Notification.objects.select_for_update().get(pk=notification.pk)
    if row.status != DeliveryStatus.FAILED:
        raise Conflict(_("Only a failed notification can be sent again."), code="not_failed")
    recipient = _current_recipient(row)
    if recipient is None:
        raise Conflict(
            _("The recipient would no longer get this message (consent, mandate or membership)."),
            code="recipient_not_entitled",
        )
    previous_error = row.last_error
    # The address registered now: a corrected one is used, a removed one makes the row fail again.
    row.address = recipient.address_for(row.channel)
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
