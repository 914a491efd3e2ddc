"""Celery tasks: the broker only rings the bell, the database says what is to be done.

Every task is safe to run twice and to be killed at any point: rows are claimed by conditional
updates, created on unique keys, and anything a lost message leaves behind is found again by
``sweep``, which beat runs every ``NOTIFICATIONS_SWEEP_SECONDS``.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from casework.outbox import FAN_OUT_TASK
from notifications import digest, dispatch, reminders
from notifications.choices import DeliveryStatus
from notifications.delivery import fan_out
from notifications.models import Notification, OutboxEvent

logger = logging.getLogger(__name__)

BATCH = 100
HEAVY_QUEUE = "heavy"


def enqueue_delivery(ids: list[int]) -> None:
    """Queue sending of ``ids`` once the current transaction has committed."""
    if ids:
        transaction.on_commit(lambda: _queue(ids))


def _queue(ids: list[int]) -> None:
    """Light rows in batches; a plan PDF each on its own, on the recycled 'heavy' worker."""
    light, heavy = _split_heavy(ids)
    for start in range(0, len(light), BATCH):
        _publish(deliver_notifications, light[start : start + BATCH])
    _queue_heavy(heavy)


def _queue_heavy(heavy: list[int]) -> None:
    for pk in heavy:
        _publish(deliver_notifications, [pk], queue=HEAVY_QUEUE)


def _split_heavy(ids: list[int]) -> tuple[list[int], list[int]]:
    """``ids`` as (light, heavy): heavy rows carry a plan PDF, rendered by WeasyPrint."""
    rows = Notification.objects.filter(pk__in=ids).exclude(attachments=[]).values_list("pk", "attachments")
    heavy = {pk for pk, specs in rows if any(spec.get("type") == "plan_pdf" for spec in specs)}
    return [pk for pk in ids if pk not in heavy], sorted(heavy)


def _publish(task: object, ids: list[int], queue: str | None = None) -> None:
    try:
        options = {"queue": queue} if queue else {}
        task.apply_async(args=[ids], **options)  # type: ignore[attr-defined]
    except Exception:  # the rows are in the database; the sweeper sends them
        logger.warning(
            "could not queue %s notifications; the sweeper will send them", len(ids), exc_info=True
        )


@shared_task(name=FAN_OUT_TASK, ignore_result=True)  # published by name by casework.outbox
def fan_out_event(event_ids: list[int]) -> None:
    for event_id in event_ids:
        try:
            ids = fan_out(event_id)
        except SoftTimeLimitExceeded:
            raise  # out of time: the sweeper publishes what is left
        except Exception:
            # One broken event must not hold up the others in its batch; the sweeper tries it again.
            logger.exception("outbox event %s could not be fanned out", event_id)
            continue
        _deliver_now_or_queue(ids)


def _deliver_now_or_queue(ids: list[int]) -> None:
    """Light rows are sent right here (no second trip through the broker); PDFs go to 'heavy'."""
    if not ids:
        return
    light, heavy = _split_heavy(ids)
    dispatch.deliver(light)
    _queue_heavy(heavy)


@shared_task(
    name="notifications.deliver",
    ignore_result=True,
    soft_time_limit=settings.NOTIFICATIONS_TASK_SOFT_TIME_LIMIT,
    time_limit=settings.NOTIFICATIONS_TASK_SOFT_TIME_LIMIT + 30,
)
def deliver_notifications(ids: list[int]) -> dict[str, int]:
    return dispatch.deliver(ids)


@shared_task(name="notifications.sweep", ignore_result=True)
def sweep() -> dict[str, int]:
    """Re-queue what a lost message or a dead worker left behind; due retries and quiet-hour SMS."""
    now = timezone.now()
    rescued = dispatch.rescue_abandoned(now=now)
    grace = now - timedelta(seconds=settings.NOTIFICATIONS_SWEEP_GRACE_SECONDS)
    events = list(
        OutboxEvent.objects.filter(dispatched_at__isnull=True, created_at__lte=grace)
        .order_by("pk")
        .values_list("pk", flat=True)[:1000]
    )
    for start in range(0, len(events), BATCH):
        _publish(fan_out_event, events[start : start + BATCH])
    # Rows created a moment ago are on their way already; waiting retries become due by time.
    # A row published by an earlier sweep waits for that message for a while before it is published
    # again: after an outage beat may run several sweeps at once, and each would queue everything.
    requeue = now - timedelta(seconds=settings.NOTIFICATIONS_REQUEUE_SECONDS)
    due = list(
        Notification.objects.filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=now)
        .exclude(attempts=0, created_at__gt=grace)
        .filter(Q(queued_at__isnull=True) | Q(queued_at__lte=requeue))
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:5000]
    )
    Notification.objects.filter(pk__in=due).update(queued_at=now)
    _queue(due)
    counts = {"events": len(events), "due": len(due), "rescued": rescued}
    if any(counts.values()):
        logger.info("sweep: %s", counts)
    return counts


@shared_task(name="notifications.send_reminders", ignore_result=True)
def send_reminders() -> int:
    ids = reminders.scan_all()
    _deliver_now_or_queue(ids)
    return len(ids)


@shared_task(name="notifications.send_daily_digests", ignore_result=True)
def send_daily_digests() -> int:
    ids = digest.build_digests()
    dispatch.deliver(ids)
    return len(ids)
