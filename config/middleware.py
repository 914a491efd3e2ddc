"""Request guards that must run before any view reads the body, and the API's answer rules."""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from config.problems import PROBLEM_CONTENT_TYPE, problem_response

API_PREFIX = "/api/"
# Headers of an error answer that the problem document keeps (what 405, 401 and 429 must say).
_KEPT_HEADERS = ("Allow", "WWW-Authenticate", "Retry-After")
_PLAIN_DETAILS = {
    400: gettext_lazy("Bad request."),
    403: gettext_lazy("Not allowed."),
    404: gettext_lazy("Not found."),
    405: gettext_lazy("Method not allowed."),
    500: gettext_lazy("An unexpected error occurred. It has been logged."),
}


class ApiResponseMiddleware:
    """Every answer under ``/api/`` is kept out of caches, and every error is a problem document.

    The API answers with people's data (JSON, PDF, iCalendar, FHIR): no browser or proxy may keep a
    copy (``Cache-Control: no-store``). Errors that no API view produced (an unknown path, a method
    a plain view refuses, Django's debug pages for 404 and 500 in development) are replaced with an
    ``application/problem+json`` body of the same status, so that a client sees one error format
    in every mode.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not request.path.startswith(API_PREFIX):
            return response
        if response.status_code >= 400 and not response.get("Content-Type", "").startswith(
            PROBLEM_CONTENT_TYPE
        ):
            detail = str(_PLAIN_DETAILS.get(response.status_code, ""))
            replacement = problem_response(status=response.status_code, detail=detail)
            for header in _KEPT_HEADERS:
                if header in response:
                    replacement[header] = response[header]
            response = replacement
        response["Cache-Control"] = "no-store"
        return response


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
