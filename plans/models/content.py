"""The plan's statutory contents: goals (with assessments per review), participants, measures."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from casework.choices import BasisEnd
from casework.models import Representative
from plans.choices import GoalProgress, ParticipantKind
from plans.models.plan import IndividualPlan
from plans.participants import basis_end_has_reason, links_fit_kind


class Goal(models.Model):
    """A goal in the person's own words."""

    plan = models.ForeignKey(IndividualPlan, on_delete=models.CASCADE, related_name="goals")
    text = models.TextField(_("goal, in the person's own words"))
    position = models.PositiveIntegerField(_("position"), default=0)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("goal")
        verbose_name_plural = _("goals")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.text[:60]


class Participant(models.Model):
    """Who takes part in the plan and what each contributes."""

    plan = models.ForeignKey(IndividualPlan, on_delete=models.CASCADE, related_name="participants")
    kind = models.CharField(_("kind"), max_length=20, choices=ParticipantKind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="plan_participations",
        verbose_name=_("staff member"),
    )
    representative = models.ForeignKey(
        Representative,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="plan_participations",
        verbose_name=_("representative"),
    )
    name = models.CharField(_("name"), max_length=200, blank=True)
    organisation = models.CharField(_("organisation"), max_length=200, blank=True)
    contact = models.CharField(_("contact details"), max_length=200, blank=True)
    role = models.CharField(_("role in the plan"), max_length=120, blank=True)
    contribution = models.TextField(_("contribution"), blank=True)
    # Set when the consent or mandate the participant took part by ended and no other took its
    # place (plans.basis); cleared when one does. The row stays: the coordinator decides.
    basis_ended_at = models.DateTimeField(_("basis ended at"), null=True, blank=True)
    basis_ended_reason = models.CharField(
        _("basis ended by"), max_length=20, choices=BasisEnd.choices, blank=True
    )

    class Meta:
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        ordering = ["id"]
        constraints = [
            # A participant's login or representative matches its kind (plans.participants).
            models.CheckConstraint(
                condition=links_fit_kind(),
                name="participant_links_fit_kind",
                violation_error_message=_("The participant's login or representative does not fit its kind."),
            ),
            models.CheckConstraint(
                condition=basis_end_has_reason(),
                name="participant_basis_end_has_reason",
                violation_error_message=_("An ended basis has a time and a reason, or neither."),
            ),
        ]

    def __str__(self) -> str:
        return self.name or self.get_kind_display()


class Measure(models.Model):
    """Tiltak: what is done, how much, by whom, how, and when."""

    plan = models.ForeignKey(IndividualPlan, on_delete=models.CASCADE, related_name="measures")
    description = models.TextField(_("measure"))
    scope = models.CharField(_("scope"), max_length=200, blank=True)
    responsible = models.ForeignKey(
        Participant,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="measures",
        verbose_name=_("responsible"),
    )
    how_carried_out = models.TextField(_("how it is carried out"), blank=True)
    start_date = models.DateField(_("start"), null=True, blank=True)
    end_date = models.DateField(_("end"), null=True, blank=True)
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("measure")
        verbose_name_plural = _("measures")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.description[:60]


class PlanReview(models.Model):
    """One evaluation of the plan (often in a responsibility-group meeting)."""

    plan = models.ForeignKey(IndividualPlan, on_delete=models.CASCADE, related_name="reviews")
    number = models.PositiveIntegerField(_("number"))
    due_date = models.DateField(_("review date it answers"), null=True, blank=True)
    started_at = models.DateTimeField(_("started at"))
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="plan_review_number_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.plan} – {_('review')} {self.number}"


class GoalAssessment(models.Model):
    """How far a goal was reached, assessed at one review."""

    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="assessments")
    review = models.ForeignKey(PlanReview, on_delete=models.CASCADE, related_name="assessments")
    progress = models.CharField(_("progress"), max_length=20, choices=GoalProgress.choices)
    assessment = models.TextField(_("assessment"))
    assessed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    assessed_at = models.DateTimeField(_("assessed at"), auto_now=True)

    class Meta:
        verbose_name = _("goal assessment")
        verbose_name_plural = _("goal assessments")
        constraints = [
            models.UniqueConstraint(fields=["goal", "review"], name="goal_assessment_once_per_review"),
        ]

    def __str__(self) -> str:
        return f"{self.goal} – {self.get_progress_display()}"
