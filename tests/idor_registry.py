"""The IDOR matrix's registry: every API route with an id in its path, and how to find an object
for each of its path parts in a *subject* (a set of objects outside some role's reach).

``tests/test_idor_matrix.py`` walks the URL conf and asks this registry about every route under
/api/v1/ with a path kwarg; a route without an entry fails the matrix, so a new endpoint with an
id in its path is covered as soon as its entry says which subject slots fill its path.

A subject has one *slot* per kind of object (``Subject``). A route's ``Target`` names the slots
it needs and turns them into path kwargs (and, for the exports, a query string); a target
applies to a subject only when all its slots are filled. The subjects themselves, and which
slots each fills for each role, are built in the test module.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, fields
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver

API_PREFIX = "api/v1/"
# What the matrix sends, besides HEAD and OPTIONS (see the test module).
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
ALL_METHODS = (*METHODS, "HEAD", "OPTIONS")


@dataclass
class Subject:
    """Objects outside one role's reach, one per slot (None: this subject has none of them)."""

    person: Any = None
    unit: Any = None
    representative: Any = None
    mandate: Any = None
    consent: Any = None
    plan: Any = None  # the whole plan is out of reach: detail, versions, exports
    working_copy: Any = None  # only the plan's working copy is out of reach (staff-only routes)
    goal: Any = None  # goal, participant and measure belong to ``working_copy``
    participant: Any = None
    measure: Any = None
    old_version_plan: Any = None  # a plan with versions 1 and 2 whose version 1 is out of reach
    case: Any = None
    home_visit: Any = None
    conversation: Any = None
    group: Any = None
    member: Any = None  # an active member of ``group``
    meeting: Any = None  # a meeting with approved minutes
    delivery: Any = None  # a notification about a person, as staff see its delivery
    message: Any = None  # an inbox notification of someone else
    feed_token: str | None = None  # a calendar-feed token that opens nothing (revoked or never issued)
    # Not slots: the actors who do reach the objects above (None for the missing subject).
    witness: Any = field(default=None, repr=False)
    unit_witness: Any = field(default=None, repr=False)
    live_feed_token: str | None = field(default=None, repr=False)

    def filled(self) -> frozenset[str]:
        return frozenset(name for name in SLOTS if getattr(self, name) is not None)


NOT_SLOTS = {"witness", "unit_witness", "live_feed_token"}
SLOTS: tuple[str, ...] = tuple(f.name for f in fields(Subject) if f.name not in NOT_SLOTS)


@dataclass(frozen=True)
class Target:
    """One way to fill a route's path from a subject: the slots needed, the kwargs built."""

    slots: tuple[str, ...]
    kwargs: Callable[[Subject], dict[str, Any]]
    query: str = ""


@dataclass(frozen=True)
class Entry:
    targets: tuple[Target, ...]
    # Only for plain Django views, whose methods cannot be read from the view: the methods served.
    methods: frozenset[str] | None = None
    # Who reaches the object (default: the subject's witness).
    witness: Callable[[Subject], Any] | None = None
    # The path the witness asks for, when it differs (a live token instead of a dead one).
    witness_kwargs: Callable[[Subject], dict[str, Any]] | None = None


def _one(slots: str | tuple[str, ...], kwargs: Callable[[Subject], dict[str, Any]], **extra: Any) -> Entry:
    return Entry(targets=(Target(slots if isinstance(slots, tuple) else (slots,), kwargs),), **extra)


def _pk(slot: str, **extra: Any) -> Entry:
    return _one(slot, lambda s: {"pk": getattr(s, slot).pk}, **extra)


def _plan_item(slot: str) -> Entry:
    return _one(("working_copy", slot), lambda s: {"plan_pk": s.working_copy.pk, "pk": getattr(s, slot).pk})


_working_copy = _pk("working_copy")


def _export() -> Entry:
    """The PDF and FHIR exports: the latest version, a superseded version, and the working copy."""
    return Entry(
        targets=(
            Target(("plan",), lambda s: {"pk": s.plan.pk}),
            Target(("old_version_plan",), lambda s: {"pk": s.old_version_plan.pk}, query="version=1"),
            Target(("working_copy",), lambda s: {"pk": s.working_copy.pk}, query="version=draft"),
        )
    )


# Transition names are real ones: an unknown name is 404 even for an object in reach, so a made-up
# name would pass the matrix without testing anything (the witness check asks with the same name).
REGISTRY: dict[str, Entry] = {
    # casework
    "unit-detail": _one("unit", lambda s: {"pk": s.unit.pk}, witness=lambda s: s.unit_witness),
    "service-user-detail": _pk("person"),
    "service-user-access-log": _pk("person"),
    "service-user-access-reasons": _pk("person"),
    "representative-detail": _pk("representative"),
    "mandate-detail": _pk("mandate"),
    "consent-detail": _pk("consent"),
    "consent-withdraw": _pk("consent"),
    "case-detail": _pk("case"),
    "case-history": _pk("case"),
    "case-no-visit-reason": _pk("case"),
    "case-provisional-reply": _pk("case"),
    "case-transitions": _pk("case"),
    "case-transition": _one("case", lambda s: {"pk": s.case.pk, "name": "decide"}),
    "home-visit-detail": _pk("home_visit"),
    "home-visit-history": _pk("home_visit"),
    "home-visit-transitions": _pk("home_visit"),
    "home-visit-transition": _one("home_visit", lambda s: {"pk": s.home_visit.pk, "name": "complete"}),
    "quality-conversation-detail": _pk("conversation"),
    "quality-conversation-history": _pk("conversation"),
    "quality-conversation-transitions": _pk("conversation"),
    "quality-conversation-transition": _one(
        "conversation", lambda s: {"pk": s.conversation.pk, "name": "offer"}
    ),
    # plans
    "plan-detail": _pk("plan"),
    "plan-versions": _pk("plan"),
    "plan-content": _working_copy,
    "plan-history": _working_copy,
    "plan-transitions": _working_copy,
    "plan-transition": _one("working_copy", lambda s: {"pk": s.working_copy.pk, "name": "start_review"}),
    "plan-version": _one("old_version_plan", lambda s: {"pk": s.old_version_plan.pk, "number": 1}),
    "plan-diff": _one("old_version_plan", lambda s: {"pk": s.old_version_plan.pk, "a": 1, "b": 2}),
    "plan-pdf": _export(),
    "plan-fhir": _export(),
    "plan-goal-list": _one("working_copy", lambda s: {"plan_pk": s.working_copy.pk}),
    "plan-goal-detail": _plan_item("goal"),
    "plan-goal-assessment": _plan_item("goal"),
    "plan-participant-list": _one("working_copy", lambda s: {"plan_pk": s.working_copy.pk}),
    "plan-participant-detail": _plan_item("participant"),
    "plan-measure-list": _one("working_copy", lambda s: {"plan_pk": s.working_copy.pk}),
    "plan-measure-detail": _plan_item("measure"),
    # responsibility groups
    "responsibility-group-detail": _pk("group"),
    "responsibility-group-members": _pk("group"),
    "responsibility-group-remove-member": _one(
        ("group", "member"), lambda s: {"pk": s.group.pk, "member_id": s.member.pk}
    ),
    "meeting-detail": _pk("meeting"),
    "meeting-attendance": _pk("meeting"),
    "meeting-comments": _pk("meeting"),
    "meeting-history": _pk("meeting"),
    "meeting-minutes": _pk("meeting"),
    "meeting-minutes-versions": _pk("meeting"),
    "meeting-transitions": _pk("meeting"),
    "meeting-transition": _one("meeting", lambda s: {"pk": s.meeting.pk, "name": "correct_minutes"}),
    "meeting-ics": _pk("meeting"),
    "meeting-minutes-pdf": _pk("meeting"),
    # The feed is opened by its secret alone (no login): a token that opens nothing must be 404
    # for everyone, while the holder's live token opens it.
    "calendar-feed-ics": _one(
        "feed_token",
        lambda s: {"token": s.feed_token},
        methods=frozenset({"GET"}),
        witness_kwargs=lambda s: {"token": s.live_feed_token},
    ),
    # notifications
    "notification-delivery-detail": _pk("delivery"),
    "notification-delivery-retry": _pk("delivery"),
    # The inbox is the caller's own: someone else's message is out of reach; its recipient sees it.
    "notification-detail": _pk("message", witness=lambda s: s.message.recipient_user),
    "notification-read": _pk("message", witness=lambda s: s.message.recipient_user),
}


# Non-404 answers already known and being fixed; the matrix marks these cases xfail(strict=True),
# keyed by (route and query, scenario, role, methods), with the reason. None at present.
KNOWN_LEAKS: dict[tuple[str, str, str, str], str] = {}


# --- The URL conf ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    name: str
    pattern: str  # the full pattern, for messages
    kwargs: frozenset[str]
    callback: Any

    def allowed_methods(self, entry: Entry | None) -> frozenset[str] | None:
        """The methods the view serves, read from the view (None when it cannot be read)."""
        actions = getattr(self.callback, "actions", None)  # a viewset's method → action map
        view_class = getattr(self.callback, "cls", None)  # APIView.as_view() and @api_view
        # DRF answers OPTIONS from a view's metadata class; the API has none (405).
        options = {"OPTIONS"} if getattr(view_class, "metadata_class", None) is not None else set()
        if actions:
            # A viewset answers HEAD as GET.
            served = {m.upper() for m in actions} | options
            return frozenset(served | ({"HEAD"} if "GET" in served else set())) & set(ALL_METHODS)
        if view_class is not None:
            names = [m for m in view_class.http_method_names if m != "options"]
            served = {m.upper() for m in names if hasattr(view_class, m)} | options
            return frozenset(served) & set(ALL_METHODS)
        return entry.methods if entry is not None else None


def _walk(
    resolver: URLResolver, prefix: str = "", outer: frozenset[str] = frozenset()
) -> Iterator[tuple[str, URLPattern, frozenset[str]]]:
    """Every pattern with its full text and the kwargs of its whole path (including resolvers')."""
    for pattern in resolver.url_patterns:
        text = prefix + str(pattern.pattern)
        kwargs = outer | frozenset(pattern.pattern.regex.groupindex)
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern, text, kwargs)
        else:
            yield text, pattern, kwargs


def id_routes() -> list[Route]:
    """Every route under /api/v1/ with a path kwarg, by URL name (sorted)."""
    routes: dict[str, Route] = {}
    for text, pattern, kwargs in _walk(get_resolver()):
        if not text.replace("^", "").startswith(API_PREFIX) or not kwargs:
            continue
        name = pattern.name or text  # an unnamed route is still listed (and fails: reverse needs a name)
        if name in routes:
            raise AssertionError(f"two routes under /{API_PREFIX} are named {name!r}: the matrix needs one")
        routes[name] = Route(name, text, kwargs, pattern.callback)
    return [routes[name] for name in sorted(routes)]
