"""Demo messages: the demo's own events and today's reminders, so that every demo login has mail.

The workflows' demo data is built through their services, which write outbox events; here they
are fanned out at once (instead of when the worker starts) and the reminder scan runs, so that
the inbox rows exist when the seed ends. Of each login's inbox the newest two stay unread. Email
and SMS rows stay pending: the worker of ``make run`` sends them (to var/mail/ and var/sms/).
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from notifications import reminders
from notifications.choices import Channel
from notifications.delivery import fan_out
from notifications.models import Notification, OutboxEvent

UNREAD_PER_LOGIN = 2


def seed_demo_notifications(*, users: list[Any]) -> int:
    created = Notification.objects.count()
    for event_id in (
        OutboxEvent.objects.filter(dispatched_at__isnull=True).order_by("pk").values_list("pk", flat=True)
    ):
        fan_out(event_id)
    reminders.scan_all()
    for user in users:
        inbox = Notification.objects.filter(recipient_user=user, channel=Channel.INBOX).order_by(
            "-created_at", "-pk"
        )
        older = list(inbox.values_list("pk", flat=True)[UNREAD_PER_LOGIN:])
        Notification.objects.filter(pk__in=older, read_at__isnull=True).update(read_at=timezone.now())
    return Notification.objects.count() - created
