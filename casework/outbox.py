"""Writing to the outbox: the one way a workflow tells the world that something happened.

``outbox_emit`` writes the event row in the caller's transaction and, once that commits, publishes
the Celery task ``FAN_OUT_TASK`` *by name*: the kernel and the workflows never import
notifications, which registers the task and maps event names to messages (ADR 0008, 0012). If
the broker is down the row waits for the notifications' sweeper.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from celery import current_app
from django.db import models, transaction

from casework.models import OutboxEvent

logger = logging.getLogger(__name__)

FAN_OUT_TASK = "notifications.fan_out_event"  # takes a list of outbox event ids


def outbox_emit(*, event: str, obj: models.Model, payload: Mapping[str, Any] | None = None) -> OutboxEvent:
    """Record that ``event`` happened to ``obj``; no identifiers of people in the payload."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("outbox_emit must run inside the transaction of the change it announces")
    row = OutboxEvent.objects.create(
        event=event, object_type=obj._meta.label_lower, object_id=str(obj.pk), payload=dict(payload or {})
    )
    transaction.on_commit(lambda: publish_fan_out([row.pk]))
    return row


def publish_fan_out(event_ids: list[int]) -> None:
    """Ask a worker to fan these events out; a failure to publish is logged, never raised."""
    try:
        task = current_app.tasks.get(FAN_OUT_TASK)
        if task is not None:
            task.apply_async(args=(event_ids,))
        else:  # a process that has not loaded the notifications' tasks
            current_app.send_task(FAN_OUT_TASK, args=(event_ids,))
    except Exception:  # the row is in the database; the sweeper publishes it again
        logger.warning("could not publish %s outbox events; the sweeper will", len(event_ids), exc_info=True)
