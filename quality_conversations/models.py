"""Annual quality conversations (kvalitetssamtaler) with relatives or the guardian.

One conversation a year per service user and eligible representative, created by a periodic task;
a database constraint makes a second run create nothing. People with no eligible representative
get one row marked not applicable, with the reason, so that they are counted. Transition methods
change fields only (ADR 0001); ``quality_conversations.services`` holds the services.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from casework.models import Representative, ServiceUser, Unit
from casework.models.workflow import WorkflowStateMixin
from quality_conversations.choices import ConversationState

Q_ = ConversationState
UNFINISHED = [Q_.DUE, Q_.OFFERED, Q_.ACCEPTED, Q_.SCHEDULED, Q_.HELD]


class QualityConversation(WorkflowStateMixin, ConcurrentTransitionMixin, models.Model):
    service_user = models.ForeignKey(
        ServiceUser,
        on_delete=models.PROTECT,
        related_name="quality_conversations",
        verbose_name=_("service user"),
    )
    representative = models.ForeignKey(
        Representative,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="quality_conversations",
        verbose_name=_("representative"),
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="quality_conversations", verbose_name=_("unit")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    state = FSMField(_("state"), default=Q_.DUE, choices=Q_.choices, protected=True, db_index=True)
    state_changed_at = models.DateTimeField(_("state changed at"), default=timezone.now)
    offered_at = models.DateTimeField(_("offered at"), null=True, blank=True)
    scheduled_for = models.DateTimeField(_("scheduled for"), null=True, blank=True)
    held_on = models.DateField(_("held on"), null=True, blank=True)
    summary = models.TextField(_("summary"), blank=True)
    not_applicable_reason = models.CharField(_("why not applicable"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        db_table = "casework_qualityconversation"  # created when the model lived in casework
        verbose_name = _("quality conversation")
        verbose_name_plural = _("quality conversations")
        ordering = ["year", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["service_user", "representative", "year"],
                name="conversation_once_a_year_per_representative",
            ),
            models.UniqueConstraint(
                fields=["service_user", "year"],
                condition=Q(representative__isnull=True),
                name="conversation_once_a_year_without_representative",
            ),
        ]
        indexes = [models.Index(fields=["unit", "year", "state"], name="conversation_unit_year_idx")]

    def __str__(self) -> str:
        return str(_("Quality conversation %(year)s #%(id)s") % {"year": self.year, "id": self.pk})

    @transition(field=state, source=Q_.DUE, target=Q_.OFFERED)
    def offer(self) -> None:
        self.offered_at = timezone.now()
        self._moved()

    @transition(field=state, source=Q_.OFFERED, target=Q_.ACCEPTED)
    def accept(self) -> None:
        self._moved()

    @transition(field=state, source=Q_.OFFERED, target=Q_.DECLINED)
    def decline(self) -> None:
        self._moved()

    @transition(field=state, source=[Q_.ACCEPTED, Q_.SCHEDULED], target=Q_.SCHEDULED)
    def schedule(self, *, at: datetime.datetime) -> None:
        self.scheduled_for = at
        self._moved()

    @transition(field=state, source=Q_.SCHEDULED, target=Q_.HELD)
    def hold(self, *, on: datetime.date) -> None:
        self.held_on = on
        self._moved()

    @transition(field=state, source=Q_.HELD, target=Q_.DOCUMENTED)
    def document(self, *, summary: str) -> None:
        self.summary = summary
        self._moved()

    @transition(field=state, source=Q_.DUE, target=Q_.NOT_APPLICABLE)
    def mark_not_applicable(self, *, reason: str) -> None:
        self.not_applicable_reason = reason
        self._moved()

    @transition(field=state, source=UNFINISHED, target=Q_.EXPIRED)
    def expire(self) -> None:
        self._moved()


class FollowUp(models.Model):
    """A follow-up action agreed in a quality conversation: what, who, by when."""

    conversation = models.ForeignKey(QualityConversation, on_delete=models.CASCADE, related_name="follow_ups")
    text = models.TextField(_("follow-up"))
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    plan_measure = models.ForeignKey(
        "plans.Measure",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("plan measure"),
    )

    class Meta:
        db_table = "casework_followup"
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.text[:60]
