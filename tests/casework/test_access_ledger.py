"""The access ledger: one row per reason, and access while any reason is active.

Before the ledger, a plan and a group shared one permission row without counting: a caseworker
of another unit added to a group and then to the plan lost sight of the person when the group let
them go, though they were still on the plan. Each source now adds and ends only its own reason.
"""

from __future__ import annotations

import pytest

from casework.choices import AccessSource
from casework.models import AccessGrant, AccessLogEntry, ServiceUserUserObjectPermission
from casework.selectors import reach_for, service_user_queryset_for
from casework.services import service_user_access_grant, service_user_access_revoke
from responsibility_groups import services as group_services
from tests.plans.conftest import PlanBuilder
from tests.responsibility_groups.conftest import GroupBuilder

pytestmark = pytest.mark.django_db


def _sees(user, person) -> bool:
    return service_user_queryset_for(reach=reach_for(user)).filter(pk=person.pk).exists()


def _has_permission(user, person) -> bool:
    return ServiceUserUserObjectPermission.objects.filter(user=user, content_object=person).exists()


def test_leaving_the_group_keeps_the_access_the_plan_gives(world, api):
    outsider = world.actors["caseworker_other_unit"]
    group = GroupBuilder(world).group()
    plan = PlanBuilder(world).draft()
    client = api(world.actors["caseworker"])
    member = client.post(
        f"/api/v1/responsibility-groups/{group.pk}/members/",
        {"kind": "staff", "user": outsider.pk},
        format="json",
    )
    participant = client.post(
        f"/api/v1/plans/{plan.pk}/participants/", {"kind": "staff", "user": outsider.pk}, format="json"
    )
    assert (member.status_code, participant.status_code) == (201, 201)

    left_group = client.delete(f"/api/v1/responsibility-groups/{group.pk}/members/{member.json()['id']}/")
    after_group = api(outsider).get(f"/api/v1/service-users/{world.person.pk}/")
    left_plan = client.delete(f"/api/v1/plans/{plan.pk}/participants/{participant.json()['id']}/")
    after_plan = api(outsider).get(f"/api/v1/service-users/{world.person.pk}/")

    assert (left_group.status_code, after_group.status_code) == (204, 200)
    assert (left_plan.status_code, after_plan.status_code) == (204, 404)
    assert not _has_permission(outsider, world.person)


def test_each_source_ends_only_its_own_reason_and_the_rows_stay(world):
    outsider = world.actors["caseworker_other_unit"]
    builder = GroupBuilder(world)
    group = builder.group()
    member = group_services.member_add(reach=builder.reach, group=group, kind="staff", user=outsider)
    service_user_access_grant(
        reach=None, actor=world.actors["superuser"], service_user=world.person, user=outsider, reason="vikar"
    )
    assert _sees(outsider, world.person) and _has_permission(outsider, world.person)

    service_user_access_revoke(
        reach=None, actor=world.actors["superuser"], service_user=world.person, user=outsider, reason="slutt"
    )
    still = _sees(outsider, world.person)
    group_services.member_remove(reach=builder.reach, member=member)

    rows = AccessGrant.objects.filter(user=outsider, service_user=world.person).order_by("id")
    assert still is True
    assert [(row.source, row.until is None) for row in rows] == [
        (AccessSource.GROUP, False),
        (AccessSource.EXPLICIT, False),
    ]
    assert (_sees(outsider, world.person), _has_permission(outsider, world.person)) == (False, False)


# --- GET /service-users/{id}/access-reasons/ ---------------------------------------------------


def _reasons(api, actor, person, query: str = ""):
    return api(actor).get(f"/api/v1/service-users/{person.pk}/access-reasons/{query}")


def test_staff_who_reach_the_person_see_why_others_may(world, api):
    outsider = world.actors["caseworker_other_unit"]
    group = GroupBuilder(world).group()
    group_services.member_add(reach=GroupBuilder(world).reach, group=group, kind="staff", user=outsider)

    response = _reasons(api, world.actors["unit_manager"], world.person)

    assert response.status_code == 200, response.content
    rows = {(row["user"], row["source"], row["until"]) for row in response.json()["results"]}
    assert rows == {
        (world.actors["coordinator"].pk, "explicit", None),  # the world's explicit grant
        (world.actors["caseworker"].pk, "group", None),  # the group's coordinator
        (outsider.pk, "group", None),
    }
    assert (
        AccessLogEntry.objects.filter(
            resource="service_user.access_reasons", service_user=world.person
        ).count()
        == 1
    )


def test_ended_reasons_are_listed_with_their_end_and_can_be_filtered(world, api):
    outsider = world.actors["caseworker_other_unit"]
    superuser = world.actors["superuser"]
    service_user_access_grant(
        reach=None, actor=superuser, service_user=world.person, user=outsider, reason="vikar"
    )
    service_user_access_revoke(
        reach=None, actor=superuser, service_user=world.person, user=outsider, reason="x"
    )

    ended = _reasons(api, world.actors["caseworker"], world.person, "?active=false")
    active = _reasons(api, world.actors["caseworker"], world.person, "?active=true")

    assert (ended.status_code, active.status_code) == (200, 200)
    assert [(row["user"], row["reason"]) for row in ended.json()["results"]] == [(outsider.pk, "vikar")]
    assert ended.json()["results"][0]["until"] is not None
    assert [row["user"] for row in active.json()["results"]] == [world.actors["coordinator"].pk]


@pytest.mark.parametrize(
    ("actor", "status"),
    [
        ("superuser", 200),
        ("caseworker", 200),
        ("unit_manager", 200),
        ("quality_admin", 200),
        ("coordinator", 200),  # reaches the person through the explicit grant
        ("caseworker_other_unit", 404),
        ("guardian", 404),  # the portal will show the person and the guardian; not this endpoint
        ("relative", 404),
        ("guardian_expired", 404),
        ("anonymous", 401),
    ],
)
def test_access_reasons_matrix(world, api, actor, status):
    assert _reasons(api, world.actors[actor], world.person).status_code == status
