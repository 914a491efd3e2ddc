"""Applications for services (cases), the home visit before the decision, and the decision.

A case cannot be decided before the person has been visited at home, or a reason is recorded
why no visit was made (forvaltningsloven § 17, the duty to investigate). A case not decided one
month after receipt needs a provisional reply (forvaltningsloven § 11 a).
Transition methods change fields only (ADR 0001); ``cases.services`` holds the services.
"""

from __future__ import annotations

import datetime

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from cases.choices import CaseState, DecisionOutcome, HomeVisitMissReason, HomeVisitState
from casework.models import Representative, ServiceUser, Unit
from casework.models.workflow import WorkflowStateMixin

C = CaseState
V = HomeVisitState


class Case(WorkflowStateMixin, ConcurrentTransitionMixin, models.Model):
    service_user = models.ForeignKey(
        ServiceUser, on_delete=models.PROTECT, related_name="cases", verbose_name=_("service user")
    )
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="cases", verbose_name=_("unit"))
    service_applied_for = models.CharField(_("service applied for"), max_length=200)
    received_on = models.DateField(_("received on"))
    # One month after receipt (forvaltningsloven § 11 a), kept so indicators can compare in SQL.
    reply_due_on = models.DateField(_("provisional reply due"))
    state = FSMField(_("state"), default=C.RECEIVED, choices=C.choices, protected=True, db_index=True)
    state_changed_at = models.DateTimeField(_("state changed at"), default=timezone.now)
    no_visit_reason = models.CharField(_("why no home visit was made"), max_length=500, blank=True)
    provisional_reply_sent_on = models.DateField(_("provisional reply sent on"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        db_table = "casework_case"  # created when the model lived in casework
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["received_on", "id"]
        indexes = [models.Index(fields=["unit", "state", "received_on"], name="case_unit_state_idx")]

    def __str__(self) -> str:
        return str(_("Case #%(id)s") % {"id": self.pk})

    @property
    def provisional_reply_due(self) -> datetime.date:
        """One month after receipt (forvaltningsloven § 11 a)."""
        return self.reply_due_on or self.received_on + relativedelta(months=1)

    @transition(field=state, source=C.RECEIVED, target=C.UNDER_ASSESSMENT)
    def start_assessment(self) -> None:
        self._moved()

    @transition(field=state, source=C.UNDER_ASSESSMENT, target=C.DECIDED)
    def decide(self) -> None:
        self.decided_at = timezone.now()
        self._moved()

    @transition(field=state, source=C.DECIDED, target=C.APPEALED)
    def appeal(self) -> None:
        self._moved()

    @transition(field=state, source=[C.DECIDED, C.APPEALED], target=C.CLOSED)
    def close(self) -> None:
        self._moved()


class HomeVisit(WorkflowStateMixin, ConcurrentTransitionMixin, models.Model):
    case = models.ForeignKey(
        Case, on_delete=models.PROTECT, related_name="home_visits", verbose_name=_("case")
    )
    state = FSMField(_("state"), default=V.PLANNED, choices=V.choices, protected=True, db_index=True)
    state_changed_at = models.DateTimeField(_("state changed at"), default=timezone.now)
    scheduled_for = models.DateTimeField(_("scheduled for"), null=True, blank=True)
    findings = models.TextField(_("findings"), blank=True)
    wishes = models.TextField(_("the person's own wishes, in their words"), blank=True)
    representatives_present = models.ManyToManyField(
        Representative, blank=True, related_name="home_visits", verbose_name=_("representatives present")
    )
    staff_present = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="home_visits", verbose_name=_("staff present")
    )
    miss_reason = models.CharField(
        _("why it was not made"), max_length=20, choices=HomeVisitMissReason.choices, blank=True
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        db_table = "casework_homevisit"  # created when the model lived in casework
        verbose_name = _("home visit")
        verbose_name_plural = _("home visits")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return str(_("Home visit #%(id)s") % {"id": self.pk})

    @transition(field=state, source=[V.PLANNED, V.SCHEDULED], target=V.SCHEDULED)
    def schedule(self, *, at: datetime.datetime) -> None:
        self.scheduled_for = at
        self._moved()

    @transition(field=state, source=V.SCHEDULED, target=V.COMPLETED)
    def complete(self, *, findings: str, wishes: str) -> None:
        self.findings, self.wishes = findings, wishes
        self._moved()

    @transition(field=state, source=[V.PLANNED, V.SCHEDULED], target=V.NOT_COMPLETED)
    def miss(self, *, reason: str) -> None:
        self.miss_reason = reason
        self._moved()


class Decision(models.Model):
    """Vedtak: the outcome, the services, the reasons and how to complain."""

    case = models.OneToOneField(
        Case, on_delete=models.PROTECT, related_name="decision", verbose_name=_("case")
    )
    outcome = models.CharField(_("outcome"), max_length=20, choices=DecisionOutcome.choices)
    services = models.TextField(_("services granted"), blank=True)
    reasons = models.TextField(_("reasons"))
    complaint_information = models.TextField(_("how to complain"))
    complaint_deadline = models.DateField(_("complaint deadline"))
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(_("decided at"), auto_now_add=True)

    class Meta:
        db_table = "casework_decision"  # created when the model lived in casework
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")

    def __str__(self) -> str:
        return str(_("Decision in case #%(id)s") % {"id": self.case_id})
