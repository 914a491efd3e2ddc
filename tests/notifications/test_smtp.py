"""Email delivery through a real SMTP server on the loopback interface (aiosmtpd).

The messages are sent by Django's SMTP backend from the real service path (a meeting invited or
cancelled, a plan activated) and read back as raw bytes, so these tests see what a mail server
and a calendar client see: the parts, the calendar method, the attachments and the refusals.
"""

from __future__ import annotations

import email
import email.policy
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any

import icalendar
import pytest
from aiosmtpd.controller import Controller
from django.conf import settings as django_settings
from django.utils import timezone

from notifications.choices import Channel, DeliveryStatus
from notifications.dispatch import message_id
from notifications.models import Notification, NotificationPreference
from responsibility_groups import services as group_services
from responsibility_groups.choices import MemberKind
from responsibility_groups.models import GroupMember, Meeting
from tests.factories import UserFactory
from tests.responsibility_groups.conftest import GroupBuilder

pytestmark = pytest.mark.django_db

STAFF_EMAIL = "helse@kommune.no"
EXTERNAL_EMAIL = "fastlege@legesenter.no"
GUARDIAN_EMAIL = "verge@example.org"
RELATIVE_EMAIL = "datter@example.org"
SCRIPT = "<script>alert(1)</script>"


# --- The SMTP server --------------------------------------------------------------------------


@dataclass
class Received:
    recipients: list[str]
    message: EmailMessage


class Recorder:
    """An aiosmtpd handler that keeps every message and refuses the addresses it is told to."""

    def __init__(self) -> None:
        self.received: list[Received] = []
        self.refuse: dict[str, str] = {}  # address -> SMTP reply to RCPT TO
        self._lock = threading.Lock()

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: list[str]
    ) -> str:
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        with self._lock:
            self.received.append(Received(list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[EmailMessage]:
        with self._lock:
            return [item.message for item in self.received if address in item.recipients]

    def recipients(self) -> list[str]:
        with self._lock:
            return sorted(address for item in self.received for address in item.recipients)

    def clear(self) -> None:
        with self._lock:
            self.received.clear()


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture
def smtp(settings: Any) -> Iterator[Recorder]:
    recorder = Recorder()
    port = _free_port()
    controller = Controller(recorder, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 10
    try:
        yield recorder
    finally:
        controller.stop()


# --- Building the situations through the services -----------------------------------------------


@pytest.fixture
def builder(world: Any) -> GroupBuilder:
    """Groups and meetings of ``world.person`` built through the services, as the caseworker."""
    return GroupBuilder(world)


@dataclass
class Members:
    staff: Any
    external: GroupMember
    guardian_rep: Any


def _group_with_email_members(world: Any, builder: Any) -> tuple[Any, Members]:
    """A group (with the sharing consent) whose staff, external and guardian members have email."""
    group = builder.group()
    staff = UserFactory(email=STAFF_EMAIL, first_name="Hege", last_name="Helsesøster")
    group_services.member_add(reach=builder.reach, group=group, kind=MemberKind.STAFF, user=staff)
    external = group_services.member_add(
        reach=builder.reach,
        group=group,
        kind=MemberKind.EXTERNAL,
        name="Lege Lund",
        organisation="Sentrum legesenter",
        email=EXTERNAL_EMAIL,
        role="fastlege",
    )
    guardian_rep = world.actors["guardian"].representations.get()
    guardian_rep.email = GUARDIAN_EMAIL
    guardian_rep.save()
    group_services.member_add(
        reach=builder.reach, group=group, kind=MemberKind.REPRESENTATIVE, representative=guardian_rep
    )
    return group, Members(staff=staff, external=external, guardian_rep=guardian_rep)


def _invite(builder: Any, group: Any, capture: Any, **meeting_fields: Any) -> Meeting:
    meeting = builder.meeting(group)
    if meeting_fields:
        Meeting.objects.filter(pk=meeting.pk).update(**meeting_fields)
        meeting.refresh_from_db()
    with capture(execute=True):
        invited: Meeting = group_services.meeting_transition(
            reach=builder.reach, meeting=meeting, name="invite"
        )
    return invited


def _email_rows(meeting: Meeting, kind: str = "meeting_invited") -> list[Notification]:
    return list(
        Notification.objects.filter(
            object_type="responsibility_groups.meeting",
            object_id=str(meeting.pk),
            kind=kind,
            channel=Channel.EMAIL,
        ).order_by("address")
    )


def _calendar_parts(message: EmailMessage) -> list[EmailMessage]:
    return [part for part in message.walk() if part.get_content_type() == "text/calendar"]


def _body(message: EmailMessage, subtype: str) -> str:
    part = message.get_body(preferencelist=(subtype,))
    assert part is not None and part.get_content_type() == f"text/{subtype}"
    content: str = part.get_content()
    return content


def _everything_readable(message: EmailMessage) -> str:
    """Every header (decoded) and every text part (decoded) of the message, as one string."""
    headers = "\n".join(f"{name}: {value}" for name, value in message.items())
    parts = [
        part.get_content()
        for part in message.walk()
        if not part.is_multipart() and part.get_content_maintype() == "text"
    ]
    return "\n".join([headers, *parts])


# --- Meetings -----------------------------------------------------------------------------------


def test_an_invitation_reaches_every_email_recipient_as_text_html_and_a_calendar_request(
    world: Any, builder: Any, smtp: Recorder, django_capture_on_commit_callbacks: Any
) -> None:
    # Given a group whose staff, external and guardian members have email addresses
    group, _members = _group_with_email_members(world, builder)

    # When the coordinator invites to a meeting
    meeting = _invite(builder, group, django_capture_on_commit_callbacks)

    # Then the SMTP server received one email per email recipient, each a text part, an HTML
    # part and a calendar REQUEST for this meeting, under the row's Message-ID; the rows are delivered
    rows = _email_rows(meeting)
    assert [row.address for row in rows] == sorted([EXTERNAL_EMAIL, STAFF_EMAIL, GUARDIAN_EMAIL])
    assert smtp.recipients() == sorted([EXTERNAL_EMAIL, STAFF_EMAIL, GUARDIAN_EMAIL])
    expected_uid = f"meeting-{meeting.uid}@{django_settings.CALENDAR_UID_DOMAIN}"
    for row in rows:
        [message] = smtp.to(row.address)
        assert message["Message-ID"] == message_id(row.key)
        assert message["To"] == row.address
        # Django folds a long encoded subject after "Subject:"; the parser keeps the fold's space.
        assert message["Subject"].strip() == row.subject
        assert _body(message, "plain").replace("\r\n", "\n").strip() == row.body.strip()
        assert "<html" in _body(message, "html")
        [calendar_part] = _calendar_parts(message)
        assert calendar_part.get_param("method") == "REQUEST"
        assert calendar_part.get_content_disposition() == "attachment"
        calendar = icalendar.Calendar.from_ical(calendar_part.get_content())
        assert str(calendar["METHOD"]) == "REQUEST"
        [event] = calendar.walk("VEVENT")
        assert str(event["UID"]) == expected_uid
        assert row.status == DeliveryStatus.DELIVERED
        assert row.attempts == 1
        assert row.last_error == ""


def test_the_invitation_email_does_not_name_the_person(
    world: Any, builder: Any, smtp: Recorder, django_capture_on_commit_callbacks: Any
) -> None:
    # Given a group around Åse Berg with members who have email addresses
    group, _members = _group_with_email_members(world, builder)
    assert world.person.full_name == "Åse Berg"

    # When a meeting is invited
    _invite(builder, group, django_capture_on_commit_callbacks)

    # Then no email (headers, text, HTML, calendar) carries her name
    assert len(smtp.received) == 3
    for item in smtp.received:
        readable = _everything_readable(item.message)
        assert "Åse" not in readable
        assert "Berg" not in readable
        assert world.person.national_id not in readable


def test_a_place_with_markup_is_escaped_in_the_html_part(
    world: Any, builder: Any, smtp: Recorder, django_capture_on_commit_callbacks: Any
) -> None:
    # Given a meeting whose place contains a script tag
    group, _members = _group_with_email_members(world, builder)

    # When it is invited
    _invite(builder, group, django_capture_on_commit_callbacks, place=f"Rom 2 {SCRIPT}")

    # Then the HTML part shows the place escaped and never as markup
    [message] = smtp.to(EXTERNAL_EMAIL)
    html = _body(message, "html")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script" not in html
    assert SCRIPT in _body(message, "plain")  # the text part is not HTML: shown as written


def test_cancelling_a_meeting_sends_a_calendar_cancel(
    world: Any, builder: Any, smtp: Recorder, django_capture_on_commit_callbacks: Any
) -> None:
    # Given an invited meeting whose invitations have arrived
    group, _members = _group_with_email_members(world, builder)
    meeting = _invite(builder, group, django_capture_on_commit_callbacks)
    smtp.clear()

    # When the coordinator cancels it
    with django_capture_on_commit_callbacks(execute=True):
        group_services.meeting_transition(
            reach=builder.reach, meeting=meeting, name="cancel", comment="Sykdom"
        )

    # Then every email recipient gets a calendar CANCEL for the same UID
    assert smtp.recipients() == sorted([EXTERNAL_EMAIL, STAFF_EMAIL, GUARDIAN_EMAIL])
    expected_uid = f"meeting-{meeting.uid}@{django_settings.CALENDAR_UID_DOMAIN}"
    for item in smtp.received:
        [calendar_part] = _calendar_parts(item.message)
        assert calendar_part.get_param("method") == "CANCEL"
        calendar = icalendar.Calendar.from_ical(calendar_part.get_content())
        assert str(calendar["METHOD"]) == "CANCEL"
        [event] = calendar.walk("VEVENT")
        assert str(event["UID"]) == expected_uid
        assert str(event["STATUS"]) == "CANCELLED"
    assert {row.status for row in _email_rows(meeting, "meeting_cancelled")} == {DeliveryStatus.DELIVERED}


# --- The plan as PDF -----------------------------------------------------------------------------


def test_the_approved_plan_is_attached_as_pdf_only_for_those_who_asked_for_it(
    world: Any, smtp: Recorder, django_capture_on_commit_callbacks: Any
) -> None:
    from plans import services as plan_services
    from tests.plans.conftest import PlanBuilder

    # Given a guardian who wants the plan as PDF by email and a relative who has not asked for it,
    # both with email addresses, and a plan ready to be activated
    guardian_rep = world.actors["guardian"].representations.get()
    guardian_rep.email = GUARDIAN_EMAIL
    guardian_rep.save()
    NotificationPreference.objects.create(user=world.actors["guardian"], plan_pdf_by_email=True)
    relative_rep = world.actors["relative"].representations.get()
    relative_rep.email = RELATIVE_EMAIL
    relative_rep.save()
    builder = PlanBuilder(world)
    plan = builder.in_preparation()

    # When the plan is activated
    with django_capture_on_commit_callbacks(execute=True):
        plan_services.plan_activate(reach=builder.reach, plan=plan)

    # Then the guardian's email carries the PDF and the relative's carries no attachment
    assert smtp.recipients() == sorted([GUARDIAN_EMAIL, RELATIVE_EMAIL])
    [to_guardian] = smtp.to(GUARDIAN_EMAIL)
    [pdf] = list(to_guardian.iter_attachments())
    assert pdf.get_content_type() == "application/pdf"
    assert pdf.get_filename() == f"individuell-plan-{plan.pk}-1.pdf"
    content = pdf.get_content()
    assert isinstance(content, bytes) and content.startswith(b"%PDF")
    [to_relative] = smtp.to(RELATIVE_EMAIL)
    assert list(to_relative.iter_attachments()) == []
    assert _body(to_relative, "plain")
    rows = Notification.objects.filter(kind="plan_approved", channel=Channel.EMAIL)
    assert {row.status for row in rows} == {DeliveryStatus.DELIVERED}


# --- Bad addresses and refusals -------------------------------------------------------------------


def test_an_invalid_address_fails_that_row_and_the_others_are_sent(
    world: Any, builder: Any, smtp: Recorder, django_capture_on_commit_callbacks: Any
) -> None:
    # Given an external member whose stored address is not an email address
    group, members = _group_with_email_members(world, builder)
    GroupMember.objects.filter(pk=members.external.pk).update(email="ikke-en-adresse")

    # When a meeting is invited
    meeting = _invite(builder, group, django_capture_on_commit_callbacks)

    # Then that row failed for that reason and the others arrived
    statuses = {row.address: (row.status, row.last_error) for row in _email_rows(meeting)}
    assert statuses == {
        "ikke-en-adresse": (DeliveryStatus.FAILED, "invalid email address"),
        STAFF_EMAIL: (DeliveryStatus.DELIVERED, ""),
        GUARDIAN_EMAIL: (DeliveryStatus.DELIVERED, ""),
    }
    assert smtp.recipients() == sorted([STAFF_EMAIL, GUARDIAN_EMAIL])


def test_a_recipient_refused_with_550_fails_that_row_without_the_address_in_the_reason(
    world: Any, builder: Any, smtp: Recorder, django_capture_on_commit_callbacks: Any
) -> None:
    # Given a mail server that does not know the external member's address
    group, _members = _group_with_email_members(world, builder)
    smtp.refuse[EXTERNAL_EMAIL] = "550 no such user"

    # When a meeting is invited
    meeting = _invite(builder, group, django_capture_on_commit_callbacks)

    # Then that row failed for good, with the SMTP code but not the address, and the others arrived
    refused = Notification.objects.get(
        pk=next(r.pk for r in _email_rows(meeting) if r.address == EXTERNAL_EMAIL)
    )
    assert refused.status == DeliveryStatus.FAILED
    assert "550" in refused.last_error
    assert EXTERNAL_EMAIL not in refused.last_error
    assert "@" not in refused.last_error
    assert refused.attempts == 1
    assert smtp.recipients() == sorted([STAFF_EMAIL, GUARDIAN_EMAIL])


def test_a_recipient_refused_with_451_is_retried_later(
    world: Any, builder: Any, smtp: Recorder, django_capture_on_commit_callbacks: Any
) -> None:
    # Given a mail server that answers the external member's address with a temporary failure
    group, _members = _group_with_email_members(world, builder)
    smtp.refuse[EXTERNAL_EMAIL] = "451 4.3.0 try again later"
    before = timezone.now()

    # When a meeting is invited
    meeting = _invite(builder, group, django_capture_on_commit_callbacks)

    # Then that row waits for another attempt after a backoff, with the reason recorded
    refused = Notification.objects.get(
        pk=next(r.pk for r in _email_rows(meeting) if r.address == EXTERNAL_EMAIL)
    )
    assert refused.status == DeliveryStatus.PENDING
    assert refused.attempts == 1
    assert refused.next_attempt_at > before
    assert refused.next_attempt_at > timezone.now()
    assert "451" in refused.last_error
    assert EXTERNAL_EMAIL not in refused.last_error
    assert refused.claimed_until is None
    assert smtp.recipients() == sorted([STAFF_EMAIL, GUARDIAN_EMAIL])


def test_a_message_refused_with_451_after_data_is_retried_later(
    world: Any, builder: Any, smtp: Recorder, django_capture_on_commit_callbacks: Any, monkeypatch: Any
) -> None:
    # Given a mail server that accepts the recipients but answers the message with 451
    group, _members = _group_with_email_members(world, builder)

    async def busy(server: Any, session: Any, envelope: Any) -> str:
        return "451 4.3.0 mailbox busy"

    monkeypatch.setattr(smtp, "handle_DATA", busy)

    # When a meeting is invited
    meeting = _invite(builder, group, django_capture_on_commit_callbacks)

    # Then nothing failed or was sent; what was tried waits for another attempt with the code recorded
    rows = _email_rows(meeting)
    assert len(rows) == 3
    assert {row.status for row in rows} == {DeliveryStatus.PENDING}
    tried = [row for row in rows if row.attempts]
    assert tried
    for row in tried:
        assert row.attempts == 1
        assert row.next_attempt_at > timezone.now()
        assert row.last_error == "SMTP 451"
    assert smtp.received == []
