"""The individual plan (individuell plan) and its state machine.

Transition methods change fields only (ADR 0001): permission checks, guards with their
``missing`` lists, history, versions, audit rows and outbox events live in ``plans.services``.
The ``conditions`` here repeat the guards so that django-fsm itself refuses a transition whose
guard fails, whoever calls it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from casework.models import Consent, ServiceUser, Unit
from casework.models.workflow import WorkflowStateMixin
from plans import guards
from plans.choices import CLOSED_STATES, PlanState

S = PlanState


class IndividualPlan(WorkflowStateMixin, ConcurrentTransitionMixin, models.Model):
    service_user = models.ForeignKey(
        ServiceUser,
        on_delete=models.PROTECT,
        related_name="individual_plans",
        verbose_name=_("service user"),
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="individual_plans", verbose_name=_("unit")
    )
    coordinator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="coordinated_plans",
        verbose_name=_("coordinator"),
    )
    state = FSMField(_("state"), default=S.DRAFT, choices=S.choices, protected=True, db_index=True)
    state_changed_at = models.DateTimeField(_("state changed at"), default=timezone.now)
    consent = models.ForeignKey(
        Consent,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="individual_plans",
        verbose_name=_("consent to the plan"),
    )
    resources = models.TextField(_("the person's resources"), blank=True)
    needs = models.TextField(_("the person's needs"), blank=True)
    cooperation = models.TextField(_("cooperation with other agencies"), blank=True)
    period_start = models.DateField(_("plan period from"), null=True, blank=True)
    period_end = models.DateField(_("plan period to"), null=True, blank=True)
    next_review_date = models.DateField(_("next review"), null=True, blank=True)
    hold_reason = models.CharField(_("reason for hold"), max_length=500, blank=True)
    closing_reason = models.CharField(_("reason for closing"), max_length=500, blank=True)
    final_evaluation = models.TextField(_("final evaluation"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("individual plan")
        verbose_name_plural = _("individual plans")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["service_user"],
                condition=~Q(state__in=[str(state) for state in CLOSED_STATES]),
                name="one_open_plan_per_person",
                violation_error_message=_("The person already has an individual plan that is not closed."),
            ),
            models.CheckConstraint(
                condition=Q(period_end__isnull=True)
                | Q(period_start__isnull=True)
                | Q(period_end__gte=models.F("period_start")),
                name="plan_period_ordered",
                violation_error_message=_("The end date is before the start date."),
            ),
        ]

    def __str__(self) -> str:
        return str(_("Individual plan #%(id)s") % {"id": self.pk})

    # --- transitions (fields only) -----------------------------------------------------------

    @transition(field=state, source=S.DRAFT, target=S.AWAITING_CONSENT, conditions=[guards.has_coordinator])
    def request_consent(self) -> None:
        self._moved()

    @transition(
        field=state,
        source=S.AWAITING_CONSENT,
        target=S.IN_PREPARATION,
        conditions=[guards.has_valid_consent],
    )
    def record_consent(self) -> None:
        self._moved()

    @transition(field=state, source=S.IN_PREPARATION, target=S.ACTIVE, conditions=[guards.may_activate])
    def activate(self) -> None:
        self._moved()

    @transition(field=state, source=S.ACTIVE, target=S.UNDER_REVIEW)
    def start_review(self) -> None:
        self._moved()

    @transition(field=state, source=S.UNDER_REVIEW, target=S.ACTIVE, conditions=[guards.may_complete_review])
    def complete_review(self) -> None:
        self._moved()

    @transition(field=state, source=S.ACTIVE, target=S.ON_HOLD)
    def put_on_hold(self, *, reason: str) -> None:
        self.hold_reason = reason
        self._moved()

    @transition(field=state, source=S.ON_HOLD, target=S.ACTIVE)
    def resume(self) -> None:
        self.hold_reason = ""
        self._moved()

    @transition(field=state, source=[S.ACTIVE, S.UNDER_REVIEW, S.ON_HOLD], target=S.COMPLETED)
    def complete(self, *, reason: str, final_evaluation: str) -> None:
        self.closing_reason = reason
        self.final_evaluation = final_evaluation
        self._moved()

    @transition(
        field=state,
        source=[S.AWAITING_CONSENT, S.IN_PREPARATION, S.ACTIVE, S.UNDER_REVIEW, S.ON_HOLD],
        target=S.WITHDRAWN,
    )
    def withdraw(self, *, reason: str) -> None:
        self.closing_reason = reason
        self._moved()

    @transition(field=state, source=[S.DRAFT, S.AWAITING_CONSENT, S.IN_PREPARATION], target=S.DECLINED)
    def decline(self, *, reason: str) -> None:
        self.closing_reason = reason
        self._moved()
