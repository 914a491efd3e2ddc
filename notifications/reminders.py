"""Reminders found by scanning the database (no long ETAs in the broker).

Each scan picks the objects in a window and creates notification rows whose idempotency key names
the reminder and what it is about (a meeting's start time and how often it was moved, a plan's
review date), so the beat task may run any number of times, or twice at once, and each reminder
is sent once. A meeting that is moved gets its reminders again, for the new time.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterable
from typing import Any

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from cases.choices import CaseState
from cases.models import Case
from casework.engine import transition_count
from casework.models import Unit
from notifications.catalogue import message_for
from notifications.delivery import create_notifications
from notifications.keys import source_of
from notifications.models import Notification
from plans.choices import PlanState
from plans.models import IndividualPlan
from quality_conversations.choices import ConversationState
from quality_conversations.models import QualityConversation
from responsibility_groups.choices import MeetingState
from responsibility_groups.models import Meeting

logger = logging.getLogger(__name__)

OPEN_CASE_STATES = [CaseState.RECEIVED, CaseState.UNDER_ASSESSMENT]
REVIEW_REMINDER_DAYS = (30, 7)


def _remind(kind: str, objects: Iterable[Any], key: Any, extra: Any = None) -> list[int]:
    """Rows for the objects not yet reminded under their key; one failing object skips only itself."""
    message = message_for(kind)
    objects = list(objects)
    sent = _reminded(kind, [obj.pk for obj in objects])
    ids: list[int] = []
    for obj in objects:
        reminder = key(obj)
        if reminder in sent:
            continue  # also when the recipient's channels have changed since: once is once
        try:
            with transaction.atomic():
                ids += create_notifications(
                    message=message, obj=obj, key=reminder, extra_context=extra(obj) if extra else None
                )
        except SoftTimeLimitExceeded:
            raise
        except Exception:
            logger.exception(
                "reminder %s about %s #%s could not be created", kind, obj._meta.label_lower, obj.pk
            )
    return ids


def _reminded(kind: str, object_ids: list[Any]) -> set[str]:
    """The reminder keys (without recipient and channel) already used for these objects."""
    keys = Notification.objects.filter(kind=kind, object_id__in=[str(pk) for pk in object_ids]).values_list(
        "key", flat=True
    )
    return {source_of(key) for key in keys}


def meetings_soon(now: datetime.datetime) -> list[int]:
    """Meetings tomorrow (local date) and in the next two hours."""
    tomorrow = timezone.localdate(now) + datetime.timedelta(days=1)
    # The key names the time and how often the meeting has been moved: a meeting moved away and
    # back to the same time is reminded again (the earlier reminder was withdrawn by the move).
    invited = (
        Meeting.objects.filter(state=MeetingState.INVITED)
        .select_related(*message_for("meeting_soon").related)
        .annotate(moves=transition_count(Meeting, "reschedule"))
    )
    ids = _remind(
        "meeting_tomorrow",
        invited.filter(starts_at__date=tomorrow),
        lambda m: f"meeting_tomorrow:{m.pk}:{m.moves}:{m.starts_at:%Y%m%dT%H%M}",
    )
    ids += _remind(
        "meeting_soon",
        invited.filter(starts_at__gt=now, starts_at__lte=now + datetime.timedelta(hours=2)),
        lambda m: f"meeting_soon:{m.pk}:{m.moves}:{m.starts_at:%Y%m%dT%H%M}",
    )
    return ids


def plan_reviews(today: datetime.date) -> list[int]:
    """Reviews due within 30 and within 7 days, and overdue ones, to the plan's coordinator."""
    active = IndividualPlan.objects.filter(state=PlanState.ACTIVE, next_review_date__isnull=False)
    active = active.select_related(*message_for("plan_review_due").related)
    ids: list[int] = []
    windows = [(REVIEW_REMINDER_DAYS[0], REVIEW_REMINDER_DAYS[1] + 1), (REVIEW_REMINDER_DAYS[1], 0)]
    for days, after in windows:
        due = active.filter(
            next_review_date__lte=today + datetime.timedelta(days=days),
            next_review_date__gte=today + datetime.timedelta(days=after),
        )
        ids += _remind(
            "plan_review_due", due, lambda p, d=days: f"plan_review_due_{d}:{p.pk}:{p.next_review_date}"
        )
    ids += _remind(
        "plan_review_overdue",
        active.filter(next_review_date__lt=today),
        lambda p: f"plan_review_overdue:{p.pk}:{p.next_review_date}",
    )
    return ids


def minutes_not_approved(now: datetime.datetime) -> list[int]:
    """Minutes still not approved 14 days after the meeting, to the coordinator."""
    late = Meeting.objects.filter(
        state__in=[MeetingState.HELD, MeetingState.MINUTES_DRAFT],
        starts_at__lte=now - datetime.timedelta(days=settings.NOTIFICATIONS_MINUTES_DUE_DAYS),
    ).select_related(*message_for("minutes_not_approved").related)
    return _remind("minutes_not_approved", late, lambda m: f"minutes_not_approved:{m.pk}")


def provisional_replies(today: datetime.date) -> list[int]:
    """Open cases whose provisional reply is due within a week and not yet sent, to the unit."""
    due = Case.objects.filter(
        state__in=OPEN_CASE_STATES,
        provisional_reply_sent_on__isnull=True,
        reply_due_on__lte=today + datetime.timedelta(days=7),
    ).select_related("unit")
    return _remind("provisional_reply_due", due, lambda c: f"provisional_reply_due:{c.pk}:{c.reply_due_on}")


def conversations_not_offered(now: datetime.datetime) -> list[int]:
    """Once a week per unit while this year's conversations wait to be offered (after 14 days)."""
    today = timezone.localdate(now)
    counts = dict(
        QualityConversation.objects.filter(
            year=today.year,
            state=ConversationState.DUE,
            created_at__lte=now - datetime.timedelta(days=14),
        )
        .values_list("unit_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    week = today.isocalendar()
    return _remind(
        "quality_conversations_not_offered",
        Unit.objects.filter(pk__in=counts),
        lambda u: f"quality_conversations_not_offered:{u.pk}:{week.year}-W{week.week:02d}",
        lambda u: {"not_offered": counts[u.pk], "year": today.year},
    )


def scan_all(now: datetime.datetime | None = None) -> list[int]:
    now = now or timezone.now()
    today = timezone.localdate(now)
    ids = meetings_soon(now)
    ids += plan_reviews(today)
    ids += minutes_not_approved(now)
    ids += provisional_replies(today)
    ids += conversations_not_offered(now)
    logger.info("reminder scan: %s notifications to send", len(ids))
    return ids
