"""The access ledger: one row per reason, and access while any reason is active.

Before the ledger, a plan and a group shared one permission row without counting: a caseworker
of another unit added to a group and then to the plan lost sight of the person when the group let
them go, though they were still on the plan. Each source now adds and ends only its own reason.
"""

from __future__ import annotations

import pytest

from casework.choices import AccessSource
from casework.models import AccessGrant, ServiceUserUserObjectPermission
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
