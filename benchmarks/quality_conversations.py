"""Yearly quality-conversation generation and the four casework indicators at scale.

    .venv/bin/python benchmarks/quality_conversations.py [--people 100000] [--runs 10]

On the scale data of ``seed_demo --scale`` (seeded if missing):
- ``quality_conversations_generate`` for the scale municipality ("Skalakommune") for a year not yet
  generated, then a second run for the same year (which creates nothing). Generated rows are never
  deleted (the workflow tables keep their history), so each run picks a fresh year number:
  3000 + the number of distinct years already generated; ``on`` is today (mandates and consents are
  checked on that date);
- the four indicator selectors of ``casework.indicators`` for all units over the last 12 months
  (decisions) and this year (conversations), as a superuser, with their query counts.

For the indicators it builds once (reused on later runs), with ``bulk_create`` and not audited: one
case per scale person received over the last 13 months, about 85 % of those older than a week
decided 3–50 days after receipt (with a decision), most of them after a completed home visit, some
after a missed one or with a recorded reason for none; undecided cases have a planned or scheduled
visit or none. States are set in the constructors (the FSM field refuses assignment only after
creation). This year's conversations of the scale municipality are generated and about 70 % of those
with a representative marked offered (a tenth of them declined), 40 % held and documented.

It writes to the database it runs on: use a benchmark database.
Targets (issue 5): generation <= 30 s, second run <= 10 s, each indicator <= 1 s (PostgreSQL).
"""

from __future__ import annotations

import argparse
import datetime
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

from dateutil.relativedelta import relativedelta
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone

from cases import indicators as case_indicators
from cases.choices import CaseState, DecisionOutcome, HomeVisitMissReason
from cases.models import Case, Decision, HomeVisit
from casework import indicators
from casework.choices import StaffRole
from casework.demo.scale import SCALE_MUNICIPALITY
from casework.models import (
    Municipality,
    ServiceUser,
    StaffMembership,
)
from casework.selectors import reach_for
from quality_conversations import indicators as conversation_indicators
from quality_conversations.choices import ConversationState
from quality_conversations.models import QualityConversation
from quality_conversations.services import quality_conversations_generate

BATCH = 2000
SERVICES = (
    "Praktisk bistand i hjemmet",
    "Støttekontakt",
    "Avlastning",
    "Dagaktivitetstilbud",
    "Omsorgsbolig",
)
BENCH_SERVICE_SUFFIX = " (benchmark)"
TARGETS = {"generation": 30.0, "second run": 10.0, "indicator": 1.0}


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(0.95 * len(ordered)) - 1))]


class Queries:
    """Counts the SQL statements run inside ``with``."""

    def __init__(self) -> None:
        self.executed: list[str] = []

    def __call__(self, execute: Any, sql: str, *rest: Any) -> Any:
        self.executed.append(sql)
        return execute(sql, *rest)

    def __enter__(self) -> Queries:
        self.executed = []
        self._wrapper = connection.execute_wrapper(self)
        self._wrapper.__enter__()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._wrapper.__exit__(*exc)


# --- Bulk build ---------------------------------------------------------------------------------


def _municipality(people: int) -> Municipality:
    count = ServiceUser.objects.filter(municipality__number=SCALE_MUNICIPALITY[1]).count()
    if count < people:
        call_command("seed_demo", scale=people)
    return Municipality.objects.get(number=SCALE_MUNICIPALITY[1])


def _aware(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def build_cases(municipality: Municipality, progress: Callable[[str], None]) -> str:
    """One case per scale person (with decisions and home visits), unless already there."""
    through = ServiceUser.units.through
    links = dict(
        through.objects.filter(serviceuser__municipality=municipality)
        .order_by("-unit_id")
        .values_list("serviceuser_id", "unit_id")
    )  # the first unit (lowest id) wins
    have = set(
        Case.objects.filter(service_user__municipality=municipality).values_list("service_user_id", flat=True)
    )
    todo = sorted(set(links) - have)
    if not todo:
        return "cases reused"
    caseworkers = dict(
        StaffMembership.objects.filter(
            unit_id__in=set(links.values()), role=StaffRole.CASEWORKER
        ).values_list("unit_id", "user_id")
    )
    fallback = (
        get_user_model().objects.filter(is_superuser=True).order_by("pk").values_list("pk", flat=True)[0]
    )
    rng = random.Random(5)
    now = timezone.now()
    today = timezone.localdate(now)
    started = time.monotonic()
    made = [0, 0, 0]
    for offset in range(0, len(todo), BATCH):
        chunk = todo[offset : offset + BATCH]
        cases, plans = [], []
        for person in chunk:
            received = today - datetime.timedelta(days=rng.randrange(0, 395))
            due = received + relativedelta(months=1)
            decided_at = None
            if (today - received).days > 7 and rng.random() < 0.85:
                decided_day = min(received + datetime.timedelta(days=rng.randrange(3, 51)), today)
                decided_at = min(_aware(decided_day, rng.randrange(8, 16), rng.randrange(60)), now)
            roll = rng.random()
            if decided_at is not None:
                visit = "completed" if roll < 0.75 else "not_completed" if roll < 0.85 else None
                state = CaseState.DECIDED if rng.random() < 0.9 else CaseState.CLOSED
            else:
                visit = "planned" if roll < 0.5 else "scheduled" if roll < 0.8 else None
                state = CaseState.RECEIVED if (today - received).days < 3 else CaseState.UNDER_ASSESSMENT
            cases.append(
                Case(
                    service_user_id=person,
                    unit_id=links[person],
                    service_applied_for=rng.choice(SERVICES) + BENCH_SERVICE_SUFFIX,
                    received_on=received,
                    reply_due_on=due,
                    state=state,
                    state_changed_at=decided_at or now,
                    decided_at=decided_at,
                    no_visit_reason=(
                        "Kjent fra tidligere sak." if decided_at is not None and visit != "completed" else ""
                    ),
                    provisional_reply_sent_on=(
                        due if decided_at is None and due < today and rng.random() < 0.5 else None
                    ),
                )
            )
            plans.append((visit, decided_at, received))
        with transaction.atomic():
            cases = Case.objects.bulk_create(cases, batch_size=BATCH)
            decisions, visits = [], []
            for case, (visit, decided_at, received) in zip(cases, plans, strict=True):
                if decided_at is not None:
                    decisions.append(
                        Decision(
                            case=case,
                            outcome=rng.choice(list(DecisionOutcome.values)),
                            services=case.service_applied_for,
                            reasons="Benchmark",
                            complaint_information="Klagefrist tre uker.",
                            complaint_deadline=timezone.localdate(decided_at) + datetime.timedelta(weeks=3),
                            decided_by_id=caseworkers.get(case.unit_id, fallback),
                        )
                    )
                if visit is not None:
                    visit_day = received + datetime.timedelta(days=2)
                    visits.append(
                        HomeVisit(
                            case=case,
                            state=visit,
                            scheduled_for=_aware(visit_day, 10) if visit != "planned" else None,
                            findings="Benchmark" if visit == "completed" else "",
                            wishes="Benchmark" if visit == "completed" else "",
                            miss_reason=HomeVisitMissReason.NOT_AT_HOME if visit == "not_completed" else "",
                        )
                    )
            Decision.objects.bulk_create(decisions, batch_size=BATCH)
            HomeVisit.objects.bulk_create(visits, batch_size=BATCH)
        made = [made[0] + len(cases), made[1] + len(decisions), made[2] + len(visits)]
        if (offset // BATCH + 1) % 10 == 0:
            progress(f"  cases: {made[0]}/{len(todo)}")
    _analyze()
    return (
        f"bulk build: {made[0]} cases, {made[1]} decisions, {made[2]} home visits "
        f"in {time.monotonic() - started:.1f} s"
    )


def build_conversations(municipality: Municipality, year: int) -> str:
    """This year's conversations of the scale municipality, some offered, declined, held."""
    quality_conversations_generate(municipality=municipality, year=year)
    rows = QualityConversation.objects.filter(
        service_user__municipality=municipality, year=year, representative__isnull=False
    )
    if rows.exclude(state=ConversationState.DUE).exists():
        return "conversations reused"
    pks = list(rows.order_by("pk").values_list("pk", flat=True))
    now = timezone.now()
    today = timezone.localdate(now)
    groups: dict[str, list[int]] = {"documented": [], "declined": [], "offered": []}
    for index, pk in enumerate(pks):
        slot = index % 100
        if slot < 40:
            groups["documented"].append(pk)
        elif slot < 47:
            groups["declined"].append(pk)
        elif slot < 70:
            groups["offered"].append(pk)
    with transaction.atomic():
        for state, members in groups.items():
            for offset in range(0, len(members), BATCH):
                QualityConversation.objects.filter(pk__in=members[offset : offset + BATCH]).update(
                    state=state,
                    state_changed_at=now,
                    offered_at=now,
                    held_on=today if state == "documented" else None,
                    summary="Benchmark" if state == "documented" else "",
                )
    _analyze()
    return f"{len(pks)} conversations with a representative, " + ", ".join(
        f"{len(v)} {k}" for k, v in groups.items()
    )


def _analyze() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


# --- Measurements ---------------------------------------------------------------------------


def measure_generation(municipality: Municipality) -> list[tuple[str, float, int, str]]:
    generated = QualityConversation.objects.values("year").distinct().count()
    year = 3000 + generated
    while QualityConversation.objects.filter(year=year).exists():  # never "already there"
        year += 1
    today = timezone.localdate()
    results = []
    for label in ("generation", "second run"):
        with Queries() as queries:
            started = time.perf_counter()
            result = quality_conversations_generate(municipality=municipality, year=year, on=today)
            elapsed = time.perf_counter() - started
        results.append(
            (
                f"{label} ({year})",
                elapsed,
                len(queries.executed),
                f"{result.created} created, {result.not_applicable} n/a, {result.total} in all",
            )
        )
    return results


def measure_indicators(runs: int) -> list[tuple[str, list[float], int, str]]:
    admin = get_user_model().objects.filter(is_superuser=True).order_by("pk").first()
    assert admin is not None
    reach = reach_for(admin)
    today = timezone.localdate()
    start, end = today - relativedelta(months=12), today + datetime.timedelta(days=1)
    calls: list[tuple[str, Callable[[], dict[int, indicators.Share]]]] = [
        (
            "after home visit",
            lambda: case_indicators.decisions_after_home_visit(reach=reach, start=start, end=end),
        ),
        (
            "within a month",
            lambda: case_indicators.decisions_within_a_month(reach=reach, start=start, end=end),
        ),
        (
            "conversations offered",
            lambda: conversation_indicators.conversations_offered(reach=reach, year=today.year),
        ),
        (
            "conversations held",
            lambda: conversation_indicators.conversations_held(reach=reach, year=today.year),
        ),
    ]
    results = []
    for label, call in calls:
        call()  # warm up
        timings = []
        with Queries() as queries:
            for _ in range(runs):
                started = time.perf_counter()
                shares = call()
                timings.append(time.perf_counter() - started)
        numerator = sum(s.numerator for s in shares.values())
        denominator = sum(s.denominator for s in shares.values())
        results.append(
            (label, timings, len(queries.executed) // runs, f"{len(shares)} units, {numerator}/{denominator}")
        )
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=10, help="runs per indicator")
    args = parser.parse_args()

    def progress(line: str) -> None:
        print(line, flush=True)

    municipality = _municipality(args.people)
    people = ServiceUser.objects.filter(municipality=municipality).count()
    generation = measure_generation(municipality)
    built = build_cases(municipality, progress)
    conversations = build_conversations(municipality, timezone.localdate().year)
    indicator_rows = measure_indicators(args.runs)

    print(
        f"quality conversations and indicators, database={connection.vendor}, {people} people in "
        f"{SCALE_MUNICIPALITY[0]}; {Case.objects.count()} cases, {Decision.objects.count()} decisions, "
        f"{HomeVisit.objects.count()} home visits, {QualityConversation.objects.count()} conversations "
        f"in all; {built}; {conversations}"
    )
    print(f"{'measure':<26} {'runs':>5} {'median s':>9} {'p95 s':>8} {'queries':>8}  result")
    for label, elapsed, count, note in generation:
        print(f"{label:<26} {1:>5} {elapsed:>9.3f} {elapsed:>8.3f} {count:>8}  {note}")
    for label, timings, count, note in indicator_rows:
        median, p95 = statistics.median(timings), _p95(timings)
        print(f"{label:<26} {len(timings):>5} {median:>9.3f} {p95:>8.3f} {count:>8}  {note}")
    first, second = generation[0][1], generation[1][1]
    worst = max(_p95(timings) for _label, timings, _count, _note in indicator_rows)
    print(
        f"targets: generation {first:.2f} s (<= {TARGETS['generation']:.0f} s), second run {second:.2f} s "
        f"(<= {TARGETS['second run']:.0f} s), slowest indicator p95 {worst:.3f} s "
        f"(<= {TARGETS['indicator']:.0f} s each, on PostgreSQL)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
