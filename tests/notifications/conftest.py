"""Notifications tests: SMS kept in memory, no quiet hours unless a test sets them."""

from __future__ import annotations

from typing import Any

import pytest

from notifications.sms import MemorySmsBackend


@pytest.fixture(autouse=True)
def _sms_in_memory(settings: Any) -> Any:
    settings.SMS_BACKEND = "notifications.sms.MemorySmsBackend"
    settings.SMS_QUIET_HOURS = (0, 0)
    MemorySmsBackend.outbox.clear()
    yield MemorySmsBackend.outbox
    MemorySmsBackend.outbox.clear()


@pytest.fixture
def sms_outbox() -> list[dict[str, Any]]:
    return MemorySmsBackend.outbox


# The workflows' builders, for messages about real plans and meetings.
from tests.plans.conftest import plans  # noqa: E402, F401
from tests.responsibility_groups.conftest import groups  # noqa: E402, F401
