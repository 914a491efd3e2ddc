"""Domain errors raised by services and selectors, mapped to problem details by the API layer.

Services raise these instead of HTTP exceptions so that they stay usable from tasks, commands
and the admin; ``casework.api.problems`` turns them into RFC 9457 responses.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.utils.translation import gettext_noop


class DomainError(Exception):
    status: int = 400
    code: str = "domain_error"
    title: str = gettext_noop("Domain rule violated")

    def __init__(self, detail: str, *, code: str | None = None, **extra: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        if code is not None:
            self.code = code  # a narrower code than the class's, e.g. Conflict(code="duplicate")
        self.extra = extra


class Conflict(DomainError):
    """The object's state does not allow the request (409)."""

    status = 409
    code = "conflict"
    title = gettext_noop("Conflict")


class TransitionNotAllowed(Conflict):
    code = "transition_not_allowed"
    title = gettext_noop("Transition not allowed")


class GuardFailed(DomainError):
    """A transition's guard or a business rule failed; ``missing`` names what is lacking (422)."""

    status = 422
    code = "guard_failed"
    title = gettext_noop("Requirements not met")

    def __init__(self, detail: str, *, missing: Sequence[str], **extra: Any) -> None:
        super().__init__(detail, missing=list(missing), **extra)  # code may be in extra


class NotAllowed(DomainError):
    """The actor can see the object but may not do this with it (403)."""

    status = 403
    code = "permission_denied"
    title = gettext_noop("Not allowed")
