"""A database of the old layout, with the quality conversations in casework, migrates into the app
of their own without losing a row: the conversations and follow-ups stay in their tables, their
history is found by the new label, and their content types follow them (and back again)."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from casework.engine import history_for
from quality_conversations.models import FollowUp, QualityConversation

pytestmark = pytest.mark.django_db(transaction=True)

OLD_LAYOUT = [("casework", "0009_outbox_in_the_kernel"), ("quality_conversations", None)]


def _migrate(targets: Any) -> Any:
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return executor.loader.project_state([t for t in targets if t[1] is not None]).apps


def _latest() -> list[tuple[str, str]]:
    return list(MigrationExecutor(connection).loader.graph.leaf_nodes())


def test_conversations_of_the_old_layout_keep_their_rows_history_and_content_types(world):
    try:
        old = _migrate(OLD_LAYOUT)
        conversation = old.get_model("casework", "QualityConversation").objects.create(
            service_user_id=world.person.pk, unit_id=world.unit_a.pk, year=2026, state="offered"
        )
        old.get_model("casework", "FollowUp").objects.create(conversation=conversation, text="Fast turnus")
        old.get_model("casework", "WorkflowTransition").objects.create(
            object_type="casework.qualityconversation",
            object_id=str(conversation.pk),
            name="offer",
            source="due",
            target="offered",
            actor_id=world.actors["unit_manager"].pk,
        )
    finally:
        _migrate(_latest())

    moved = QualityConversation.objects.get(pk=conversation.pk)
    assert (moved.state, moved.year, moved.service_user_id) == ("offered", 2026, world.person.pk)
    assert list(FollowUp.objects.filter(conversation=moved).values_list("text", flat=True)) == ["Fast turnus"]
    assert list(history_for(moved).values_list("name", "source", "target")) == [("offer", "due", "offered")]
    assert ContentType.objects.get_for_model(QualityConversation).app_label == "quality_conversations"
    assert not ContentType.objects.filter(app_label="casework", model="qualityconversation").exists()

    old = _migrate(OLD_LAYOUT)
    try:
        rows = old.get_model("casework", "WorkflowTransition").objects.filter(object_id=str(conversation.pk))
        assert list(rows.values_list("object_type", flat=True)) == ["casework.qualityconversation"]
        assert old.get_model("casework", "QualityConversation").objects.filter(pk=conversation.pk).exists()
    finally:
        _migrate(_latest())
