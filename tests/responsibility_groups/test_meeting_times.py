"""Meeting times: bounded to a sane range, and local times that do not exist are named, not stored.

Europe/Oslo skips 02:00-03:00 on the last Sunday of March: 02:30 that day is no time at all (it
was once taken as 01:30 UTC, the same instant as 03:30, and the database refused the meeting with
a 500). A meeting stored before the bounds (year 9999) must not take the calendar feed down.
"""

from __future__ import annotations

import datetime

import pytest

from responsibility_groups.models import Meeting
from tests.responsibility_groups.conftest import GroupBuilder

pytestmark = pytest.mark.django_db


def _propose(api, groups: GroupBuilder, starts_at: str, ends_at: str):
    return api(groups.actor).post(
        "/api/v1/meetings/",
        {"group": groups.group().pk, "starts_at": starts_at, "ends_at": ends_at},
        format="json",
    )


def _errors(response) -> list[tuple[str, str]]:
    return [(error["field"], error["code"]) for error in response.json()["errors"]]


def test_a_start_in_the_spring_gap_is_400_naming_the_time(world, api):
    groups = GroupBuilder(world)

    response = _propose(api, groups, "2027-03-28T02:30", "2027-03-28T03:30")

    assert response.status_code == 400, response.content
    assert _errors(response) == [("starts_at", "nonexistent_local_time")]
    assert "02:30" in response.json()["errors"][0]["detail"]
    assert Meeting.objects.count() == 0


def test_an_end_in_the_spring_gap_is_400(world, api):
    response = _propose(api, GroupBuilder(world), "2027-03-28T01:00", "2027-03-28T02:15")

    assert response.status_code == 400
    assert _errors(response) == [("ends_at", "nonexistent_local_time")]


def test_a_meeting_across_the_spring_gap_is_kept_with_its_real_length(world, api):
    response = _propose(api, GroupBuilder(world), "2027-03-28T01:30", "2027-03-28T03:30")

    assert response.status_code == 201, response.content
    meeting = Meeting.objects.get()
    assert meeting.ends_at - meeting.starts_at == datetime.timedelta(hours=1)


def test_the_same_instant_written_with_two_offsets_is_not_a_meeting(world, api):
    response = _propose(api, GroupBuilder(world), "2027-03-28T01:30:00+01:00", "2027-03-28T02:30:00+02:00")

    assert response.status_code == 400
    assert _errors(response) == [("ends_at", "before_start")]


@pytest.mark.parametrize(
    ("starts_at", "ends_at"),
    [("9999-12-31T10:00", "9999-12-31T11:00"), ("2101-01-01T10:00", "2101-01-01T11:00")],
)
def test_a_meeting_past_the_supported_dates_is_400(world, api, starts_at, ends_at):
    response = _propose(api, GroupBuilder(world), starts_at, ends_at)

    assert response.status_code == 400
    assert _errors(response) == [("starts_at", "out_of_range"), ("ends_at", "out_of_range")]


def test_a_reschedule_into_the_spring_gap_is_400_and_keeps_the_time(world, api):
    groups = GroupBuilder(world)
    meeting = groups.invited()

    response = api(groups.actor).post(
        f"/api/v1/meetings/{meeting.pk}/transitions/reschedule/",
        {"starts_at": "2027-03-28T02:00", "ends_at": "2027-03-28T04:00"},
        format="json",
    )

    assert response.status_code == 400
    assert _errors(response) == [("starts_at", "nonexistent_local_time")]
    assert Meeting.objects.get().starts_at == meeting.starts_at


def test_one_meeting_that_cannot_be_written_leaves_the_rest_of_the_feed(world, api):
    groups = GroupBuilder(world)
    good = groups.invited()
    bad = groups.invited(group=good.group, days=9)
    far = datetime.datetime(9999, 12, 31, 10, tzinfo=datetime.UTC)
    Meeting.objects.filter(pk=bad.pk).update(starts_at=far, ends_at=far + datetime.timedelta(hours=1))
    client = api(groups.actor)
    subscription = client.post("/api/v1/calendar-feed/")
    assert subscription.status_code == 201
    url = subscription.json()["https_url"].split("testserver", 1)[1]

    feed = api(None).get(url)

    assert feed.status_code == 200
    good.refresh_from_db()
    bad.refresh_from_db()
    assert f"meeting-{good.uid}@".encode() in feed.content
    assert f"meeting-{bad.uid}@".encode() not in feed.content
