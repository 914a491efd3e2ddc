"""The plans in the admin: read-only, reach-filtered and access-logged.

Plans change only through the services (the API), which check the state machine, the guards and
who may act, and record history, versions and audit rows; the admin offers no way around that.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from casework.admin.mixins import ReadOnlyAdmin, WorkflowHistoryAdminMixin
from plans.models import Goal, IndividualPlan, Measure, Participant, PlanVersion


class _ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return self.fields


class GoalInline(_ReadOnlyInline):
    model = Goal
    fields = ("position", "text")


class ParticipantInline(_ReadOnlyInline):
    model = Participant
    fields = (
        "kind",
        "user",
        "representative",
        "name",
        "organisation",
        "role",
        "contribution",
        "basis_ended_at",
        "basis_ended_reason",
    )


class MeasureInline(_ReadOnlyInline):
    model = Measure
    fields = ("description", "scope", "responsible", "start_date", "end_date")


class VersionInline(_ReadOnlyInline):
    model = PlanVersion
    fields = ("number", "reason", "created_at", "created_by")


@admin.register(IndividualPlan)
class IndividualPlanAdmin(WorkflowHistoryAdminMixin, ReadOnlyAdmin):
    person_path = "service_user"
    access_resource = "admin.plan"
    list_display = ("id", "service_user", "unit", "coordinator", "state", "next_review_date")
    list_filter = ("state", "unit")
    list_select_related = ("service_user", "unit", "coordinator")
    search_fields = ("service_user__first_name", "service_user__last_name")
    fields = (
        "service_user",
        "unit",
        "coordinator",
        "state",
        "state_changed_at",
        "consent",
        "resources",
        "needs",
        "cooperation",
        "period_start",
        "period_end",
        "next_review_date",
        "hold_reason",
        "closing_reason",
        "final_evaluation",
        "history",
    )
    inlines = (GoalInline, ParticipantInline, MeasureInline, VersionInline)
