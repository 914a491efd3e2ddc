"""Liveness (``/healthz``) and readiness (``/readyz``: the database and the broker answer)."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from functools import wraps
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _

from casework.api.problems import problem_response
from config.celery import app as celery_app

logger = logging.getLogger(__name__)

View = Callable[[HttpRequest], JsonResponse]


def _get_only(view: View) -> View:
    """Like ``require_GET``, but the 405 is a problem document like every other error."""

    @wraps(view)
    def wrapper(request: HttpRequest) -> JsonResponse:
        if request.method not in {"GET", "HEAD"}:
            response = problem_response(
                status=405, detail=_("Method %(method)s is not allowed.") % {"method": request.method}
            )
            response["Allow"] = "GET, HEAD"
            return response
        return view(request)

    return wrapper


@_get_only
@transaction.non_atomic_requests  # liveness must not need the database (ATOMIC_REQUESTS would connect)
def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:  # any driver error means "not ready"
        logger.warning("readiness: database check failed", exc_info=True)
        return False


def _filesystem_broker_ok() -> bool:
    """kombu's filesystem transport 'connects' even without its folders; check them instead."""
    folders = [
        Path(str(settings.CELERY_BROKER_TRANSPORT_OPTIONS[key]))
        for key in ("data_folder_in", "data_folder_out")
    ]
    ok = all(folder.is_dir() and os.access(folder, os.W_OK) for folder in folders)
    if not ok:
        logger.warning("readiness: filesystem broker folders missing or not writable")
    return ok


def _broker_ok() -> bool:
    if settings.CELERY_BROKER_URL.startswith("filesystem://"):
        return _filesystem_broker_ok()
    try:
        with celery_app.connection_for_write() as conn:
            # One retry without sleeping: a probe must answer within about a second.
            conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=1)
        return True
    except Exception:  # any transport error means "not ready"
        logger.warning("readiness: broker check failed", exc_info=True)
        return False


@_get_only
@transaction.non_atomic_requests
def readyz(request: HttpRequest) -> JsonResponse:
    checks = {"database": _database_ok(), "broker": _broker_ok()}
    failing = sorted(name for name, ok in checks.items() if not ok)
    if failing:
        return problem_response(
            status=503,
            code="not_ready",
            detail=_("Not ready: %(failing)s") % {"failing": ", ".join(failing)},
            failing=failing,
        )
    return JsonResponse({"status": "ok", "checks": dict.fromkeys(checks, "ok")})
