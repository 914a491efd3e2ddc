"""Well-formed input for any transition of any workflow, and the resources that serve them: shared
by the tests generated from the engine's registry."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from typing import Any

from django.urls import get_resolver
from django.utils import timezone

from casework.engine import Workflow

DEMO_LOGINS = (
    "admin",
    "saksbehandler",
    "saksbehandler2",
    "koordinator",
    "leder",
    "kvalitet",
    "verge",
    "verge_utlopt",
    "parorende",
)


def example_input(obj: Any) -> dict[str, Any]:
    """Values for every input a transition may take, fitting ``obj`` (Python values)."""
    soon = timezone.now() + datetime.timedelta(days=30)
    year = getattr(obj, "year", None)
    today = timezone.localdate()
    return {
        "comment": "Avtalt med brukeren.",
        "final_evaluation": "Målene er nådd.",
        "starts_at": soon,
        "ends_at": soon + datetime.timedelta(hours=1),
        "at": soon,
        "on": today if year in (None, today.year) else datetime.date(year, 12, 31),
        "findings": "Trives hjemme.",
        "wishes": "Vil bo hjemme lenger.",
        "reason": "declined",
        "outcome": "granted",
        "reasons": "Behovet er dokumentert.",
        "complaint_information": "Klagefrist tre uker.",
        "summary": "Samtalen ble holdt.",
    }


def example_body(view: Any, obj: Any) -> dict[str, Any]:
    """``example_input`` as the JSON body of the resource's transition request."""
    fields = view.transition_input().fields
    return {
        name: value.isoformat() if isinstance(value, datetime.date) else value
        for name, value in example_input(obj).items()
        if name in fields
    }


def workflow_resources() -> dict[type, tuple[str, Any]]:
    """Each workflow model's URL prefix (``/api/v1/plans/``) and viewset, from the URL conf."""
    found: dict[type, tuple[str, Any]] = {}

    def walk(patterns: Any, prefix: str) -> Iterator[tuple[str, Any]]:
        for pattern in patterns:
            if hasattr(pattern, "url_patterns"):
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif (pattern.name or "").endswith("-transitions"):
                yield prefix + str(pattern.pattern), pattern.callback.cls

    for route, view in walk(get_resolver().url_patterns, "/"):
        found.setdefault(view.queryset.model, (route.split("(?P<pk>")[0].replace("^", ""), view))
    return found


def one_per_state(workflow: Workflow) -> list[Any]:
    """The first object of the workflow's model in each state it is found in."""
    chosen: dict[str, Any] = {}
    for obj in workflow.model._default_manager.order_by("pk"):
        chosen.setdefault(obj.state, obj)
    return list(chosen.values())
