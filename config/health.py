"""Liveness (``/healthz``) and readiness (``/readyz``: the database and the broker answer)."""

from __future__ import annotations

import logging

from django.db import connection, transaction
from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_GET

from config.celery import app as celery_app
from config.problems import problem_response

logger = logging.getLogger(__name__)


@require_GET
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


def _broker_ok() -> bool:
    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        return True
    except Exception:  # any transport error means "not ready"
        logger.warning("readiness: broker check failed", exc_info=True)
        return False


@require_GET
@transaction.non_atomic_requests
def readyz(request: HttpRequest) -> JsonResponse:
    checks = {"database": _database_ok(), "broker": _broker_ok()}
    failing = sorted(name for name, ok in checks.items() if not ok)
    if failing:
        return problem_response(
            status=503,
            code="not_ready",
            detail="Not ready: " + ", ".join(failing),
            failing=failing,
        )
    return JsonResponse({"status": "ok", "checks": dict.fromkeys(checks, "ok")})
