"""Sending rows: claims, failures with reasons, retries with backoff, quiet hours, rescue, retry by hand."""

from __future__ import annotations

import datetime
import itertools
import smtplib
from collections.abc import Iterator
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone

from casework.errors import Conflict
from casework.models import AuditEvent
from casework.selectors import reach_for
from notifications import dispatch, tasks
from notifications.choices import Channel, DeliveryStatus
from notifications.models import Notification
from notifications.services import delivery_retry
from notifications.sms import quiet_hours_end

pytestmark = pytest.mark.django_db
_keys = itertools.count()


def _row(channel: str = Channel.EMAIL, address: str = "mottaker@example.org", **fields: Any) -> Notification:
    values: dict[str, Any] = {
        "key": f"test:{next(_keys)}:{channel}",
        "kind": "meeting_invited",
        "channel": channel,
        "object_type": "responsibility_groups.meeting",
        "object_id": "1",
        "recipient_name": "Mottaker",
        "address": address,
        "language": "nb",
        "subject": "Innkalling til ansvarsgruppemøte",
        "body": "Du er invitert.\n\nMer i Medvirk.",
    }
    return Notification.objects.create(**{**values, **fields})


class FlakyBackend:
    """An email backend whose every send raises ``error`` (and opening, ``open_error``)."""

    error: Exception = smtplib.SMTPServerDisconnected("connection lost")
    open_error: Exception | None = None

    def __init__(self, **kwargs: Any) -> None:
        pass

    def open(self) -> None:
        if FlakyBackend.open_error is not None:
            raise FlakyBackend.open_error

    def close(self) -> None:
        pass

    def send_messages(self, messages: Any) -> int:
        raise FlakyBackend.error


@pytest.fixture
def flaky(settings: Any) -> Iterator[type[FlakyBackend]]:
    """The email backend fails; a test may choose how (``flaky.error = ...``)."""
    settings.EMAIL_BACKEND = "tests.notifications.test_dispatch.FlakyBackend"
    yield FlakyBackend
    FlakyBackend.error = smtplib.SMTPServerDisconnected("connection lost")
    FlakyBackend.open_error = None


def test_an_email_is_sent_with_text_html_and_the_key_as_message_id() -> None:
    row = _row()

    counts = dispatch.deliver([row.pk])

    assert counts == {"delivered": 1, "retry": 0, "failed": 0, "skipped": 0, "expired": 0}
    (message,) = mail.outbox
    assert message.to == ["mottaker@example.org"]
    assert message.extra_headers["Message-ID"] == dispatch.message_id(row.key)
    assert message.alternatives[0].mimetype == "text/html"
    row.refresh_from_db()
    assert (row.status, row.attempts, row.claimed_until) == (DeliveryStatus.DELIVERED, 1, None)


def test_user_text_is_escaped_in_the_html_part() -> None:
    row = _row(body="Sted: <script>alert(1)</script>")

    dispatch.deliver([row.pk])

    html = mail.outbox[0].alternatives[0].content
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>" not in html


def test_an_invalid_address_fails_that_row_and_the_others_are_delivered(sms_outbox: list[Any]) -> None:
    bad_email = _row(address="ikke-en-adresse")
    bad_phone = _row(channel=Channel.SMS, address="12")
    good_email = _row()
    good_phone = _row(channel=Channel.SMS, address="+47 412 34 567")

    counts = dispatch.deliver([bad_email.pk, bad_phone.pk, good_email.pk, good_phone.pk])

    assert counts == {"delivered": 2, "retry": 0, "failed": 2, "skipped": 0, "expired": 0}
    statuses = dict(Notification.objects.values_list("pk", "status"))
    assert statuses == {
        bad_email.pk: DeliveryStatus.FAILED,
        bad_phone.pk: DeliveryStatus.FAILED,
        good_email.pk: DeliveryStatus.DELIVERED,
        good_phone.pk: DeliveryStatus.DELIVERED,
    }
    assert Notification.objects.get(pk=bad_email.pk).last_error == "invalid email address"
    assert Notification.objects.get(pk=bad_phone.pk).last_error == "invalid phone number"
    assert [sms["to"] for sms in sms_outbox] == ["+4741234567"]


def test_a_transient_error_schedules_a_retry_with_backoff(flaky: Any) -> None:
    row = _row()
    before = timezone.now()

    assert dispatch.deliver([row.pk])["retry"] == 1

    row.refresh_from_db()
    assert (row.status, row.attempts, row.last_error) == (DeliveryStatus.PENDING, 1, "SMTPServerDisconnected")
    assert (
        before + datetime.timedelta(seconds=27)
        <= row.next_attempt_at
        <= timezone.now() + datetime.timedelta(seconds=33)
    )


def test_a_row_not_yet_due_is_not_sent(flaky: Any) -> None:
    row = _row(next_attempt_at=timezone.now() + datetime.timedelta(minutes=5))

    assert dispatch.deliver([row.pk])["skipped"] == 1
    assert Notification.objects.get(pk=row.pk).attempts == 0


def test_after_the_last_attempt_the_row_fails_with_its_reason(flaky: Any, settings: Any) -> None:
    settings.NOTIFICATIONS_MAX_ATTEMPTS = 3
    row = _row()
    for _ in range(3):
        Notification.objects.filter(pk=row.pk).update(next_attempt_at=timezone.now())
        dispatch.deliver([row.pk])

    row.refresh_from_db()
    assert (row.status, row.attempts, row.last_error) == (DeliveryStatus.FAILED, 3, "SMTPServerDisconnected")


def test_a_permanent_smtp_refusal_fails_at_once_without_the_address(flaky: Any) -> None:
    flaky.error = smtplib.SMTPRecipientsRefused({"mottaker@example.org": (550, b"no such user")})
    row = _row()
    dispatch.deliver([row.pk])

    row.refresh_from_db()
    assert (row.status, row.attempts, row.last_error) == (
        DeliveryStatus.FAILED,
        1,
        "SMTP recipient refused (550)",
    )


def test_backoff_doubles_up_to_the_cap(settings: Any) -> None:
    settings.NOTIFICATIONS_RETRY_BASE_SECONDS = 10
    settings.NOTIFICATIONS_RETRY_CAP_SECONDS = 100
    seconds = [dispatch.backoff(n).total_seconds() for n in (1, 2, 3, 4, 5, 9)]
    for value, expected in zip(seconds, (10, 20, 40, 80, 100, 100), strict=True):
        assert expected * 0.9 <= value <= expected * 1.1


def test_a_row_claimed_by_another_worker_is_not_sent_again() -> None:
    row = _row(status=DeliveryStatus.SENDING, claimed_until=timezone.now() + datetime.timedelta(minutes=2))

    assert dispatch.deliver([row.pk])["skipped"] == 1
    assert mail.outbox == []


def test_a_row_left_sending_by_a_dead_worker_is_sent_again_once_its_lease_ran_out() -> None:
    abandoned = _row(
        status=DeliveryStatus.SENDING, claimed_until=timezone.now() - datetime.timedelta(seconds=1)
    )
    in_progress = _row(
        status=DeliveryStatus.SENDING, claimed_until=timezone.now() + datetime.timedelta(minutes=2)
    )

    assert dispatch.rescue_abandoned() == 1
    dispatch.deliver([abandoned.pk, in_progress.pk])

    abandoned.refresh_from_db()
    assert (abandoned.status, abandoned.in_doubt_resends) == (DeliveryStatus.DELIVERED, 1)
    assert Notification.objects.get(pk=in_progress.pk).status == DeliveryStatus.SENDING
    assert mail.outbox[0].extra_headers["Message-ID"] == dispatch.message_id(abandoned.key)


def test_the_sweeper_sends_due_retries_and_rescued_rows(settings: Any) -> None:
    settings.NOTIFICATIONS_SWEEP_GRACE_SECONDS = 0
    due_retry = _row(attempts=1, next_attempt_at=timezone.now() - datetime.timedelta(seconds=1))
    later = _row(attempts=1, next_attempt_at=timezone.now() + datetime.timedelta(minutes=5))
    abandoned = _row(
        status=DeliveryStatus.SENDING, claimed_until=timezone.now() - datetime.timedelta(seconds=1)
    )

    counts = tasks.sweep()

    assert counts == {"events": 0, "due": 2, "rescued": 1}
    statuses = dict(Notification.objects.values_list("pk", "status"))
    assert statuses == {
        due_retry.pk: DeliveryStatus.DELIVERED,
        later.pk: DeliveryStatus.PENDING,
        abandoned.pk: DeliveryStatus.DELIVERED,
    }


def test_sms_wait_for_the_end_of_the_quiet_hours(settings: Any, sms_outbox: list[Any]) -> None:
    hour = timezone.localtime().hour
    settings.SMS_QUIET_HOURS = (hour, (hour + 2) % 24)
    row = _row(channel=Channel.SMS, address="41234567")

    assert dispatch.deliver([row.pk])["skipped"] == 1

    row.refresh_from_db()
    assert row.status == DeliveryStatus.PENDING
    assert timezone.localtime(row.next_attempt_at).hour == (hour + 2) % 24
    assert sms_outbox == []


@pytest.mark.parametrize(
    ("local", "expected"),
    [
        ("2026-11-25 22:30", "2026-11-26 08:00"),
        ("2026-11-26 07:59", "2026-11-26 08:00"),
        ("2026-11-26 08:00", None),
        ("2026-11-26 20:59", None),
        ("2026-03-29 01:30", "2026-03-29 08:00"),  # the night summer time begins
    ],
)
def test_quiet_hours_cross_midnight(settings: Any, local: str, expected: str | None) -> None:
    settings.SMS_QUIET_HOURS = (21, 8)
    at = timezone.make_aware(datetime.datetime.fromisoformat(local))
    end = quiet_hours_end(at)
    assert (timezone.localtime(end).strftime("%Y-%m-%d %H:%M") if end else None) == expected


def _failed_invitation(world: Any, groups: Any, *, address: str, last_error: str) -> tuple[Notification, Any]:
    """A meeting invitation by email to a staff member of the group, failed."""
    from responsibility_groups import services as group_services
    from responsibility_groups.choices import MemberKind
    from tests.factories import UserFactory

    group = groups.group()
    staff = UserFactory(email="riktig@kommune.no")
    group_services.member_add(reach=groups.reach, group=group, kind=MemberKind.STAFF, user=staff)
    meeting = group_services.meeting_transition(
        reach=groups.reach, meeting=groups.meeting(group), name="invite"
    )
    row = _row(
        key=f"e1:u{staff.pk}:email",
        object_id=str(meeting.pk),
        address=address,
        status=DeliveryStatus.FAILED,
        attempts=6,
        last_error=last_error,
        service_user=world.person,
    )
    return row, staff


def test_a_failed_row_can_be_sent_again_by_hand_and_it_is_audited(
    world: Any, groups: Any, django_capture_on_commit_callbacks: Any
) -> None:
    row, _staff = _failed_invitation(world, groups, address="riktig@kommune.no", last_error="SMTP 554")
    reach = reach_for(world.actors["caseworker"])

    with django_capture_on_commit_callbacks(execute=True):
        delivery_retry(reach=reach, notification=row)

    row.refresh_from_db()
    assert (row.status, row.attempts) == (DeliveryStatus.DELIVERED, 1)
    audit = AuditEvent.objects.get(action="notification.retry")
    assert (audit.actor, audit.comment) == (world.actors["caseworker"], "SMTP 554")


def test_a_recipient_no_longer_in_the_group_is_not_sent_it_again(world: Any, groups: Any) -> None:
    from responsibility_groups.models import GroupMember

    row, staff = _failed_invitation(world, groups, address="riktig@kommune.no", last_error="SMTP 554")
    GroupMember.objects.filter(user=staff).update(is_active=False)

    with pytest.raises(Conflict) as refused:
        delivery_retry(reach=reach_for(world.actors["caseworker"]), notification=row)

    assert refused.value.code == "recipient_not_entitled"
    assert Notification.objects.get(pk=row.pk).status == DeliveryStatus.FAILED


def test_only_a_failed_row_can_be_sent_again(world: Any) -> None:
    row = _row(status=DeliveryStatus.DELIVERED, service_user=world.person)

    with pytest.raises(Conflict):
        delivery_retry(reach=reach_for(world.actors["caseworker"]), notification=row)

    assert Notification.objects.get(pk=row.pk).status == DeliveryStatus.DELIVERED
    assert not AuditEvent.objects.filter(action="notification.retry").exists()


def test_a_task_out_of_time_stops_its_batch_and_the_rest_stays_pending(flaky: Any) -> None:
    from celery.exceptions import SoftTimeLimitExceeded

    flaky.error = SoftTimeLimitExceeded()
    first, second = _row(), _row()
    with pytest.raises(SoftTimeLimitExceeded):
        dispatch.deliver([first.pk, second.pk])

    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, first.attempts, first.last_error) == (
        DeliveryStatus.PENDING,
        1,
        "SoftTimeLimitExceeded",
    )
    assert (second.status, second.attempts) == (DeliveryStatus.PENDING, 0)


def test_the_sweeper_does_not_publish_a_row_again_while_its_message_may_be_on_the_way(
    settings: Any, monkeypatch: Any
) -> None:
    settings.NOTIFICATIONS_SWEEP_GRACE_SECONDS = 0
    settings.NOTIFICATIONS_REQUEUE_SECONDS = 60
    published: list[list[int]] = []
    monkeypatch.setattr(tasks, "_publish", lambda task, ids, queue=None: published.append(ids))
    row = _row(attempts=1, next_attempt_at=timezone.now() - datetime.timedelta(seconds=1))

    tasks.sweep()
    tasks.sweep()  # e.g. beat catching up after an outage
    Notification.objects.filter(pk=row.pk).update(queued_at=timezone.now() - datetime.timedelta(seconds=61))
    tasks.sweep()  # the message was lost: publish again

    assert published == [[row.pk], [row.pk]]


def test_a_temporary_refusal_of_the_recipient_is_retried(flaky: Any) -> None:
    flaky.error = smtplib.SMTPRecipientsRefused({"mottaker@example.org": (451, b"greylisted")})
    row = _row()
    dispatch.deliver([row.pk])

    row.refresh_from_db()
    assert (row.status, row.attempts, row.last_error) == (
        DeliveryStatus.PENDING,
        1,
        "SMTP recipient refused (451)",
    )


def test_a_relay_that_refuses_our_login_stops_the_batch_without_failing_the_rows(flaky: Any) -> None:
    flaky.error = smtplib.SMTPAuthenticationError(535, b"authentication failed")
    first, second = _row(), _row()
    counts = dispatch.deliver([first.pk, second.pk])

    assert counts["retry"] == 1
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, first.attempts, first.last_error) == (DeliveryStatus.PENDING, 1, "SMTP 535")
    assert (second.status, second.attempts) == (DeliveryStatus.PENDING, 0)


def test_a_row_that_took_its_worker_down_at_every_attempt_fails(settings: Any) -> None:
    settings.NOTIFICATIONS_MAX_ATTEMPTS = 3
    expired = timezone.now() - datetime.timedelta(seconds=1)
    worn_out = _row(status=DeliveryStatus.SENDING, attempts=3, claimed_until=expired)
    again = _row(status=DeliveryStatus.SENDING, attempts=2, claimed_until=expired)

    assert dispatch.rescue_abandoned() == 1

    worn_out.refresh_from_db()
    assert (worn_out.status, worn_out.last_error) == (DeliveryStatus.FAILED, "interrupted at every attempt")
    assert Notification.objects.get(pk=again.pk).status == DeliveryStatus.PENDING


def test_sending_again_by_hand_uses_the_corrected_address(
    world: Any, groups: Any, django_capture_on_commit_callbacks: Any
) -> None:
    row, _staff = _failed_invitation(world, groups, address="feil@", last_error="invalid email address")

    with django_capture_on_commit_callbacks(execute=True):
        delivery_retry(reach=reach_for(world.actors["caseworker"]), notification=row)

    row.refresh_from_db()
    assert (row.status, row.address) == (DeliveryStatus.DELIVERED, "riktig@kommune.no")
    assert mail.outbox[-1].to == ["riktig@kommune.no"]


def test_the_plan_is_not_emailed_to_a_guardian_whose_mandate_has_ended(world: Any, plans: Any) -> None:
    from casework.models import AccessLogEntry, Mandate

    plan = plans.active()
    guardian = world.actors["guardian"]
    row = _row(
        object_type="plans.individualplan",
        object_id=str(plan.pk),
        recipient_user=guardian,
        attachments=[{"type": "plan_pdf", "version": 1}],
        service_user=world.person,
    )
    Mandate.objects.filter(representative__user=guardian).update(
        valid_to=timezone.localdate() - datetime.timedelta(days=1)
    )

    dispatch.deliver([row.pk])

    row.refresh_from_db()
    assert (row.status, row.last_error) == (DeliveryStatus.FAILED, "the recipient may no longer see the plan")
    assert mail.outbox == []
    assert not AccessLogEntry.objects.filter(resource="plan.pdf_email").exists()


def test_a_sender_whose_lease_is_nearly_out_leaves_the_rest_of_its_chunk(settings: Any) -> None:
    settings.NOTIFICATIONS_SEND_LEASE_SECONDS = 0  # claimed, and out of time at once
    row = _row()

    counts = dispatch.deliver([row.pk])

    assert counts["skipped"] == 1
    row.refresh_from_db()
    assert (row.status, row.attempts, row.claim_token) == (DeliveryStatus.PENDING, 0, None)
    assert mail.outbox == []


def test_a_relay_that_cannot_be_opened_stops_the_batch(flaky: Any) -> None:
    flaky.open_error = smtplib.SMTPException("No suitable authentication method found.")
    first, second = _row(), _row()

    counts = dispatch.deliver([first.pk, second.pk])

    assert counts == {"delivered": 0, "retry": 1, "failed": 0, "skipped": 1, "expired": 0}
    first.refresh_from_db()
    assert (first.status, first.attempts) == (DeliveryStatus.PENDING, 1)
    assert first.last_error.startswith("connecting to the relay failed")
    assert Notification.objects.get(pk=second.pk).attempts == 0


def test_a_message_too_large_for_the_relay_fails_alone(flaky: Any) -> None:
    flaky.error = smtplib.SMTPSenderRefused(552, b"message size exceeds limit", "ikke-svar@medvirk.local")
    first, second = _row(), _row()

    counts = dispatch.deliver([first.pk, second.pk])

    assert counts["failed"] == 2  # each message on its own; the batch was not stopped
    assert Notification.objects.get(pk=first.pk).last_error == "SMTP 552"


def test_an_unexpected_error_releases_the_rows_not_yet_tried(monkeypatch: Any) -> None:
    first, second, third = _row(), _row(), _row()

    def broken(self: Any, row: Notification) -> str:
        raise RuntimeError("database went away")

    monkeypatch.setattr(dispatch.Dispatcher, "_attempt", broken)
    with pytest.raises(RuntimeError):
        dispatch.deliver([first.pk, second.pk, third.pk])

    statuses = dict(Notification.objects.values_list("pk", "status"))
    assert statuses[first.pk] == DeliveryStatus.SENDING  # tried: its lease decides
    assert (statuses[second.pk], statuses[third.pk]) == (DeliveryStatus.PENDING, DeliveryStatus.PENDING)
    assert Notification.objects.get(pk=second.pk).attempts == 0


def test_a_row_in_flight_when_its_meeting_moved_is_not_sent_later() -> None:
    from notifications.models import OutboxEvent

    row = _row(kind="meeting_tomorrow", object_id="7")
    OutboxEvent.objects.create(event="meeting.reschedule", object_type=row.object_type, object_id="7")

    counts = dispatch.deliver([row.pk])

    assert counts["expired"] == 1
    row.refresh_from_db()
    assert (row.status, row.last_error) == (
        DeliveryStatus.CANCELLED,
        "superseded by a later change to the meeting",
    )
    assert mail.outbox == []


def test_a_row_with_no_attempts_left_fails_instead_of_waiting(settings: Any) -> None:
    settings.NOTIFICATIONS_MAX_ATTEMPTS = 3
    row = _row(attempts=3)

    assert dispatch.deliver([row.pk])["failed"] == 1
    assert Notification.objects.get(pk=row.pk).last_error == "no attempts left"
