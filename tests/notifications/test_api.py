"""The notifications API: the caller's own inbox and preferences; deliveries and retries for staff.

The inbox holds only the caller's own messages (someone else's is 404, as if it did not exist).
Delivery status names the recipients of an object's messages, so it is for staff who reach the
object through its selector; each look is written to the access log, each retry to the audit trail.
"""

from __future__ import annotations

import datetime
from itertools import count
from typing import Any

import pytest
from django.utils import timezone

from casework.models import AccessLogEntry, AuditEvent
from notifications.choices import Channel, DeliveryStatus
from notifications.models import Notification, NotificationPreference
from responsibility_groups import services as group_services
from responsibility_groups.choices import MemberKind
from tests.factories import UserFactory
from tests.query_budget import QueryLog, count_queries

pytestmark = pytest.mark.django_db

PROBLEM = "application/problem+json"
INBOX = "/api/v1/notifications/"
PREFERENCES = "/api/v1/notifications/preferences/"
DELIVERIES = "/api/v1/notifications/deliveries/"

_keys = count()


def _problem(response: Any, *, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == PROBLEM
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    assert body["code"] == code
    return body


def _field_errors(body: dict[str, Any]) -> list[tuple[str, str]]:
    return [(error["field"], error["code"]) for error in body["errors"]]


def _message(user: Any, *, hours_ago: float = 0, read: bool = False, **fields: Any) -> Notification:
    """One delivered inbox message to ``user``, created ``hours_ago`` (distinct times order the list)."""
    created = timezone.now() - datetime.timedelta(hours=hours_ago)
    row = Notification.objects.create(
        key=f"test:{next(_keys)}:u{user.pk}:inbox",
        kind="meeting_invited",
        channel=Channel.INBOX,
        status=DeliveryStatus.DELIVERED,
        object_type="responsibility_groups.meeting",
        object_id="1",
        recipient_user=user,
        recipient_name=user.get_full_name(),
        language="nb",
        subject=f"Melding {hours_ago}",
        body="Detaljene finner du i Medvirk.",
        delivered_at=created,
        read_at=created if read else None,
        **fields,
    )
    Notification.objects.filter(pk=row.pk).update(created_at=created)
    row.refresh_from_db()
    return row


@pytest.fixture
def reader(db: Any) -> Any:
    return UserFactory(username="inbox_reader")


@pytest.fixture
def neighbour(db: Any) -> Any:
    return UserFactory(username="inbox_neighbour")


# --- The inbox ----------------------------------------------------------------------------------


def test_the_inbox_lists_only_the_callers_own_messages_newest_first(api, reader, neighbour):
    oldest = _message(reader, hours_ago=3)
    newest = _message(reader, hours_ago=1)
    middle = _message(reader, hours_ago=2)
    _message(neighbour, hours_ago=0)
    _message(neighbour, hours_ago=4)

    response = api(reader).get(INBOX)

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 3
    assert [row["id"] for row in body["results"]] == [newest.pk, middle.pk, oldest.pk]
    assert body["results"][0] == {
        "id": newest.pk,
        "kind": "meeting_invited",
        "subject": "Melding 1",
        "body": "Detaljene finner du i Medvirk.",
        "object_type": "responsibility_groups.meeting",
        "object_id": "1",
        "created_at": body["results"][0]["created_at"],
        "read_at": None,
        "is_read": False,
    }


def test_the_inbox_leaves_out_the_callers_email_and_sms_rows(api, reader):
    inbox = _message(reader, hours_ago=1)
    for channel in (Channel.EMAIL, Channel.SMS):
        Notification.objects.filter(pk=_message(reader, hours_ago=2).pk).update(channel=channel)

    response = api(reader).get(INBOX)

    assert response.status_code == 200, response.content
    assert [row["id"] for row in response.json()["results"]] == [inbox.pk]


@pytest.mark.parametrize(("unread", "expected"), [("true", ["new", "newer"]), ("false", ["old"])])
def test_the_inbox_filters_on_unread(api, reader, neighbour, unread, expected):
    rows = {
        "newer": _message(reader, hours_ago=1),
        "new": _message(reader, hours_ago=2),
        "old": _message(reader, hours_ago=3, read=True),
    }
    _message(neighbour, hours_ago=1)
    _message(neighbour, hours_ago=2, read=True)

    response = api(reader).get(INBOX, {"unread": unread})

    assert response.status_code == 200
    ids = [row["id"] for row in response.json()["results"]]
    assert sorted(ids) == sorted(rows[name].pk for name in expected)
    assert response.json()["count"] == len(expected)


def test_an_unknown_query_parameter_on_the_inbox_is_400(api, reader):
    _message(reader)

    response = api(reader).get(INBOX, {"bogus": "1"})

    body = _problem(response, status=400, code="invalid")
    assert _field_errors(body) == [("bogus", "unknown_parameter")]


def test_an_invalid_unread_value_is_400(api, reader):
    response = api(reader).get(INBOX, {"unread": "perhaps"})

    body = _problem(response, status=400, code="invalid")
    assert _field_errors(body) == [("unread", "invalid")]


def test_one_of_the_callers_messages_is_shown(api, reader):
    row = _message(reader)

    response = api(reader).get(f"{INBOX}{row.pk}/")

    assert response.status_code == 200
    assert response.json()["id"] == row.pk
    assert response.json()["subject"] == row.subject


def test_someone_elses_message_is_404(api, reader, neighbour):
    theirs = _message(neighbour)

    response = api(reader).get(f"{INBOX}{theirs.pk}/")

    _problem(response, status=404, code="not_found")
    assert theirs.subject not in response.content.decode()


def test_a_message_id_that_is_not_a_number_is_404(api, reader):
    _message(reader)

    response = api(reader).get(f"{INBOX}abc/")

    assert response.status_code == 404


def test_reading_someone_elses_message_is_404_and_leaves_it_unread(api, reader, neighbour):
    theirs = _message(neighbour)

    response = api(reader).post(f"{INBOX}{theirs.pk}/read/")

    _problem(response, status=404, code="not_found")
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_reading_a_message_marks_it_read(api, reader):
    row = _message(reader)

    response = api(reader).post(f"{INBOX}{row.pk}/read/")

    assert response.status_code == 200
    row.refresh_from_db()
    assert row.read_at is not None
    assert response.json()["is_read"] is True
    assert response.json()["read_at"] == row.read_at.astimezone(timezone.get_current_timezone()).isoformat()


def test_reading_a_message_again_keeps_the_first_time_it_was_read(api, reader):
    row = _message(reader)
    first_read = api(reader).post(f"{INBOX}{row.pk}/read/")
    assert first_read.status_code == 200, first_read.content
    first = timezone.now() - datetime.timedelta(days=1)
    Notification.objects.filter(pk=row.pk).update(read_at=first)  # as if read yesterday

    response = api(reader).post(f"{INBOX}{row.pk}/read/")

    assert response.status_code == 200
    row.refresh_from_db()
    assert row.read_at == first
    assert response.json()["read_at"] == first.astimezone(timezone.get_current_timezone()).isoformat()


def test_read_all_marks_only_the_callers_unread_messages(api, reader, neighbour):
    unread = [_message(reader, hours_ago=1), _message(reader, hours_ago=2)]
    already = _message(reader, hours_ago=3, read=True)
    theirs = [_message(neighbour, hours_ago=1), _message(neighbour, hours_ago=2)]

    response = api(reader).post(f"{INBOX}read-all/")

    assert response.status_code == 200
    assert response.json() == {"marked_read": 2}
    assert Notification.objects.filter(pk__in=[r.pk for r in unread], read_at__isnull=True).count() == 0
    assert Notification.objects.get(pk=already.pk).read_at == already.read_at
    assert Notification.objects.filter(pk__in=[r.pk for r in theirs], read_at__isnull=True).count() == 2


def test_read_all_with_nothing_unread_marks_nothing(api, reader):
    _message(reader, read=True)

    response = api(reader).post(f"{INBOX}read-all/")

    assert response.status_code == 200
    assert response.json() == {"marked_read": 0}


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", ""),
        ("get", "{id}/"),
        ("post", "{id}/read/"),
        ("post", "read-all/"),
        ("get", "preferences/"),
        ("patch", "preferences/"),
        ("get", "deliveries/?object_type=meeting&object_id=1"),
        ("get", "deliveries/{id}/"),
        ("post", "deliveries/{id}/retry/"),
    ],
)
def test_anonymous_is_401_everywhere(api, reader, method, path):
    row = _message(reader)

    response = getattr(api(None), method)(INBOX + path.format(id=row.pk), {}, format="json")

    _problem(response, status=401, code="not_authenticated")
    row.refresh_from_db()
    assert row.read_at is None
    assert NotificationPreference.objects.count() == 0


# --- Preferences --------------------------------------------------------------------------------


def test_preferences_default_for_a_login_without_a_row(api, reader):
    response = api(reader).get(PREFERENCES)

    assert response.status_code == 200
    assert response.json() == {
        "by_email": True,
        "by_sms": False,
        "in_inbox": True,
        "language": "nb",
        "daily_digest": False,
        "plan_pdf_by_email": False,
        "updated_at": None,
    }
    assert NotificationPreference.objects.count() == 0


def test_changing_preferences_saves_and_audits_them(api, reader):
    response = api(reader).patch(PREFERENCES, {"by_sms": True, "language": "en"}, format="json")

    assert response.status_code == 200
    body = response.json()
    assert (body["by_email"], body["by_sms"], body["in_inbox"], body["language"]) == (True, True, True, "en")
    preference = NotificationPreference.objects.get(user=reader)
    assert (preference.by_sms, preference.language, preference.by_email) == (True, "en", True)
    event = AuditEvent.objects.get(action="notification_preference.update")
    assert (event.actor, event.object_id) == (reader, str(preference.pk))
    assert event.changes == {"by_sms": [False, True], "language": ["nb", "en"]}


def test_preferences_read_back_after_a_change(api, reader):
    change = api(reader).patch(PREFERENCES, {"daily_digest": True}, format="json")
    assert change.status_code == 200, change.content

    response = api(reader).get(PREFERENCES)

    assert response.status_code == 200, response.content
    assert response.json()["daily_digest"] is True
    assert response.json()["updated_at"] is not None


def test_a_patch_that_changes_nothing_is_not_audited(api, reader):
    first_patch = api(reader).patch(PREFERENCES, {"by_sms": True}, format="json")
    assert first_patch.status_code == 200, first_patch.content
    before = AuditEvent.objects.count()

    response = api(reader).patch(PREFERENCES, {"by_sms": True}, format="json")

    assert response.status_code == 200
    assert AuditEvent.objects.count() == before


def test_a_patch_with_an_unknown_field_is_400_and_saves_nothing(api, reader):
    audit_before = AuditEvent.objects.count()

    response = api(reader).patch(PREFERENCES, {"by_sms": True, "volume": 11}, format="json")

    body = _problem(response, status=400, code="invalid")
    assert _field_errors(body) == [("volume", "unknown_field")]
    assert NotificationPreference.objects.count() == 0
    assert AuditEvent.objects.count() == audit_before


def test_a_patch_with_an_unknown_language_is_400_and_saves_nothing(api, reader):
    change = api(reader).patch(PREFERENCES, {"language": "nn"}, format="json")
    assert change.status_code == 200, change.content
    audit_before = AuditEvent.objects.count()

    response = api(reader).patch(PREFERENCES, {"language": "de", "by_sms": True}, format="json")

    body = _problem(response, status=400, code="invalid")
    assert _field_errors(body) == [("language", "invalid_choice")]
    preference = NotificationPreference.objects.get(user=reader)
    assert (preference.language, preference.by_sms) == ("nn", False)
    assert AuditEvent.objects.count() == audit_before


def test_preferences_are_the_callers_own(api, reader, neighbour):
    change = api(neighbour).patch(PREFERENCES, {"by_sms": True}, format="json")
    assert change.status_code == 200, change.content

    response = api(reader).get(PREFERENCES)

    assert response.status_code == 200, response.content
    assert response.json()["by_sms"] is False


# --- Deliveries ---------------------------------------------------------------------------------


@pytest.fixture
def meeting(groups, world, django_capture_on_commit_callbacks):
    """An invited meeting of world.person, its invitations really sent: the person by SMS (no
    email), the unit manager (a member with an email address) by email and in the inbox."""
    manager = world.actors["unit_manager"]
    manager.email = "leder@example.no"
    manager.save(update_fields=["email"])
    group = groups.group()
    group_services.member_add(
        reach=groups.reach, group=group, kind=MemberKind.STAFF, user=manager, role="enhetsleder"
    )
    with django_capture_on_commit_callbacks(execute=True):
        invited = groups.invited(group=group)
    return invited


def _deliveries_url(meeting: Any) -> str:
    return f"{DELIVERIES}?object_type=meeting&object_id={meeting.pk}"


DELIVERIES_LIST = {
    "superuser": 200,
    "caseworker": 200,
    "caseworker_other_unit": 404,
    "coordinator": 200,  # unit B, explicitly granted the person: meeting_get_for reaches it
    "unit_manager": 200,
    "quality_admin": 200,  # staff in unit A: the meeting selector filters on people, not roles
    "guardian": 404,  # delivery status is for staff only, never for representatives
    "guardian_expired": 404,
    "relative": 404,
    "relative_without_consent": 404,
    "anonymous": 401,
}


@pytest.mark.parametrize(("actor", "expected"), DELIVERIES_LIST.items())
def test_deliveries_of_a_meeting(meeting, world, api, actor, expected):
    log_before = AccessLogEntry.objects.count()

    response = api(world.actors[actor]).get(_deliveries_url(meeting))

    assert response.status_code == expected
    if expected == 200:
        assert response.json()["count"] == 3
        assert AccessLogEntry.objects.count() == log_before + 1
    else:
        assert response["Content-Type"] == PROBLEM
        assert world.person.full_name not in response.content.decode()
        assert AccessLogEntry.objects.count() == log_before


def test_the_deliveries_name_recipients_channels_and_statuses(meeting, world, api):
    manager = world.actors["unit_manager"].get_full_name()

    response = api(world.actors["caseworker"]).get(_deliveries_url(meeting))
    assert response.status_code == 200, response.content

    rows = response.json()["results"]
    assert sorted((r["kind"], r["recipient_name"], r["channel"], r["status"]) for r in rows) == sorted(
        [
            ("meeting_invited", world.person.full_name, "sms", "delivered"),
            ("meeting_invited", manager, "email", "delivered"),
            ("meeting_invited", manager, "inbox", "delivered"),
        ]
    )
    assert all(r["attempts"] == (0 if r["channel"] == "inbox" else 1) for r in rows)


def test_reading_deliveries_is_written_to_the_access_log(meeting, world, api):
    response = api(world.actors["unit_manager"]).get(_deliveries_url(meeting))
    assert response.status_code == 200, response.content

    entry = AccessLogEntry.objects.get(resource="notification.delivery")
    assert (entry.actor, entry.service_user, entry.actor_role) == (
        world.actors["unit_manager"],
        world.person,
        "unit_manager",
    )


def test_deliveries_of_a_meeting_without_messages_are_an_empty_list_and_not_logged(groups, world, api):
    draft = groups.meeting()

    response = api(world.actors["caseworker"]).get(_deliveries_url(draft))

    assert response.status_code == 200
    assert response.json()["count"] == 0
    assert AccessLogEntry.objects.filter(resource="notification.delivery").count() == 0


def test_deliveries_of_a_missing_meeting_are_404(meeting, world, api):
    response = api(world.actors["superuser"]).get(f"{DELIVERIES}?object_type=meeting&object_id=999999")

    _problem(response, status=404, code="not_found")


def test_deliveries_without_object_type_are_400(meeting, world, api):
    response = api(world.actors["caseworker"]).get(f"{DELIVERIES}?object_id={meeting.pk}")

    body = _problem(response, status=400, code="invalid")
    assert _field_errors(body) == [("object_type", "required")]
    assert AccessLogEntry.objects.count() == 0


def test_deliveries_of_an_unknown_object_type_are_400(meeting, world, api):
    response = api(world.actors["caseworker"]).get(f"{DELIVERIES}?object_type=person&object_id={meeting.pk}")

    body = _problem(response, status=400, code="invalid")
    assert _field_errors(body) == [("object_type", "invalid_choice")]


def test_deliveries_with_an_unknown_parameter_are_400(meeting, world, api):
    response = api(world.actors["caseworker"]).get(_deliveries_url(meeting) + "&status=failed")

    body = _problem(response, status=400, code="invalid")
    assert _field_errors(body) == [("status", "unknown_parameter")]
    assert AccessLogEntry.objects.count() == 0


DELIVERY_DETAIL = {**DELIVERIES_LIST}


@pytest.mark.parametrize(("actor", "expected"), DELIVERY_DETAIL.items())
def test_one_delivery(meeting, world, api, actor, expected):
    row = Notification.objects.get(object_id=str(meeting.pk), channel=Channel.SMS)
    log_before = AccessLogEntry.objects.count()

    response = api(world.actors[actor]).get(f"{DELIVERIES}{row.pk}/")

    assert response.status_code == expected
    if expected == 200:
        assert response.json()["recipient_name"] == world.person.full_name
        assert AccessLogEntry.objects.count() == log_before + 1
    else:
        assert AccessLogEntry.objects.count() == log_before


# --- Retry --------------------------------------------------------------------------------------


def _failed_sms(meeting: Any) -> Notification:
    row = Notification.objects.get(object_id=str(meeting.pk), channel=Channel.SMS)
    Notification.objects.filter(pk=row.pk).update(
        status=DeliveryStatus.FAILED, attempts=6, last_error="SMS gateway 503"
    )
    row.refresh_from_db()
    return row


def test_retrying_a_failed_delivery_sends_it_again(
    meeting, world, api, sms_outbox, django_capture_on_commit_callbacks
):
    row = _failed_sms(meeting)
    sent_before = len(sms_outbox)

    with django_capture_on_commit_callbacks(execute=True):
        response = api(world.actors["caseworker"]).post(f"{DELIVERIES}{row.pk}/retry/")

    assert response.status_code == 200
    assert response.json()["status"] == "pending"
    row.refresh_from_db()
    assert (row.status, row.attempts, row.last_error) == (DeliveryStatus.DELIVERED, 1, "")
    assert len(sms_outbox) == sent_before + 1
    event = AuditEvent.objects.get(action="notification.retry")
    assert (event.actor, event.object_id, event.service_user) == (
        world.actors["caseworker"],
        str(row.pk),
        world.person,
    )
    assert event.changes == {"status": ["failed", "pending"]}
    assert event.comment == "SMS gateway 503"
    assert AccessLogEntry.objects.filter(resource="notification.delivery").count() == 1


def test_retrying_a_delivered_row_is_409_and_changes_nothing(
    meeting, world, api, sms_outbox, django_capture_on_commit_callbacks
):
    row = Notification.objects.get(object_id=str(meeting.pk), channel=Channel.SMS)
    sent_before = len(sms_outbox)
    audit_before = AuditEvent.objects.count()

    with django_capture_on_commit_callbacks(execute=True):
        response = api(world.actors["caseworker"]).post(f"{DELIVERIES}{row.pk}/retry/")

    _problem(response, status=409, code="not_failed")
    after = Notification.objects.get(pk=row.pk)
    assert (after.status, after.attempts, after.delivered_at) == (
        DeliveryStatus.DELIVERED,
        row.attempts,
        row.delivered_at,
    )
    assert len(sms_outbox) == sent_before
    assert AuditEvent.objects.count() == audit_before


def test_retry_by_a_caseworker_of_another_unit_is_404_and_changes_nothing(
    meeting, world, api, sms_outbox, django_capture_on_commit_callbacks
):
    row = _failed_sms(meeting)
    sent_before = len(sms_outbox)
    audit_before = AuditEvent.objects.count()

    with django_capture_on_commit_callbacks(execute=True):
        response = api(world.actors["caseworker_other_unit"]).post(f"{DELIVERIES}{row.pk}/retry/")

    _problem(response, status=404, code="not_found")
    after = Notification.objects.get(pk=row.pk)
    assert (after.status, after.attempts) == (DeliveryStatus.FAILED, 6)
    assert len(sms_outbox) == sent_before
    assert AuditEvent.objects.count() == audit_before


@pytest.mark.parametrize("actor", ["guardian", "relative"])
def test_retry_by_a_representative_is_404(meeting, world, api, actor):
    row = _failed_sms(meeting)

    response = api(world.actors[actor]).post(f"{DELIVERIES}{row.pk}/retry/")

    assert response.status_code == 404
    assert Notification.objects.get(pk=row.pk).status == DeliveryStatus.FAILED


# --- Query budget -------------------------------------------------------------------------------

SIZES = (1, 10, 50)
# GET /api/v1/notifications/ (5): SAVEPOINT (ATOMIC_REQUESTS), whom the caller has represented
# (none here: a staff member needs no reach), the paginator's COUNT, the page (the caller's inbox
# rows, newest first, LIMIT 50), RELEASE SAVEPOINT.
INBOX_BUDGET = 5


def _read_inbox(api: Any, user: Any, n: int) -> QueryLog:
    with count_queries() as log:
        response = api(user).get(INBOX)
    assert response.status_code == 200, response.content
    assert response.json()["count"] == n
    assert len(response.json()["results"]) == n
    return log


def test_the_inbox_runs_the_same_queries_for_1_10_and_50_messages(api, reader, neighbour):
    _message(neighbour)
    logs: dict[int, QueryLog] = {}
    for n in SIZES:
        for _ in range(n - Notification.objects.filter(recipient_user=reader).count()):
            _message(reader)
        logs[n] = _read_inbox(api, reader, n)

    for n in SIZES[1:]:
        assert len(logs[n]) == len(logs[1]), f"1 row:\n{logs[1].report()}\n{n} rows:\n{logs[n].report()}"
    assert len(logs[1]) == INBOX_BUDGET, logs[1].report()


def test_a_guardian_whose_mandate_ended_no_longer_sees_messages_about_the_person(world, api):
    from casework.models import Mandate

    guardian = world.actors["guardian"]
    Notification.objects.create(
        key="test:lapsed:inbox",
        kind="plan_approved",
        channel="inbox",
        status="delivered",
        object_type="plans.individualplan",
        object_id="1",
        service_user=world.person,
        recipient_user=guardian,
        recipient_name="Verge",
        language="nb",
        subject="Den individuelle planen er godkjent",
        body="…",
    )
    before = api(guardian).get("/api/v1/notifications/")
    assert before.status_code == 200, before.content
    assert before.json()["count"] == 1
    Mandate.objects.filter(representative__user=guardian).update(
        valid_to=timezone.localdate() - datetime.timedelta(days=1)
    )

    response = api(guardian).get("/api/v1/notifications/")

    assert response.status_code == 200, response.content
    assert response.json()["count"] == 0


def test_a_relative_whose_consent_no_longer_covers_the_plan_no_longer_sees_plan_messages(world, api):
    from casework.models import Consent

    relative = world.actors["relative"]
    for kind, object_type in (
        ("plan_approved", "plans.individualplan"),
        ("meeting_invited", "responsibility_groups.meeting"),
    ):
        Notification.objects.create(
            key=f"test:{kind}:inbox",
            kind=kind,
            channel="inbox",
            status="delivered",
            object_type=object_type,
            object_id="1",
            service_user=world.person,
            recipient_user=relative,
            recipient_name="Pårørende",
            language="nb",
            subject=kind,
            body="…",
        )
    before = api(relative).get("/api/v1/notifications/")
    assert before.status_code == 200, before.content
    assert before.json()["count"] == 2
    Consent.objects.filter(representative__user=relative).update(covers_plan=False)

    response = api(relative).get("/api/v1/notifications/")

    assert response.status_code == 200, response.content
    assert [row["kind"] for row in response.json()["results"]] == ["meeting_invited"]
