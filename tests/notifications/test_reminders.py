"""Reminder scans: each reminder is sent once, however often the scan runs.

The scans pick objects in a window and create rows whose idempotency key names the reminder and
what it is about (a meeting's start, a plan's review date, a unit and an ISO week), so running a
scan again adds nothing, while a moved meeting or a new review date is reminded of again. Staff
from the factories have no email address: they get the inbox only unless a test gives them one;
the person (a phone number, no email) gets an SMS.
"""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from dateutil.relativedelta import relativedelta
from django.core import mail
from django.utils import timezone

from cases.services import case_create, case_record_provisional_reply
from casework.selectors import reach_for
from notifications import reminders
from notifications.choices import Channel, DeliveryStatus
from notifications.models import Notification
from notifications.tasks import send_reminders
from plans.models import IndividualPlan
from quality_conversations.choices import ConversationState
from quality_conversations.models import QualityConversation
from responsibility_groups import services as group_services
from responsibility_groups.choices import MeetingState
from responsibility_groups.models import Meeting
from tests.factories import ServiceUserFactory

pytestmark = pytest.mark.django_db


def _local(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    """A wall-clock time in Europe/Oslo (the project's TIME_ZONE)."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def _rows(kind: str, obj: Any = None) -> list[Notification]:
    rows = Notification.objects.filter(kind=kind)
    if obj is not None:
        rows = rows.filter(object_id=str(obj.pk))
    return list(rows.order_by("pk"))


def _who(rows: list[Notification]) -> set[tuple[str, str]]:
    return {(row.recipient_name, row.channel) for row in rows}


def _to(rows: list[Notification]) -> list[tuple[Any, str]]:
    return [(row.recipient_user, row.channel) for row in rows]


def _staff(user: Any) -> str:
    return str(user.get_full_name())


class Meetings:
    """Meetings of world.person's group at given times, invited (their invitations not sent)."""

    def __init__(self, builder: Any) -> None:
        self.groups = builder
        self.group = builder.group()

    def invited(self, starts_at: datetime.datetime, hours: float = 1.5) -> Meeting:
        meeting = group_services.meeting_create(
            reach=self.groups.reach,
            group=self.group,
            starts_at=starts_at,
            ends_at=starts_at + datetime.timedelta(hours=hours),
            place="Rådhuset, møterom 2",
        )
        return group_services.meeting_transition(reach=self.groups.reach, meeting=meeting, name="invite")

    def members(self, world: Any) -> set[tuple[str, str]]:
        """Everyone a meeting reminder goes to: the person by SMS, the coordinator in the inbox."""
        return {(world.person.full_name, Channel.SMS), (_staff(world.actors["caseworker"]), Channel.INBOX)}


@pytest.fixture
def meetings(groups: Any) -> Meetings:
    return Meetings(groups)


# --- meeting_tomorrow ---------------------------------------------------------------------------


def test_a_meeting_tomorrow_is_reminded_to_its_members(meetings, world):
    now = timezone.now()
    meeting = meetings.invited(_local(timezone.localdate(now) + datetime.timedelta(days=1), 12))

    reminders.meetings_soon(now)

    rows = _rows("meeting_tomorrow", meeting)
    assert _who(rows) == meetings.members(world)
    assert len(rows) == 2
    assert all(row.object_type == "responsibility_groups.meeting" for row in rows)
    assert all(row.service_user_id == world.person.pk for row in rows)
    inbox = next(row for row in rows if row.channel == Channel.INBOX)
    assert (inbox.status, inbox.recipient_user) == (DeliveryStatus.DELIVERED, world.actors["caseworker"])
    assert inbox.subject == "Påminnelse: ansvarsgruppemøte i morgen kl. 12.00"


def test_scanning_twice_reminds_of_a_meeting_tomorrow_once(meetings, world):
    now = timezone.now()
    meeting = meetings.invited(_local(timezone.localdate(now) + datetime.timedelta(days=1), 12))
    reminders.meetings_soon(now)
    first = [row.pk for row in _rows("meeting_tomorrow", meeting)]

    reminders.meetings_soon(now)
    reminders.meetings_soon(now + datetime.timedelta(minutes=30))

    assert [row.pk for row in _rows("meeting_tomorrow", meeting)] == first
    assert len(first) == 2


def test_tomorrow_is_the_local_date_not_the_utc_date(meetings, world):
    now = timezone.now()
    tomorrow = timezone.localdate(now) + datetime.timedelta(days=1)
    # 00:30 in Oslo is the evening before in UTC; 00:30 the day after tomorrow is tomorrow in UTC.
    early = meetings.invited(_local(tomorrow, 0, 30))
    day_after = meetings.invited(_local(tomorrow + datetime.timedelta(days=1), 0, 30))

    reminders.meetings_soon(now)

    assert _who(_rows("meeting_tomorrow", early)) == meetings.members(world)
    assert _rows("meeting_tomorrow", day_after) == []


def test_a_meeting_in_three_days_is_not_reminded(meetings, world):
    now = timezone.now()
    meetings.invited(_local(timezone.localdate(now) + datetime.timedelta(days=3), 12))

    reminders.meetings_soon(now)

    assert Notification.objects.count() == 0


def test_a_meeting_tomorrow_that_is_not_invited_is_not_reminded(groups, world):
    now = timezone.now()
    start = _local(timezone.localdate(now) + datetime.timedelta(days=1), 12)
    group_services.meeting_create(
        reach=groups.reach,
        group=groups.group(),
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=1),
    )

    reminders.meetings_soon(now)

    assert Notification.objects.count() == 0


def test_a_meeting_moved_to_another_time_tomorrow_is_reminded_again(meetings, groups, world):
    now = timezone.now()
    tomorrow = timezone.localdate(now) + datetime.timedelta(days=1)
    meeting = meetings.invited(_local(tomorrow, 12))
    reminders.meetings_soon(now)
    new_start = _local(tomorrow, 15)
    group_services.meeting_transition(
        reach=groups.reach,
        meeting=meeting,
        name="reschedule",
        starts_at=new_start,
        ends_at=new_start + datetime.timedelta(hours=1),
    )

    reminders.meetings_soon(now)
    reminders.meetings_soon(now)

    rows = _rows("meeting_tomorrow", meeting)
    assert len(rows) == 4
    stamp = f"{new_start.astimezone(datetime.UTC):%Y%m%dT%H%M}"
    again = [row for row in rows if stamp in row.key]
    assert _who(again) == meetings.members(world)
    assert len(again) == 2
    assert all(row.subject.endswith("kl. 15.00") for row in again if row.channel == Channel.INBOX)


# --- meeting_soon -------------------------------------------------------------------------------


def test_a_meeting_within_two_hours_is_reminded_once(meetings, world):
    now = timezone.now()
    meeting = meetings.invited((now + datetime.timedelta(hours=1)).replace(microsecond=0), hours=0.5)

    reminders.meetings_soon(now)
    reminders.meetings_soon(now + datetime.timedelta(minutes=10))

    rows = _rows("meeting_soon", meeting)
    assert _who(rows) == meetings.members(world)
    assert len(rows) == 2


def test_a_meeting_in_three_hours_is_not_reminded_soon(meetings, world):
    now = timezone.now()
    meeting = meetings.invited((now + datetime.timedelta(hours=3)).replace(microsecond=0), hours=0.5)

    reminders.meetings_soon(now)

    assert _rows("meeting_soon", meeting) == []


# --- plan_review_due and plan_review_overdue ------------------------------------------------------


def _review_on(plan: IndividualPlan, day: datetime.date) -> None:
    IndividualPlan.objects.filter(pk=plan.pk).update(next_review_date=day)


def test_a_review_in_20_days_is_reminded_once_to_the_coordinator(plans, world):
    today = timezone.localdate()
    plan = plans.active()
    _review_on(plan, today + datetime.timedelta(days=20))

    reminders.plan_reviews(today)
    reminders.plan_reviews(today)

    rows = _rows("plan_review_due", plan)
    assert _to(rows) == [(world.actors["caseworker"], Channel.INBOX)]
    assert rows[0].key.startswith(f"plan_review_due_30:{plan.pk}:")
    assert rows[0].subject == f"Individuell plan {plan.pk} skal evalueres om 20 dager"


def test_a_review_coming_closer_is_reminded_again_at_7_days(plans, world):
    today = timezone.localdate()
    plan = plans.active()
    _review_on(plan, today + datetime.timedelta(days=20))
    reminders.plan_reviews(today)
    _review_on(plan, today + datetime.timedelta(days=5))

    reminders.plan_reviews(today)
    reminders.plan_reviews(today)

    rows = _rows("plan_review_due", plan)
    assert len(rows) == 2
    assert rows[1].key.startswith(f"plan_review_due_7:{plan.pk}:")
    assert rows[1].subject == f"Individuell plan {plan.pk} skal evalueres om 5 dager"
    assert rows[1].recipient_user == world.actors["caseworker"]


def test_one_scan_per_day_sends_the_30_and_the_7_day_reminder_once_each(plans, world):
    today = timezone.localdate()
    plan = plans.active()
    _review_on(plan, today + datetime.timedelta(days=31))

    for day in range(31):
        reminders.plan_reviews(today + datetime.timedelta(days=day))

    keys = [row.key.split(":")[0] for row in _rows("plan_review_due", plan)]
    assert keys == ["plan_review_due_30", "plan_review_due_7"]
    assert _rows("plan_review_overdue", plan) == []


@pytest.mark.parametrize(
    ("days", "expected"),
    [
        (31, []),
        (30, ["plan_review_due_30"]),
        (8, ["plan_review_due_30"]),
        (7, ["plan_review_due_7"]),
        (0, ["plan_review_due_7"]),
        (-1, ["plan_review_overdue"]),
    ],
)
def test_the_window_a_review_date_falls_in(plans, world, days, expected):
    today = timezone.localdate()
    plan = plans.active()
    _review_on(plan, today + datetime.timedelta(days=days))

    reminders.plan_reviews(today)

    found = Notification.objects.filter(kind__startswith="plan_review", object_id=str(plan.pk))
    assert [row.key.split(":")[0] for row in found] == expected


def test_an_overdue_review_is_reminded_once(plans, world):
    today = timezone.localdate()
    plan = plans.active()
    _review_on(plan, today - datetime.timedelta(days=3))

    reminders.plan_reviews(today)
    reminders.plan_reviews(today)

    rows = _rows("plan_review_overdue", plan)
    assert _to(rows) == [(world.actors["caseworker"], Channel.INBOX)]
    assert _rows("plan_review_due", plan) == []


def test_a_plan_that_is_not_active_is_not_reminded(plans, world):
    today = timezone.localdate()
    draft = plans.draft()
    _review_on(draft, today + datetime.timedelta(days=5))

    reminders.plan_reviews(today)

    assert Notification.objects.count() == 0


# --- minutes_not_approved -------------------------------------------------------------------------


def _held(builder: Any, *, days_ago: float, state: str = MeetingState.HELD) -> Meeting:
    meeting = builder.meeting(builder.group())
    starts_at = timezone.now() - datetime.timedelta(days=days_ago)
    # Meeting.state is a protected FSM field: move it in the database.
    Meeting.objects.filter(pk=meeting.pk).update(
        state=state, starts_at=starts_at, ends_at=starts_at + datetime.timedelta(hours=1)
    )
    return meeting


def test_minutes_not_approved_15_days_after_are_reminded_once_to_the_coordinator(groups, world):
    meeting = _held(groups, days_ago=15)

    reminders.minutes_not_approved(timezone.now())
    reminders.minutes_not_approved(timezone.now())

    rows = _rows("minutes_not_approved", meeting)
    assert _to(rows) == [(world.actors["caseworker"], Channel.INBOX)]
    assert Notification.objects.count() == 1


def test_draft_minutes_15_days_after_are_reminded(groups, world):
    meeting = _held(groups, days_ago=15, state=MeetingState.MINUTES_DRAFT)

    reminders.minutes_not_approved(timezone.now())

    assert len(_rows("minutes_not_approved", meeting)) == 1


@pytest.mark.parametrize(
    ("days_ago", "state"), [(13, MeetingState.HELD), (15, MeetingState.MINUTES_APPROVED)]
)
def test_minutes_not_yet_late_or_approved_are_not_reminded(groups, world, days_ago, state):
    _held(groups, days_ago=days_ago, state=state)

    reminders.minutes_not_approved(timezone.now())

    assert Notification.objects.count() == 0


# --- provisional_reply_due ------------------------------------------------------------------------


def _case(world: Any, *, reply_due_in: int) -> Any:
    """An open case in unit A whose provisional reply (one month after receipt) is due soon."""
    today = timezone.localdate()
    case = case_create(
        reach=reach_for(world.actors["caseworker"]),
        service_user=world.person,
        unit=world.unit_a,
        service_applied_for="Praktisk bistand",
        received_on=today + datetime.timedelta(days=reply_due_in) - relativedelta(months=1),
    )
    assert 0 <= (case.reply_due_on - today).days <= reply_due_in + 3
    return case


def test_a_provisional_reply_due_within_a_week_is_reminded_to_the_units_case_staff(world):
    case = _case(world, reply_due_in=3)

    reminders.provisional_replies(timezone.localdate())
    reminders.provisional_replies(timezone.localdate())

    rows = _rows("provisional_reply_due", case)
    assert {(row.recipient_user, row.channel) for row in rows} == {
        (world.actors["caseworker"], Channel.INBOX),
        (world.actors["unit_manager"], Channel.INBOX),
    }
    assert len(rows) == 2
    assert all(row.subject.startswith(f"Sak {case.pk}: foreløpig svar må sendes innen") for row in rows)


def test_a_case_whose_provisional_reply_was_sent_is_not_reminded(world):
    case = _case(world, reply_due_in=3)
    case_record_provisional_reply(
        reach=reach_for(world.actors["caseworker"]), case=case, sent_on=timezone.localdate()
    )

    reminders.provisional_replies(timezone.localdate())

    assert Notification.objects.count() == 0


def test_a_case_whose_reply_is_due_in_more_than_a_week_is_not_reminded(world):
    today = timezone.localdate()
    case_create(
        reach=reach_for(world.actors["caseworker"]),
        service_user=world.person,
        unit=world.unit_a,
        service_applied_for="Praktisk bistand",
        received_on=today - datetime.timedelta(days=7),
    )

    reminders.provisional_replies(today)

    assert Notification.objects.count() == 0


# --- quality_conversations_not_offered ------------------------------------------------------------


def _conversation(world: Any, *, days_old: int, year: int | None = None, person: Any = None) -> Any:
    conversation = QualityConversation.objects.create(
        service_user=person or ServiceUserFactory(units=[world.unit_a]),
        unit=world.unit_a,
        year=year or timezone.localdate().year,
    )
    QualityConversation.objects.filter(pk=conversation.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=days_old)
    )
    return conversation


def test_conversations_not_offered_are_counted_to_each_quality_staff_member(world):
    now = timezone.now()
    year = timezone.localdate(now).year
    _conversation(world, days_old=15, person=world.person)
    _conversation(world, days_old=30)
    _conversation(world, days_old=3)  # not yet late
    _conversation(world, days_old=400, year=year - 1)  # last year's
    QualityConversation.objects.filter(pk=_conversation(world, days_old=20).pk).update(
        state=ConversationState.OFFERED
    )

    reminders.conversations_not_offered(now)

    rows = _rows("quality_conversations_not_offered", world.unit_a)
    assert {(row.recipient_user, row.channel) for row in rows} == {
        (world.actors["unit_manager"], Channel.INBOX),
        (world.actors["quality_admin"], Channel.INBOX),
    }
    assert len(rows) == 2
    assert {row.subject for row in rows} == {f"2 kvalitetssamtaler for {year} er ikke tilbudt"}
    assert all(row.object_type == "casework.unit" for row in rows)


def test_conversations_not_offered_are_reminded_once_a_week(world):
    now = timezone.localtime()
    _conversation(world, days_old=40)
    monday = now - datetime.timedelta(days=now.weekday())
    same_week = [monday.replace(hour=9), now, (monday + datetime.timedelta(days=6)).replace(hour=23)]
    # Another week of the same year: the count is of this year's conversations.
    other_week = now + datetime.timedelta(days=7 if now.month <= 6 else -7)

    for moment in same_week:
        reminders.conversations_not_offered(moment)

    assert len(_rows("quality_conversations_not_offered", world.unit_a)) == 2

    reminders.conversations_not_offered(other_week)
    reminders.conversations_not_offered(other_week)

    assert len(_rows("quality_conversations_not_offered", world.unit_a)) == 4


def test_a_unit_whose_conversations_are_new_is_not_reminded(world):
    _conversation(world, days_old=13)

    reminders.conversations_not_offered(timezone.now())

    assert Notification.objects.count() == 0


# --- The beat task --------------------------------------------------------------------------------


def test_the_beat_task_run_twice_creates_and_delivers_each_reminder_once(
    meetings,
    plans,
    world,
    sms_outbox,
):
    caseworker = world.actors["caseworker"]
    caseworker.email = "saksbehandler@example.no"
    caseworker.save(update_fields=["email"])
    now = timezone.now()
    meeting = meetings.invited(_local(timezone.localdate(now) + datetime.timedelta(days=1), 12))
    plan = plans.active()
    _review_on(plan, timezone.localdate(now) + datetime.timedelta(days=20))
    assert Notification.objects.count() == 0  # the invitation was never fanned out

    first = send_reminders.apply().result
    second = send_reminders.apply().result

    assert (first, second) == (3, 0)  # the SMS and the two emails; the inbox rows need no sending
    assert _who(_rows("meeting_tomorrow", meeting)) == {
        (world.person.full_name, Channel.SMS),
        (_staff(caseworker), Channel.EMAIL),
        (_staff(caseworker), Channel.INBOX),
    }
    assert _who(_rows("plan_review_due", plan)) == {
        (_staff(caseworker), Channel.EMAIL),
        (_staff(caseworker), Channel.INBOX),
    }
    assert Notification.objects.count() == 5
    assert Notification.objects.exclude(status=DeliveryStatus.DELIVERED).count() == 0
    assert sorted(message.subject for message in mail.outbox) == sorted(
        [
            "Påminnelse: ansvarsgruppemøte i morgen kl. 12.00",
            f"Individuell plan {plan.pk} skal evalueres om 20 dager",
        ]
    )
    assert all(message.to == ["saksbehandler@example.no"] for message in mail.outbox)
    assert len(sms_outbox) == 1


def test_a_meeting_moved_away_and_back_is_reminded_again(meetings, groups, world):
    now = timezone.now()
    tomorrow = timezone.localdate(now) + datetime.timedelta(days=1)
    nine, ten = _local(tomorrow, 9), _local(tomorrow, 10)
    meeting = meetings.invited(starts_at=nine)
    reminders.meetings_soon(now)
    first = Notification.objects.filter(kind="meeting_tomorrow").count()

    for start in (ten, nine):
        group_services.meeting_transition(
            reach=groups.reach,
            meeting=meeting,
            name="reschedule",
            starts_at=start,
            ends_at=start + datetime.timedelta(hours=1),
        )
        reminders.meetings_soon(now)

    assert Notification.objects.filter(kind="meeting_tomorrow").count() == 3 * first
