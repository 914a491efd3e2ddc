"""Meeting booking at scale: the double-booking check, booking latency and a coordinator's list.

    .venv/bin/python benchmarks/meeting_booking.py [--groups 10000] [--meetings 100000] [--requests 100]

Builds (once; reused on later runs) responsibility groups and meetings on the scale data of
``seed_demo --scale`` (seeded if missing): 100 groups per scale unit led by the unit's coordinator,
with the unit's caseworker in every second group and its unit manager in every tenth, and
``meetings / groups`` meetings per group spread over two years (one back, one ahead) on weekdays,
1–2 hours long. Past meetings are mostly held with minutes approved, future ones mostly invited;
some are proposed or cancelled. Every booked meeting has active bookings for its staff members;
within a unit the meetings never overlap, so no staff member is double-booked (on PostgreSQL the
exclusion constraint would refuse it). The bulk rows are written with ``bulk_create`` and are not
audited; attendance, minutes and history rows are left out, as nothing measured here reads them.

Then, in-process (no network):
- the conflict check alone, ``responsibility_groups.services._conflict``, for the busiest
  coordinator at random working-hour times of the two years (most of them clash);
- booking latency: ``POST /api/v1/meetings/{id}/transitions/invite/`` through DRF's test client
  for new proposed meetings at free times (and, for comparison, at taken times: 409);
- the coordinator's meeting list, ``GET /api/v1/meetings/?page_size=50``.

It writes to the database it runs on (the meetings it books stay): use a benchmark database.
Target (issue 4): conflict check p95 <= 10 ms.
"""

from __future__ import annotations

import argparse
import datetime
import logging
import math
import os
import random
import statistics
import sys
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone
from rest_framework.test import APIClient

from casework.choices import ConsentGiver, StaffRole
from casework.demo.names import FIRST_NAMES, LAST_NAMES
from casework.demo.scale import PEOPLE_PER_UNIT, SCALE_MUNICIPALITY, scale_username
from casework.models import Consent, Representative, ServiceUser, StaffMembership, Unit
from casework.selectors import reach_for
from casework.system import system_actor
from responsibility_groups import services
from responsibility_groups.choices import BOOKED_STATES, MeetingState, MemberKind
from responsibility_groups.models import GroupMember, Meeting, MeetingBooking, ResponsibilityGroup

S = MeetingState
GROUPS_PER_UNIT = 100
BATCH = 2000
WINDOW_DAYS = 365  # meetings from a year back to a year ahead
# Three blocks a working day, 2.5 hours apart: a meeting starts 0–30 minutes into its block and
# lasts 1–2 hours, so meetings in different blocks never overlap.
BLOCKS = (datetime.time(8, 0), datetime.time(10, 30), datetime.time(13, 0))
# Free candidate times for new bookings: the blocks and the hour after them.
BOOKING_TIMES = (*BLOCKS, datetime.time(15, 30))
PAST_STATES = ((S.MINUTES_APPROVED, 75), (S.HELD, 5), (S.MINUTES_DRAFT, 5), (S.INVITED, 3), (S.CANCELLED, 12))
FUTURE_STATES = ((S.INVITED, 83), (S.PROPOSED, 7), (S.CANCELLED, 10))
ORGANISATIONS = (("NAV Skalakommune", "veileder", "nav"), ("Skala legesenter", "fastlege", "skalalege"))
BOOKING_PLACE = "Benchmark: booking"
URL = "/api/v1/meetings/?page_size=50"


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(0.95 * len(ordered)) - 1))]


def _ascii(text: str) -> str:
    return text.lower().replace("æ", "ae").replace("ø", "o").replace("å", "a").replace(" ", ".")


def _local(day: datetime.date, at: datetime.time) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, at))


def _weekdays(first: datetime.date, last: datetime.date) -> list[datetime.date]:
    days = (first + datetime.timedelta(days=n) for n in range((last - first).days))
    return [day for day in days if day.weekday() < 5]


# --- Bulk build ---------------------------------------------------------------------------------


def _scale_units(count: int) -> list[Unit]:
    people = ServiceUser.objects.filter(municipality__number=SCALE_MUNICIPALITY[1]).count()
    if people < count * PEOPLE_PER_UNIT:
        call_command("seed_demo", scale=count * PEOPLE_PER_UNIT)
    return list(
        Unit.objects.filter(service_area__municipality__number=SCALE_MUNICIPALITY[1]).order_by("name")[:count]
    )


def _staff_of(unit: Unit) -> dict[str, int]:
    rows = StaffMembership.objects.filter(unit=unit).values_list("role", "user_id")
    return dict(rows)


def _build_unit(
    unit: Unit, count: int, per_group: int, rng: random.Random, recorder: Any, now: datetime.datetime
) -> tuple[int, int, int]:
    """``count`` more groups (people of the unit without one) with ``per_group`` meetings each."""
    staff = _staff_of(unit)
    coordinator = staff[StaffRole.COORDINATOR]
    through = ServiceUser.units.through
    people = list(
        through.objects.filter(unit_id=unit.pk)
        .exclude(serviceuser_id__in=ResponsibilityGroup.objects.values("service_user_id"))
        .order_by("serviceuser_id")
        .values_list("serviceuser_id", flat=True)[:count]
    )
    reps: dict[int, Representative] = {}
    for rep in Representative.objects.filter(service_user_id__in=people).order_by("pk"):
        reps.setdefault(rep.service_user_id, rep)
    today = timezone.localdate(now)
    Consent.objects.bulk_create(
        [
            Consent(
                service_user_id=person,
                given_by=ConsentGiver.SERVICE_USER,
                covers_group_sharing=True,
                valid_from=today - datetime.timedelta(days=WINDOW_DAYS + 30),
                recorded_by=recorder,
                note="Samtykke til informasjonsdeling i ansvarsgruppen",
            )
            for person in people
        ],
        batch_size=BATCH,
    )
    groups = ResponsibilityGroup.objects.bulk_create(
        [
            ResponsibilityGroup(
                service_user_id=person, unit=unit, coordinator_id=coordinator, cadence_months=3
            )
            for person in people
        ],
        batch_size=BATCH,
    )
    members: list[GroupMember] = []
    booked_staff: dict[int, list[int]] = {}
    for position, group in enumerate(groups):
        users = [coordinator]
        members.append(GroupMember(group=group, kind=MemberKind.SERVICE_USER))
        members.append(
            GroupMember(group=group, kind=MemberKind.STAFF, user_id=coordinator, role="koordinator")
        )
        if position % 2 == 0:
            users.append(staff[StaffRole.CASEWORKER])
            members.append(
                GroupMember(group=group, kind=MemberKind.STAFF, user_id=users[-1], role="saksbehandler")
            )
        if position % 10 == 0:
            users.append(staff[StaffRole.UNIT_MANAGER])
            members.append(
                GroupMember(group=group, kind=MemberKind.STAFF, user_id=users[-1], role="enhetsleder")
            )
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        organisation, role, domain = rng.choice(ORGANISATIONS)
        members.append(
            GroupMember(
                group=group,
                kind=MemberKind.EXTERNAL,
                name=f"{first} {last}",
                organisation=organisation,
                role=role,
                email=f"{_ascii(first)}.{_ascii(last)}@{domain}.example",
                phone=f"4{rng.randrange(10_000_000):07d}",
            )
        )
        representative = reps.get(group.service_user_id)
        if representative is not None:
            members.append(
                GroupMember(
                    group=group,
                    kind=MemberKind.REPRESENTATIVE,
                    representative=representative,
                    role=representative.relation,
                )
            )
        booked_staff[group.pk] = users
    GroupMember.objects.bulk_create(members, batch_size=BATCH)

    # Non-overlapping slots for the whole unit: its coordinator is in every one of its meetings.
    slots = [
        (day, block)
        for day in _weekdays(
            today - datetime.timedelta(days=WINDOW_DAYS), today + datetime.timedelta(days=WINDOW_DAYS)
        )
        for block in BLOCKS
    ]
    wanted = len(groups) * per_group
    if wanted > len(slots) * 0.8:
        raise SystemExit(f"{wanted} meetings per unit do not fit into {len(slots)} slots; ask for fewer.")
    chosen = rng.sample(slots, wanted)
    meetings = []
    for index, (day, block) in enumerate(chosen):
        starts_at = _local(day, block) + datetime.timedelta(minutes=rng.choice((0, 15, 30)))
        ends_at = starts_at + datetime.timedelta(minutes=rng.choice((60, 90, 120)))
        past = ends_at < now
        states, weights = zip(*(PAST_STATES if past else FUTURE_STATES), strict=True)
        state = rng.choices(states, weights)[0]
        meetings.append(
            Meeting(
                group=groups[index // per_group],
                state=state,
                state_changed_at=min(now, ends_at) if state != S.PROPOSED else now,
                starts_at=starts_at,
                ends_at=ends_at,
                place=f"{unit.name}, møterom {rng.randrange(1, 5)}",
                sequence=1 if state == S.CANCELLED else 0,
                cancel_reason="Koordinator syk" if state == S.CANCELLED else "",
            )
        )
    meetings = Meeting.objects.bulk_create(meetings, batch_size=BATCH)
    bookings = [
        MeetingBooking(
            meeting=meeting,
            user_id=user,
            starts_at=meeting.starts_at,
            ends_at=meeting.ends_at,
            active=meeting.state != S.CANCELLED,
        )
        for meeting in meetings
        if meeting.state in BOOKED_STATES or meeting.state == S.CANCELLED
        for user in booked_staff[meeting.group_id]
    ]
    MeetingBooking.objects.bulk_create(bookings, batch_size=BATCH)
    return len(groups), len(meetings), len(bookings)


def build(groups: int, meetings: int, progress: Callable[[str], None]) -> str:
    """Make sure ``groups`` groups with about ``meetings`` meetings exist; what was done."""
    unit_count = math.ceil(groups / GROUPS_PER_UNIT)
    units = _scale_units(unit_count)
    per_group = max(1, meetings // groups)
    rng = random.Random(4)
    recorder = system_actor()  # synthetic bulk data: no person recorded these consents
    now = timezone.now()
    started = time.monotonic()
    made = [0, 0, 0]
    for index, unit in enumerate(units):
        target = min(GROUPS_PER_UNIT, groups - index * GROUPS_PER_UNIT)
        existing = ResponsibilityGroup.objects.filter(unit=unit).count()
        if existing >= target:
            continue
        with transaction.atomic():
            counts = _build_unit(unit, target - existing, per_group, rng, recorder, now)
        made = [a + b for a, b in zip(made, counts, strict=True)]
        if (index + 1) % 10 == 0 or index + 1 == len(units):
            progress(f"  built unit {index + 1}/{len(units)} ({made[0]} groups, {made[1]} meetings so far)")
    if not made[0]:
        return "bulk data reused"
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return (
        f"bulk build: {made[0]} groups, {made[1]} meetings, {made[2]} bookings "
        f"in {time.monotonic() - started:.1f} s"
    )


# --- Measurements ---------------------------------------------------------------------------


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


def _group_users(group: ResponsibilityGroup) -> set[int]:
    staff = group.members.filter(is_active=True, kind=MemberKind.STAFF, user__isnull=False)
    return set(staff.values_list("user_id", flat=True)) | {group.coordinator_id}


def measure_conflicts(
    group: ResponsibilityGroup, checks: int, rng: random.Random
) -> tuple[list[float], int, int]:
    """Timings of ``_conflict`` at random working-hour times; queries per check; clashes found."""
    users = _group_users(group)
    meeting = group.meetings.order_by("pk").first()
    assert meeting is not None
    today = timezone.localdate()
    days = _weekdays(
        today - datetime.timedelta(days=WINDOW_DAYS), today + datetime.timedelta(days=WINDOW_DAYS)
    )
    probes = []
    for _ in range(checks):
        minutes = rng.randrange(8 * 60, 15 * 60, 15)
        starts_at = _local(rng.choice(days), datetime.time(minutes // 60, minutes % 60))
        probes.append((starts_at, starts_at + datetime.timedelta(minutes=rng.choice((60, 90, 120)))))
    for starts_at, ends_at in probes[:20]:  # warm up
        services._conflict(users, starts_at, ends_at, meeting)
    timings, clashes = [], 0
    with Queries() as queries:
        for starts_at, ends_at in probes:
            started = time.perf_counter()
            found = services._conflict(users, starts_at, ends_at, meeting)
            timings.append((time.perf_counter() - started) * 1000)
            clashes += found is not None
    return timings, math.ceil(len(queries.executed) / checks), clashes


def _free_times(
    users: set[int], count: int, length: datetime.timedelta
) -> list[tuple[datetime.datetime, datetime.datetime]]:
    """``count`` times from tomorrow on at which none of ``users`` has an active booking."""
    start = _local(timezone.localdate() + datetime.timedelta(days=1), datetime.time(0, 0))
    busy = list(
        MeetingBooking.objects.filter(user_id__in=users, active=True, ends_at__gt=start).values_list(
            "starts_at", "ends_at"
        )
    )
    found: list[tuple[datetime.datetime, datetime.datetime]] = []
    day = start.date()
    while len(found) < count:
        if day.weekday() < 5:
            for at in BOOKING_TIMES:
                starts_at = _local(day, at)
                ends_at = starts_at + length
                if not any(b_start < ends_at and b_end > starts_at for b_start, b_end in busy):
                    found.append((starts_at, ends_at))
                    busy.append((starts_at, ends_at))
        day += datetime.timedelta(days=1)
    return found[:count]


def _taken_times(users: set[int], count: int) -> list[tuple[datetime.datetime, datetime.datetime]]:
    """``count`` future times that clash with an active booking of one of ``users``."""
    rows = MeetingBooking.objects.filter(
        user_id__in=users, active=True, starts_at__gt=timezone.now() + datetime.timedelta(days=1)
    ).order_by("starts_at")[:count]
    return [(row.starts_at + datetime.timedelta(minutes=15), row.ends_at) for row in rows]


def _proposed(
    reach: Any,
    groups: list[ResponsibilityGroup],
    times: Iterable[tuple[datetime.datetime, datetime.datetime]],
) -> list[Meeting]:
    return [
        services.meeting_create(
            reach=reach,
            group=groups[index % len(groups)],
            starts_at=starts_at,
            ends_at=ends_at,
            place=BOOKING_PLACE,
            agenda=["Status siden sist"],
        )
        for index, (starts_at, ends_at) in enumerate(times)
    ]


def _post(client: APIClient, meeting: Meeting, expected: int) -> tuple[float, int]:
    with Queries() as queries:
        started = time.perf_counter()
        response = client.post(f"/api/v1/meetings/{meeting.pk}/transitions/invite/", {}, format="json")
        elapsed = (time.perf_counter() - started) * 1000
    assert response.status_code == expected, response.content
    return elapsed, len(queries.executed)


def measure_bookings(
    client: APIClient, reach: Any, groups: list[ResponsibilityGroup], requests: int
) -> dict[str, tuple[list[float], int]]:
    users = set().union(*(_group_users(group) for group in groups))
    free = _proposed(reach, groups, _free_times(users, requests + 5, datetime.timedelta(hours=1)))
    taken = _proposed(reach, groups, _taken_times(users, max(10, requests // 5)))
    for meeting in free[:5]:  # warm up
        _post(client, meeting, 200)
    results: dict[str, tuple[list[float], int]] = {}
    for label, meetings, expected in (("invite (free)", free[5:], 200), ("invite (409)", taken, 409)):
        timings, query_count = [], 0
        for meeting in meetings:
            elapsed, query_count = _post(client, meeting, expected)
            timings.append(elapsed)
        results[label] = (timings, query_count)
    return results


def measure_list(client: APIClient, requests: int) -> tuple[list[float], int, int]:
    for _ in range(10):  # warm up
        assert client.get(URL).status_code == 200
    with Queries() as queries:
        response = client.get(URL)
    assert response.status_code == 200, response.content
    timings = []
    for _ in range(requests):
        started = time.perf_counter()
        response = client.get(URL)
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
    return timings, len(queries.executed), response.json()["count"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--groups", type=int, default=10_000)
    parser.add_argument("--meetings", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=100, help="bookings and list requests")
    parser.add_argument("--checks", type=int, default=1000, help="conflict checks")
    args = parser.parse_args()
    logging.getLogger("django.request").setLevel(logging.ERROR)  # the 409s are expected

    built = build(args.groups, args.meetings, progress=lambda line: print(line, flush=True))
    coordinator = get_user_model().objects.get(username=scale_username(StaffRole.COORDINATOR, 0))
    groups = list(
        ResponsibilityGroup.objects.filter(coordinator=coordinator, is_active=True).order_by("pk")[:10]
    )
    busiest = next(group for group in groups if len(_group_users(group)) > 1)  # with the caseworker too
    rng = random.Random(11)
    conflict_timings, conflict_queries, clashes = measure_conflicts(busiest, args.checks, rng)
    client = APIClient()
    client.force_authenticate(coordinator)
    bookings = measure_bookings(client, reach_for(coordinator), groups, args.requests)
    list_timings, list_queries, rows_seen = measure_list(client, args.requests)

    active = MeetingBooking.objects.filter(active=True)
    staff_booked = active.values("user_id").distinct().count()
    print(
        f"meeting booking in-process, database={connection.vendor}, "
        f"{ResponsibilityGroup.objects.count()} groups, {Meeting.objects.count()} meetings, "
        f"{active.count()} active bookings of {staff_booked} staff members; {built}"
    )
    print(
        f"coordinator {coordinator.username}: {active.filter(user=coordinator).count()} active bookings, "
        f"{rows_seen} meetings in the list; conflict checks for {len(_group_users(busiest))} staff members, "
        f"{clashes} of {args.checks} random times clash"
    )
    print(f"{'measure':<22} {'runs':>6} {'median ms':>10} {'p95 ms':>8} {'queries':>8}")
    rows = [
        ("conflict check", conflict_timings, conflict_queries),
        *((label, timings, count) for label, (timings, count) in bookings.items()),
        ("meeting list (50)", list_timings, list_queries),
    ]
    for label, timings, count in rows:
        median, p95 = statistics.median(timings), _p95(timings)
        print(f"{label:<22} {len(timings):>6} {median:>10.2f} {p95:>8.2f} {count:>8}")
    print(f"conflict check: p95 {_p95(conflict_timings):.2f} ms (target <= 10 ms)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
