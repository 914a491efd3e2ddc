"""A database of the old layout, with cases, home visits and decisions in casework, migrates into
the app ``cases`` without losing a row: the rows stay in their tables (the home visit's link tables
too), the history is found by the new labels, and the content types follow (and back again)."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from cases.models import Case, Decision, HomeVisit
from casework.engine import history_for

pytestmark = pytest.mark.django_db(transaction=True)

OLD_LAYOUT = [("casework", "0010_quality_conversations_moved_out"), ("cases", None)]


def _migrate(targets: Any) -> Any:
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return executor.loader.project_state([t for t in targets if t[1] is not None]).apps


def _latest() -> list[tuple[str, str]]:
    return list(MigrationExecutor(connection).loader.graph.leaf_nodes())


def test_cases_of_the_old_layout_keep_their_rows_links_history_and_content_types(world):
    caseworker = world.actors["caseworker"]
    try:
        old = _migrate(OLD_LAYOUT)
        case = old.get_model("casework", "Case").objects.create(
            service_user_id=world.person.pk,
            unit_id=world.unit_a.pk,
            service_applied_for="Praktisk bistand",
            received_on=datetime.date(2026, 3, 2),
            reply_due_on=datetime.date(2026, 4, 2),
            state="decided",
        )
        visit = old.get_model("casework", "HomeVisit").objects.create(
            case=case, state="completed", findings="Trives", wishes="Bo hjemme"
        )
        visit.staff_present.add(caseworker.pk)
        old.get_model("casework", "Decision").objects.create(
            case=case,
            outcome="granted",
            reasons="Behov",
            complaint_information="Tre uker",
            complaint_deadline=datetime.date(2026, 5, 1),
            decided_by_id=caseworker.pk,
        )
        old.get_model("casework", "WorkflowTransition").objects.create(
            object_type="casework.case",
            object_id=str(case.pk),
            name="decide",
            source="under_assessment",
            target="decided",
            actor_id=caseworker.pk,
        )
    finally:
        _migrate(_latest())

    moved = Case.objects.get(pk=case.pk)
    assert (moved.state, moved.service_applied_for) == ("decided", "Praktisk bistand")
    assert list(HomeVisit.objects.get(pk=visit.pk).staff_present.values_list("pk", flat=True)) == [
        caseworker.pk
    ]
    assert Decision.objects.get(case=moved).outcome == "granted"
    assert list(history_for(moved).values_list("name", "target")) == [("decide", "decided")]
    assert {ContentType.objects.get_for_model(m).app_label for m in (Case, HomeVisit, Decision)} == {"cases"}

    old = _migrate(OLD_LAYOUT)
    try:
        rows = old.get_model("casework", "WorkflowTransition").objects.filter(object_id=str(case.pk))
        assert list(rows.values_list("object_type", flat=True)) == ["casework.case"]
    finally:
        _migrate(_latest())
