"""The idempotency key of a notification: ``<source>:<recipient>:<channel>``.

The source is the outbox event (``e<id>``) or the reminder (``<reminder>:<object>:<when>``), the
recipient ``u<user>``, ``r<representative>``, ``m<member>`` or ``p<person>``. The key is unique,
so the same message can be created only once per recipient and channel.
"""

from __future__ import annotations


def notification_key(source: str, recipient: str, channel: str) -> str:
    return f"{source}:{recipient}:{channel}"


def source_of(key: str) -> str:
    return key.rsplit(":", 2)[0]


def recipient_of(key: str) -> str:
    return key.rsplit(":", 2)[-2]
