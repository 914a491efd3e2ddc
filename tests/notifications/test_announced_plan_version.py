"""A message announcing an approved plan version says what that version says.

The fan-out runs after the commit, possibly a minute or more later through the sweeper; by then
staff may have started a review and moved the working copy's review date. A representative must
read the announced version's date, which the API shows them, never the working copy's (an outside
review found the working copy's date in the guardian's inbox).
"""

from __future__ import annotations

import datetime

import pytest

from notifications.models import Notification
from plans import services as plan_services
from tests.plans.conftest import PlanBuilder

pytestmark = pytest.mark.django_db


def test_the_approval_message_shows_the_approved_review_date(world, api, django_capture_on_commit_callbacks):
    builder = PlanBuilder(world)
    plan = builder.in_preparation()
    with django_capture_on_commit_callbacks(execute=False) as fan_out:
        plan = plan_services.plan_activate(reach=builder.reach, plan=plan)
    approved_date = plan.next_review_date
    assert plan.versions.get().content["plan"]["next_review_date"] == approved_date.isoformat()

    # Before the fan-out task runs, staff start a review and move the working copy's date.
    plan = plan_services.plan_start_review(reach=builder.reach, plan=plan)
    draft_date = datetime.date(2031, 3, 17)
    plan_services.plan_update(reach=builder.reach, plan=plan, next_review_date=draft_date)
    for callback in fan_out:
        callback()

    guardian = world.actors["guardian"]
    message = Notification.objects.get(kind="plan_approved", channel="inbox", recipient_user=guardian)
    shown = api(guardian).get(f"/api/v1/notifications/{message.pk}/")
    assert shown.status_code == 200
    # The guardian cannot read the working copy's date anywhere in the API ...
    detail = api(guardian).get(f"/api/v1/plans/{plan.pk}/")
    assert detail.status_code == 200
    assert detail.json()["version"]["content"]["plan"]["next_review_date"] == approved_date.isoformat()
    # ... and the message announcing version 1 names the approved date, not the working copy's.
    assert "17. mars 2031" not in shown.json()["body"], shown.json()["body"]
    assert f"{approved_date.day}." in shown.json()["body"]
