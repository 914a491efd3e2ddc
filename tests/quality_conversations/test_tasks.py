"""Scheduled work acts as the system actor (casework.system), never as a person's login.

The ``world`` has a superuser, made before the task runs: the task used to take the first one.
"""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from casework.models import AuditEvent, WorkflowTransition
from casework.system import SYSTEM_USERNAME, system_actor
from quality_conversations import services as conversations
from quality_conversations.choices import ConversationState
from quality_conversations.models import QualityConversation
from quality_conversations.tasks import quality_conversations_yearly

pytestmark = pytest.mark.django_db


@pytest.fixture
def from_new_year(world):
    """The person's municipality generates from 1 January, so the task generates today."""
    municipality = world.person.municipality
    municipality.conversations_month, municipality.conversations_day = 1, 1
    municipality.save()
    return municipality


def _audit_rows(action: str) -> list[tuple[int | None, str, str]]:
    return list(
        AuditEvent.objects.filter(action=action).values_list("actor_id", "actor_username", "actor_role")
    )


def test_the_yearly_generation_is_audited_as_the_system(world, from_new_year):
    quality_conversations_yearly()

    system = system_actor()
    [row] = AuditEvent.objects.filter(action="qualityconversation.generate_year")
    assert _audit_rows("qualityconversation.generate_year") == [(system.pk, SYSTEM_USERNAME, "system")]
    assert (row.object_type, row.object_id) == ("casework.municipality", str(from_new_year.pk))
    assert row.changes == {"year": [None, timezone.localdate().year], "created": [None, 3]}


def test_a_second_run_that_generates_nothing_writes_no_audit_row(world, from_new_year):
    quality_conversations_yearly()
    quality_conversations_yearly()

    assert AuditEvent.objects.filter(action="qualityconversation.generate_year").count() == 1


def test_the_year_end_expiry_is_done_and_audited_by_the_system(world):
    last_year = timezone.localdate().year - 1
    conversations.quality_conversations_generate(municipality=world.person.municipality, year=last_year)

    quality_conversations_yearly()

    system = system_actor()
    expired = QualityConversation.objects.filter(year=last_year, state=ConversationState.EXPIRED)
    history = WorkflowTransition.objects.filter(name="expire")
    assert expired.count() == 2
    assert sorted(history.values_list("actor_id", flat=True)) == [system.pk, system.pk]
    assert _audit_rows("qualityconversation.expire_year") == [(system.pk, SYSTEM_USERNAME, "system")]


def test_no_row_the_task_writes_names_the_superuser(world, from_new_year):
    superuser = world.actors["superuser"]
    last_year = timezone.localdate().year - 1
    conversations.quality_conversations_generate(municipality=world.person.municipality, year=last_year)
    before = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0

    quality_conversations_yearly()

    written = AuditEvent.objects.filter(id__gt=before)
    assert set(written.values_list("action", flat=True)) == {
        "qualityconversation.generate_year",
        "qualityconversation.expire",  # each conversation's transition
        "qualityconversation.expire_year",
    }
    assert not written.filter(actor=superuser).exists()
    assert not WorkflowTransition.objects.filter(actor=superuser).exists()
    assert set(written.values_list("actor_id", flat=True)) == {system_actor().pk}


def test_the_expiry_runs_even_where_no_superuser_exists(world):
    """It used to be skipped in silence when the installation had no superuser."""
    get_user_model().objects.filter(is_superuser=True).update(is_superuser=False)
    last_year = timezone.localdate().year - 1
    conversations.quality_conversations_generate(municipality=world.person.municipality, year=last_year)

    quality_conversations_yearly()

    assert QualityConversation.objects.filter(year=last_year, state=ConversationState.EXPIRED).count() == 2
