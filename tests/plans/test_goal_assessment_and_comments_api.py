"""Assessing a goal and commenting on approved minutes over the API: both answer with data, and
log the read. (An outside review found both answering only 500: the access-log guard refused
them, as neither logged.)"""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from plans.models import GoalAssessment
from responsibility_groups import services as group_services
from responsibility_groups.models import Meeting, MinutesComment
from tests.responsibility_groups.conftest import GroupBuilder

pytestmark = pytest.mark.django_db


def test_assessing_a_goal_in_a_review_answers_200_and_is_kept(plans, world, api):
    plan = plans.under_review()
    goal = plan.goals.first()
    client = api(world.actors["caseworker"])

    response = client.post(
        f"/api/v1/plans/{plan.pk}/goals/{goal.pk}/assessment/",
        {"progress": "continued", "assessment": "Fortsetter."},
        format="json",
    )

    assert response.status_code == 200, response.content
    assert GoalAssessment.objects.filter(goal=goal).exists()


def test_an_attendee_comments_on_approved_minutes(world, api):
    groups = GroupBuilder(world)
    meeting = groups.invited()
    Meeting.objects.filter(pk=meeting.pk).update(
        starts_at=timezone.now() - datetime.timedelta(hours=2),
        ends_at=timezone.now() - datetime.timedelta(hours=1),
    )
    meeting.refresh_from_db()
    group_services.attendance_record(
        reach=groups.reach,
        meeting=meeting,
        attended={row.member_id: True for row in meeting.attendance.all()},
    )
    group_services.meeting_transition(reach=groups.reach, meeting=meeting, name="record_held")
    group_services.meeting_transition(reach=groups.reach, meeting=meeting, name="start_minutes")
    group_services.minutes_write(
        reach=groups.reach, meeting=meeting, topics=[{"title": "Bolig"}], agreements=[]
    )
    group_services.meeting_transition(reach=groups.reach, meeting=meeting, name="approve_minutes")
    client = api(groups.actor)

    response = client.post(
        f"/api/v1/meetings/{meeting.pk}/minutes/comments/", {"text": "Takk for møtet."}, format="json"
    )

    assert response.status_code == 201, response.content
    assert MinutesComment.objects.filter(meeting=meeting).count() == 1
