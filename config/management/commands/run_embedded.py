"""``manage.py run_embedded``: the web server and a Celery worker with beat, in one terminal.

Used by ``make run`` on the embedded default (SQLite and kombu's filesystem broker). Ctrl-C
(SIGINT) or SIGTERM stops both children and waits for them; if one child dies, the other is
stopped too and the command exits non-zero.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from types import FrameType
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from casework.demo.municipality import DEMO_PASSWORD, LOGINS
from config.celery import _ensure_filesystem_broker_folders

STOP_TIMEOUT_SECONDS = 15


class Command(BaseCommand):
    help = "Start the web server and a Celery worker with embedded beat; Ctrl-C stops both."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)

    def handle(self, *args: Any, host: str, port: int, **options: Any) -> None:
        python = sys.executable
        # The filesystem broker's folders exist before either child starts, so the web process
        # is ready (``/readyz``) as soon as it answers, whichever child comes up first.
        _ensure_filesystem_broker_folders()
        children = {
            "web": subprocess.Popen(  # noqa: S603 - fixed argument list, our own interpreter
                [python, "manage.py", "runserver", f"{host}:{port}", "--noreload"]
            ),
            "worker": subprocess.Popen(  # noqa: S603
                [
                    python,
                    "-m",
                    "celery",
                    "-A",
                    "config",
                    "worker",
                    "--beat",
                    "--queues",
                    "default,heavy",
                    "--loglevel",
                    "INFO",
                    "--concurrency",
                    "2",
                    "--schedule",
                    settings.CELERY_BEAT_SCHEDULE_FILENAME,
                ]
            ),
        }
        stopping = False

        def request_stop(signum: int, frame: FrameType | None) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, request_stop)
        signal.signal(signal.SIGTERM, request_stop)
        self._announce(host, port)

        exit_code = 0
        while not stopping:
            for name, child in children.items():
                if child.poll() is not None:
                    self.stderr.write(f"{name} stopped unexpectedly (exit {child.returncode}).")
                    exit_code = 1
                    stopping = True
            time.sleep(0.5)
        self._stop(children)
        self.stdout.write("Medvirk stopped.")
        if exit_code:
            sys.exit(exit_code)

    def _announce(self, host: str, port: int) -> None:
        url = f"http://{host}:{port}"
        lines = [
            "",
            f"Medvirk runs at {url}/  (API {url}/api/v1/docs/, admin {url}/admin/)",
            f"Demo logins, password {DEMO_PASSWORD}: " + ", ".join(spec.username for spec in LOGINS),
            "Celery worker with beat runs on the embedded broker. Press Ctrl-C to stop.",
            f"Email: {_email_destination()}; SMS: {_sms_destination()}",
            "",
        ]
        self.stdout.write(self.style.SUCCESS("\n".join(lines)))

    def _stop(self, children: dict[str, subprocess.Popen[bytes]]) -> None:
        for child in children.values():
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + STOP_TIMEOUT_SECONDS
        for name, child in children.items():
            try:
                child.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                self.stderr.write(f"{name} did not stop in time; killing it.")
                child.kill()
                child.wait()


def _email_destination() -> str:
    if settings.EMAIL_BACKEND.endswith("filebased.EmailBackend"):
        return f"files in {settings.EMAIL_FILE_PATH}/"
    if settings.EMAIL_BACKEND.endswith("smtp.EmailBackend"):
        return f"SMTP {settings.EMAIL_HOST}:{settings.EMAIL_PORT}"
    return settings.EMAIL_BACKEND


def _sms_destination() -> str:
    if settings.SMS_BACKEND == "notifications.sms.FileSmsBackend":
        return str(settings.SMS_FILE_PATH)
    return str(settings.SMS_BACKEND)
