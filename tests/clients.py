"""Test clients whose responses must have their status checked; see ``tests/conftest.py``.

Every response from ``CheckedAPIClient`` or ``CheckedClient`` goes into the ledger of the running
test, and reading its ``status_code`` marks it checked. ``ResponseLedger.fail_if_unchecked`` fails
the test with the method and path of each response whose status nobody read.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import pytest
from django.http import HttpResponseBase
from django.test import Client  # noqa: TID251 - the checked clients are built on these two
from rest_framework.test import APIClient  # noqa: TID251


class _StatusWatch:
    """Put in front of a response's own class: reading ``status_code`` marks the response checked."""

    status_checked = False
    _status: int

    @property
    def status_code(self) -> int:
        self.status_checked = True
        return self._status

    @status_code.setter
    def status_code(self, value: int) -> None:
        self._status = value


_watched_classes: dict[type, type] = {}


def _watch(response: HttpResponseBase) -> Any:
    """``response``, its class swapped for a subclass that notices when its status is read.

    Swapping the class (rather than wrapping the object) keeps ``isinstance``, ``response[header]``
    and everything else a test does with a response working as before.
    """
    if isinstance(response, _StatusWatch):
        return response
    cls = type(response)
    if cls not in _watched_classes:
        _watched_classes[cls] = type(cls.__name__, (_StatusWatch, cls), {"__module__": cls.__module__})
    status = response.status_code
    vars(response).pop("status_code", None)
    response.__class__ = _watched_classes[cls]
    response.status_code = status
    return response


def describe(response: Any) -> str:
    """``METHOD /path?query`` of the request that ``response`` answered."""
    request = response.request
    query = request.get("QUERY_STRING", "")
    return f"{request['REQUEST_METHOD']} {request['PATH_INFO']}" + (f"?{query}" if query else "")


class ResponseLedger:
    """The responses one test received, in order."""

    def __init__(self) -> None:
        self.responses: list[Any] = []

    def unchecked(self) -> list[str]:
        return [describe(response) for response in self.responses if not response.status_checked]

    def fail_if_unchecked(self) -> None:
        unchecked = self.unchecked()
        if unchecked:
            pytest.fail(
                f"the test never checked the status of {len(unchecked)} response(s) "
                "(assert response.status_code == ..., response.content):\n"
                + "\n".join(f"  {line}" for line in unchecked),
                pytrace=False,
            )


_current: list[ResponseLedger] = []


@contextlib.contextmanager
def recording() -> Iterator[ResponseLedger]:
    """A new ledger that takes every response of the checked clients until the block ends."""
    ledger = ResponseLedger()
    _current.append(ledger)
    try:
        yield ledger
    finally:
        _current.remove(ledger)


def _record(response: HttpResponseBase) -> Any:
    if not _current:
        raise RuntimeError("a checked test client was used with no ledger recording (outside a test?)")
    watched = _watch(response)
    _current[-1].responses.append(watched)
    return watched


def _followed(response: Any) -> Any:
    # Following redirects reads every status on the way, the last one too; that one is still the
    # test's to check. The responses it passed through were checked by being followed.
    response.status_checked = False
    return response


class CheckedAPIClient(APIClient):
    """DRF's ``APIClient``, recording each response in the running test's ledger."""

    def request(self, **kwargs: Any) -> Any:
        return _record(super().request(**kwargs))

    def _handle_redirects(self, response: Any, *args: Any, **kwargs: Any) -> Any:
        return _followed(super()._handle_redirects(response, *args, **kwargs))


class CheckedClient(Client):
    """Django's test ``Client``, recording each response in the running test's ledger."""

    def request(self, **request: Any) -> Any:
        return _record(super().request(**request))

    def _handle_redirects(self, response: Any, *args: Any, **kwargs: Any) -> Any:
        return _followed(super()._handle_redirects(response, *args, **kwargs))
