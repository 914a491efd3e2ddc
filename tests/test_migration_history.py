"""A database with the plans' and meetings' own history tables migrates into the engine's one
table (``plans/0006``, ``responsibility_groups/0010``) without losing a row, a time or a comment,
and back again."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from casework.models import WorkflowTransition
from tests.factories import UserFactory
from tests.plans.conftest import PlanBuilder
from tests.responsibility_groups.conftest import GroupBuilder

pytestmark = pytest.mark.django_db(transaction=True)

OLD_LAYOUT = [
    ("casework", "0007_system_actor"),
    ("plans", "0005_access_reasons_in_the_ledger"),
    ("responsibility_groups", "0009_access_reasons_in_the_ledger"),
]
WHEN = timezone.make_aware(datetime.datetime(2025, 3, 4, 10, 30))


def _migrate(targets: Any) -> Any:
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def _latest() -> list[tuple[str, str]]:
    executor = MigrationExecutor(connection)
    return list(executor.loader.graph.leaf_nodes())


def _rows(object_type: str) -> list[tuple[Any, ...]]:
    return list(
        WorkflowTransition.objects.filter(object_type=object_type)
        .order_by("occurred_at", "id")
        .values_list("object_id", "name", "source", "target", "actor_id", "occurred_at", "comment")
    )


def test_the_old_history_rows_move_into_the_one_table_with_their_times_and_back(world):
    plan = PlanBuilder(world).draft()
    meeting = GroupBuilder(world).meeting()
    actor = UserFactory()
    assert _rows("plans.individualplan") == _rows("responsibility_groups.meeting") == []
    try:
        old = _migrate(OLD_LAYOUT)
        PlanTransition = old.get_model("plans", "PlanTransition")
        MeetingTransition = old.get_model("responsibility_groups", "MeetingTransition")
        PlanTransition._meta.get_field("occurred_at").auto_now_add = False
        MeetingTransition._meta.get_field("occurred_at").auto_now_add = False
        PlanTransition.objects.create(
            plan_id=plan.pk,
            name="request_consent",
            source="draft",
            target="awaiting_consent",
            actor_id=actor.pk,
            occurred_at=WHEN,
            comment="Brev sendt",
        )
        MeetingTransition.objects.create(
            meeting_id=meeting.pk,
            name="invite",
            source="proposed",
            target="invited",
            actor_id=actor.pk,
            occurred_at=WHEN,
            comment="",
        )
    finally:
        _migrate(_latest())

    assert _rows("plans.individualplan") == [
        (str(plan.pk), "request_consent", "draft", "awaiting_consent", actor.pk, WHEN, "Brev sendt")
    ]
    assert _rows("responsibility_groups.meeting") == [
        (str(meeting.pk), "invite", "proposed", "invited", actor.pk, WHEN, "")
    ]

    old = _migrate(OLD_LAYOUT)
    try:
        back = list(
            old.get_model("plans", "PlanTransition").objects.values_list("plan_id", "name", "occurred_at")
        )
        assert back == [(plan.pk, "request_consent", WHEN)]
        assert _rows("plans.individualplan") == []
    finally:
        _migrate(_latest())
