"""Sending SMS through a small backend interface, chosen by the ``SMS_BACKEND`` setting.

A provider is one subclass of ``BaseSmsBackend`` and its settings. Backends raise
``SmsPermanentError`` when the provider refuses the message for good (a bad number) and any other
exception when a retry may help (a timeout, the provider down).
"""

from __future__ import annotations

import datetime
import json
import sys
import threading
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string


class SmsPermanentError(Exception):
    pass


class BaseSmsBackend:
    def send(self, *, to: str, text: str, reference: str) -> None:
        """Send ``text`` to the E.164 number ``to``; ``reference`` is the idempotency key."""
        raise NotImplementedError


class ConsoleSmsBackend(BaseSmsBackend):
    def send(self, *, to: str, text: str, reference: str) -> None:
        sys.stdout.write(f"--- SMS to {to} ({reference})\n{text}\n---\n")
        sys.stdout.flush()


class FileSmsBackend(BaseSmsBackend):
    """One JSON line per message in ``SMS_FILE_PATH``: the demo's and the developers' phone."""

    _lock = threading.Lock()

    def send(self, *, to: str, text: str, reference: str) -> None:
        path = Path(settings.SMS_FILE_PATH)
        path.parent.mkdir(parents=True, exist_ok=True)
        line = json.dumps(
            {"sent_at": timezone.now().isoformat(), "to": to, "reference": reference, "text": text},
            ensure_ascii=False,
        )
        with self._lock, path.open("a", encoding="utf-8") as file:
            file.write(line + "\n")


class MemorySmsBackend(BaseSmsBackend):
    """Keeps the messages in ``outbox``, like Django's locmem email backend (tests, benchmarks)."""

    outbox: list[dict[str, Any]] = []

    def send(self, *, to: str, text: str, reference: str) -> None:
        MemorySmsBackend.outbox.append({"to": to, "text": text, "reference": reference})


class DisabledSmsBackend(BaseSmsBackend):
    """No SMS provider: nobody is offered the SMS channel (see ``sms_enabled``)."""

    def send(self, *, to: str, text: str, reference: str) -> None:
        raise SmsPermanentError("SMS is not configured")


# Backends for development: they write numbers to a file, the console or memory.
DEVELOPMENT_BACKENDS = frozenset(
    f"notifications.sms.{name}" for name in ("FileSmsBackend", "ConsoleSmsBackend", "MemorySmsBackend")
)


def sms_enabled() -> bool:
    return bool(settings.SMS_BACKEND != "notifications.sms.DisabledSmsBackend")


def sms_backend() -> BaseSmsBackend:
    backend: BaseSmsBackend = import_string(settings.SMS_BACKEND)()
    return backend


def quiet_hours_end(at: datetime.datetime) -> datetime.datetime | None:
    """When the quiet hours around ``at`` end (local time), or None outside them."""
    start, end = settings.SMS_QUIET_HOURS
    if start == end:
        return None
    local = timezone.localtime(at)
    hour = local.hour
    inside = start <= hour or hour < end if start > end else start <= hour < end
    if not inside:
        return None
    day = local.date() if hour < end else local.date() + datetime.timedelta(days=1)
    naive = datetime.datetime.combine(day, datetime.time(end))
    return timezone.make_aware(naive, timezone.get_current_timezone())
