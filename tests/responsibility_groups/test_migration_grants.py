"""The migrations that retire rows breaking the kind rule take back the access those rows gave.

A staff participant or member of another unit gets an explicit grant to see the person
(``PlanAccessGrant`` / ``GroupAccessGrant`` and a django-guardian permission). ``plans/0004``
clears the login of a participant whose kind is not staff and ``responsibility_groups/0007``
retires a member whose links do not fit; the grant such a row gave goes with it, as when the
services let a participant or member go (an outside review found it left behind).
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from casework.models import AuditEvent
from plans import services as plan_services
from plans.choices import ParticipantKind
from plans.models import Participant, PlanAccessGrant
from responsibility_groups import services as group_services
from responsibility_groups.choices import MemberKind
from responsibility_groups.models import GroupAccessGrant, GroupMember
from tests.factories import RepresentativeFactory
from tests.plans.conftest import PlanBuilder


def _migrate(app: str, target: str) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate([(app, target)])
    return executor


def _back_to_latest() -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_plans_0004_takes_back_the_grant_of_a_login_it_unlinks(world, api):
    plans = PlanBuilder(world)
    other = world.actors["caseworker_other_unit"]
    plan = plans.draft()
    participant = plan_services.plan_item_create(
        reach=plans.reach, plan=plan, model=Participant, kind=ParticipantKind.STAFF, user=other
    )
    assert PlanAccessGrant.objects.filter(plan=plan, user=other).exists()
    # Before the rule (the old service allowed it): the participant is turned external, login kept.
    try:
        _migrate("plans", "0003_plan_access_grants")
        Participant.objects.filter(pk=participant.pk).update(kind=ParticipantKind.EXTERNAL, name="Fysio")
        _migrate("plans", "0004_participant_links_fit_kind")
    finally:
        _back_to_latest()

    participant.refresh_from_db()
    assert participant.user_id is None  # the migration let go of the login ...
    person = api(other).get(f"/api/v1/service-users/{world.person.pk}/")
    assert person.status_code == 404, "the login still reads the person through the plan's grant"
    assert not PlanAccessGrant.objects.filter(plan=plan, user=other).exists()
    assert (
        AuditEvent.objects.filter(action="service_user.revoke_access", actor_username="system").count() == 1
    )


@pytest.mark.django_db(transaction=True)
def test_responsibility_groups_0007_takes_back_the_grant_of_a_member_it_retires(world, api, groups):
    other = world.actors["caseworker_other_unit"]
    group = groups.group()
    representative = RepresentativeFactory(service_user=world.person)
    member = group_services.member_add(reach=groups.reach, group=group, kind=MemberKind.STAFF, user=other)
    assert GroupAccessGrant.objects.filter(group=group, user=other).exists()
    try:
        _migrate("responsibility_groups", "0006_group_access_grants")
        # A staff row that also named a representative (the old service took any field).
        GroupMember.objects.filter(pk=member.pk).update(representative=representative)
        _migrate("responsibility_groups", "0007_member_links_fit_kind")
    finally:
        _back_to_latest()

    member.refresh_from_db()
    assert member.is_active is False  # retired ...
    person = api(other).get(f"/api/v1/service-users/{world.person.pk}/")
    assert person.status_code == 404, "the retired member still reads the person through the group's grant"
    assert not GroupAccessGrant.objects.filter(group=group, user=other).exists()
    assert (
        AuditEvent.objects.filter(action="service_user.revoke_access", actor_username="system").count() == 1
    )
