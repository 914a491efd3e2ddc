"""Every event the code can put into the outbox is either mapped to a message or declared silent,
and every event the catalogue names can be emitted.

The events are the string constants of each installed app's ``events`` module; the emitted ones
are the engine's declared steps and the constants passed to ``outbox_emit`` in the code (found by
reading its source, so an event emitted under a literal name fails here too).
"""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

from django.apps import apps
from django.conf import settings

from casework.engine import workflows
from notifications.catalogue import (
    EVENT_HOLDER_MESSAGES,
    EVENT_MESSAGES,
    MESSAGES,
    SILENT_EVENTS,
    SUPERSEDING_EVENTS,
)

# Mapped: to one message, or to one message per plan and group the event names (consents, mandates).
MAPPED = set(EVENT_MESSAGES) | set(EVENT_HOLDER_MESSAGES)


def _declared() -> dict[str, str]:
    """``module.CONSTANT`` → event name, for every app's ``events`` module."""
    found: dict[str, str] = {}
    for config in apps.get_app_configs():
        try:
            module = importlib.import_module(f"{config.name}.events")
        except ModuleNotFoundError:
            continue
        for name, value in vars(module).items():
            if name.isupper() and isinstance(value, str):
                found[f"{config.name}.{name}"] = value
    return found


def _outbox_calls() -> list[tuple[str, ast.expr]]:
    """(file:line, the ``event=`` argument) of every ``outbox_emit`` call in the project's code."""
    calls = []
    for path in Path(settings.BASE_DIR).glob("*/**/*.py"):
        parts = path.relative_to(settings.BASE_DIR).parts
        if parts[0] in {".venv", "tests", "benchmarks"} or "migrations" in parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", "")) == (
                "outbox_emit"
            ):
                for keyword in node.keywords:
                    if keyword.arg == "event":
                        calls.append((f"{'/'.join(parts)}:{node.lineno}", keyword.value))
    return calls


def _emitted() -> set[str]:
    declared = _declared()
    by_constant = {qualified.rsplit(".", 1)[1]: value for qualified, value in declared.items()}
    events = {step.event for workflow in workflows() for step in workflow.steps}
    for _where, argument in _outbox_calls():
        if isinstance(argument, ast.Attribute) and argument.attr in by_constant:
            events.add(by_constant[argument.attr])
        elif isinstance(argument, ast.Name) and argument.id in by_constant:
            events.add(by_constant[argument.id])
    return events


def test_every_outbox_emit_names_a_declared_constant():
    by_constant = {qualified.rsplit(".", 1)[1] for qualified in _declared()}
    literal = [
        where
        for where, argument in _outbox_calls()
        if not (
            (isinstance(argument, ast.Attribute) and argument.attr in by_constant)
            or (isinstance(argument, ast.Name) and argument.id in by_constant)
            or (isinstance(argument, ast.Attribute) and argument.attr == "event")  # the engine's step.event
        )
    ]
    assert literal == []


def test_every_step_of_the_engine_emits_a_declared_event():
    declared = set(_declared().values())
    steps = {f"{w.label}.{s.name}": s.event for w in workflows() for s in w.steps}
    assert {step: event for step, event in steps.items() if event not in declared} == {}


def test_every_emitted_event_is_mapped_or_declared_silent_and_not_both():
    emitted = _emitted()
    assert sorted(emitted - MAPPED - SILENT_EVENTS) == []
    assert sorted(MAPPED & SILENT_EVENTS) == []
    assert sorted(set(EVENT_MESSAGES) & set(EVENT_HOLDER_MESSAGES)) == []


def test_every_mapped_or_silent_event_can_be_emitted_and_names_a_message():
    emitted = _emitted()
    assert sorted((MAPPED | SILENT_EVENTS | SUPERSEDING_EVENTS) - emitted) == []
    kinds = [*EVENT_MESSAGES.values(), *(k for by in EVENT_HOLDER_MESSAGES.values() for k in by.values())]
    assert sorted(kind for kind in kinds if kind not in MESSAGES) == []
    assert len(set(_declared().values())) == len(_declared())  # no two constants share a name
