"""What every workflow model shares on top of django-fsm-2 (plans, meetings, cases, visits,
conversations): the transitions leaving the current state, and the time of the last move."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
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


class WorkflowTransition(models.Model):
    """The history of every workflow (plans, meetings, cases, home visits, quality conversations),
    one shape for all: who moved which object, when, from and to which state, and why.
    Append-only (a trigger on PostgreSQL); written only by the engine (casework/engine.py)."""

    object_type = models.CharField(_("object type"), max_length=60)
    object_id = models.CharField(_("object id"), max_length=40)
    name = models.CharField(_("transition"), max_length=40)
    source = models.CharField(_("from"), max_length=30)
    target = models.CharField(_("to"), max_length=30)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by")
    )
    occurred_at = models.DateTimeField(_("when"), default=timezone.now, editable=False)
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        verbose_name = _("workflow transition")
        verbose_name_plural = _("workflow transitions")
        ordering = ["occurred_at", "id"]
        indexes = [models.Index(fields=["object_type", "object_id"], name="workflow_transition_object_idx")]

    def __str__(self) -> str:
        return f"{self.object_type}#{self.object_id}: {self.source} → {self.target}"
