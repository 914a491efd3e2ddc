"""What every workflow model shares on top of django-fsm-2 (plans, meetings, cases, visits,
conversations): the transitions leaving the current state, and the time of the last move."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django_fsm import Transition


class WorkflowStateMixin:
    """For models with a protected ``state`` FSM field and a ``state_changed_at`` field."""

    state: Any
    state_changed_at: Any

    def transitions_from_here(self) -> list[Transition]:
        """Every transition whose source is the current state, whatever its guards say."""
        every = self.get_all_state_transitions()  # type: ignore[attr-defined]  # added by django-fsm
        return [t for t in every if t.source == self.state]

    def _moved(self) -> None:
        self.state_changed_at = timezone.now()
