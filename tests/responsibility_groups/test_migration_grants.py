"""Databases of the old layout migrate into the access ledger without giving or losing access.

Before the ledger, a plan or a group gave a staff member of another unit one django-guardian
permission and recorded it (``PlanAccessGrant`` / ``GroupAccessGrant``). Each test builds that
layout with the historical models, migrates to the latest state and asks the API who sees whom:
- ``plans/0004`` and ``responsibility_groups/0007`` retire rows that broke the kind rule, and the
  access those rows gave goes with them (an outside review found it left behind);
- ``casework/0006``, ``plans/0005`` and ``responsibility_groups/0009`` turn every remaining grant
  into its reason in the ledger: the plan's, the group's, or an explicit one.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from casework.models import AccessGrant, AuditEvent
from tests.factories import RepresentativeFactory, UserFactory
from tests.plans.conftest import PlanBuilder
from tests.responsibility_groups.conftest import GroupBuilder

pytestmark = pytest.mark.django_db(transaction=True)

OLD_LAYOUT = [
    ("casework", "0005_append_only_workflow_history"),
    ("plans", "0003_plan_access_grants"),
    ("responsibility_groups", "0006_group_access_grants"),
]


def _old_layout() -> Any:
    """Migrate back to before the ledger; the historical models of that state."""
    executor = MigrationExecutor(connection)
    executor.migrate(OLD_LAYOUT)
    return executor.loader.project_state(OLD_LAYOUT).apps


def _to_latest() -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


def _grant(old: Any, *, user: Any, person: Any) -> None:
    """A django-guardian permission as the old services gave it."""
    view = old.get_model("auth", "Permission").objects.get(
        codename="view_serviceuser", content_type__app_label="casework"
    )
    old.get_model("casework", "ServiceUserUserObjectPermission").objects.get_or_create(
        user_id=user.pk, content_object_id=person.pk, permission=view
    )


def _as_the_old_services_left_it(old: Any, coordinator_id: int) -> None:
    """The old services gave no permission to a coordinator whose unit serves the person (the
    world's builders ran with today's services, which record the plan or group as a reason)."""
    old.get_model("casework", "ServiceUserUserObjectPermission").objects.filter(
        user_id=coordinator_id
    ).delete()


def _sees(api: Any, user: Any, person: Any) -> bool:
    response = api(user).get(f"/api/v1/service-users/{person.pk}/")
    assert response.status_code in (200, 404)
    return bool(response.status_code == 200)


def test_a_participant_login_of_another_kind_loses_the_plans_access_and_the_rest_is_kept(world, api):
    plan = PlanBuilder(world).draft()  # coordinator: the caseworker of the person's unit
    turned, staff, explicit = world.actors["caseworker_other_unit"], UserFactory(), UserFactory()
    try:
        old = _old_layout()
        _as_the_old_services_left_it(old, plan.coordinator_id)
        Participant = old.get_model("plans", "Participant")
        PlanAccessGrant = old.get_model("plans", "PlanAccessGrant")
        # A staff participant later turned into an external one, keeping the login (the old
        # service allowed it), and a staff participant as it should be; both got the plan's grant.
        Participant.objects.create(plan_id=plan.pk, kind="external", name="Fysio", user_id=turned.pk)
        Participant.objects.create(plan_id=plan.pk, kind="staff", user_id=staff.pk)
        for user in (turned, staff):
            _grant(old, user=user, person=world.person)
            PlanAccessGrant.objects.create(plan_id=plan.pk, user_id=user.pk)
        _grant(old, user=explicit, person=world.person)  # an explicit grant, recorded nowhere
    finally:
        _to_latest()

    assert (_sees(api, turned, world.person), _sees(api, staff, world.person)) == (False, True)
    assert _sees(api, explicit, world.person)
    reasons = AccessGrant.objects.filter(service_user=world.person, until=None)
    granted_in_the_world = world.actors["coordinator"].pk  # an explicit grant (tests/conftest.py)
    expected = [(plan.coordinator_id, "plan"), (staff.pk, "plan"), (explicit.pk, "explicit")]
    expected.append((granted_in_the_world, "explicit"))
    assert sorted(reasons.values_list("user_id", "source")) == sorted(expected)
    revoked = AuditEvent.objects.filter(action="service_user.revoke_access", actor_username="system")
    assert revoked.count() == 1


def test_a_retired_member_loses_the_groups_access_and_an_active_one_keeps_it(world, api):
    group = GroupBuilder(world).group()
    retired, member = world.actors["caseworker_other_unit"], UserFactory()
    representative = RepresentativeFactory(service_user=world.person)
    try:
        old = _old_layout()
        _as_the_old_services_left_it(old, group.coordinator_id)
        GroupMember = old.get_model("responsibility_groups", "GroupMember")
        GroupAccessGrant = old.get_model("responsibility_groups", "GroupAccessGrant")
        # A staff row that also named a representative (the old service took any field).
        GroupMember.objects.create(
            group_id=group.pk, kind="staff", user_id=retired.pk, representative_id=representative.pk
        )
        GroupMember.objects.create(group_id=group.pk, kind="staff", user_id=member.pk)
        for user in (retired, member):
            _grant(old, user=user, person=world.person)
            GroupAccessGrant.objects.create(group_id=group.pk, user_id=user.pk)
    finally:
        _to_latest()

    assert (_sees(api, retired, world.person), _sees(api, member, world.person)) == (False, True)
    reasons = AccessGrant.objects.filter(service_user=world.person, until=None, source="group")
    assert sorted(reasons.values_list("user_id", flat=True)) == sorted([group.coordinator_id, member.pk])
