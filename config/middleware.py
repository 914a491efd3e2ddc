"""Request guards that must run before any view reads the body."""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from config.problems import problem_response


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
