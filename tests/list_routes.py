"""The API's list routes, read from the URL conf and classified by the OpenAPI schema.

The rule: a *list route* is a route under /api/v1/ that serves GET and whose documented 200
answer is a page of the API contract's pagination (``count``, ``next``, ``previous``,
``results``; a ``Paginated…List`` component in the schema). That takes in the routers' ``-list``
routes, the lists hanging under one object (``/plans/{id}/versions/``, ``/…/history/``,
``/service-users/{id}/access-reasons/``, ``/plans/{plan_pk}/goals/`` …) and the work lists
(``/cases/past-deadline/``, ``/responsibility-groups/overdue/`` …): everything whose length grows
with the data. It leaves out one-object answers, documents (PDF, iCalendar, FHIR) and the
transitions from a state, a short fixed array that is not paged (tests/test_pagination.py holds
that only those are plain arrays).

Routes are named by their URL name, as in tests/idor_registry.py. ``list_routes`` also checks the
other way round: every paged GET of the schema must be one of the routes found, so a route the
conversion below does not understand fails loudly instead of dropping out of the budgets.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from typing import Any

from django.urls import get_resolver
from drf_spectacular.generators import SchemaGenerator

from tests.idor_registry import API_PREFIX, _walk

# ``(?P<pk>[1-9][0-9]{0,18})`` from a router, ``<id:plan_pk>`` from ``path()``.
_REGEX_GROUP = re.compile(r"\(\?P<(\w+)>[^)]*\)")
_CONVERTER = re.compile(r"<(?:\w+:)?(\w+)>")


@dataclass(frozen=True)
class ListRoute:
    name: str  # the URL name, e.g. "plan-versions"
    template: str  # the schema's path, e.g. "/api/v1/plans/{id}/versions/"


def schema_template(pattern: str) -> str:
    """The OpenAPI path of a URL pattern, as drf-spectacular writes it (``pk`` becomes ``id``)."""
    text = pattern.replace("^", "").replace("$", "")
    text = _CONVERTER.sub(r"{\1}", _REGEX_GROUP.sub(r"{\1}", text))
    return "/" + text.replace("{pk}", "{id}")


def _serves_get(callback: Any) -> bool:
    actions = getattr(callback, "actions", None)  # a viewset's method -> action map
    if actions is not None:
        return "get" in actions
    view_class = getattr(callback, "cls", None)  # APIView.as_view() and @api_view
    return view_class is not None and hasattr(view_class, "get")


@cache
def paged_templates() -> frozenset[str]:
    """The schema paths whose GET answers a page."""
    schema = json.loads(json.dumps(SchemaGenerator().get_schema(request=None, public=True), default=str))
    found = set()
    for path, item in schema["paths"].items():
        content = item.get("get", {}).get("responses", {}).get("200", {}).get("content", {})
        if any("Paginated" in body.get("schema", {}).get("$ref", "") for body in content.values()):
            found.add(path)
    return frozenset(found)


@cache
def list_routes() -> tuple[ListRoute, ...]:
    """Every list route under /api/v1/ (see the module docstring), sorted by name."""
    pages = paged_templates()
    routes: dict[str, ListRoute] = {}
    for text, pattern, _kwargs in _walk(get_resolver()):
        if not text.replace("^", "").startswith(API_PREFIX) or not _serves_get(pattern.callback):
            continue
        template = schema_template(text)
        if template not in pages:
            continue
        name = pattern.name or template
        if name in routes:
            raise AssertionError(f"two list routes are named {name!r}: the budgets need one name each")
        routes[name] = ListRoute(name, template)
    unmatched = pages - {route.template for route in routes.values()}
    if unmatched:
        raise AssertionError(f"paged GETs of the schema with no route found for them: {sorted(unmatched)}")
    return tuple(routes[name] for name in sorted(routes))
