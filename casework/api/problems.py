"""RFC 9457 problem details for every error the service returns.

DRF exceptions, Django's 404/403/500 handlers and our domain errors all end here so that a
client sees one error format: ``application/problem+json`` with ``type``, ``title``,
``status``, ``detail`` and ``code``, plus ``errors`` for validation and ``missing`` for guards.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import set_rollback

from casework.errors import DomainError

logger = logging.getLogger(__name__)

PROBLEM_CONTENT_TYPE = "application/problem+json"
PROBLEM_BASE_URI = "https://medvirk.no/problems/"

_TITLES = {
    400: gettext_noop("Invalid request"),
    401: gettext_noop("Not authenticated"),
    403: gettext_noop("Not allowed"),
    404: gettext_noop("Not found"),
    405: gettext_noop("Method not allowed"),
    406: gettext_noop("Not acceptable"),
    409: gettext_noop("Conflict"),
    411: gettext_noop("Length required"),
    413: gettext_noop("Request too large"),
    415: gettext_noop("Unsupported media type"),
    422: gettext_noop("Requirements not met"),
    429: gettext_noop("Too many requests"),
    500: gettext_noop("Internal server error"),
    503: gettext_noop("Service unavailable"),
}
_CODES = {
    400: "invalid",
    401: "not_authenticated",
    403: "permission_denied",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    409: "conflict",
    411: "length_required",
    413: "request_too_large",
    415: "unsupported_media_type",
    422: "guard_failed",
    429: "throttled",
    500: "server_error",
    503: "unavailable",
}


def problem_body(
    *, status: int, code: str | None = None, detail: str = "", title: str = "", **extra: Any
) -> dict[str, Any]:
    code = code or _CODES.get(status, "error")
    body: dict[str, Any] = {
        "type": PROBLEM_BASE_URI + code.replace("_", "-"),
        "title": _(title or _TITLES.get(status, gettext_noop("Error"))),
        "status": status,
        "detail": detail,
        "code": code,
    }
    body.update(extra)
    return body


def problem_response(*, status: int, code: str | None = None, detail: str = "", **extra: Any) -> JsonResponse:
    """A plain Django response, for middleware and URL-level handlers outside DRF."""
    return JsonResponse(
        problem_body(status=status, code=code, detail=detail, **extra),
        status=status,
        content_type=PROBLEM_CONTENT_TYPE,
    )


def _validation_errors(detail: Any, prefix: str = "") -> list[dict[str, str]]:
    """Flatten DRF's nested error details into ``[{field, code, detail}]``."""
    errors: list[dict[str, str]] = []
    if isinstance(detail, dict):
        for key, value in detail.items():
            field = key if key != "non_field_errors" else ""
            name = f"{prefix}.{field}" if prefix and field else (field or prefix)
            errors.extend(_validation_errors(value, name))
    elif isinstance(detail, list):
        for index, value in enumerate(detail):
            if isinstance(value, dict | list) and not isinstance(value, exceptions.ErrorDetail):
                errors.extend(_validation_errors(value, f"{prefix}[{index}]" if prefix else ""))
            else:
                errors.extend(_validation_errors(value, prefix))
    else:
        errors.append({"field": prefix, "code": getattr(detail, "code", "invalid"), "detail": str(detail)})
    return errors


def problem_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's ``EXCEPTION_HANDLER``: every error becomes a problem document and rolls back."""
    if isinstance(exc, DomainError):
        set_rollback()
        body = problem_body(status=exc.status, code=exc.code, title=exc.title, detail=exc.detail, **exc.extra)
        return Response(body, status=exc.status, content_type=PROBLEM_CONTENT_TYPE)

    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    if not isinstance(exc, exceptions.APIException):
        return None  # a real bug: Django's 500 handler answers (and logs it)

    set_rollback()
    headers: dict[str, str] = {}
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header  # type: ignore[attr-defined]
    if getattr(exc, "wait", None):
        headers["Retry-After"] = str(int(exc.wait))  # type: ignore[attr-defined]

    status_code = exc.status_code
    if isinstance(exc, exceptions.ValidationError):
        body = problem_body(
            status=status_code,
            code="invalid",
            detail=_("The request has invalid fields."),
            errors=_validation_errors(exc.detail),
        )
    else:
        detail = exc.detail
        code = _CODES.get(status_code)
        if isinstance(exc, exceptions.ParseError):
            code = "parse_error"
        body = problem_body(status=status_code, code=code, detail=str(detail))
    return Response(body, status=status_code, headers=headers, content_type=PROBLEM_CONTENT_TYPE)


# --- URL-level handlers (Django answers these outside DRF views) -------------------------------


# The detail of an error that no view described (Django's handlers, ``ApiResponseMiddleware``).
_PLAIN_DETAILS = {
    400: gettext_noop("Bad request."),
    403: gettext_noop("Not allowed."),
    404: gettext_noop("Not found."),
    405: gettext_noop("Method not allowed."),
    500: gettext_noop("An unexpected error occurred. It has been logged."),
}


def plain_problem_response(status: int) -> JsonResponse:
    """A problem document of ``status`` with its standard detail."""
    detail = _PLAIN_DETAILS.get(status)
    return problem_response(status=status, detail=_(detail) if detail else "")


def handler_bad_request(request: HttpRequest, exception: Exception | None = None) -> JsonResponse:
    return plain_problem_response(status.HTTP_400_BAD_REQUEST)


def handler_permission_denied(request: HttpRequest, exception: Exception | None = None) -> JsonResponse:
    return plain_problem_response(status.HTTP_403_FORBIDDEN)


def handler_not_found(request: HttpRequest, exception: Exception | None = None) -> JsonResponse:
    return plain_problem_response(status.HTTP_404_NOT_FOUND)


def handler_server_error(request: HttpRequest) -> JsonResponse:
    return plain_problem_response(status.HTTP_500_INTERNAL_SERVER_ERROR)
