"""``manage.py seed_demo`` (the demo municipality) and ``seed_demo --scale N`` (bulk data)."""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from cases.demo import seed_demo_cases
from casework.demo.municipality import DEMO_PASSWORD, PEOPLE_PER_UNIT, seed_demo_municipality
from casework.demo.scale import seed_scale
from casework.selectors import reach_for
from notifications.demo import seed_demo_notifications
from plans.demo import seed_demo_plans
from quality_conversations.demo import seed_demo_conversations
from responsibility_groups.demo import seed_demo_groups


class Command(BaseCommand):
    help = "Load the demo municipality and its logins; with --scale N, N synthetic service users."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--scale",
            type=int,
            metavar="N",
            help="Also make sure N synthetic service users exist (for benchmarks).",
        )

    def handle(self, *args: Any, scale: int | None = None, **options: Any) -> None:
        if settings.PRODUCTION:
            raise CommandError("seed_demo refuses to run with DJANGO_ENV=production.")
        if scale is not None and scale < 1:
            raise CommandError("--scale must be a positive number.")
        demo = seed_demo_municipality()
        plans = seed_demo_plans(
            reach=reach_for(demo.login("saksbehandler")),
            people=demo.people[:PEOPLE_PER_UNIT],
            unit=demo.units[0],
            coordinator=demo.login("koordinator"),
        )
        groups = seed_demo_groups(
            reach=reach_for(demo.login("saksbehandler")),
            people=demo.people[:PEOPLE_PER_UNIT],
            unit=demo.units[0],
            coordinator=demo.login("koordinator"),
        )
        cases = seed_demo_cases(
            reach=reach_for(demo.login("saksbehandler")),
            people=demo.people[:PEOPLE_PER_UNIT],
            unit=demo.units[0],
        )
        conversations, conversations_moved = seed_demo_conversations(
            reach=reach_for(demo.login("saksbehandler")), unit=demo.units[0]
        )
        messages = seed_demo_notifications(users=[user for _spec, user in demo.logins])
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo municipality ready ({plans} individual plans, {groups.groups} responsibility "
                f"groups and {groups.meetings} meetings added; {cases} cases and "
                f"{conversations} quality conversations added, {conversations_moved} "
                f"of them moved on; {messages} notifications). Logins (password {DEMO_PASSWORD}):"
            )
        )
        for spec, _user in demo.logins:
            self.stdout.write(f"  {spec.username:<15} {spec.description}")
        if scale:
            started = time.monotonic()

            step = max(1, scale // 10)

            def progress(done: int, total: int) -> None:
                if done == total or done % step < (done - 1) % step + 1:
                    self.stdout.write(f"  scale: {done}/{total} service users ({done * 100 // total} %)")
                    self.stdout.flush()

            result = seed_scale(scale, progress=progress)
            self.stdout.write(
                self.style.SUCCESS(
                    f"Scale data: {result.created} created, {result.total} in all, "
                    f"{result.units} units, in {time.monotonic() - started:.1f} s."
                )
            )
