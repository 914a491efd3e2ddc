"""plans 0006 and responsibility_groups 0010 add the marks: existing rows arrive unmarked.

Rows written before the migrations (with the historical models) come through with no mark and
satisfy the new check constraint; the migrations also reverse.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from plans.models import Participant
from responsibility_groups.models import GroupMember
from tests.plans.conftest import PlanBuilder
from tests.responsibility_groups.conftest import GroupBuilder

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [
    ("plans", "0007_drop_plan_transitions"),
    ("responsibility_groups", "0011_drop_meeting_transitions"),
]


def _to_latest() -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


def _field_names(apps: Any, label: str, model: str) -> set[str]:
    return {field.name for field in apps.get_model(label, model)._meta.get_fields()}


def test_rows_from_before_arrive_unmarked(world: Any) -> None:
    plan = PlanBuilder(world).draft()
    group = GroupBuilder(world).group()
    try:
        executor = MigrationExecutor(connection)
        executor.migrate(BEFORE)
        old = executor.loader.project_state(BEFORE).apps
        assert "basis_ended_at" not in _field_names(old, "plans", "Participant")
        assert "basis_ended_at" not in _field_names(old, "responsibility_groups", "GroupMember")
        old.get_model("plans", "Participant").objects.create(plan_id=plan.pk, kind="external", name="Fysio")
        old.get_model("responsibility_groups", "GroupMember").objects.create(
            group_id=group.pk, kind="external", name="Ergo"
        )
    finally:
        _to_latest()

    assert list(Participant.objects.values_list("name", "basis_ended_at", "basis_ended_reason")) == [
        ("Fysio", None, "")
    ]
    assert sorted(GroupMember.objects.values_list("kind", "basis_ended_at", "basis_ended_reason")) == [
        ("external", None, ""),
        ("service_user", None, ""),
        ("staff", None, ""),
    ]


def test_a_mark_has_its_time_and_its_reason_or_neither(world: Any) -> None:
    plan = PlanBuilder(world).draft()
    row = Participant.objects.create(plan=plan, kind="external", name="Fysio")

    for values in ({"basis_ended_at": timezone.now()}, {"basis_ended_reason": "consent_withdrawn"}):
        with pytest.raises(IntegrityError), transaction.atomic():
            Participant.objects.filter(pk=row.pk).update(**values)
