"""Each kind of group member or plan participant takes exactly its own fields (plans.participants).

The consent check for sharing, the booking into meetings and the person's attendance all follow
the kind; a field of another kind (a login on 'the person', say) once slipped past all three. The
matrix below is generated from the rule itself, so a new kind or field is covered as it is added.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from plans.choices import ParticipantKind
from plans.participants import KIND_FIELDS
from responsibility_groups.choices import MemberKind
from responsibility_groups.models import Attendance, GroupMember
from tests.factories import RepresentativeFactory, UserFactory
from tests.plans.conftest import PlanBuilder
from tests.responsibility_groups.conftest import GroupBuilder

pytestmark = pytest.mark.django_db

MEMBER_FIELDS = ("user", "representative", "name", "organisation", "email", "phone")
PARTICIPANT_FIELDS = ("user", "representative", "name", "organisation", "contact")


def _value(field: str, world) -> object:
    if field == "user":
        return world.actors["caseworker"].pk
    if field == "representative":
        return world.actors["guardian"].representations.get().pk
    if field == "email":
        return "someone@example.no"
    return "Noen"


def _misfits(fields: tuple[str, ...]) -> list[tuple[str, str]]:
    return [
        (kind, field) for kind in ParticipantKind.values for field in fields if field not in KIND_FIELDS[kind]
    ]


@pytest.mark.parametrize(("kind", "field"), _misfits(MEMBER_FIELDS))
def test_a_member_field_of_another_kind_is_400_naming_it(kind, field, world, api):
    group = GroupBuilder(world).group(sharing_consent=False)
    body = {"kind": kind, field: _value(field, world)}
    if kind == MemberKind.STAFF and field != "user":
        body["user"] = world.actors["caseworker_other_unit"].pk
    if kind == MemberKind.REPRESENTATIVE and field != "representative":
        body["representative"] = world.actors["guardian"].representations.get().pk

    response = api(world.actors["caseworker"]).post(
        f"/api/v1/responsibility-groups/{group.pk}/members/", body, format="json"
    )

    assert response.status_code == 400, response.content
    expected = ("kind", "person_is_member") if kind == MemberKind.SERVICE_USER else (field, "not_for_kind")
    assert [(e["field"], e["code"]) for e in response.json()["errors"]] == [expected]
    assert group.members.count() == 2  # the person and the coordinator, as created


@pytest.mark.parametrize(
    "body",
    [
        {"kind": "service_user", "user": "staff"},
        {"kind": "external", "user": "staff"},
        {"kind": "representative", "representative": "guardian", "user": "staff"},
    ],
    ids=["person-with-login", "external-with-login", "representative-with-login"],
)
def test_the_probe_bodies_cannot_add_a_login_without_sharing_consent(body, world, api):
    group = GroupBuilder(world).group(sharing_consent=False)
    meeting = GroupBuilder(world).meeting(group=group)
    staff = UserFactory()
    resolved = {
        key: staff.pk
        if value == "staff"
        else world.actors["guardian"].representations.get().pk
        if value == "guardian"
        else value
        for key, value in body.items()
    }

    response = api(world.actors["caseworker"]).post(
        f"/api/v1/responsibility-groups/{group.pk}/members/", resolved, format="json"
    )

    assert response.status_code == 400, response.content
    assert not GroupMember.objects.filter(user=staff).exists()
    assert not Attendance.objects.filter(meeting=meeting, member__user=staff).exists()


def test_the_person_is_one_row_and_it_stays(world, api):
    group = GroupBuilder(world).group()
    person = group.members.get(kind=MemberKind.SERVICE_USER)
    client = api(world.actors["caseworker"])

    removed = client.delete(f"/api/v1/responsibility-groups/{group.pk}/members/{person.pk}/")
    second = client.post(
        f"/api/v1/responsibility-groups/{group.pk}/members/", {"kind": "service_user"}, format="json"
    )

    assert (removed.status_code, removed.json()["code"]) == (409, "person_stays")
    assert second.status_code == 400
    assert group.members.filter(kind=MemberKind.SERVICE_USER).count() == 1


@pytest.mark.parametrize(("kind", "field"), _misfits(PARTICIPANT_FIELDS))
def test_a_plan_participant_field_of_another_kind_is_400_naming_it(kind, field, world, api):
    plan = PlanBuilder(world).draft()
    body = {"kind": kind, field: _value(field, world)}
    if kind == ParticipantKind.STAFF and field != "user":
        body["user"] = world.actors["caseworker"].pk
    if kind == ParticipantKind.REPRESENTATIVE and field != "representative":
        body["representative"] = world.actors["guardian"].representations.get().pk

    response = api(world.actors["caseworker"]).post(
        f"/api/v1/plans/{plan.pk}/participants/", body, format="json"
    )

    assert response.status_code == 400, response.content
    assert [(e["field"], e["code"]) for e in response.json()["errors"]] == [(field, "not_for_kind")]
    assert plan.participants.count() == 0


def test_a_staff_participant_turned_external_must_let_go_of_the_login(world, api):
    plan = PlanBuilder(world).draft()
    client = api(world.actors["caseworker"])
    created = client.post(
        f"/api/v1/plans/{plan.pk}/participants/",
        {"kind": "staff", "user": world.actors["caseworker_other_unit"].pk},
        format="json",
    )
    assert created.status_code == 201, created.content
    url = f"/api/v1/plans/{plan.pk}/participants/{created.json()['id']}/"

    kept_login = client.patch(url, {"kind": "external"}, format="json")
    let_go = client.patch(url, {"kind": "external", "user": None, "name": "Fastlege"}, format="json")

    assert (kept_login.status_code, kept_login.json()["errors"][0]["field"]) == (400, "user")
    assert let_go.status_code == 200, let_go.content
    assert plan.participants.get().user is None


# --- Rows made before the rule ------------------------------------------------------------------

BEFORE, AFTER = "0006_group_access_grants", "0007_member_links_fit_kind"


@pytest.mark.django_db(transaction=True)
def test_the_migration_retires_rows_that_bypassed_the_rule_and_keeps_the_rest(world):
    group = GroupBuilder(world).group()
    meeting = GroupBuilder(world).invited(group=group)
    representative = RepresentativeFactory(service_user=world.person)
    staff = UserFactory()
    executor = MigrationExecutor(connection)
    executor.migrate([("responsibility_groups", BEFORE)])
    old = executor.loader.project_state([("responsibility_groups", BEFORE)]).apps
    OldMember = old.get_model("responsibility_groups", "GroupMember")
    OldAttendance = old.get_model("responsibility_groups", "Attendance")
    bypass = {
        "second_person": OldMember.objects.create(group_id=group.pk, kind="service_user", user_id=staff.pk),
        "external_login": OldMember.objects.create(group_id=group.pk, kind="external", user_id=staff.pk),
        "representative_login": OldMember.objects.create(
            group_id=group.pk, kind="representative", representative_id=representative.pk, user_id=staff.pk
        ),
    }
    fair = OldMember.objects.create(group_id=group.pk, kind="external", name="Fastlege")
    for row in [*bypass.values(), fair]:
        OldAttendance.objects.create(meeting_id=meeting.pk, member_id=row.pk)

    executor.loader.build_graph()
    executor.migrate([("responsibility_groups", AFTER)])

    active = dict(GroupMember.objects.filter(group=group).values_list("pk", "is_active"))
    assert [active[row.pk] for row in bypass.values()] == [False, False, False]
    assert active[fair.pk] is True
    assert group.members.filter(kind=MemberKind.SERVICE_USER, is_active=True).count() == 1
    assert set(Attendance.objects.filter(meeting=meeting).values_list("member_id", flat=True)) >= {fair.pk}
    assert not Attendance.objects.filter(meeting=meeting, member__in=[r.pk for r in bypass.values()]).exists()
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


# --- Each one once -------------------------------------------------------------------------------


def test_a_login_or_a_representative_already_in_the_group_is_400(world, api):
    group = GroupBuilder(world).group()
    guardian = world.actors["guardian"].representations.get()
    client = api(world.actors["caseworker"])
    url = f"/api/v1/responsibility-groups/{group.pk}/members/"
    first = client.post(url, {"kind": "representative", "representative": guardian.pk}, format="json")
    assert first.status_code == 201, first.content

    again = client.post(url, {"kind": "representative", "representative": guardian.pk}, format="json")
    coordinator = client.post(url, {"kind": "staff", "user": group.coordinator_id}, format="json")

    assert [(r.status_code, r.json()["errors"][0]["field"]) for r in (again, coordinator)] == [
        (400, "representative"),
        (400, "user"),
    ]
    assert group.members.filter(representative=guardian).count() == 1


def test_an_external_member_is_named(world, api):
    group = GroupBuilder(world).group()

    response = api(world.actors["caseworker"]).post(
        f"/api/v1/responsibility-groups/{group.pk}/members/",
        {"kind": "external", "role": "lege"},
        format="json",
    )

    assert response.status_code == 400
    assert [(e["field"], e["code"]) for e in response.json()["errors"]] == [("name", "required")]


def test_a_plan_has_one_person_and_each_login_once(world, api):
    plan = PlanBuilder(world).draft()
    client = api(world.actors["caseworker"])
    url = f"/api/v1/plans/{plan.pk}/participants/"
    person = client.post(url, {"kind": "service_user"}, format="json")
    staff = client.post(url, {"kind": "staff", "user": world.actors["caseworker"].pk}, format="json")
    assert (person.status_code, staff.status_code) == (201, 201)

    answers = [
        client.post(url, {"kind": "service_user"}, format="json"),
        client.post(url, {"kind": "staff", "user": world.actors["caseworker"].pk}, format="json"),
    ]

    assert [(r.status_code, r.json()["errors"][0]["code"]) for r in answers] == [
        (400, "person_is_member"),
        (400, "already_member"),
    ]
    assert plan.participants.count() == 2


@pytest.mark.django_db(transaction=True)
def test_migration_0008_keeps_the_first_of_repeated_members(world):
    group = GroupBuilder(world).group()
    executor = MigrationExecutor(connection)
    executor.migrate([("responsibility_groups", AFTER)])
    old = executor.loader.project_state([("responsibility_groups", AFTER)]).apps
    OldMember = old.get_model("responsibility_groups", "GroupMember")
    repeat = OldMember.objects.create(group_id=group.pk, kind="staff", user_id=group.coordinator_id)

    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

    active = group.members.filter(user_id=group.coordinator_id, is_active=True)
    assert list(active.values_list("pk", flat=True)) == [
        group.members.filter(user_id=group.coordinator_id).order_by("pk").first().pk
    ]
    assert GroupMember.objects.get(pk=repeat.pk).is_active is False
