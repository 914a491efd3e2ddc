"""From an outbox event to notification rows: who, on which channels, in which language, once."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone

from casework.models import Consent
from notifications import delivery, reminders, rendering, tasks
from notifications.choices import Channel, DeliveryStatus
from notifications.digest import build_digests
from notifications.dispatch import deliver
from notifications.models import Notification, NotificationPreference, OutboxEvent
from plans.models import IndividualPlan
from responsibility_groups import services as group_services
from responsibility_groups.choices import MemberKind
from tests.factories import ConsentFactory, RepresentativeFactory, UserFactory

pytestmark = pytest.mark.django_db


def _group_with_members(world: Any, groups: Any, *, staff_email: str = "helse@kommune.no") -> Any:
    group = groups.group()
    staff = UserFactory(email=staff_email)
    group_services.member_add(reach=groups.reach, group=group, kind=MemberKind.STAFF, user=staff)
    guardian_rep = world.actors["guardian"].representations.get()
    guardian_rep.email = "verge@example.org"
    guardian_rep.save()
    group_services.member_add(
        reach=groups.reach, group=group, kind=MemberKind.REPRESENTATIVE, representative=guardian_rep
    )
    return group, staff, guardian_rep


def _invite(groups: Any, group: Any, capture: Any) -> Any:
    meeting = groups.meeting(group)
    with capture(execute=True):
        return group_services.meeting_transition(reach=groups.reach, meeting=meeting, name="invite")


def test_an_invitation_reaches_every_member_on_their_channels(
    world: Any, groups: Any, django_capture_on_commit_callbacks: Any
) -> None:
    group, staff, guardian_rep = _group_with_members(world, groups)

    meeting = _invite(groups, group, django_capture_on_commit_callbacks)

    rows = Notification.objects.filter(object_type="responsibility_groups.meeting", object_id=str(meeting.pk))
    event = OutboxEvent.objects.get(event="meeting.invite")
    assert sorted(rows.values_list("key", "status")) == [
        (f"e{event.pk}:p{world.person.pk}:sms", DeliveryStatus.DELIVERED),
        (f"e{event.pk}:r{guardian_rep.pk}:email", DeliveryStatus.DELIVERED),
        (f"e{event.pk}:r{guardian_rep.pk}:inbox", DeliveryStatus.DELIVERED),
        (f"e{event.pk}:u{staff.pk}:email", DeliveryStatus.DELIVERED),
        (f"e{event.pk}:u{staff.pk}:inbox", DeliveryStatus.DELIVERED),
    ]
    assert sorted(message.to[0] for message in mail.outbox) == ["helse@kommune.no", "verge@example.org"]
    assert event.dispatched_at is not None


def test_the_coordinator_who_invites_gets_no_invitation(
    world: Any, groups: Any, django_capture_on_commit_callbacks: Any
) -> None:
    group, _staff, _rep = _group_with_members(world, groups)
    groups.actor.email = "koordinator@kommune.no"
    groups.actor.save()

    _invite(groups, group, django_capture_on_commit_callbacks)

    assert not Notification.objects.filter(recipient_user=groups.actor).exists()


def test_fanning_out_an_event_twice_adds_nothing(
    world: Any, groups: Any, django_capture_on_commit_callbacks: Any
) -> None:
    group, _staff, _rep = _group_with_members(world, groups)
    _invite(groups, group, django_capture_on_commit_callbacks)
    event = OutboxEvent.objects.get(event="meeting.invite")
    OutboxEvent.objects.filter(pk=event.pk).update(dispatched_at=None)  # as if the first run was lost

    again = delivery.fan_out(event.pk)

    assert again == []  # every row existed: nothing new to send
    assert Notification.objects.filter(event=event).count() == 5
    assert len(mail.outbox) == 2


def test_a_relative_whose_consent_was_withdrawn_before_the_fan_out_hears_nothing(
    world: Any, groups: Any, django_capture_on_commit_callbacks: Any
) -> None:
    group = groups.group(sharing_consent=False)  # only the consent naming the relative covers them
    relative = RepresentativeFactory(service_user=world.person, email="datter@example.org")
    consent = ConsentFactory(
        service_user=world.person, representative=relative, covers_plan=False, covers_group_sharing=True
    )
    group_services.member_add(
        reach=groups.reach, group=group, kind=MemberKind.REPRESENTATIVE, representative=relative
    )
    meeting = groups.meeting(group)
    with transaction.atomic():
        group_services.meeting_transition(reach=groups.reach, meeting=meeting, name="invite")
    Consent.objects.filter(pk=consent.pk).update(withdrawn_at=consent.created_at)
    event = OutboxEvent.objects.get(event="meeting.invite")

    delivery.fan_out(event.pk)

    assert not Notification.objects.filter(key__contains=f":r{relative.pk}:").exists()


def test_events_nobody_is_told_about_are_marked_dispatched_without_rows(
    world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from tests.plans.conftest import PlanBuilder

    with django_capture_on_commit_callbacks(execute=True):
        PlanBuilder(world).draft()

    event = OutboxEvent.objects.get(event="plan.created")
    assert event.dispatched_at is not None
    assert not Notification.objects.exists()


def test_a_rolled_back_change_sends_nothing(
    world: Any, groups: Any, django_capture_on_commit_callbacks: Any
) -> None:
    group, _staff, _rep = _group_with_members(world, groups)
    meeting = groups.meeting(group)

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        group_services.meeting_transition(reach=groups.reach, meeting=meeting, name="invite")
        raise RuntimeError("the request failed after the transition")

    assert callbacks == []
    assert not OutboxEvent.objects.filter(event="meeting.invite").exists()
    assert not Notification.objects.exists()


def test_a_broker_that_is_down_loses_nothing_the_sweeper_sends_it_later(
    world: Any, groups: Any, django_capture_on_commit_callbacks: Any, monkeypatch: Any, settings: Any
) -> None:
    group, _staff, _rep = _group_with_members(world, groups)

    def broker_down(*args: Any, **kwargs: Any) -> None:
        raise ConnectionRefusedError("broker down")

    with monkeypatch.context() as patch:
        patch.setattr(tasks.fan_out_event, "apply_async", broker_down)
        _invite(groups, group, django_capture_on_commit_callbacks)  # the request itself succeeds
    event = OutboxEvent.objects.get(event="meeting.invite")
    assert event.dispatched_at is None
    assert mail.outbox == []

    settings.NOTIFICATIONS_SWEEP_GRACE_SECONDS = 0
    counts = tasks.sweep()

    assert counts["events"] == 1
    assert sorted(message.to[0] for message in mail.outbox) == ["helse@kommune.no", "verge@example.org"]


def test_a_recipient_gets_the_message_in_their_language(
    world: Any, groups: Any, django_capture_on_commit_callbacks: Any
) -> None:
    group, staff, _rep = _group_with_members(world, groups)
    NotificationPreference.objects.create(user=staff, language="en")
    NotificationPreference.objects.create(user=world.actors["guardian"], language="nn")

    _invite(groups, group, django_capture_on_commit_callbacks)

    languages = dict(
        Notification.objects.filter(channel=Channel.EMAIL).values_list("recipient_user__username", "language")
    )
    assert languages == {staff.username: "en", "guardian": "nn"}
    subjects = {message.to[0]: message.subject for message in mail.outbox}
    assert subjects["helse@kommune.no"].startswith("Invitation")
    assert subjects["verge@example.org"] != subjects["helse@kommune.no"]


def test_a_missing_language_falls_back_to_bokmaal(monkeypatch: Any) -> None:
    real = rendering.template_name
    monkeypatch.setattr(
        rendering,
        "template_name",
        lambda kind, language: real(kind, "xx") if language == "nn" else real(kind, language),
    )

    rendered = rendering.render_message("minutes_not_approved", "nn", {"unit": "Enhet", "meeting_id": 1})

    assert rendered.language == "nb"
    assert rendered.subject.startswith("Referatet fra møtet")


def test_preferences_choose_the_channels(
    world: Any, groups: Any, django_capture_on_commit_callbacks: Any
) -> None:
    group, staff, _rep = _group_with_members(world, groups)
    NotificationPreference.objects.create(user=staff, by_email=False, in_inbox=True)

    _invite(groups, group, django_capture_on_commit_callbacks)

    assert list(Notification.objects.filter(recipient_user=staff).values_list("channel", flat=True)) == [
        "inbox"
    ]


def test_staff_with_a_daily_digest_get_one_email_the_next_morning(world: Any, plans: Any) -> None:
    coordinator = plans.actor
    coordinator.email = "koordinator@kommune.no"
    coordinator.save()
    NotificationPreference.objects.create(user=coordinator, daily_digest=True)
    plan = plans.active()
    today = timezone.localdate()
    for days in (20, 5):  # the 30-day and the 7-day reminder
        IndividualPlan.objects.filter(pk=plan.pk).update(
            next_review_date=today + datetime.timedelta(days=days)
        )
        reminders.plan_reviews(today)
    held = Notification.objects.filter(
        recipient_user=coordinator, channel=Channel.EMAIL, kind="plan_review_due"
    )
    assert list(held.values_list("status", flat=True)) == [DeliveryStatus.HELD_FOR_DIGEST] * 2
    assert mail.outbox == []

    deliver(build_digests())

    digest = Notification.objects.get(kind="daily_digest")
    assert digest.status == DeliveryStatus.DELIVERED
    assert set(held.values_list("status", "digest_id")) == {(DeliveryStatus.IN_DIGEST, digest.pk)}
    assert [message.to for message in mail.outbox] == [["koordinator@kommune.no"]]
    assert mail.outbox[0].body.count(f"Individuell plan {plan.pk} skal evalueres") == 2
    assert build_digests() == []  # nothing held any more, and today's digest is sent


def test_meeting_messages_never_wait_for_the_digest(
    world: Any, groups: Any, django_capture_on_commit_callbacks: Any
) -> None:
    group, staff, _rep = _group_with_members(world, groups)
    NotificationPreference.objects.create(user=staff, daily_digest=True)

    _invite(groups, group, django_capture_on_commit_callbacks)

    row = Notification.objects.get(recipient_user=staff, channel=Channel.EMAIL)
    assert row.status == DeliveryStatus.DELIVERED
    assert "helse@kommune.no" in [message.to[0] for message in mail.outbox]


def test_a_cancelled_meeting_withdraws_its_unsent_reminders(
    world: Any, groups: Any, django_capture_on_commit_callbacks: Any, settings: Any
) -> None:
    hour = timezone.localtime().hour
    settings.SMS_QUIET_HOURS = (hour, (hour + 2) % 24)  # the person's SMS waits
    group, _staff, _rep = _group_with_members(world, groups)
    meeting = _invite(groups, group, django_capture_on_commit_callbacks)
    waiting = Notification.objects.get(channel=Channel.SMS, kind="meeting_invited")
    assert waiting.status == DeliveryStatus.PENDING

    with django_capture_on_commit_callbacks(execute=True):
        group_services.meeting_transition(reach=groups.reach, meeting=meeting, name="cancel", comment="Syk")

    waiting.refresh_from_db()
    assert (waiting.status, waiting.last_error) == (DeliveryStatus.CANCELLED, "superseded by meeting.cancel")


def test_a_message_that_expired_while_waiting_is_not_sent(
    world: Any, groups: Any, django_capture_on_commit_callbacks: Any, sms_outbox: list[Any]
) -> None:
    group, _staff, _rep = _group_with_members(world, groups)
    meeting = _invite(groups, group, django_capture_on_commit_callbacks)
    row = Notification.objects.get(channel=Channel.SMS, kind="meeting_invited")
    assert row.expires_at == meeting.starts_at
    Notification.objects.filter(pk=row.pk).update(
        status=DeliveryStatus.PENDING, expires_at=timezone.now() - datetime.timedelta(minutes=1)
    )
    sms_outbox.clear()

    assert deliver([row.pk])["expired"] == 1

    row.refresh_from_db()
    assert row.status == DeliveryStatus.CANCELLED
    assert sms_outbox == []


def test_a_plan_withdrawn_before_a_late_fan_out_is_announced_to_nobody(
    world: Any, plans: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with transaction.atomic():
        plan = plans.active()  # the fan-out is lost: on-commit work does not run here
    event = OutboxEvent.objects.get(event="plan.activate")
    IndividualPlan.objects.filter(pk=plan.pk).update(state="withdrawn")

    assert delivery.fan_out(event.pk) == []

    assert not Notification.objects.exists()


def test_events_older_than_the_age_limit_are_history(world: Any, groups: Any, settings: Any) -> None:
    group, _staff, _rep = _group_with_members(world, groups)
    meeting = groups.meeting(group, days=30)
    with transaction.atomic():
        group_services.meeting_transition(reach=groups.reach, meeting=meeting, name="invite")
    event = OutboxEvent.objects.get(event="meeting.invite")
    OutboxEvent.objects.filter(pk=event.pk).update(created_at=timezone.now() - datetime.timedelta(hours=73))

    assert delivery.fan_out(event.pk) == []

    assert not Notification.objects.filter(event=event).exists()
    assert OutboxEvent.objects.get(pk=event.pk).dispatched_at is not None


def test_with_sms_switched_off_nobody_is_offered_sms(
    world: Any, groups: Any, django_capture_on_commit_callbacks: Any, settings: Any
) -> None:
    settings.SMS_BACKEND = "notifications.sms.DisabledSmsBackend"
    group, _staff, _rep = _group_with_members(world, groups)

    _invite(groups, group, django_capture_on_commit_callbacks)

    assert not Notification.objects.filter(channel=Channel.SMS).exists()
    assert not Notification.objects.filter(recipient_name=world.person.full_name).exists()  # no email either


def test_only_the_email_says_the_calendar_invitation_is_attached(
    world: Any, groups: Any, django_capture_on_commit_callbacks: Any
) -> None:
    group, staff, _rep = _group_with_members(world, groups)

    _invite(groups, group, django_capture_on_commit_callbacks)

    bodies = dict(Notification.objects.filter(recipient_user=staff).values_list("channel", "body"))
    assert "Kalenderinvitasjonen ligger ved." in bodies[Channel.EMAIL]
    assert "ligger ved" not in bodies[Channel.INBOX]
    assert "Saksliste og referat finner du i Medvirk" in bodies[Channel.INBOX]
