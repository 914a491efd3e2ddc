"""A representative is never emailed a superseded plan version.

The PDF attached to a plan message is the version the event announced. When it is sent late (a
retry after a relay failure, or by hand from ``…/deliveries/{id}/retry/``) after a later version
was approved, the representative may no longer see it (they see only the latest, ADR 0006): the
message is not sent and says why (an outside review found version 1 emailed after version 2).
"""

from __future__ import annotations

import pytest
from django.core import mail

from notifications import dispatch
from notifications.choices import Channel, DeliveryStatus
from notifications.models import Notification
from tests.plans.conftest import PlanBuilder

pytestmark = pytest.mark.django_db


def test_a_guardian_is_not_emailed_a_superseded_version(world, api):
    plan = PlanBuilder(world).reviewed_twice()  # versions 1 and 2
    guardian = world.actors["guardian"]
    # The API refuses the guardian version 1 ...
    assert api(guardian).get(f"/api/v1/plans/{plan.pk}/versions/1/").status_code == 404
    # ... but a plan_approved email queued for version 1 (as delivery.create_notifications writes
    # it when the plan was activated) and sent now still carries version 1.
    row = Notification.objects.create(
        key="review:superseded:email",
        kind="plan_approved",
        channel=Channel.EMAIL,
        object_type="plans.individualplan",
        object_id=str(plan.pk),
        recipient_user=guardian,
        recipient_name="Verge",
        address="verge@example.org",
        language="nb",
        subject="Den individuelle planen er godkjent",
        body="Planen er godkjent.",
        attachments=[{"type": "plan_pdf", "version": 1}],
        service_user=world.person,
    )

    dispatch.deliver([row.pk])

    row.refresh_from_db()
    sent = [
        attachment.get_filename()
        for message in mail.outbox
        for attachment in message.message().walk()
        if attachment.get_content_type() == "application/pdf"
    ]
    assert (row.status, row.last_error) == (
        DeliveryStatus.FAILED,
        "a later version of the plan has been approved since",
    )
    assert sent == []


def test_a_failed_plan_approved_email_retried_after_a_review_does_not_send_the_old_version(
    world, settings, django_capture_on_commit_callbacks
):
    """The same through the real path: activation's email fails, the plan is reviewed (version 2),
    a caseworker sends the failed email again from the deliveries API."""
    import datetime

    from casework.selectors import reach_for
    from notifications.models import NotificationPreference
    from notifications.services import delivery_retry
    from plans import services as plan_services

    guardian = world.actors["guardian"]
    representative = guardian.representations.get()
    representative.email = "verge@example.org"
    representative.save()
    NotificationPreference.objects.create(user=guardian, plan_pdf_by_email=True)
    builder = PlanBuilder(world)
    settings.EMAIL_BACKEND = "tests.notifications.test_dispatch.FlakyBackend"
    settings.NOTIFICATIONS_MAX_ATTEMPTS = 1
    plan = builder.in_preparation()
    with django_capture_on_commit_callbacks(execute=True):
        plan = plan_services.plan_activate(reach=builder.reach, plan=plan)  # version 1; email fails
    row = Notification.objects.get(kind="plan_approved", channel=Channel.EMAIL, recipient_user=guardian)
    assert row.status == DeliveryStatus.FAILED, row.last_error
    assert row.attachments == [{"type": "plan_pdf", "version": 1}]

    plan = plan_services.plan_start_review(reach=builder.reach, plan=plan)
    for goal in plan.goals.all():
        plan_services.goal_assess(reach=builder.reach, goal=goal, progress="continued", assessment="Ok.")
    plan_services.plan_update(
        reach=builder.reach, plan=plan, next_review_date=plan.next_review_date + datetime.timedelta(days=180)
    )
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        plan_services.plan_complete_review(reach=builder.reach, plan=plan)  # version 2
    assert plan.versions.count() == 2
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        delivery_retry(reach=reach_for(world.actors["caseworker"]), notification=row)

    row.refresh_from_db()
    sent = [
        attachment.get_filename()
        for message in mail.outbox
        for attachment in message.message().walk()
        if attachment.get_content_type() == "application/pdf"
    ]
    assert row.status == DeliveryStatus.FAILED
    assert f"individuell-plan-{plan.pk}-1.pdf" not in sent, f"superseded version emailed: {sent}"
    # The review's own message carried the version the guardian may see.
    reviewed = Notification.objects.get(kind="plan_reviewed", channel=Channel.EMAIL, recipient_user=guardian)
    assert (reviewed.status, reviewed.attachments) == (
        DeliveryStatus.DELIVERED,
        [{"type": "plan_pdf", "version": 2}],
    )
