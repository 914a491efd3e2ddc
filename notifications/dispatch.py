"""Sending notification rows: claim, send, record; retries with backoff; the sweeper's rescue.

A row is claimed by one conditional UPDATE (pending and due → sending, with a lease), so any
number of tasks for the same row send it once. The row is marked delivered as soon as the channel
accepted it. A worker killed between the two leaves the row 'sending'; when its lease has run out
the sweeper sends it again (``in_doubt_resends``), with the same Message-ID, so that the receiving
side can recognise it: that short window is the one place where at-least-once shows.
"""

from __future__ import annotations

import logging
import random
import smtplib
import uuid
from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core import mail
from django.db.models import Exists, F, OuterRef
from django.utils import timezone

from notifications.addresses import InvalidAddress, checked_email, checked_phone
from notifications.catalogue import MEETING_KINDS_SUPERSEDED, SUPERSEDING_EVENTS
from notifications.choices import Channel, DeliveryStatus
from notifications.errors import PermanentFailure
from notifications.models import Notification, OutboxEvent
from notifications.rendering import render_html, sms_text
from notifications.sms import SmsPermanentError, quiet_hours_end, sms_backend

logger = logging.getLogger(__name__)

PENDING = DeliveryStatus.PENDING
SENDING = DeliveryStatus.SENDING


def backoff(attempts: int) -> timedelta:
    """Exponential with a cap and ±10 % jitter, so that retries after an outage spread out."""
    base = settings.NOTIFICATIONS_RETRY_BASE_SECONDS * 2 ** max(attempts - 1, 0)
    seconds = min(base, settings.NOTIFICATIONS_RETRY_CAP_SECONDS)
    return timedelta(seconds=seconds * random.uniform(0.9, 1.1))  # noqa: S311 - jitter, not secrecy


def _reason(error: BaseException) -> str:
    """What went wrong, without the address (SMTP errors quote it)."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = sorted({code for code, _ in error.recipients.values()})
        return f"SMTP recipient refused ({', '.join(map(str, codes))})"
    if isinstance(error, smtplib.SMTPResponseException):
        return f"SMTP {error.smtp_code}"
    if isinstance(error, InvalidAddress | PermanentFailure | SmsPermanentError | RelayConnectionFailed):
        return str(error)[:200]
    return type(error).__name__


# A sender claims this many rows at a time: one UPDATE and one SELECT for them, then one UPDATE per
# row as it is sent. Small enough that a killed worker leaves few claimed rows behind.
CLAIM_CHUNK = 20

# Failures of the relay or the connection, not of one message: the row is tried again later and
# the rest of the batch waits for the sweeper instead of spending its attempts on a broken relay.
RELAY_SMTP_ERRORS = (
    smtplib.SMTPAuthenticationError,
    smtplib.SMTPConnectError,
    smtplib.SMTPHeloError,
    smtplib.SMTPSenderRefused,
    smtplib.SMTPNotSupportedError,
    smtplib.SMTPServerDisconnected,
)


class RelayConnectionFailed(Exception):
    """Opening the connection to the relay failed (TLS, login, network): no message's fault."""


def _is_relay_error(row: Notification, error: BaseException) -> bool:
    if row.channel != Channel.EMAIL:
        return False  # an SMS provider's trouble must not hold up email
    if isinstance(error, RelayConnectionFailed):
        return True
    if isinstance(error, smtplib.SMTPSenderRefused) and error.smtp_code == 552:
        return False  # "message too large" at MAIL FROM: this message's fault
    # Every SMTPException is an OSError: a refused recipient or message is not a relay failure.
    if isinstance(error, smtplib.SMTPException):
        return isinstance(error, RELAY_SMTP_ERRORS)
    return isinstance(error, OSError)  # refused, unreachable, timed out


class RelayUnavailable(Exception):
    """Raised after recording a relay failure (with the row's outcome): stop the batch."""

    def __init__(self, outcome: str) -> None:
        super().__init__(outcome)
        self.outcome = outcome


def _lease_left_for_one_send(row: Notification) -> bool:
    """Whether the claim outlasts one more send (an SMTP timeout), or half the lease if shorter."""
    if row.claimed_until is None:
        return False
    lease = settings.NOTIFICATIONS_SEND_LEASE_SECONDS
    margin = timedelta(seconds=min(settings.EMAIL_TIMEOUT + 5, lease / 2))
    return timezone.now() < row.claimed_until - margin


def _release(rows: list[Notification]) -> None:
    """Claimed rows that were not tried: pending again, their attempt not counted."""
    for row in rows:
        Notification.objects.filter(pk=row.pk, claim_token=row.claim_token, status=SENDING).update(
            status=PENDING, attempts=F("attempts") - 1, claimed_until=None, claim_token=None
        )


def _is_permanent(error: BaseException) -> bool:
    if isinstance(error, InvalidAddress | PermanentFailure | SmsPermanentError):
        return True
    if isinstance(error, smtplib.SMTPSenderRefused) and error.smtp_code == 552:
        return True  # the message is larger than the relay takes: it will stay so
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        # 5xx for every recipient is final; 4xx (greylisting, mailbox busy) is worth another try.
        return all(500 <= code < 600 for code, _ in error.recipients.values())
    # The relay refused this message's content (5xx after DATA).
    return isinstance(error, smtplib.SMTPDataError) and 500 <= error.smtp_code < 600


class Dispatcher:
    """Sends a batch of rows over one email connection."""

    def __init__(self) -> None:
        self._connection: Any = None
        # Rows of one event share their texts and calendar data: build each once per batch.
        self._html: dict[tuple[str, str, str], str] = {}
        self._attachment_cache: dict[Any, Any] = {}

    def __enter__(self) -> Dispatcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self._close()

    def _close(self) -> None:
        if self._connection is not None:
            try:
                self._connection.close()
            except Exception:  # closing a broken connection may fail too
                logger.debug("closing the email connection failed", exc_info=True)
            self._connection = None

    def _email_connection(self) -> Any:
        if self._connection is None:
            self._connection = mail.get_connection(fail_silently=False)
            self._connection.open()
        return self._connection

    def deliver(self, ids: Iterable[int]) -> dict[str, int]:
        counts = {"delivered": 0, "retry": 0, "failed": 0, "skipped": 0, "expired": 0}
        ids = list(ids)
        for start in range(0, len(ids), CLAIM_CHUNK):
            chunk = ids[start : start + CLAIM_CHUNK]
            if not self._deliver_chunk(chunk, counts):
                counts["skipped"] += len(ids) - start - len(chunk)  # left for the sweeper
                break
        return counts

    def _deliver_chunk(self, chunk: list[int], counts: dict[str, int]) -> bool:
        """Send a chunk's due rows; False when the rest of the batch should wait for the sweeper.

        Whatever happens, rows claimed but not tried are released at once (not left to the lease).
        """
        rows = self._claim(chunk, counts)
        tried = 0
        try:
            for row in rows:
                if not _lease_left_for_one_send(row):
                    # The sweeper may hand the row to another sender soon: do not race it.
                    counts["skipped"] += len(rows) - tried
                    return False
                tried += 1
                try:
                    counts[self._attempt(row)] += 1
                except RelayUnavailable as stop:
                    counts[stop.outcome] += 1
                    counts["skipped"] += len(rows) - tried
                    logger.warning(
                        "the email relay is unavailable; the rest of this batch waits for the sweeper"
                    )
                    return False
            return True
        finally:
            _release(rows[tried:])

    def _claim(self, chunk: list[int], counts: dict[str, int]) -> list[Notification]:
        """Claim the chunk's due rows for this sender in one UPDATE, and read them in one SELECT."""
        now = timezone.now()
        pending = Notification.objects.filter(pk__in=chunk, status=PENDING, next_attempt_at__lte=now)
        # A message held by quiet hours or retries until after its meeting says nothing useful.
        expired = pending.filter(expires_at__lte=now).update(
            status=DeliveryStatus.CANCELLED, last_error="expired before it could be sent"
        )
        counts["expired"] += expired
        # What was said about a meeting before it was moved or cancelled is not sent any more, even if
        # the row was in flight when the change came (the fan-out withdrew only the pending ones).
        superseded = pending.filter(kind__in=MEETING_KINDS_SUPERSEDED).filter(
            Exists(
                OutboxEvent.objects.filter(
                    object_type=OuterRef("object_type"),
                    object_id=OuterRef("object_id"),
                    event__in=SUPERSEDING_EVENTS,
                    created_at__gte=OuterRef("created_at"),
                )
            )
        )
        cancelled = superseded.update(
            status=DeliveryStatus.CANCELLED, last_error="superseded by a later change to the meeting"
        )
        counts["expired"] += cancelled
        # A row with no attempts left (the limit was lowered) fails instead of waiting for ever.
        spent = pending.filter(attempts__gte=settings.NOTIFICATIONS_MAX_ATTEMPTS).update(
            status=DeliveryStatus.FAILED, last_error="no attempts left"
        )
        counts["failed"] += spent
        expired += cancelled + spent
        quiet_until = quiet_hours_end(now)
        if quiet_until is not None:
            pending.filter(channel=Channel.SMS).update(next_attempt_at=quiet_until)
        token = uuid.uuid4()
        pending.filter(attempts__lt=settings.NOTIFICATIONS_MAX_ATTEMPTS).update(
            status=SENDING,
            attempts=F("attempts") + 1,
            claimed_until=now + timedelta(seconds=settings.NOTIFICATIONS_SEND_LEASE_SECONDS),
            claim_token=token,
        )
        rows = list(Notification.objects.filter(claim_token=token, status=SENDING).order_by("pk"))
        counts["skipped"] += len(chunk) - len(rows) - expired  # not due, quiet, or another sender's
        return rows

    def _attempt(self, row: Notification) -> str:
        try:
            self._send(row)
        except SoftTimeLimitExceeded as error:
            self._record_failure(row, error)  # this row is retried; the rest of the batch waits
            raise
        except Exception as error:  # every failure is recorded on the row
            outcome = self._record_failure(row, error)
            if _is_relay_error(row, error):
                raise RelayUnavailable(outcome) from error
            return outcome
        # Marked at once: a worker killed from here on leaves the row for the lease rescue, in doubt.
        # Only the claim that sent it records it (a rescued row may have been claimed again).
        Notification.objects.filter(pk=row.pk, claim_token=row.claim_token, status=SENDING).update(
            status=DeliveryStatus.DELIVERED,
            delivered_at=timezone.now(),
            claimed_until=None,
            claim_token=None,
            last_error="",
        )
        logger.info("notification %s (%s, %s) delivered", row.pk, row.kind, row.channel)
        return "delivered"

    def _record_failure(self, row: Notification, error: Exception) -> str:
        reason = _reason(error)
        if not _is_permanent(error):
            self._close()  # the connection may be the problem; the next row opens a new one
        if _is_permanent(error) or row.attempts >= settings.NOTIFICATIONS_MAX_ATTEMPTS:
            Notification.objects.filter(pk=row.pk, status=SENDING, claim_token=row.claim_token).update(
                status=DeliveryStatus.FAILED, last_error=reason, claimed_until=None, claim_token=None
            )
            logger.warning("notification %s (%s, %s) failed: %s", row.pk, row.kind, row.channel, reason)
            return "failed"
        Notification.objects.filter(pk=row.pk, status=SENDING, claim_token=row.claim_token).update(
            status=PENDING,
            last_error=reason,
            claimed_until=None,
            claim_token=None,
            next_attempt_at=timezone.now() + backoff(row.attempts),
        )
        logger.info("notification %s (%s, %s) will be retried: %s", row.pk, row.kind, row.channel, reason)
        return "retry"

    def _send(self, row: Notification) -> None:
        if row.channel == Channel.EMAIL:
            self._send_email(row)
        elif row.channel == Channel.SMS:
            sms_backend().send(to=checked_phone(row.address), text=sms_text(row.subject), reference=row.key)
        else:
            raise PermanentFailure(f"nothing to send on channel {row.channel}")

    def _send_email(self, row: Notification) -> None:
        from notifications.attachments import attachment_parts

        address = checked_email(row.address)
        try:
            connection = self._email_connection()
        except Exception as error:
            self._connection = None
            raise RelayConnectionFailed(f"connecting to the relay failed: {_reason(error)}") from error
        message = mail.EmailMultiAlternatives(
            subject=row.subject,
            body=row.body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[address],
            headers={"Message-ID": message_id(row.key), "Auto-Submitted": "auto-generated"},
            connection=connection,
        )
        text = (row.subject, row.body, row.language)
        if text not in self._html:
            self._html[text] = render_html(*text)
        message.attach_alternative(self._html[text], "text/html")
        parts, on_sent = attachment_parts(row, cache=self._attachment_cache)
        for part in parts:
            message.attach(part)
        message.send()
        for record in on_sent:
            record()  # e.g. the access log of a plan sent: written once it has left


def message_id(key: str) -> str:
    """The idempotency key as the email's Message-ID: a resent message keeps its identity."""
    return f"<{key.replace(':', '.')}@{settings.CALENDAR_UID_DOMAIN}>"


def deliver(ids: Iterable[int]) -> dict[str, int]:
    with Dispatcher() as dispatcher:
        return dispatcher.deliver(ids)


def rescue_abandoned(*, now: Any = None) -> int:
    """Rows left 'sending' by a worker that died: pending again, counted as in doubt.

    A row that has taken its worker down as many times as it may be tried (a PDF that exhausts
    memory, a hard time limit) fails instead of killing workers for ever.
    """
    now = now or timezone.now()
    abandoned = Notification.objects.filter(status=SENDING, claimed_until__lt=now)
    abandoned.filter(attempts__gte=settings.NOTIFICATIONS_MAX_ATTEMPTS).update(
        status=DeliveryStatus.FAILED,
        claimed_until=None,
        claim_token=None,
        last_error="interrupted at every attempt",
    )
    return abandoned.update(
        status=PENDING,
        claimed_until=None,
        claim_token=None,
        next_attempt_at=now,
        in_doubt_resends=F("in_doubt_resends") + 1,
    )
