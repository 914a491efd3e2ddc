"""Groups and meetings: consent for sharing, double booking, the meeting state machine, minutes."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone
from icalendar import Calendar

from casework.errors import Conflict, GuardFailed, NotAllowed, TransitionNotAllowed
from casework.models import AccessLogEntry
from casework.selectors import reach_for
from responsibility_groups import services
from responsibility_groups.choices import MeetingState, MemberKind
from responsibility_groups.models import Meeting, MeetingBooking, MinutesVersion
from tests.factories import MembershipFactory, RepresentativeFactory

pytestmark = pytest.mark.django_db


def _calendar(client, path: str) -> Calendar:
    """The calendar that ``path`` answers with (200)."""
    response = client.get(path)
    assert response.status_code == 200, response.content
    return Calendar.from_ical(response.content)


def test_a_group_starts_with_the_person_and_the_coordinator(groups, world):
    group = groups.group()

    assert sorted(group.members.values_list("kind", flat=True)) == ["service_user", "staff"]


def test_a_member_needs_the_persons_consent_to_group_sharing(groups, world):
    group = groups.group(sharing_consent=False)

    with pytest.raises(GuardFailed) as refused:
        services.member_add(
            reach=groups.reach,
            group=group,
            kind=MemberKind.EXTERNAL,
            name="Fastlege Berg",
            email="berg@lege.example",
        )

    assert refused.value.extra["missing"] == ["consent: group_information_sharing"]
    assert group.members.count() == 2


def test_a_guardian_with_a_valid_personal_mandate_needs_no_sharing_consent(groups, world):
    group = groups.group(sharing_consent=False)
    guardian = world.actors["guardian"].representations.get()

    member = services.member_add(
        reach=groups.reach, group=group, kind=MemberKind.REPRESENTATIVE, representative=guardian
    )

    assert member.pk is not None


def test_the_api_names_the_missing_consent_with_422(groups, world, api):
    group = groups.group(sharing_consent=False)

    response = api(world.actors["caseworker"]).post(
        f"/api/v1/responsibility-groups/{group.pk}/members/",
        {"kind": "external", "name": "NAV-veileder", "email": "veileder@nav.example"},
        format="json",
    )

    assert response.status_code == 422
    assert response.json()["missing"] == ["consent: group_information_sharing"]


def test_a_meeting_in_the_past_is_refused_with_400(groups, world, api):
    group = groups.group()
    start = timezone.now() - datetime.timedelta(days=1)

    response = api(world.actors["caseworker"]).post(
        "/api/v1/meetings/",
        {
            "group": group.pk,
            "starts_at": start.isoformat(),
            "ends_at": (start + datetime.timedelta(hours=1)).isoformat(),
        },
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "in_the_past"
    assert Meeting.objects.count() == 0


def test_inviting_books_the_coordinator_and_staff(groups, world):
    meeting = groups.invited()

    assert meeting.state == MeetingState.INVITED
    assert list(MeetingBooking.objects.filter(meeting=meeting).values_list("user", flat=True)) == [
        world.actors["caseworker"].pk
    ]
    assert meeting.attendance.count() == 2


def test_double_booking_is_409_naming_the_meeting_in_the_way(groups, world, api):
    first = groups.invited()
    other_person_group = services.group_create(
        reach=reach_for(world.actors["superuser"]),
        service_user=world.other_person,
        unit=world.unit_b,
        coordinator=world.actors["caseworker"],
    )
    clash = services.meeting_create(
        reach=reach_for(world.actors["superuser"]),
        group=other_person_group,
        starts_at=first.starts_at + datetime.timedelta(minutes=30),
        ends_at=first.ends_at + datetime.timedelta(minutes=30),
    )

    response = api(world.actors["superuser"]).post(
        f"/api/v1/meetings/{clash.pk}/transitions/invite/", {}, format="json"
    )

    assert response.status_code == 409
    assert response.json()["code"] == "double_booking"
    assert response.json()["conflicting_meeting"] == first.pk
    clash.refresh_from_db()
    assert clash.state == MeetingState.PROPOSED
    assert MeetingBooking.objects.filter(meeting=clash).count() == 0


def test_back_to_back_meetings_are_not_a_double_booking(groups, world):
    first = groups.invited()
    group = first.group
    second = services.meeting_create(
        reach=groups.reach,
        group=group,
        starts_at=first.ends_at,
        ends_at=first.ends_at + datetime.timedelta(hours=1),
    )

    services.meeting_transition(reach=groups.reach, meeting=second, name="invite")

    assert MeetingBooking.objects.filter(active=True).count() == 2


def test_rescheduling_keeps_the_uid_and_raises_the_sequence(groups, world, api):
    meeting = groups.invited()
    client = api(world.actors["caseworker"])
    before = _calendar(client, f"/api/v1/meetings/{meeting.pk}/ics").walk("VEVENT")[0]
    new_start = meeting.starts_at + datetime.timedelta(days=1)

    response = client.post(
        f"/api/v1/meetings/{meeting.pk}/transitions/reschedule/",
        {
            "starts_at": new_start.isoformat(),
            "ends_at": (new_start + datetime.timedelta(hours=1)).isoformat(),
        },
        format="json",
    )
    after = _calendar(client, f"/api/v1/meetings/{meeting.pk}/ics").walk("VEVENT")[0]

    assert response.status_code == 200
    assert str(after["UID"]) == str(before["UID"])
    assert int(after["SEQUENCE"]) == int(before["SEQUENCE"]) + 1
    assert MeetingBooking.objects.get(meeting=meeting).starts_at == new_start


def test_cancelling_sends_cancel_with_the_same_uid_and_frees_the_time(groups, world, api):
    meeting = groups.invited()
    client = api(world.actors["caseworker"])
    uid = str(_calendar(client, f"/api/v1/meetings/{meeting.pk}/ics").walk("VEVENT")[0]["UID"])

    cancelled = client.post(
        f"/api/v1/meetings/{meeting.pk}/transitions/cancel/", {"comment": "Koordinator syk"}, format="json"
    )
    calendar = _calendar(client, f"/api/v1/meetings/{meeting.pk}/ics")

    assert cancelled.status_code == 200, cancelled.content
    assert str(calendar["METHOD"]) == "CANCEL"
    assert str(calendar.walk("VEVENT")[0]["UID"]) == uid
    assert MeetingBooking.objects.filter(meeting=meeting, active=True).count() == 0


def test_the_invitation_names_neither_the_person_nor_their_relatives(groups, world, api):
    meeting = groups.invited()

    response = api(world.actors["caseworker"]).get(f"/api/v1/meetings/{meeting.pk}/ics")

    assert response.status_code == 200, response.content
    body = response.content.decode()
    assert "BEGIN:VEVENT" in body
    assert world.person.first_name not in body
    assert world.person.last_name not in body


def test_cancel_needs_a_reason(groups):
    meeting = groups.invited()

    with pytest.raises(GuardFailed) as refused:
        services.meeting_transition(reach=groups.reach, meeting=meeting, name="cancel")

    assert refused.value.extra["missing"] == ["reason"]


def test_a_meeting_is_held_only_with_attendance_recorded_after_it_started(groups, world):
    meeting = groups.invited()

    with pytest.raises(GuardFailed) as refused:
        services.meeting_transition(reach=groups.reach, meeting=meeting, name="record_held")

    assert refused.value.extra["missing"] == ["meeting_started", "attendance"]


def _held(groups):
    meeting = groups.invited()
    Meeting.objects.filter(pk=meeting.pk).update(
        starts_at=timezone.now() - datetime.timedelta(hours=2),
        ends_at=timezone.now() - datetime.timedelta(hours=1),
    )
    meeting.refresh_from_db()
    services.attendance_record(
        reach=groups.reach,
        meeting=meeting,
        attended={row.member_id: True for row in meeting.attendance.all()},
    )
    services.meeting_transition(reach=groups.reach, meeting=meeting, name="record_held")
    return services.meeting_transition(reach=groups.reach, meeting=meeting, name="start_minutes")


def test_minutes_are_written_approved_versioned_and_then_locked(groups, world, api):
    meeting = _held(groups)
    client = api(world.actors["caseworker"])
    owner = meeting.group.members.get(kind="staff").pk

    written = client.put(
        f"/api/v1/meetings/{meeting.pk}/minutes/",
        {
            "topics": [{"title": "Bolig", "notes": "Søknad om omsorgsbolig er sendt."}],
            "agreements": [{"text": "Følge opp søknaden", "owner": owner, "deadline": "2027-01-15"}],
        },
        format="json",
    )
    approved = client.post(f"/api/v1/meetings/{meeting.pk}/transitions/approve_minutes/", {}, format="json")
    locked = client.put(
        f"/api/v1/meetings/{meeting.pk}/minutes/", {"topics": [{"title": "Endret"}]}, format="json"
    )

    assert written.status_code == 200
    assert approved.status_code == 200, approved.content
    assert approved.json()["state"] == MeetingState.MINUTES_APPROVED
    assert locked.status_code == 409
    assert locked.json()["code"] == "minutes_locked"
    version = MinutesVersion.objects.get(meeting=meeting)
    assert version.content["topics"] == [{"title": "Bolig", "notes": "Søknad om omsorgsbolig er sendt."}]
    assert version.content["agreements"][0]["deadline"] == "2027-01-15"


def test_attendees_comment_on_approved_minutes(groups, world):
    meeting = _held(groups)
    services.minutes_write(reach=groups.reach, meeting=meeting, topics=[{"title": "Bolig"}], agreements=[])
    services.meeting_transition(reach=groups.reach, meeting=meeting, name="approve_minutes")

    comment = services.minutes_comment(reach=groups.reach, meeting=meeting, text="Riktig referert.")

    assert comment.version == 1


def test_a_wrong_transition_is_409_with_the_possible_ones(groups):
    meeting = groups.meeting()

    with pytest.raises(TransitionNotAllowed) as refused:
        services.meeting_transition(reach=groups.reach, meeting=meeting, name="approve_minutes")

    assert refused.value.extra["available_transitions"] == ["cancel", "invite"]


@pytest.mark.parametrize("actor", ["unit_manager", "quality_admin"])
def test_readers_may_not_run_meetings(groups, world, actor):
    meeting = groups.meeting()

    with pytest.raises(NotAllowed):
        services.meeting_transition(reach=reach_for(world.actors[actor]), meeting=meeting, name="invite")


MEETING_DETAIL = {
    "superuser": 200,
    "caseworker": 200,
    "caseworker_other_unit": 404,
    "coordinator": 200,
    "unit_manager": 200,
    "quality_admin": 200,
    "guardian": 404,
    "guardian_expired": 404,
    "relative": 404,
    "relative_without_consent": 404,
    "anonymous": 401,
}


@pytest.mark.parametrize(("actor", "expected"), MEETING_DETAIL.items())
def test_meeting_detail_permission_matrix(groups, world, api, actor, expected):
    meeting = groups.meeting()

    response = api(world.actors[actor]).get(f"/api/v1/meetings/{meeting.pk}/")

    assert response.status_code == expected


@pytest.mark.parametrize(("actor", "expected"), MEETING_DETAIL.items())
def test_group_detail_permission_matrix(groups, world, api, actor, expected):
    group = groups.group()

    response = api(world.actors[actor]).get(f"/api/v1/responsibility-groups/{group.pk}/")

    assert response.status_code == expected


def test_a_group_without_a_meeting_for_longer_than_its_cadence_is_overdue(groups, world, api):
    from responsibility_groups.models import ResponsibilityGroup

    group = groups.group()
    ResponsibilityGroup.objects.filter(pk=group.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=200)
    )

    overdue = api(world.actors["unit_manager"]).get(
        f"/api/v1/responsibility-groups/overdue/?unit={world.unit_a.pk}"
    )

    assert overdue.status_code == 200, overdue.content
    assert [g["id"] for g in overdue.json()["results"]] == [group.pk]
    assert AccessLogEntry.objects.filter(resource="responsibility_group.overdue").count() == 1


def test_a_second_active_group_for_the_person_is_a_conflict(groups):
    groups.group()

    with pytest.raises(Conflict):
        groups.group()


def test_staff_of_another_unit_added_to_the_group_may_see_the_person(groups, world):
    group = groups.group()
    outsider = MembershipFactory(unit=world.unit_b).user

    services.member_add(reach=groups.reach, group=group, kind=MemberKind.STAFF, user=outsider)

    from casework.selectors import service_user_queryset_for

    assert world.person in service_user_queryset_for(reach=reach_for(outsider))


def test_a_relative_member_needs_sharing_consent(groups, world):
    group = groups.group(sharing_consent=False)
    relative = RepresentativeFactory(service_user=world.person)

    with pytest.raises(GuardFailed):
        services.member_add(
            reach=groups.reach, group=group, kind=MemberKind.REPRESENTATIVE, representative=relative
        )


def test_a_personal_calendar_feed_lists_my_meetings_until_revoked(groups, world, api):
    meeting = groups.invited()
    client = api(world.actors["caseworker"])

    created = client.post("/api/v1/calendar-feed/", format="json")
    assert created.status_code == 201, created.content
    https_url = created.json()["https_url"]
    feed = api(None).get(https_url.split("testserver", 1)[1])

    assert created.json()["url"].startswith("webcal://")
    assert feed.status_code == 200
    events = Calendar.from_ical(feed.content).walk("VEVENT")
    assert [str(e["UID"]) for e in events] == [f"meeting-{meeting.uid}@medvirk.local"]
    assert world.person.last_name not in feed.content.decode()

    revoked = client.delete("/api/v1/calendar-feed/")
    assert revoked.status_code == 204, revoked.content

    assert api(None).get(https_url.split("testserver", 1)[1]).status_code == 404


def test_only_staff_get_a_calendar_feed(world, api):
    assert api(world.actors["guardian"]).post("/api/v1/calendar-feed/", format="json").status_code == 403


def _held_for_plan(groups, world, plan):
    from responsibility_groups.models import ResponsibilityGroup

    meeting = _held(groups)
    ResponsibilityGroup.objects.filter(pk=meeting.group_id).update(plan=plan)
    meeting.refresh_from_db()
    return meeting


def test_an_agreement_for_the_plan_becomes_a_measure_when_the_minutes_are_approved(groups, world):
    from plans import services as plan_services
    from tests.plans.conftest import PlanBuilder

    plan = plan_services.plan_start_review(reach=groups.reach, plan=PlanBuilder(world).active())
    meeting = _held_for_plan(groups, world, plan)
    services.minutes_write(
        reach=groups.reach,
        meeting=meeting,
        topics=[{"title": "Evaluering"}],
        agreements=[
            {"text": "Svømming hver torsdag", "to_plan": True, "deadline": datetime.date(2027, 6, 1)}
        ],
    )

    services.meeting_transition(reach=groups.reach, meeting=meeting, name="approve_minutes")

    measure = plan.measures.get(description="Svømming hver torsdag")
    assert measure.end_date == datetime.date(2027, 6, 1)
    assert meeting.agreements.get().plan_measure == measure


def test_an_agreement_for_a_locked_plan_is_422_and_nothing_is_approved(groups, world):
    from tests.plans.conftest import PlanBuilder

    plan = PlanBuilder(world).active()
    meeting = _held_for_plan(groups, world, plan)
    services.minutes_write(
        reach=groups.reach,
        meeting=meeting,
        topics=[{"title": "Status"}],
        agreements=[{"text": "Nytt tiltak", "to_plan": True}],
    )

    with pytest.raises(GuardFailed) as refused:
        services.meeting_transition(reach=groups.reach, meeting=meeting, name="approve_minutes")

    assert refused.value.extra["missing"] == ["plan_open_for_changes"]
    meeting.refresh_from_db()
    assert meeting.state == MeetingState.MINUTES_DRAFT
    assert plan.measures.count() == 1


READ_ENDPOINTS = ("", "transitions/", "history/", "minutes/", "minutes/versions/", "minutes/comments/", "ics")


@pytest.mark.parametrize("tail", READ_ENDPOINTS)
@pytest.mark.parametrize(("actor", "expected"), MEETING_DETAIL.items())
def test_every_meeting_read_endpoint_follows_the_matrix(groups, world, api, actor, tail, expected):
    meeting = groups.invited()

    response = api(world.actors[actor]).get(f"/api/v1/meetings/{meeting.pk}/{tail}")

    assert response.status_code == expected


WRITE_MATRIX = {
    "superuser": 200,
    "caseworker": 200,
    "caseworker_other_unit": 404,
    "coordinator": 403,  # a coordinator in unit B, granted the person; the group is unit A's
    "unit_manager": 403,
    "quality_admin": 403,
    "guardian": 404,
    "anonymous": 401,
}


@pytest.mark.parametrize(("actor", "expected"), WRITE_MATRIX.items())
def test_cancelling_follows_the_matrix(groups, world, api, actor, expected):
    meeting = groups.invited()

    response = api(world.actors[actor]).post(
        f"/api/v1/meetings/{meeting.pk}/transitions/cancel/", {"comment": "Avlyst"}, format="json"
    )

    meeting.refresh_from_db()
    assert response.status_code == expected
    assert (meeting.state == MeetingState.CANCELLED) == (expected == 200)


def test_the_minutes_pdf_of_approved_minutes_is_logged_and_shows_the_version(groups, world, api):
    import io

    from pypdf import PdfReader

    meeting = _held(groups)
    services.minutes_write(
        reach=groups.reach, meeting=meeting, topics=[{"title": "Boligsøknad"}], agreements=[]
    )
    services.meeting_transition(reach=groups.reach, meeting=meeting, name="approve_minutes")

    response = api(world.actors["unit_manager"]).get(f"/api/v1/meetings/{meeting.pk}/minutes/pdf")

    assert response.status_code == 200
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "Boligsøknad" in text
    assert "Versjon 1" in text
    assert (
        AccessLogEntry.objects.filter(resource="meeting.minutes_pdf", service_user=world.person).count() == 1
    )
    assert (
        api(world.actors["caseworker_other_unit"])
        .get(f"/api/v1/meetings/{meeting.pk}/minutes/pdf")
        .status_code
        == 404
    )


def _started(meeting):
    """Move an invited meeting's time into the past (attendance is recorded once it has started)."""
    Meeting.objects.filter(pk=meeting.pk).update(
        starts_at=timezone.now() - datetime.timedelta(minutes=30),
        ends_at=timezone.now() + datetime.timedelta(minutes=30),
    )
    meeting.refresh_from_db()
    return meeting


def test_the_detail_says_whether_the_person_or_a_representative_took_part(groups, world, api):
    meeting = _started(groups.invited())
    client = api(world.actors["caseworker"])
    person_member = meeting.group.members.get(kind="service_user").pk
    staff_member = meeting.group.members.get(kind="staff").pk

    before = client.get(f"/api/v1/meetings/{meeting.pk}/")
    recorded = client.put(
        f"/api/v1/meetings/{meeting.pk}/attendance/",
        {"attendance": {str(person_member): False, str(staff_member): True}},
        format="json",
    )
    after = client.get(f"/api/v1/meetings/{meeting.pk}/")

    assert before.status_code == after.status_code == 200
    assert recorded.status_code == 200, recorded.content
    assert before.json()["person_or_representative_attended"] is None
    assert after.json()["person_or_representative_attended"] is False


WRITE_ENDPOINTS = {
    "members": ("post", "responsibility-groups/{group}/members/", {"kind": "external", "name": "Lege"}, 201),
    "attendance": ("put", "meetings/{meeting}/attendance/", {"attendance": {"{member}": True}}, 200),
    "invite": ("post", "meetings/{meeting}/transitions/invite/", {}, 200),
}


@pytest.mark.parametrize("endpoint", WRITE_ENDPOINTS)
@pytest.mark.parametrize(
    ("actor", "allowed"),
    [
        ("caseworker", True),
        ("superuser", True),
        ("unit_manager", False),
        ("quality_admin", False),
        ("caseworker_other_unit", None),
        ("guardian", None),
        ("anonymous", None),
    ],
)
def test_every_group_write_endpoint_follows_the_matrix(groups, world, api, endpoint, actor, allowed):
    method, template, body, success = WRITE_ENDPOINTS[endpoint]
    meeting = _started(groups.invited()) if endpoint == "attendance" else groups.meeting()
    member = meeting.group.members.get(kind="staff").pk
    path = "/api/v1/" + template.format(group=meeting.group_id, meeting=meeting.pk)
    body = {k: ({str(member): True} if k == "attendance" else v) for k, v in body.items()}

    response = getattr(api(world.actors[actor]), method)(path, body, format="json")

    if allowed is True:
        assert response.status_code == success
    elif allowed is False:
        assert response.status_code == 403
    else:
        assert response.status_code == (401 if actor == "anonymous" else 404)


def test_removing_a_staff_member_takes_back_the_access_the_group_gave(groups, world):
    from casework.selectors import service_user_queryset_for

    group = groups.group()
    outsider = MembershipFactory(unit=world.unit_b).user
    member = services.member_add(reach=groups.reach, group=group, kind=MemberKind.STAFF, user=outsider)
    assert world.person in service_user_queryset_for(reach=reach_for(outsider))

    services.member_remove(reach=groups.reach, member=member)

    assert world.person not in service_user_queryset_for(reach=reach_for(outsider))


def test_closing_a_group_takes_back_every_grant_it_gave(groups, world):
    from casework.selectors import service_user_queryset_for

    group = groups.group()
    outsider = MembershipFactory(unit=world.unit_b).user
    services.member_add(reach=groups.reach, group=group, kind=MemberKind.STAFF, user=outsider)

    services.group_update(reach=groups.reach, group=group, is_active=False)

    assert world.person not in service_user_queryset_for(reach=reach_for(outsider))


def test_attendance_is_not_recorded_before_the_meeting_starts(groups):
    meeting = groups.invited()

    with pytest.raises(Conflict):
        services.attendance_record(
            reach=groups.reach,
            meeting=meeting,
            attended={row.member_id: True for row in meeting.attendance.all()},
        )


def test_a_member_added_after_the_invitation_is_booked_and_invited(groups, world):
    meeting = groups.invited()
    outsider = MembershipFactory(unit=world.unit_b).user

    member = services.member_add(
        reach=groups.reach, group=meeting.group, kind=MemberKind.STAFF, user=outsider
    )

    meeting.refresh_from_db()
    assert MeetingBooking.objects.filter(meeting=meeting, user=outsider, active=True).count() == 1
    assert meeting.attendance.filter(member=member).count() == 1
    assert meeting.sequence == 1


def test_adding_a_member_who_is_busy_then_is_409(groups, world):
    first = groups.invited()
    outsider = MembershipFactory(unit=world.unit_b).user
    other_group = services.group_create(
        reach=reach_for(world.actors["superuser"]),
        service_user=world.other_person,
        unit=world.unit_b,
        coordinator=outsider,
    )
    services.meeting_transition(
        reach=reach_for(world.actors["superuser"]),
        meeting=services.meeting_create(
            reach=reach_for(world.actors["superuser"]),
            group=other_group,
            starts_at=first.starts_at,
            ends_at=first.ends_at,
        ),
        name="invite",
    )

    with pytest.raises(Conflict) as refused:
        services.member_add(reach=groups.reach, group=first.group, kind=MemberKind.STAFF, user=outsider)

    assert refused.value.code == "double_booking"
    assert not first.group.members.filter(user=outsider).exists()


def test_a_removed_member_leaves_the_open_meetings(groups, world):
    meeting = groups.invited()
    member = services.member_add(
        reach=groups.reach,
        group=meeting.group,
        kind=MemberKind.EXTERNAL,
        name="Fastlege",
        email="lege@example.org",
    )

    services.member_remove(reach=groups.reach, member=member)

    assert meeting.attendance.filter(member=member).count() == 0


def test_rescheduling_after_consent_is_withdrawn_is_refused(groups, world):
    from casework.models import Consent

    meeting = groups.invited()
    services.member_add(
        reach=groups.reach, group=meeting.group, kind=MemberKind.EXTERNAL, name="NAV", email="nav@example.org"
    )
    Consent.objects.filter(service_user=world.person, covers_group_sharing=True).update(
        withdrawn_at=timezone.now()
    )

    with pytest.raises(GuardFailed) as refused:
        services.meeting_transition(
            reach=groups.reach,
            meeting=meeting,
            name="reschedule",
            starts_at=meeting.starts_at + datetime.timedelta(days=1),
            ends_at=meeting.ends_at + datetime.timedelta(days=1),
        )

    assert refused.value.extra["missing"] == ["consent: group_information_sharing (NAV)"]


def test_a_consent_naming_one_relative_covers_only_that_relative(groups, world):
    from tests.factories import ConsentFactory

    group = groups.group(sharing_consent=False)
    named = RepresentativeFactory(service_user=world.person)
    other = RepresentativeFactory(service_user=world.person)
    ConsentFactory(
        service_user=world.person, representative=named, covers_plan=False, covers_group_sharing=True
    )

    services.member_add(reach=groups.reach, group=group, kind=MemberKind.REPRESENTATIVE, representative=named)
    with pytest.raises(GuardFailed):
        services.member_add(
            reach=groups.reach, group=group, kind=MemberKind.REPRESENTATIVE, representative=other
        )


def test_a_meeting_longer_than_a_working_day_is_400(groups):
    with pytest.raises(services.InvalidField):
        groups.meeting(hours=9)


def test_rescheduling_without_a_new_time_is_400(groups, world, api):
    meeting = groups.invited()

    response = api(world.actors["caseworker"]).post(
        f"/api/v1/meetings/{meeting.pk}/transitions/reschedule/", {}, format="json"
    )

    assert response.status_code == 400


def test_the_feed_follows_reach_and_is_access_logged(groups, world, api):
    meeting = groups.invited()
    outsider = MembershipFactory(unit=world.unit_b).user
    member = services.member_add(
        reach=groups.reach, group=meeting.group, kind=MemberKind.STAFF, user=outsider
    )
    created = api(outsider).post("/api/v1/calendar-feed/", format="json")
    assert created.status_code == 201, created.content
    path = created.json()["https_url"].split("testserver", 1)[1]
    assert len(_calendar(api(None), path).walk("VEVENT")) == 1
    assert AccessLogEntry.objects.filter(resource="calendar_feed", actor=outsider).count() == 1

    services.member_remove(reach=groups.reach, member=member)

    assert _calendar(api(None), path).walk("VEVENT") == []
