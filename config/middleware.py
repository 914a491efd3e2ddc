"""Request guards that must run before any view reads the body, and the API's answer rules."""

import json
import logging
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse
from django.urls import Resolver404, resolve
from django.utils.translation import gettext as _

from casework.api.problems import PROBLEM_CONTENT_TYPE, plain_problem_response, problem_response

logger = logging.getLogger(__name__)

API_PREFIX = "/api/"
# Headers of an error answer that the problem document keeps (what 405, 401 and 429 must say).
_KEPT_HEADERS = ("Allow", "WWW-Authenticate", "Retry-After")


class ApiResponseMiddleware:
    """Every answer under ``/api/`` is kept out of caches, and every error is a problem document.

    The API answers with people's data (JSON, PDF, iCalendar, FHIR): no browser or proxy may keep a
    copy (``Cache-Control: no-store``). Errors are ``application/problem+json`` in every mode:
    - a path that resolves to nothing answers 404 here, before Django would redirect to the path
      with a slash (which a POST cannot follow, and which fails outright in development);
    - an error DRF rendered with another renderer (the schema's YAML) is rendered again as JSON;
    - an error no API view produced (a method a plain view refuses, Django's pages for 404 and 500
      in development) is replaced by a problem document of the same status;
    - an exception that escapes even Django's own handling (its debug page failing on the very
      input that caused the error, such as too many query parameters) is answered here.
    No method lists OPTIONS in ``Allow``: the API serves no metadata (OPTIONS is 405).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith(API_PREFIX):
            return self.get_response(request)
        try:
            resolve(request.path_info, getattr(request, "urlconf", None))
        except Resolver404:
            response: HttpResponse = plain_problem_response(404)
        else:
            response = self._answer(request)
        if response.status_code >= 400:
            response = self._as_problem(response)
        if "Allow" in response:
            methods = [m.strip() for m in response["Allow"].split(",")]
            response["Allow"] = ", ".join(m for m in methods if m and m != "OPTIONS")
        response["Cache-Control"] = "no-store"
        return response

    def _answer(self, request: HttpRequest) -> HttpResponse:
        try:
            return self.get_response(request)
        except SuspiciousOperation:
            logger.warning("Refused a suspicious request to %s", request.path)
            return plain_problem_response(400)
        except Exception:
            logger.exception("Unhandled error answering %s", request.path)
            return plain_problem_response(500)

    @staticmethod
    def _as_problem(response: HttpResponse) -> HttpResponse:
        data = getattr(response, "data", None)
        if isinstance(data, dict) and "status" in data and "code" in data:
            if not response.get("Content-Type", "").startswith(PROBLEM_CONTENT_TYPE) or not _is_json(
                response.content
            ):
                response.content = json.dumps(data, cls=DjangoJSONEncoder).encode()
                response["Content-Type"] = PROBLEM_CONTENT_TYPE
            return response
        if response.get("Content-Type", "").startswith(PROBLEM_CONTENT_TYPE):
            return response
        replacement = plain_problem_response(response.status_code)
        for header in _KEPT_HEADERS:
            if header in response:
                replacement[header] = response[header]
        return replacement


def _is_json(body: bytes) -> bool:
    try:
        json.loads(body)
    except ValueError:
        return False
    return True


class RequestSizeLimitMiddleware:
    """Refuse bodies over ``REQUEST_BODY_MAX_BYTES`` with 413 before they are read.

    Django only enforces ``DATA_UPLOAD_MAX_MEMORY_SIZE`` when ``request.body`` is read; DRF's
    parsers read the stream directly, so the limit is checked here on ``Content-Length``.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        limit = settings.REQUEST_BODY_MAX_BYTES
        if "chunked" in request.META.get("HTTP_TRANSFER_ENCODING", "").lower() and not length:
            # WSGI gives a chunked body without a length to the view as empty; refuse it plainly.
            return problem_response(
                status=411, code="length_required", detail=_("Send the request body with a Content-Length.")
            )
        if length > limit:
            return problem_response(
                status=413,
                code="request_too_large",
                detail=_("The request body is %(length)d bytes; the limit is %(limit)d bytes.")
                % {"length": length, "limit": limit},
            )
        return self.get_response(request)
