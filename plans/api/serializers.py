"""Input and output shapes of the plans API. No writes here: views call services."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from casework.api.fields import BoundedDateField, IdField, IntegerInputField
from casework.api.inputs import StrictInputSerializer
from casework.choices import BasisEnd
from casework.system import actor_name
from plans import guards
from plans.choices import GoalProgress, ParticipantKind
from plans.models import (
    Goal,
    GoalAssessment,
    IndividualPlan,
    Measure,
    Participant,
    PlanVersion,
)


def _name(user: Any) -> str:
    return actor_name(user)  # "System" for the system actor of scheduled work


class RefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class PlanListSerializer(serializers.ModelSerializer):
    service_user = serializers.SerializerMethodField()
    unit = serializers.SerializerMethodField()
    coordinator = serializers.SerializerMethodField()

    class Meta:
        model = IndividualPlan
        fields = [
            "id",
            "service_user",
            "unit",
            "coordinator",
            "state",
            "state_changed_at",
            "next_review_date",
            "created_at",
        ]

    @extend_schema_field(RefSerializer)
    def get_service_user(self, plan: IndividualPlan) -> dict[str, Any]:
        return {"id": plan.service_user_id, "name": plan.service_user.full_name}

    @extend_schema_field(RefSerializer)
    def get_unit(self, plan: IndividualPlan) -> dict[str, Any]:
        return {"id": plan.unit_id, "name": plan.unit.name}

    @extend_schema_field(RefSerializer)
    def get_coordinator(self, plan: IndividualPlan) -> dict[str, Any]:
        return {"id": plan.coordinator_id, "name": _name(plan.coordinator)}


class GoalAssessmentSerializer(serializers.ModelSerializer):
    review = serializers.IntegerField(source="review.number")

    class Meta:
        model = GoalAssessment
        fields = ["review", "progress", "assessment", "assessed_at"]


class GoalSerializer(serializers.ModelSerializer):
    assessments = GoalAssessmentSerializer(many=True, read_only=True)

    class Meta:
        model = Goal
        fields = ["id", "text", "position", "assessments"]


class ParticipantSerializer(serializers.ModelSerializer):
    # Set by a withdrawn consent or an ended mandate (plans.basis), never by a request; "" and null
    # while the participant has their basis.
    basis_ended_at = serializers.DateTimeField(read_only=True, allow_null=True)
    basis_ended_reason = serializers.ChoiceField(choices=BasisEnd.choices, allow_blank=True, read_only=True)

    class Meta:
        model = Participant
        fields = [
            "id",
            "kind",
            "user",
            "representative",
            "name",
            "organisation",
            "contact",
            "role",
            "contribution",
            "basis_ended_at",
            "basis_ended_reason",
        ]


class MeasureSerializer(serializers.ModelSerializer):
    class Meta:
        model = Measure
        fields = [
            "id",
            "description",
            "scope",
            "responsible",
            "how_carried_out",
            "start_date",
            "end_date",
            "position",
        ]


class PlanDetailSerializer(PlanListSerializer):
    """The working copy's own fields, for staff, and what is still missing for activation.

    Goals, participants and measures are sub-resources (``/plans/{id}/goals/`` …); the whole
    working copy in one document is ``/plans/{id}/content/``, in the same shape as a version.
    """

    missing = serializers.SerializerMethodField()
    latest_version = serializers.SerializerMethodField()

    class Meta(PlanListSerializer.Meta):
        fields = [
            *PlanListSerializer.Meta.fields,
            "consent",
            "resources",
            "needs",
            "cooperation",
            "period_start",
            "period_end",
            "hold_reason",
            "closing_reason",
            "final_evaluation",
            "missing",
            "latest_version",
        ]

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_missing(self, plan: IndividualPlan) -> list[str]:
        return guards.completeness(plan)

    def get_latest_version(self, plan: IndividualPlan) -> int | None:
        return getattr(plan, "latest_version_number", None)


class PlanVersionSerializer(serializers.ModelSerializer):
    created_by = serializers.SerializerMethodField()

    class Meta:
        model = PlanVersion
        fields = ["number", "reason", "created_at", "created_by"]

    def get_created_by(self, version: PlanVersion) -> str:
        return _name(version.created_by)


class PlanVersionDetailSerializer(PlanVersionSerializer):
    class Meta(PlanVersionSerializer.Meta):
        fields = [*PlanVersionSerializer.Meta.fields, "content"]


class PlanApprovedSerializer(serializers.Serializer):
    """What a representative sees: the state and the latest approved version, never a draft."""

    id = serializers.IntegerField()
    state = serializers.CharField()
    state_changed_at = serializers.DateTimeField()
    version = PlanVersionDetailSerializer()


# --- Input ----------------------------------------------------------------------------------

MAX_POSITION = 10_000  # the order of goals and measures within a plan


class PlanCreateSerializer(StrictInputSerializer):
    service_user = IdField()
    unit = IdField()
    coordinator = IdField()
    comment = serializers.CharField(max_length=2000, required=False, allow_blank=True)


class PlanUpdateSerializer(StrictInputSerializer):
    resources = serializers.CharField(max_length=20_000, required=False, allow_blank=True)
    needs = serializers.CharField(max_length=20_000, required=False, allow_blank=True)
    cooperation = serializers.CharField(max_length=20_000, required=False, allow_blank=True)
    period_start = BoundedDateField(required=False, allow_null=True)
    period_end = BoundedDateField(required=False, allow_null=True)
    next_review_date = BoundedDateField(required=False, allow_null=True)
    consent = IdField(required=False)


class TransitionInputSerializer(StrictInputSerializer):
    # The comment is also the reason kept on the plan (hold, closing): 500 characters at most.
    comment = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
    final_evaluation = serializers.CharField(max_length=20_000, required=False, allow_blank=True)


class GoalInputSerializer(StrictInputSerializer):
    text = serializers.CharField(max_length=5000)
    position = IntegerInputField(min_value=0, max_value=MAX_POSITION, required=False)


class GoalAssessInputSerializer(StrictInputSerializer):
    progress = serializers.ChoiceField(choices=GoalProgress.choices)
    assessment = serializers.CharField(max_length=10_000)


class ParticipantInputSerializer(StrictInputSerializer):
    kind = serializers.ChoiceField(choices=ParticipantKind.choices)
    user = IdField(required=False, allow_null=True)
    representative = IdField(required=False, allow_null=True)
    name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    organisation = serializers.CharField(max_length=200, required=False, allow_blank=True)
    contact = serializers.CharField(max_length=200, required=False, allow_blank=True)
    role = serializers.CharField(max_length=120, required=False, allow_blank=True)
    contribution = serializers.CharField(max_length=10_000, required=False, allow_blank=True)


class MeasureInputSerializer(StrictInputSerializer):
    description = serializers.CharField(max_length=5000)
    scope = serializers.CharField(max_length=200, required=False, allow_blank=True)
    responsible = IdField(required=False, allow_null=True)
    how_carried_out = serializers.CharField(max_length=10_000, required=False, allow_blank=True)
    start_date = BoundedDateField(required=False, allow_null=True)
    end_date = BoundedDateField(required=False, allow_null=True)
    position = IntegerInputField(min_value=0, max_value=MAX_POSITION, required=False)

    def validate(self, data: dict[str, Any]) -> dict[str, Any]:
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end < start:
            raise serializers.ValidationError({"end_date": _("The end date is before the start date.")})
        return data
