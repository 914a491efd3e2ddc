"""Every input is bounded, and the bound is in the schema.

Two walks, so that a new endpoint cannot forget a limit: one over the request bodies of the
OpenAPI schema (every list has ``maxItems``, every map ``maxProperties``, every string
``maxLength`` unless it is a choice or a date, every integer a ``minimum`` and a ``maximum``),
and one over every input serializer (dates and times use the bounded fields, numbers refuse
other scripts' digits). Then the bounds at work: a request over a limit is 400 and writes nothing.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterator
from typing import Any

import pytest
from django.urls import get_resolver
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator
from rest_framework import serializers

from casework.api.fields import (
    BoundedDateField,
    BoundedDateTimeField,
    IdField,
    IdMapField,
    IntegerInputField,
)
from casework.api.inputs import StrictInputSerializer
from casework.selectors import reach_for
from quality_conversations import services as conversations
from quality_conversations.models import QualityConversation
from responsibility_groups.models import MinutesTopic
from tests.responsibility_groups.conftest import GroupBuilder

SCHEMA_METHODS = {"post", "put", "patch"}


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    generated = SchemaGenerator().get_schema(request=None, public=True)
    return dict(json.loads(json.dumps(generated, default=str)))


def _unbounded(schema: dict[str, Any], node: dict[str, Any], where: str, seen: set[str]) -> Iterator[str]:
    if "$ref" in node:
        name = node["$ref"].rsplit("/", 1)[-1]
        if name not in seen:
            seen.add(name)
            yield from _unbounded(schema, schema["components"]["schemas"][name], f"{where}->{name}", seen)
        return
    for combined in ("allOf", "oneOf", "anyOf"):
        for part in node.get(combined, []):
            yield from _unbounded(schema, part, where, seen)
    kind = node.get("type")
    if kind == "array":
        if "maxItems" not in node:
            yield f"{where}: a list without maxItems"
        yield from _unbounded(schema, node.get("items", {}), f"{where}[]", seen)
    elif kind == "object":
        for name, value in node.get("properties", {}).items():
            yield from _unbounded(schema, value, f"{where}.{name}", seen)
        if isinstance(node.get("additionalProperties"), dict):
            if "maxProperties" not in node:
                yield f"{where}: a map without maxProperties"
            yield from _unbounded(schema, node["additionalProperties"], f"{where}{{}}", seen)
    elif kind == "string":
        if "maxLength" not in node and "enum" not in node and node.get("format") not in {"date", "date-time"}:
            yield f"{where}: a string without maxLength"
    elif kind == "integer" and ("minimum" not in node or "maximum" not in node):
        yield f"{where}: an integer without minimum and maximum"


def test_every_request_body_in_the_schema_is_bounded(schema):
    found = [
        problem
        for path, item in schema["paths"].items()
        for method, operation in item.items()
        if method in SCHEMA_METHODS and "requestBody" in operation
        for content in operation["requestBody"]["content"].values()
        for problem in _unbounded(schema, content["schema"], f"{method.upper()} {path}", set())
    ]

    assert found == []


def _input_serializers() -> list[type[StrictInputSerializer]]:
    get_resolver().url_patterns  # noqa: B018  (imports every view, and so every serializer)
    found: list[type[StrictInputSerializer]] = []
    pending = [StrictInputSerializer]
    while pending:
        cls = pending.pop()
        for sub in cls.__subclasses__():
            if sub not in found:
                found.append(sub)
                pending.append(sub)
    return sorted(found, key=lambda cls: f"{cls.__module__}.{cls.__qualname__}")


def _fields(field: Any, where: str) -> Iterator[tuple[str, Any]]:
    if isinstance(field, serializers.ListSerializer):
        yield where, field
        yield from _fields(field.child, f"{where}[]")
    elif isinstance(field, serializers.Serializer):
        for name, child in field.fields.items():
            if not child.read_only:
                yield from _fields(child, f"{where}.{name}")
    elif isinstance(field, serializers.ListField | serializers.DictField):
        yield where, field
        yield from _fields(field.child, f"{where}[]")
    else:
        yield where, field


def _refusal(field: Any) -> str | None:
    """Why a writable input field is not bounded by the shared rules, or None."""
    if isinstance(field, serializers.DateTimeField):
        return None if isinstance(field, BoundedDateTimeField) else "a date-time outside BoundedDateTimeField"
    if isinstance(field, serializers.DateField):
        return None if isinstance(field, BoundedDateField) else "a date outside BoundedDateField"
    if isinstance(field, serializers.IntegerField):
        if not isinstance(field, IntegerInputField):
            return "a number outside IntegerInputField (it would take other scripts' digits)"
        return None
    if isinstance(field, serializers.ChoiceField | serializers.BooleanField):
        return None
    if isinstance(field, serializers.CharField):
        return None if field.max_length is not None else "a string without max_length"
    if isinstance(field, serializers.ListSerializer | serializers.ListField):
        return None if field.max_length is not None else "a list without max_length"
    if isinstance(field, serializers.DictField):
        return None if isinstance(field, IdMapField) else "a map outside IdMapField"
    return f"a field of unknown kind {type(field).__name__}: give it a bound and teach this test"


def test_every_input_serializer_field_uses_a_bounded_field():
    refused = [
        f"{cls.__module__}.{cls.__qualname__}{where}: {reason}"
        for cls in _input_serializers()
        for where, field in _fields(cls(), "")
        if (reason := _refusal(field)) is not None
    ]

    names = {cls.__name__ for cls in _input_serializers()}
    assert {
        "CaseCreateSerializer",
        "MinutesInputSerializer",
        "PlanCreateSerializer",
    } <= names  # the walk works
    assert refused == []


# --- The bounds at work ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    ["9999-12-31", "1899-12-31", "2101-01-01"],
)
def test_a_date_outside_the_range_is_400(value):
    field = BoundedDateField()

    with pytest.raises(serializers.ValidationError) as refused:
        field.run_validation(value)

    assert [detail.code for detail in refused.value.detail] == ["out_of_range"]


def test_dates_at_the_edges_of_the_range_are_taken():
    field = BoundedDateField()

    assert field.run_validation("1900-01-01") == datetime.date(1900, 1, 1)
    assert field.run_validation("2100-12-31") == datetime.date(2100, 12, 31)


@pytest.mark.parametrize("value", ["١", "²", "1.0", True, 1.0, "1e3", " 1", "", "-1", "0", str(2**63)])
def test_an_id_in_a_body_takes_ascii_digits_up_to_2_63_only(value):
    with pytest.raises(serializers.ValidationError):
        IdField().run_validation(value)


@pytest.mark.parametrize("value", [1, "1", 2**63 - 1, str(2**63 - 1)])
def test_an_id_in_a_body_is_a_number_from_1_to_2_63(value):
    assert IdField().run_validation(value) == int(value)


def _held_conversation(world: Any) -> QualityConversation:
    conversations.quality_conversations_generate(
        municipality=world.person.municipality, year=timezone.localdate().year
    )
    conversation = QualityConversation.objects.get(representative__user__username="relative")
    reach = reach_for(world.actors["unit_manager"])
    conversations.conversation_offer(reach=reach, conversation=conversation)
    conversations.conversation_accept(reach=reach, conversation=conversation)
    conversations.conversation_schedule(
        reach=reach, conversation=conversation, at=timezone.now() + datetime.timedelta(days=1)
    )
    return conversations.conversation_hold(reach=reach, conversation=conversation, on=timezone.localdate())


@pytest.mark.django_db
def test_five_thousand_follow_ups_are_400_and_nothing_is_written(world, api):
    conversation = _held_conversation(world)
    body = {"summary": "Samtale", "follow_ups": [{"text": "Følg opp"}] * 5000}

    response = api(world.actors["unit_manager"]).post(
        f"/api/v1/quality-conversations/{conversation.pk}/transitions/document/", body, format="json"
    )

    assert response.status_code == 400, response.content
    assert [(e["field"], e["code"]) for e in response.json()["errors"]] == [("follow_ups", "max_length")]
    conversation.refresh_from_db()
    assert (conversation.state, conversation.follow_ups.count()) == ("held", 0)


@pytest.mark.django_db
def test_minutes_over_the_topic_limit_are_400(world, api):
    groups = GroupBuilder(world)
    meeting = groups.meeting()
    topics = [{"title": f"Sak {n}"} for n in range(101)]

    response = api(groups.actor).put(
        f"/api/v1/meetings/{meeting.pk}/minutes/", {"topics": topics}, format="json"
    )

    assert response.status_code == 400, response.content
    assert [(e["field"], e["code"]) for e in response.json()["errors"]] == [("topics", "max_length")]
    assert MinutesTopic.objects.filter(meeting=meeting).count() == 0


@pytest.mark.django_db
def test_an_attendance_list_over_the_member_limit_is_400(world, api):
    groups = GroupBuilder(world)
    meeting = groups.meeting()
    attendance = {str(n): True for n in range(1, 202)}

    response = api(groups.actor).put(
        f"/api/v1/meetings/{meeting.pk}/attendance/", {"attendance": attendance}, format="json"
    )

    assert response.status_code == 400, response.content
    assert [(e["field"], e["code"]) for e in response.json()["errors"]] == [("attendance", "max_length")]
