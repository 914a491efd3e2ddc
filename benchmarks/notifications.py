"""Notification delivery: dispatcher throughput, fan-out cost, and latency from commit to delivered.

    .venv/bin/python benchmarks/notifications.py [--rows 5000] [--samples 200] [--spacing-ms 20]

Builds its own data in its own database, which it creates, migrates and drops again:
- no ``DATABASE_URL``: a SQLite file in a temporary folder;
- ``DATABASE_URL=sqlite:////tmp/bench-notifications.sqlite3`` or
  ``DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_notifications``: that database, recreated
  (refused unless its name contains "bench", so that it never drops a real one).
The broker is ``CELERY_BROKER_URL`` (e.g. ``redis://127.0.0.1:6379/5``) or, unset, the filesystem
broker of the settings, in a private temporary var folder (``MEDVIRK_VAR_DIR``) that is removed after.

A. In-process, Django's locmem email backend and the memory SMS backend: ``--rows`` pending email
   rows of ``meeting_invited`` (subject and body rendered once with ``render_message``) are sent with
   ``notifications.dispatch.deliver`` in batches of 100, as ``notifications.deliver`` tasks do; once
   with the meeting's .ics attachment (built per message, as in production) and once without.
   Then the fan-out step, ``delivery.create_notifications`` for a meeting with 10 recipients.
B. A real worker (``celery -A config worker --queues default,heavy --concurrency 2``) sends email
   to an SMTP server (aiosmtpd) in this process, which notes the arrival time of each Message-ID.
   ``--samples`` times, ``--spacing-ms`` apart, a meeting is invited through
   ``responsibility_groups.services.meeting_transition`` in a transaction; the commit time is taken
   by an on-commit callback registered first. Latency = arrival at the SMTP server - commit.

Targets (issue 6): latency p95 <= 2 s with a running worker; dispatcher >= 500 notifications/s.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import email
import email.policy
import functools
import logging
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("LOG_LEVEL", "WARNING")  # one INFO line per message would drown the figures


def _parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rows", type=int, default=5000, help="email rows per throughput run")
    parser.add_argument("--fanouts", type=int, default=100, help="fan-outs of the 10-recipient meeting")
    parser.add_argument("--samples", type=int, default=200, help="invitations timed with the worker")
    parser.add_argument("--spacing-ms", type=float, default=20.0, help="pause between two commits")
    parser.add_argument("--emails", type=int, default=4, help="email recipients per timed invitation")
    parser.add_argument("--wait", type=float, default=180.0, help="seconds to wait for the last arrivals")
    parser.add_argument("--keep", action="store_true", help="keep the database and the var folder")
    return parser.parse_args()


# --- Its own database and var folder (before Django is set up) ---------------------------------


class Workspace:
    """The benchmark's database and var folder: made at the start, removed at the end."""

    def __init__(self, keep: bool) -> None:
        self.keep = keep
        parent = os.environ.get("MEDVIRK_VAR_DIR") or None
        if parent:
            Path(parent).mkdir(parents=True, exist_ok=True)
        self.var_dir = Path(tempfile.mkdtemp(prefix="bench-notifications-", dir=parent))
        os.environ["MEDVIRK_VAR_DIR"] = str(self.var_dir)
        url = os.environ.get("DATABASE_URL", "")
        if not url:
            url = f"sqlite:///{self.var_dir / 'bench.sqlite3'}"
            os.environ["DATABASE_URL"] = url
        self.url = url
        parts = urlsplit(url)
        self.engine = "sqlite" if parts.scheme.startswith("sqlite") else "postgresql"
        self.name = parts.path.lstrip("/") if self.engine == "postgresql" else parts.path
        if self.engine == "postgresql" and not parts.scheme.startswith("postgres"):
            raise SystemExit(f"unsupported database {parts.scheme!r}: use sqlite:// or postgres://")
        if "bench" not in Path(self.name).name and not self.name.startswith(str(self.var_dir)):
            raise SystemExit(
                f"refusing to recreate {self.name!r}: the benchmark database's name needs 'bench'"
            )
        self._recreate()

    def _admin(self) -> Any:
        import psycopg

        # The server's maintenance database, to create and drop the benchmark's own.
        return psycopg.connect(urlsplit(self.url)._replace(path="/postgres").geturl(), autocommit=True)

    def _recreate(self) -> None:
        if self.engine == "sqlite":
            self._remove_sqlite()
            return
        from psycopg import sql

        with self._admin() as connection:
            connection.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(self.name))
            )
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(self.name)))

    def _remove_sqlite(self) -> None:
        for suffix in ("", "-wal", "-shm"):
            Path(self.name + suffix).unlink(missing_ok=True)

    def remove(self) -> None:
        if self.keep:
            print(f"kept: database {self.url}, var folder {self.var_dir}")
            return
        from django.db import connections

        connections.close_all()
        if self.engine == "sqlite":
            self._remove_sqlite()
        else:
            from psycopg import sql

            with self._admin() as connection:
                connection.execute(
                    sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(self.name))
                )
        shutil.rmtree(self.var_dir, ignore_errors=True)


ARGS = _parse_args() if __name__ == "__main__" else argparse.Namespace()
WORKSPACE = Workspace(keep=ARGS.keep) if __name__ == "__main__" else None

import django

django.setup()
logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd logs every SMTP command

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import override_settings
from django.utils import timezone

from casework.choices import ConsentGiver, RepresentativeKind, StaffRole
from casework.demo.national_ids import national_id_for
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
from config.celery import app as celery_app
from notifications import delivery, dispatch
from notifications.catalogue import ICS_REQUEST, meeting_context, message_for
from notifications.choices import Channel, DeliveryStatus
from notifications.models import Notification, OutboxEvent
from notifications.rendering import render_message
from notifications.sms import MemorySmsBackend
from responsibility_groups import services as group_services
from responsibility_groups.choices import MemberKind
from responsibility_groups.models import Meeting, ResponsibilityGroup

BATCH = 100  # as notifications.tasks.BATCH
QUEUES = ("default", "heavy")


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(0.95 * len(ordered)) - 1))]


# --- Data ------------------------------------------------------------------------------------------


class World:
    """A unit with a coordinator; responsibility groups built through the services."""

    def __init__(self) -> None:
        municipality = Municipality.objects.create(name="Benchvik kommune", number="4897")
        area = ServiceArea.objects.create(municipality=municipality, name="Helse og omsorg")
        self.unit = Unit.objects.create(service_area=area, name="Bo- og aktivitetstilbud Benchvik")
        self.municipality = municipality
        self.coordinator = self._staff("koordinator", "Kari", "Koordinator")
        self.reach = reach_for(self.coordinator)
        self._people = 0

    def _staff(self, username: str, first: str, last: str) -> Any:
        user = get_user_model().objects.create_user(
            username=username, email=f"{username}@benchvik.kommune.no", first_name=first, last_name=last
        )
        StaffMembership.objects.create(user=user, unit=self.unit, role=StaffRole.CASEWORKER)
        return user

    def _person(self) -> ServiceUser:
        while True:
            self._people += 1
            born = datetime.date(1960, 1, 1) + datetime.timedelta(days=self._people * 41)
            national_id = national_id_for(born, 100 + self._people)
            if national_id:
                break
        person = ServiceUser.objects.create(
            municipality=self.municipality,
            first_name="Åse",
            last_name=f"Benchmark{self._people}",
            date_of_birth=born,
            national_id=national_id,
            phone="99887766",
        )
        person.units.set([self.unit])
        today = timezone.localdate()
        Consent.objects.create(
            service_user=person,
            given_by=ConsentGiver.SERVICE_USER,
            covers_group_sharing=True,
            valid_from=today - datetime.timedelta(days=30),
            recorded_by=self.coordinator,
        )
        return person

    def group(self, *, staff: int, externals: int) -> ResponsibilityGroup:
        """A group of a new person: the person (SMS), ``staff`` staff members and ``externals``
        professionals by email, and a guardian with a login (email and inbox)."""
        person = self._person()
        group = group_services.group_create(
            reach=self.reach, service_user=person, unit=self.unit, coordinator=self.coordinator
        )
        tag = f"p{person.pk}"
        for n in range(staff):
            user = self._staff(f"{tag}-ansatt{n}", "Hege", f"Ansatt{n}")
            group_services.member_add(reach=self.reach, group=group, kind=MemberKind.STAFF, user=user)
        for n in range(externals):
            group_services.member_add(
                reach=self.reach,
                group=group,
                kind=MemberKind.EXTERNAL,
                name=f"Lege {n}",
                organisation="Sentrum legesenter",
                email=f"{tag}-lege{n}@legesenter.no",
            )
        login = get_user_model().objects.create_user(username=f"{tag}-verge")
        guardian = Representative.objects.create(
            service_user=person,
            kind=RepresentativeKind.GUARDIAN,
            first_name="Vera",
            last_name="Verge",
            relation="oppnevnt verge",
            email=f"{tag}-verge@example.org",
            user=login,
        )
        Mandate.objects.create(
            representative=guardian,
            covers_personal=True,
            valid_from=timezone.localdate() - datetime.timedelta(days=365),
            certificate_reference=f"VM-B-{person.pk}",
        )
        group_services.member_add(
            reach=self.reach, group=group, kind=MemberKind.REPRESENTATIVE, representative=guardian
        )
        return group

    def meetings(self, group: ResponsibilityGroup, count: int, *, first_day: int) -> list[Meeting]:
        """Proposed meetings an hour long, two hours apart, so that no one is double-booked."""
        start = (timezone.now() + datetime.timedelta(days=first_day)).replace(
            minute=0, second=0, microsecond=0
        )
        return [
            group_services.meeting_create(
                reach=self.reach,
                group=group,
                starts_at=start + datetime.timedelta(hours=2 * n),
                ends_at=start + datetime.timedelta(hours=2 * n + 1),
                place="Rådhuset, møterom 2",
                agenda=["Status siden sist"],
            )
            for n in range(count)
        ]

    def invite(self, meeting: Meeting) -> Meeting:
        invited: Meeting = group_services.meeting_transition(reach=self.reach, meeting=meeting, name="invite")
        return invited


# --- A. Throughput ---------------------------------------------------------------------------------


def _pending_rows(meeting: Meeting, count: int, *, tag: str, with_ics: bool) -> list[int]:
    text = render_message("meeting_invited", "nb", meeting_context(meeting))
    now = timezone.now()
    rows = [
        Notification(
            key=f"bench-{tag}-{n}:email",
            kind="meeting_invited",
            channel=Channel.EMAIL,
            status=DeliveryStatus.PENDING,
            object_type="responsibility_groups.meeting",
            object_id=str(meeting.pk),
            service_user_id=meeting.group.service_user_id,
            recipient_name=f"Mottaker {n}",
            address=f"mottaker{n}@example.org",
            language=text.language,
            subject=text.subject,
            body=text.body,
            attachments=[dict(ICS_REQUEST)] if with_ics else [],
            next_attempt_at=now,
        )
        for n in range(count)
    ]
    created = Notification.objects.bulk_create(rows, batch_size=1000)
    return [row.pk for row in created]


def _throughput(meeting: Meeting, count: int, *, with_ics: bool) -> tuple[float, float]:
    """Notifications per second through ``deliver`` in batches of 100, and queries per notification."""
    ids = _pending_rows(meeting, count, tag="ics" if with_ics else "plain", with_ics=with_ics)
    mail.outbox = []
    queries = 0

    def counting(execute: Any, sql: str, *rest: Any) -> Any:
        nonlocal queries
        queries += 1
        return execute(sql, *rest)

    started = time.perf_counter()
    with connection.execute_wrapper(counting):
        for start in range(0, len(ids), BATCH):
            dispatch.deliver(ids[start : start + BATCH])
    elapsed = time.perf_counter() - started
    delivered = Notification.objects.filter(pk__in=ids, status=DeliveryStatus.DELIVERED).count()
    assert delivered == len(ids) == len(mail.outbox), (delivered, len(ids), len(mail.outbox))
    return len(ids) / elapsed, queries / len(ids)


def _fan_out_cost(meeting: Meeting, runs: int) -> tuple[int, int, float, float]:
    """Rows per fan-out, recipients, median ms per fan-out, ms per notification row."""
    message = message_for("meeting_invited")
    recipients = len(message.recipients(meeting))
    per_run: list[float] = []
    before = Notification.objects.count()
    for n in range(runs):
        started = time.perf_counter()
        with transaction.atomic():
            delivery.create_notifications(message=message, obj=meeting, key=f"bench-fanout-{n}")
        per_run.append(time.perf_counter() - started)
    rows = (Notification.objects.count() - before) // runs
    median = statistics.median(per_run)
    return rows, recipients, median * 1000, median * 1000 / rows


def part_a(world: World, args: argparse.Namespace) -> list[str]:
    with override_settings(
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        SMS_BACKEND="notifications.sms.MemorySmsBackend",
        SMS_QUIET_HOURS=(0, 0),
    ):
        celery_app.conf.task_always_eager = True  # the set-up's own invitation is sent right here
        try:
            group = world.group(staff=5, externals=3)
            [meeting] = world.meetings(group, 1, first_day=1)
            with transaction.atomic():
                meeting = world.invite(meeting)
        finally:
            celery_app.conf.task_always_eager = False
        meeting = Meeting.objects.select_related("group__unit").get(pk=meeting.pk)
        with_ics, queries_ics = _throughput(meeting, args.rows, with_ics=True)
        plain, queries_plain = _throughput(meeting, args.rows, with_ics=False)
        rows, recipients, per_fan_out, per_row = _fan_out_cost(meeting, args.fanouts)
        MemorySmsBackend.outbox.clear()
        mail.outbox = []
    return [
        "A. dispatcher throughput, in-process, locmem email backend, deliver() in batches of 100",
        f"   meeting_invited with .ics  {args.rows:>6} rows  {with_ics:>7.0f} notifications/s"
        f"  ({queries_ics:.1f} queries each)",
        f"   meeting_invited, no attach {args.rows:>6} rows  {plain:>7.0f} notifications/s"
        f"  ({queries_plain:.1f} queries each)",
        "   target >= 500 notifications/s",
        f"   fan-out create_notifications, meeting with {recipients} recipients -> {rows} rows:"
        f" median {per_fan_out:.1f} ms per fan-out, {per_row:.2f} ms per notification ({args.fanouts} runs)",
    ]


# --- B. Latency with a running worker -----------------------------------------------------------


class Arrivals:
    """aiosmtpd handler: the arrival time (perf_counter) of each Message-ID."""

    def __init__(self) -> None:
        self.at: dict[str, float] = {}
        self.lock = threading.Lock()
        self.changed = threading.Condition(self.lock)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        arrived = time.perf_counter()
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.changed:
            self.at[str(message["Message-ID"]).strip()] = arrived
            self.changed.notify_all()
        return "250 Message accepted for delivery"

    def wait_for(self, ids: set[str], timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        with self.changed:
            while not ids <= self.at.keys():
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self.changed.wait(min(left, 0.5))
        return True


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def smtp_server() -> Iterator[tuple[Arrivals, int]]:
    from aiosmtpd.controller import Controller

    arrivals = Arrivals()
    port = _free_port()
    controller = Controller(arrivals, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield arrivals, port
    finally:
        controller.stop()


def _purge_queues() -> None:
    with celery_app.connection_for_write() as conn:
        for queue in QUEUES:
            channel: Any = conn.default_channel
            with contextlib.suppress(Exception):  # a queue never declared has nothing to purge
                channel.queue_purge(queue)


@contextmanager
def worker(smtp_port: int, log: Path) -> Iterator[subprocess.Popen[bytes]]:
    env = {
        **os.environ,
        "EMAIL_URL": f"smtp://127.0.0.1:{smtp_port}",
        "SMS_QUIET_HOURS": "0,0",
        "PYTHONUNBUFFERED": "1",
    }
    command = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "config",
        "worker",
        "--queues",
        ",".join(QUEUES),
        "--concurrency",
        "2",
        "--loglevel",
        "WARNING",
        "--hostname",
        f"bench-{os.getpid()}@%h",
    ]
    with log.open("wb") as output:
        process = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
            command, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        yield process
    finally:
        _stop(process)


def _stop(process: subprocess.Popen[bytes]) -> None:
    """Warm shutdown of the worker's process group (it runs in its own session), then a kill."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


def _tail(log: Path) -> str:
    return log.read_text(errors="replace")[-3000:] if log.exists() else "(no log)"


def _email_ids(meeting_ids: list[int]) -> dict[int, list[tuple[str, str]]]:
    """The Message-IDs (and row statuses) of each invited meeting's email rows."""
    found: dict[int, list[tuple[str, str]]] = {pk: [] for pk in meeting_ids}
    rows = Notification.objects.filter(
        kind="meeting_invited",
        channel=Channel.EMAIL,
        object_type="responsibility_groups.meeting",
        object_id__in=[str(pk) for pk in meeting_ids],
    ).values_list("object_id", "key", "status")
    for object_id, key, status in rows:
        found[int(object_id)].append((dispatch.message_id(key), status))
    return found


def _expected_ids(meeting_ids: list[int], per_meeting: int, timeout: float) -> set[str]:
    """Wait until the worker has fanned out every meeting, then answer its Message-IDs."""
    deadline = time.monotonic() + timeout
    while True:
        found = _email_ids(meeting_ids)
        if all(len(ids) >= per_meeting for ids in found.values()) or time.monotonic() > deadline:
            return {message for ids in found.values() for message, _ in ids}
        time.sleep(0.2)


def part_b(world: World, args: argparse.Namespace) -> list[str]:
    warm_up = 3
    group = world.group(staff=max(args.emails - 2, 0), externals=1 if args.emails >= 2 else 0)
    meetings = world.meetings(group, warm_up + args.samples, first_day=3)
    per_meeting = args.emails
    _purge_queues()
    assert WORKSPACE is not None
    log = WORKSPACE.var_dir / "worker.log"
    with smtp_server() as (arrivals, port), worker(port, log) as process:
        # Warm-up (not counted): the worker starts, connects and imports what sending needs.
        for meeting in meetings[:warm_up]:
            with transaction.atomic():
                world.invite(meeting)
            ids = _expected_ids([meeting.pk], per_meeting, 120)
            if len(ids) < per_meeting or not arrivals.wait_for(ids, 120) or process.poll() is not None:
                raise SystemExit(
                    f"the worker did not send the warm-up invitation; its log ends:\n{_tail(log)}"
                )
        commits: dict[int, float] = {}  # perf_counter, for the SMTP arrivals
        walls: dict[int, float] = {}  # wall clock, for the rows' timestamps

        def stamp(pk: int) -> None:
            commits[pk] = time.perf_counter()
            walls[pk] = time.time()

        timed = meetings[warm_up:]
        spacing = args.spacing_ms / 1000
        started = time.perf_counter()
        for meeting in timed:
            with transaction.atomic():
                # Registered first, so it runs first after COMMIT, before the fan-out is published.
                transaction.on_commit(functools.partial(stamp, meeting.pk))
                world.invite(meeting)
            time.sleep(spacing)
        issued = time.perf_counter() - started
        meeting_ids = [meeting.pk for meeting in timed]
        expected = _expected_ids(meeting_ids, per_meeting, args.wait)
        arrivals.wait_for(expected, args.wait)
        time.sleep(0.5)  # anything still on its way
        by_meeting = _email_ids(meeting_ids)
        with arrivals.lock:
            arrived = dict(arrivals.at)
    latencies: list[float] = []
    last_per_meeting: list[float] = []
    not_delivered = 0
    for pk, rows in by_meeting.items():
        times = [arrived[message] - commits[pk] for message, _ in rows if message in arrived]
        not_delivered += sum(1 for _, status in rows if status != DeliveryStatus.DELIVERED)
        latencies.extend(times)
        if times and len(times) == len(rows):
            last_per_meeting.append(max(times))
    total = sum(len(rows) for rows in by_meeting.values())
    if not latencies:
        raise SystemExit(f"no email arrived; the worker's log ends:\n{_tail(log)}")
    p95 = _p95(latencies)
    return [
        "B. latency commit -> arrival at the SMTP server,"
        " real worker (--concurrency 2, queues default,heavy)",
        f"   {args.samples} invitations, {args.spacing_ms:g} ms apart (issued in {issued:.1f} s,"
        f" {args.samples / issued:.0f}/s), {per_meeting} emails + 1 SMS + inbox rows each",
        f"   emails arrived {len(latencies)}/{total}"
        f" (expected {args.samples * per_meeting}), rows not delivered: {not_delivered}",
        f"   per email:      median {statistics.median(latencies):.3f} s   p95 {p95:.3f} s"
        f"   max {max(latencies):.3f} s",
        f"   per invitation (its last email): median {statistics.median(last_per_meeting):.3f} s"
        f"   p95 {_p95(last_per_meeting):.3f} s",
        *_stages(meeting_ids, walls),
        f"   target p95 <= 2 s: {'met' if p95 <= 2 else 'NOT met'}",
    ]


def _stages(meeting_ids: list[int], walls: dict[int, float]) -> list[str]:
    """Where the time goes, from the rows' own timestamps (wall clock of this machine)."""
    keys = [str(pk) for pk in meeting_ids]
    fanned_out = [
        dispatched.timestamp() - walls[int(object_id)]
        for object_id, dispatched in OutboxEvent.objects.filter(
            event="meeting.invite", object_id__in=keys, dispatched_at__isnull=False
        ).values_list("object_id", "dispatched_at")
        if dispatched is not None
    ]
    delivered = [
        at.timestamp() - walls[int(object_id)]
        for object_id, at in Notification.objects.filter(
            kind="meeting_invited", channel=Channel.EMAIL, object_id__in=keys, delivered_at__isnull=False
        ).values_list("object_id", "delivered_at")
        if at is not None
    ]
    if not fanned_out or not delivered:
        return []
    return [
        f"   commit -> fan-out committed: median {statistics.median(fanned_out):.3f} s"
        f"   p95 {_p95(fanned_out):.3f} s (task queued, picked up, rows written)",
        f"   commit -> row marked delivered: median {statistics.median(delivered):.3f} s"
        f"   p95 {_p95(delivered):.3f} s",
    ]


def main(args: argparse.Namespace) -> int:
    assert WORKSPACE is not None
    try:
        started = time.perf_counter()
        call_command("migrate", verbosity=0)
        migrated = time.perf_counter() - started
        world = World()
        lines_a = part_a(world, args)
        lines_b = part_b(world, args)
        broker = settings.CELERY_BROKER_URL
        database = (
            f"{connection.vendor} {connection.settings_dict['NAME']}"
            if connection.vendor != "sqlite"
            else f"sqlite {connection.settings_dict['NAME']}"
        )
        print()
        print("=" * 100)
        print(
            f"notifications benchmark  database: {database} (migrated in {migrated:.1f} s)  broker: {broker}"
        )
        print(
            f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}, Django {django.get_version()}"
        )
        print("-" * 100)
        for line in [*lines_a, "", *lines_b]:
            print(line)
        print("=" * 100)
    finally:
        WORKSPACE.remove()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(ARGS))
