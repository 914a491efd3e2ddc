"""Writing to the outbox. Must be called inside the transaction of the change it announces."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import models, transaction

from notifications.models import OutboxEvent


def outbox_emit(*, event: str, obj: models.Model, payload: Mapping[str, Any] | None = None) -> OutboxEvent:
    """Record that ``event`` happened to ``obj``; no identifiers of people in the payload."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("outbox_emit must run inside the transaction of the change it announces")
    return OutboxEvent.objects.create(
        event=event, object_type=obj._meta.label_lower, object_id=str(obj.pk), payload=dict(payload or {})
    )
