"""What PostgreSQL guarantees for meetings: no double booking under concurrent requests, and
append-only minutes. SQLite runs one writer at a time and has neither the exclusion constraint
nor the triggers (the booking service checks overlaps itself there)."""

from __future__ import annotations

import datetime
import threading

import pytest
from django.db import DatabaseError, connection, connections, transaction
from django.utils import timezone

from casework.errors import Conflict
from casework.selectors import reach_for
from responsibility_groups import services
from responsibility_groups.models import Meeting, MeetingBooking
from tests.factories import ConsentFactory, ServiceUserFactory

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="exclusion constraints need PostgreSQL"),
]


def test_two_coordinators_booking_the_same_staff_member_at_once_one_wins(world):
    """Both see no conflict when they check; the database refuses the second commit."""
    shared = world.actors["caseworker"]  # a staff member in both groups
    start = (timezone.now() + datetime.timedelta(days=3)).replace(microsecond=0)
    meetings = []
    for coordinator_name in ("superuser", "superuser"):
        person = ServiceUserFactory(units=[world.unit_a])
        ConsentFactory(service_user=person, covers_group_sharing=True)
        reach = reach_for(world.actors[coordinator_name])
        group = services.group_create(reach=reach, service_user=person, unit=world.unit_a, coordinator=shared)
        meetings.append(
            services.meeting_create(
                reach=reach, group=group, starts_at=start, ends_at=start + datetime.timedelta(hours=1)
            )
        )
    barrier = threading.Barrier(2)
    outcomes: list[str] = []
    real_conflict = services._conflict
    checked = threading.local()

    def blind_check(*args, **kwargs):
        # Both requests pass the application's first check before either has committed.
        result = real_conflict(*args, **kwargs)
        if not getattr(checked, "done", False):
            checked.done = True
            barrier.wait(timeout=10)
        return result

    def book(meeting: Meeting) -> None:
        try:
            services.meeting_transition(
                reach=reach_for(world.actors["superuser"]), meeting=meeting, name="invite"
            )
            outcomes.append("won")
        except Conflict as error:
            outcomes.append(error.code)
        finally:
            connections.close_all()

    services._conflict = blind_check
    try:
        threads = [threading.Thread(target=book, args=(m,)) for m in meetings]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
    finally:
        services._conflict = real_conflict

    assert sorted(outcomes) == ["double_booking", "won"]
    assert MeetingBooking.objects.filter(user=shared, active=True).count() == 1


def test_approved_minutes_cannot_be_rewritten(world):
    from responsibility_groups.models import MinutesVersion

    person = ServiceUserFactory(units=[world.unit_a])
    reach = reach_for(world.actors["caseworker"])
    group = services.group_create(
        reach=reach, service_user=person, unit=world.unit_a, coordinator=world.actors["caseworker"]
    )
    start = timezone.now() + datetime.timedelta(days=1)
    meeting = services.meeting_create(
        reach=reach, group=group, starts_at=start, ends_at=start + datetime.timedelta(hours=1)
    )
    version = MinutesVersion.objects.create(
        meeting=meeting, number=1, content={"topics": []}, approved_by=world.actors["caseworker"]
    )

    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        MinutesVersion.objects.filter(pk=version.pk).update(content={"topics": ["endret"]})
