"""The IDOR matrix: every API route with an id in its path, for every demo login, against objects
outside that login's reach, answers 404 (problem details) exactly as for an id that does not
exist, for every method, and changes nothing.

Generated from the URL conf (``tests/idor_registry.py`` says how to fill each route's path). The
objects come from subjects chosen by who the caller is, never by the route under test:

- ``stranger``: a person of a unit in the demo municipality where no demo login works, with
  everything a person can have (plan, group, meetings, case, home visit, conversation,
  representatives, messages), built here through the services; and a unit of another
  municipality. Outside the reach of every login but ``admin``.
- ``own_person``: for the representatives, what about *their own* person is still not theirs:
  the plan's working copy, superseded versions, cases, groups, meetings, deliveries, other
  people's messages and records; for a guardian whose mandate has lapsed, everything.
- ``foreign_child``: for staff who reach the demo's first unit, one of its plans or groups in the
  path with the stranger's goal, participant, measure or member: a nested id must belong to the
  parent in the path, not merely exist.
- ``missing``: ids that do not exist. ``admin`` reaches everything, so it gets only these; for
  every other login each answer is compared with the answer to the missing id.

Each method a route serves is a case (HEAD with GET) and must answer 404; the methods it does
not serve are one case per route, role and subject and must answer 405 (OPTIONS among them: the
API serves no metadata), exactly as for a missing id.

``test_witnesses_reach_the_subjects`` checks the other side: an actor who does reach each object
gets something other than 404 for the very same request (and 405 for the same methods), so the
matrix cannot pass because an object does not exist or a transition name is made up.

The demo and the stranger are built once for the module (about 5 s) in a transaction rolled back
at its end; each test runs in a savepoint of it, so that even a leaking write is undone.
"""

from __future__ import annotations

import io
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection, transaction
from django.db.models import Q
from django.test import override_settings
from django.urls import resolve, reverse
from django.utils import timezone

from cases.demo import DemoCase, case_in_flow
from cases.models import Case, HomeVisit
from casework.choices import StaffRole
from casework.demo.municipality import LOGINS, MUNICIPALITY, SERVICE_AREA, UNITS
from casework.models import (
    Consent,
    Mandate,
    Municipality,
    Representative,
    ServiceArea,
    ServiceUser,
    StaffMembership,
    Unit,
)
from casework.selectors import reach_for
from notifications import reminders
from notifications.choices import Channel
from notifications.delivery import fan_out
from notifications.models import Notification, OutboxEvent
from plans.choices import PlanState
from plans.demo import plan_in_state
from plans.models import Goal, IndividualPlan, Measure, Participant
from quality_conversations.models import QualityConversation
from quality_conversations.services import quality_conversations_generate
from responsibility_groups.choices import MeetingState, MemberKind
from responsibility_groups.demo import group_with_meetings
from responsibility_groups.feeds import _hash, calendar_feed_rotate
from responsibility_groups.models import CalendarFeedToken, GroupMember, Meeting, ResponsibilityGroup
from tests.clients import CheckedAPIClient
from tests.factories import ConsentFactory, MandateFactory, RepresentativeFactory, ServiceUserFactory
from tests.idor_registry import (
    KNOWN_LEAKS,
    METHODS,
    REGISTRY,
    SLOTS,
    Entry,
    Route,
    Subject,
    Target,
    id_routes,
)

PROBLEM = "application/problem+json"
WRITES = {"POST", "PUT", "PATCH", "DELETE"}
SUPERUSER = "admin"
ROLES = tuple(spec.username for spec in LOGINS)
ALL_SLOTS = frozenset(SLOTS)
MISSING_ID = 2_000_000_000  # above any id the tests create, within a 32-bit integer

# What of their own person each representative may not see (see ``_own_person_subject``), and
# whether their representation is in force. Checked against the demo data by
# ``test_own_person_subjects_are_as_declared``: update it when the demo changes.
_REPRESENTED_PERSON_OBJECTS = frozenset(
    {
        "unit",
        "consent",
        "working_copy",
        "goal",
        "participant",
        "measure",
        "old_version_plan",
        "conversation",
        "group",
        "member",
        "meeting",
        "delivery",
    }
)
OWN_PERSON: dict[str, tuple[bool, frozenset[str]]] = {
    # The guardian's person also has a case with a home visit.
    "verge": (True, _REPRESENTED_PERSON_OBJECTS | {"case", "home_visit"}),
    # The relative's person's plan is due for review: the coordinator's reminder is not hers.
    "parorende": (True, _REPRESENTED_PERSON_OBJECTS | {"message"}),
    # The mandate expired: the person, the guardian's own records and the (declined) plan are out.
    "verge_utlopt": (
        False,
        frozenset({"person", "unit", "representative", "mandate", "plan", "working_copy", "conversation"}),
    ),
}


# Staff who reach the demo's first unit get one of its plans and groups with the stranger's goal,
# participant, measure or member in the path: a child must belong to the parent in the path.
PARENT_IN_REACH = ("saksbehandler", "koordinator", "leder", "kvalitet")
CHILD_SLOTS = frozenset({"goal", "participant", "measure", "member"})
FOREIGN_CHILD_SLOTS = CHILD_SLOTS | {"working_copy", "group"}


def scenarios_for(role: str) -> list[str]:
    """The subjects a role is tested against."""
    if role == SUPERUSER:
        return ["missing"]
    return [
        "stranger",
        *(["own_person"] if role in OWN_PERSON else []),
        *(["foreign_child"] if role in PARENT_IN_REACH else []),
    ]


def applies(scenario: str, role: str, target: Target) -> bool:
    """Whether the subject fills the target's slots (known before the data exists)."""
    slots = set(target.slots)
    if scenario == "own_person":
        return slots <= OWN_PERSON[role][1]
    if scenario == "foreign_child":  # only the child is out of reach: nothing to test without one
        return bool(slots & CHILD_SLOTS)
    return True  # the stranger and the missing subject fill every slot


# --- The cases --------------------------------------------------------------------------------


@dataclass(frozen=True)
class MatrixCase:
    route: Route
    entry: Entry | None
    target: Target | None
    scenario: str
    role: str
    # One method the route serves (GET with HEAD); or, in one case, the methods it does not serve
    # and OPTIONS: cheap answers that never reach the view's lookup, kept out of the case count.
    methods: tuple[str, ...]

    @property
    def route_label(self) -> str:
        query = self.target.query if self.target else ""
        return self.route.name + (f"?{query}" if query else "")

    @property
    def id(self) -> str:
        return f"{self.route_label}|{self.scenario}|{self.role}|{'+'.join(self.methods)}"


def _unregistered(route: Route) -> str:
    return (
        f"route {route.pattern} ({route.name}) has no entry in the registry: say how to find an object "
        "for its id in tests/idor_registry.py"
    )


def _method_groups(route: Route, entry: Entry) -> list[tuple[str, ...]]:
    served = route.allowed_methods(entry) or frozenset()
    # HEAD is answered by the GET handler, so it goes with GET.
    own = [("GET", "HEAD") if m == "GET" and "HEAD" in served else (m,) for m in METHODS if m in served]
    rest = [m for m in (*METHODS, "HEAD") if m not in served]
    return [*own, (*rest, "OPTIONS")]


def _matrix() -> Iterator[Any]:
    for route in id_routes():
        entry = REGISTRY.get(route.name)
        if entry is None:
            # Generated anyway, so that the new route fails here, by name, instead of being skipped.
            case = MatrixCase(route, None, None, "-", "-", ())
            yield pytest.param(case, id=f"{route.name}|unregistered")
            continue
        for target in entry.targets:
            for role in ROLES:
                for scenario in scenarios_for(role):
                    if not applies(scenario, role, target):
                        continue
                    for methods in _method_groups(route, entry):
                        case = MatrixCase(route, entry, target, scenario, role, methods)
                        known = KNOWN_LEAKS.get((case.route_label, scenario, role, "+".join(methods)))
                        marks = [pytest.mark.xfail(strict=True, reason=known)] if known else []
                        yield pytest.param(case, id=case.id, marks=marks)


CASES = list(_matrix())


# --- The data: the demo, the stranger, the subjects ---------------------------------------------


@dataclass
class World:
    users: dict[str, Any]
    subjects: dict[tuple[str, str], Subject]  # (scenario, role) -> subject
    clients: dict[int, CheckedAPIClient]

    def subject(self, scenario: str, role: str) -> Subject:
        return self.subjects[(scenario, role)]

    def client(self, user: Any) -> CheckedAPIClient:
        if user.pk not in self.clients:
            client = CheckedAPIClient()
            client.force_authenticate(user)
            self.clients[user.pk] = client
        return self.clients[user.pk]


class _Missing:
    """An object that does not exist: only its id is known."""

    pk = MISSING_ID


def _missing_subject() -> Subject:
    subject = Subject(**{slot: _Missing() for slot in SLOTS})
    subject.feed_token = secrets.token_urlsafe(32)  # never issued
    return subject


def _staff(username: str, unit: Unit, role: str) -> Any:
    user = get_user_model().objects.create_user(username=username, first_name="Test", last_name=username)
    StaffMembership.objects.create(user=user, unit=unit, role=role)
    return user


def _stranger() -> Subject:
    """A person of a new unit of the demo municipality, with everything a person can have, built
    through the services by the unit's own caseworker; and a unit of another municipality."""
    municipality = Municipality.objects.get(number=MUNICIPALITY[1])
    area = ServiceArea.objects.get(municipality=municipality, name=SERVICE_AREA)
    unit = Unit.objects.create(service_area=area, name="Bo- og aktivitetstilbud Vest")
    caseworker = _staff("idor_saksbehandler_vest", unit, StaffRole.CASEWORKER)
    coordinator = _staff("idor_koordinator_vest", unit, StaffRole.COORDINATOR)
    person = ServiceUserFactory(municipality=municipality, units=[unit])
    guardian = RepresentativeFactory(service_user=person, guardian=True)
    mandate = MandateFactory(representative=guardian)
    relative = RepresentativeFactory(service_user=person)
    consent = ConsentFactory(
        service_user=person, representative=relative, relative_access=True, recorded_by=caseworker
    )
    reach = reach_for(caseworker)
    # Due for review soon, so that the reminder scan sends the coordinator an inbox message.
    plan = plan_in_state(
        reach=reach,
        service_user=person,
        unit=unit,
        coordinator=coordinator,
        state=PlanState.ACTIVE,
        next_review_in_days=20,
    )
    group, _meetings = group_with_meetings(
        reach=reach, person=person, plan=plan, unit=unit, coordinator=coordinator, slot=0, proposed=False
    )
    case = case_in_flow(
        reach=reach,
        person=person,
        unit=unit,
        spec=DemoCase(0, "Praktisk bistand i hjemmet", 12, "waiting_for_visit"),
    )
    quality_conversations_generate(municipality=municipality, year=timezone.localdate().year)
    # The messages of what was just done, as the worker would make them after the commit.
    for event_id in OutboxEvent.objects.filter(dispatched_at__isnull=True).values_list("pk", flat=True):
        fan_out(event_id)
    reminders.scan_all()
    revoked_token = calendar_feed_rotate(actor=coordinator)
    live_token = calendar_feed_rotate(actor=coordinator)  # the first one stops working

    other_municipality = Municipality.objects.create(name="Nabovik kommune", number="4896")
    other_unit = Unit.objects.create(
        service_area=ServiceArea.objects.create(municipality=other_municipality, name=SERVICE_AREA),
        name="Nabovik hjemmetjeneste",
    )
    return Subject(
        person=person,
        unit=other_unit,
        representative=guardian,
        mandate=mandate,
        consent=consent,
        plan=plan,
        working_copy=plan,
        goal=plan.goals.order_by("pk").first(),
        participant=plan.participants.order_by("pk").first(),
        measure=plan.measures.order_by("pk").first(),
        old_version_plan=plan,
        case=case,
        home_visit=case.home_visits.order_by("pk").first(),
        conversation=QualityConversation.objects.filter(service_user=person).order_by("pk").first(),
        group=group,
        member=group.members.filter(kind=MemberKind.EXTERNAL, is_active=True).first(),
        meeting=group.meetings.filter(state=MeetingState.MINUTES_APPROVED).order_by("pk").first(),
        delivery=Notification.objects.filter(service_user=person).order_by("pk").first(),
        message=Notification.objects.filter(
            channel=Channel.INBOX, recipient_user__in=[caseworker, coordinator]
        )
        .order_by("pk")
        .first(),
        feed_token=revoked_token,
        witness=caseworker,
        unit_witness=_staff("idor_saksbehandler_nabovik", other_unit, StaffRole.CASEWORKER),
        live_feed_token=live_token,
    )


def _first(queryset: Any) -> Any:
    return queryset.order_by("pk").first()


def _own_person_subject(role: Any, valid: bool, witness: Any) -> Subject:
    """What about the person ``role`` represents ``role`` may not see.

    With the representation in force: not the person, their own records or the plan's latest
    approved version, but the working copy, superseded versions, casework, groups and meetings,
    deliveries, and records and messages that are someone else's. With it lapsed: everything.
    """
    (person,) = {rep.service_user for rep in Representative.objects.filter(user=role)}
    representatives = Representative.objects.filter(service_user=person)
    mandates = Mandate.objects.filter(representative__service_user=person)
    consents = Consent.objects.filter(service_user=person)
    messages = Notification.objects.filter(service_user=person, channel=Channel.INBOX)
    if valid:  # their own records and messages are theirs
        representatives = representatives.exclude(user=role)
        mandates = mandates.exclude(representative__user=role)
        consents = consents.exclude(Q(representative__user=role) | Q(given_by_representative__user=role))
        messages = messages.exclude(recipient_user=role)
    plans = IndividualPlan.objects.filter(service_user=person)
    working_copy = _first(plans)
    group = _first(ResponsibilityGroup.objects.filter(service_user=person))
    return Subject(
        person=None if valid else person,
        unit=_first(person.units.all()),  # units are for staff only
        representative=_first(representatives),
        mandate=_first(mandates),
        consent=_first(consents),
        # In force, a representative sees a plan with an approved version (only as approved).
        plan=_first(plans.filter(versions__isnull=True)) if valid else working_copy,
        working_copy=working_copy,
        goal=_first(Goal.objects.filter(plan=working_copy)),
        participant=_first(Participant.objects.filter(plan=working_copy)),
        measure=_first(Measure.objects.filter(plan=working_copy)),
        old_version_plan=_first(plans.filter(versions__number=2)),
        case=_first(Case.objects.filter(service_user=person)),
        home_visit=_first(HomeVisit.objects.filter(case__service_user=person)),
        conversation=_first(QualityConversation.objects.filter(service_user=person)),
        group=group,
        member=_first(
            GroupMember.objects.filter(group=group, is_active=True).exclude(representative__user=role)
        ),
        meeting=_first(Meeting.objects.filter(group=group, state=MeetingState.MINUTES_APPROVED)),
        delivery=_first(Notification.objects.filter(service_user=person)),
        message=_first(messages),
        witness=witness,
        unit_witness=witness,
    )


def _children(stranger: Subject, witness: Any) -> tuple[Subject, Subject]:
    """An active plan and a group of the demo's first unit with the stranger's children, and the
    same parents with children of their own (for the witness, who reaches the parents)."""
    plan = _first(IndividualPlan.objects.filter(unit__name=UNITS[0], state=PlanState.ACTIVE))
    group = _first(ResponsibilityGroup.objects.filter(plan=plan))
    foreign = Subject(
        working_copy=plan,
        group=group,
        goal=stranger.goal,
        participant=stranger.participant,
        measure=stranger.measure,
        member=stranger.member,
    )
    own = Subject(
        working_copy=plan,
        group=group,
        goal=_first(plan.goals.all()),
        participant=_first(plan.participants.all()),
        measure=_first(plan.measures.all()),
        member=_first(group.members.filter(kind=MemberKind.EXTERNAL, is_active=True)),
        witness=witness,
    )
    return foreign, own


@pytest.fixture(scope="module")
def world(django_db_setup: Any, django_db_blocker: Any) -> Iterator[World]:
    """``seed_demo`` and the stranger, once for the module, in a transaction rolled back at its
    end; each test runs in a savepoint inside it (the ``db`` fixture)."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
                call_command("seed_demo", stdout=io.StringIO())
                users = {u.username: u for u in get_user_model().objects.filter(username__in=ROLES)}
                stranger = _stranger()
            subjects: dict[tuple[str, str], Subject] = {}
            missing = _missing_subject()
            for role in ROLES:
                subjects[("missing", role)] = missing
                subjects[("stranger", role)] = stranger
                if role in OWN_PERSON:
                    subjects[("own_person", role)] = _own_person_subject(
                        users[role], OWN_PERSON[role][0], witness=users["kvalitet"]
                    )
                if role in PARENT_IN_REACH:
                    subjects[("foreign_child", role)], subjects[("own_children", role)] = _children(
                        stranger, witness=users[role]
                    )
            yield World(users=users, subjects=subjects, clients={})
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture(autouse=True, scope="module")
def _no_pdf_rendering() -> Iterator[None]:
    """Reach is decided before anything is rendered; a PDF page costs about a second."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("plans.documents.pdf.render_plan_pdf", lambda content, **kw: b"%PDF-")
        patch.setattr("responsibility_groups.api.views.render_minutes_pdf", lambda content, **kw: b"%PDF-")
        yield


# --- Requests ---------------------------------------------------------------------------------


def _path(route: Route, kwargs: dict[str, Any], query: str) -> str:
    if set(kwargs) != route.kwargs:
        raise AssertionError(
            f"the registry fills {sorted(kwargs)} for route {route.pattern}, "
            f"which takes {sorted(route.kwargs)}"
        )
    path = reverse(route.name, kwargs=kwargs)
    assert resolve(path).url_name == route.name, f"{path} does not reach {route.name}"
    return f"{path}?{query}" if query else path


def _send(world: World, user: Any, method: str, path: str) -> Any:
    client = world.client(user)
    if method in WRITES:
        return client.generic(method, path, data="{}", content_type="application/json")
    return client.generic(method, path)


def _show(response: Any) -> str:
    return f"{response.status_code} {response.get('Content-Type')} {response.content[:400]!r}"


_TRAIL = (
    "casework.AuditEvent",
    "casework.AccessLogEntry",
    "casework.OutboxEvent",
    "notifications.Notification",
)
_FINGERPRINT_SQL: dict[bool, str] = {}


def _fingerprint(*, everything: bool) -> tuple[int, ...]:
    """Row counts, in one query: of the audit trail, the access log, the outbox and the messages
    (every write through a service leaves an audit row, every read of a person an access-log row);
    with ``everything``, of every table of the service's apps too."""
    if everything not in _FINGERPRINT_SQL:
        from django.apps import apps

        models = {apps.get_model(label) for label in _TRAIL}
        if everything:
            for app in (
                "casework",
                "plans",
                "responsibility_groups",
                "quality_conversations",
                "notifications",
                "auth",
                "guardian",
            ):
                models |= {m for m in apps.get_app_config(app).get_models() if not m._meta.proxy}
        quote = connection.ops.quote_name
        tables = sorted(m._meta.db_table for m in models)
        counts = (f"(SELECT COUNT(*) FROM {quote(t)})" for t in tables)  # noqa: S608 (table names only)
        _FINGERPRINT_SQL[everything] = "SELECT " + ", ".join(counts)
    with connection.cursor() as cursor:
        cursor.execute(_FINGERPRINT_SQL[everything])
        return tuple(cursor.fetchone())


# --- The tests ----------------------------------------------------------------------------------


def test_registry_covers_every_route_with_an_id() -> None:
    routes = {route.name: route for route in id_routes()}
    unregistered = [_unregistered(routes[name]) for name in sorted(set(routes) - set(REGISTRY))]
    stale = sorted(set(REGISTRY) - set(routes))
    assert not unregistered, "\n".join(unregistered)
    assert not stale, f"registry entries for routes that no longer exist: {stale}"
    for route in routes.values():
        entry = REGISTRY[route.name]
        assert route.allowed_methods(entry) is not None, (
            f"route {route.pattern} is a plain Django view: its registry entry must name its methods"
        )
        for target in entry.targets:
            assert set(target.slots) <= ALL_SLOTS, f"{route.name}: unknown slot in {target.slots}"


def test_known_leaks_name_generated_cases() -> None:
    generated = {
        (c.route_label, c.scenario, c.role, "+".join(c.methods)) for c in (p.values[0] for p in CASES)
    }
    assert set(KNOWN_LEAKS) <= generated, sorted(set(KNOWN_LEAKS) - generated)


def _expected(method: str, served: frozenset[str]) -> int | None:
    """404 for what the route serves (HEAD as GET), 405 for what it does not; OPTIONS answers
    from the view's metadata without looking anything up (None: only the same as a missing id)."""
    if method == "OPTIONS" and method in served:
        return None
    return 404 if method in served else 405


@pytest.mark.parametrize("case", CASES)
def test_outside_reach_is_not_found(case: MatrixCase, world: World, db: Any) -> None:
    route, entry, target = case.route, case.entry, case.target
    if entry is None or target is None:
        pytest.fail(_unregistered(route))
    served = route.allowed_methods(entry)
    assert served is not None, f"route {route.pattern}: say in the registry which methods it serves"
    user = world.users[case.role]
    path = _path(route, target.kwargs(world.subject(case.scenario, case.role)), target.query)
    missing_path = _path(route, target.kwargs(world.subject("missing", case.role)), target.query)
    # Every table for a write; the trail for the rest (a full count costs 6 ms on PostgreSQL).
    everything = any(m in WRITES and m in served for m in case.methods)
    before = _fingerprint(everything=everything)

    for method in case.methods:
        response = _send(world, user, method, path)
        shown = f"{method} {path} as {case.role} ({case.scenario}): {_show(response)}"
        expected = _expected(method, served)
        if expected is not None:
            assert response.status_code == expected, shown
        if response.status_code == 404:
            assert response["Content-Type"] == PROBLEM, shown
        if response.status_code == 405 or method == "HEAD":
            # Refused before the view runs, or no body: the status says it all.
            continue
        # Exactly the answer to an id that does not exist.
        missing = response if missing_path == path else _send(world, user, method, missing_path)
        assert (response.status_code, response.content) == (missing.status_code, missing.content), (
            f"{shown}\nfor a missing id: {_show(missing)}"
        )
    assert _fingerprint(everything=everything) == before, (
        f"{'+'.join(case.methods)} {path} as {case.role} changed the database"
    )


def _witness_cases() -> Iterator[Any]:
    for route in id_routes():
        entry = REGISTRY.get(route.name)
        if entry is None:
            continue  # test_registry_covers_every_route_with_an_id fails for it
        for target in entry.targets:
            # The stranger is the same subject for every role; the others are each role's.
            keys = [
                ("stranger", ROLES[0]),
                *(("own_person", role) for role in OWN_PERSON),
                *(("foreign_child", role) for role in PARENT_IN_REACH),
            ]
            for scenario, role in keys:
                if applies(scenario, role, target):
                    label = route.name + (f"?{target.query}" if target.query else "")
                    subject = scenario if scenario == "stranger" else f"{scenario}:{role}"
                    yield pytest.param(route, entry, target, scenario, role, id=f"{label}|{subject}")


@pytest.mark.parametrize(("route", "entry", "target", "scenario", "role"), list(_witness_cases()))
def test_witnesses_reach_the_subjects(
    route: Route, entry: Entry, target: Target, scenario: str, role: str, world: World, db: Any
) -> None:
    """Someone who reaches the object gets past the lookup for the same path: not 404, and 405
    only where the route does not serve the method at all (the same answer for everyone).

    For a foreign child, the child is the stranger's (witnessed with the stranger); what is shown
    here is that the parent is the role's own: the role reaches it with one of its own children."""
    subject = world.subject("own_children" if scenario == "foreign_child" else scenario, role)
    witness = entry.witness(subject) if entry.witness else subject.witness
    kwargs = entry.witness_kwargs(subject) if entry.witness_kwargs else target.kwargs(subject)
    path = _path(route, kwargs, target.query)
    served = route.allowed_methods(entry) or frozenset()
    # Reads first, the delete last: every request runs in this test's savepoint, rolled back after.
    for method in ("OPTIONS", "HEAD", "GET", "PUT", "PATCH", "POST", "DELETE"):
        response = _send(world, witness, method, path)
        shown = f"{method} {path} as {witness.username}: {_show(response)}"
        if method in served:
            assert response.status_code not in (404, 405), shown
            assert response.status_code < 500, shown
        else:
            assert response.status_code == 405, shown


def test_missing_ids_do_not_exist(world: World, db: Any) -> None:
    models = {
        "person": ServiceUser,
        "unit": Unit,
        "representative": Representative,
        "mandate": Mandate,
        "consent": Consent,
        "plan": IndividualPlan,
        "working_copy": IndividualPlan,
        "goal": Goal,
        "participant": Participant,
        "measure": Measure,
        "old_version_plan": IndividualPlan,
        "case": Case,
        "home_visit": HomeVisit,
        "conversation": QualityConversation,
        "group": ResponsibilityGroup,
        "member": GroupMember,
        "meeting": Meeting,
        "delivery": Notification,
        "message": Notification,
    }
    assert set(models) | {"feed_token"} == ALL_SLOTS
    missing = world.subject("missing", SUPERUSER)
    for slot, model in models.items():
        assert not model.objects.filter(pk=getattr(missing, slot).pk).exists(), slot
    assert not CalendarFeedToken.objects.filter(key_hash=_hash(missing.feed_token or "")).exists()


def test_stranger_fills_every_slot(world: World, db: Any) -> None:
    stranger = world.subject("stranger", ROLES[0])
    assert stranger.filled() == ALL_SLOTS, sorted(ALL_SLOTS - stranger.filled())
    assert stranger.member.group_id == stranger.group.pk
    assert {stranger.goal.plan_id, stranger.participant.plan_id, stranger.measure.plan_id} == {
        stranger.working_copy.pk
    }
    assert stranger.old_version_plan.versions.filter(number__in=[1, 2]).count() == 2


def test_own_person_subjects_are_as_declared(world: World, db: Any) -> None:
    represents = set(
        Representative.objects.filter(user__username__in=ROLES).values_list("user__username", flat=True)
    )
    assert represents == set(OWN_PERSON), "every login that represents someone needs an OWN_PERSON entry"
    changed = {
        role: sorted(filled)
        for role, (_valid, slots) in OWN_PERSON.items()
        if (filled := world.subject("own_person", role).filled()) != slots
    }
    assert not changed, f"the demo now gives these slots: update OWN_PERSON: {changed}"


def test_foreign_children_are_the_strangers_under_parents_of_the_role(world: World, db: Any) -> None:
    stranger = world.subject("stranger", ROLES[0])
    for role in PARENT_IN_REACH:
        foreign, own = world.subject("foreign_child", role), world.subject("own_children", role)
        assert foreign.filled() == own.filled() == FOREIGN_CHILD_SLOTS
        assert foreign.working_copy.pk != stranger.working_copy.pk and foreign.group.pk != stranger.group.pk
        assert {own.goal.plan_id, own.participant.plan_id, own.measure.plan_id} == {own.working_copy.pk}
        assert own.member.group_id == own.group.pk


def test_roles_are_the_demo_logins(world: World, db: Any) -> None:
    assert set(world.users) == set(ROLES)
    assert {name for name, user in world.users.items() if user.is_superuser} == {SUPERUSER}
