"""HTTP views of cases and home visits: the workflow endpoints of api.md, and the work list of
cases past the provisional-reply deadline."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from cases import selectors, services
from cases.choices import DecisionOutcome, HomeVisitMissReason
from cases.models import Case, Decision, HomeVisit
from casework import selectors as casework_selectors
from casework.api.base import PersonDataViewSet, reference_in_reach, unit_query_param
from casework.api.fields import BoundedDateField, BoundedDateTimeField, IdField, IdListField
from casework.api.inputs import StrictInputSerializer
from casework.api.workflow import WorkflowActionsMixin, transition_schema
from casework.models import Representative


class DecisionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Decision
        fields = [
            "outcome",
            "services",
            "reasons",
            "complaint_information",
            "complaint_deadline",
            "decided_at",
        ]


class CaseSerializer(serializers.ModelSerializer):
    service_user = serializers.IntegerField(source="service_user_id", read_only=True)
    unit = serializers.IntegerField(source="unit_id", read_only=True)
    provisional_reply_due = serializers.DateField(read_only=True)
    decision = serializers.SerializerMethodField()

    class Meta:
        model = Case
        fields = [
            "id",
            "service_user",
            "unit",
            "service_applied_for",
            "received_on",
            "state",
            "state_changed_at",
            "provisional_reply_due",
            "provisional_reply_sent_on",
            "no_visit_reason",
            "decided_at",
            "decision",
        ]

    def get_decision(self, case: Case) -> dict[str, Any] | None:
        decision = getattr(case, "decision", None)
        return DecisionSerializer(decision).data if decision is not None else None


class HomeVisitSerializer(serializers.ModelSerializer):
    case = serializers.IntegerField(source="case_id", read_only=True)

    class Meta:
        model = HomeVisit
        fields = [
            "id",
            "case",
            "state",
            "state_changed_at",
            "scheduled_for",
            "findings",
            "wishes",
            "miss_reason",
        ]


class CaseCreateSerializer(StrictInputSerializer):
    service_user = IdField()
    unit = IdField()
    service_applied_for = serializers.CharField(max_length=200)
    received_on = BoundedDateField()


class CaseTransitionSerializer(StrictInputSerializer):
    comment = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
    outcome = serializers.ChoiceField(choices=DecisionOutcome.choices, required=False)
    services = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    reasons = serializers.CharField(max_length=20_000, required=False)
    complaint_information = serializers.CharField(max_length=5000, required=False)


class ProvisionalReplySerializer(StrictInputSerializer):
    sent_on = BoundedDateField()


class NoVisitReasonSerializer(StrictInputSerializer):
    reason = serializers.CharField(max_length=500)


class VisitTransitionSerializer(StrictInputSerializer):
    at = BoundedDateTimeField(required=False)
    representatives = IdListField(required=False, max_length=20)
    findings = serializers.CharField(max_length=20_000, required=False, allow_blank=True, default="")
    wishes = serializers.CharField(max_length=20_000, required=False, allow_blank=True, default="")
    reason = serializers.ChoiceField(choices=HomeVisitMissReason.choices, required=False)


class StrictCaseRef(StrictInputSerializer):
    case = IdField()


@extend_schema_view(
    list=extend_schema(summary="List cases in reach"),
    retrieve=extend_schema(summary="Get a case"),
    create=extend_schema(
        summary="Register a case", request=CaseCreateSerializer, responses={201: CaseSerializer}
    ),
    transition=transition_schema(model=Case, request=CaseTransitionSerializer, response=CaseSerializer),
)
class CaseViewSet(WorkflowActionsMixin, PersonDataViewSet):
    queryset = Case.objects.none()
    serializer_class = CaseSerializer
    filterset_fields = ["state", "unit"]
    ordering_fields = ["received_on"]
    access_resource = "case"
    person_path = "service_user"

    def get_queryset(self) -> Any:
        return selectors.case_list_for(reach=self.reach)

    def get_in_reach(self, pk: str) -> Case:
        return selectors.case_get_for(reach=self.reach, id=pk)

    def create(self, request: Request) -> Response:
        data = CaseCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        person = reference_in_reach(
            casework_selectors.service_user_get_for,
            reach=self.reach,
            field="service_user",
            id=values.pop("service_user"),
        )
        unit = reference_in_reach(
            casework_selectors.unit_get_for, reach=self.reach, field="unit", id=values.pop("unit")
        )
        case = services.case_create(reach=self.reach, service_user=person, unit=unit, **values)
        return self.respond_with(self.get_in_reach(str(case.pk)), status.HTTP_201_CREATED)

    transition_input = CaseTransitionSerializer

    @extend_schema(summary="Record that the provisional reply was sent", request=ProvisionalReplySerializer)
    @action(detail=True, methods=["post"], url_path="provisional-reply", filterset_class=None)
    def provisional_reply(self, request: Request, pk: str) -> Response:
        case = self.get_in_reach(pk)
        data = ProvisionalReplySerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.case_record_provisional_reply(
            reach=self.reach, case=case, sent_on=data.validated_data["sent_on"]
        )
        return self.respond_with(self.get_in_reach(pk))

    @extend_schema(summary="Record why no home visit was made", request=NoVisitReasonSerializer)
    @action(detail=True, methods=["post"], url_path="no-visit-reason", filterset_class=None)
    def no_visit_reason(self, request: Request, pk: str) -> Response:
        case = self.get_in_reach(pk)
        data = NoVisitReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.case_record_no_visit_reason(
            reach=self.reach, case=case, reason=data.validated_data["reason"]
        )
        return self.respond_with(self.get_in_reach(pk))

    @extend_schema(
        summary="Undecided cases past the one-month provisional-reply deadline",
        parameters=[OpenApiParameter("unit", int)],
        responses=CaseSerializer(many=True),
    )
    @action(
        detail=False,
        methods=["get"],
        url_path="past-deadline",
        filterset_class=None,
        extra_query_params=frozenset({"unit"}),
    )
    def past_deadline(self, request: Request) -> Response:
        unit = unit_query_param(request)
        rows = selectors.cases_past_reply_deadline(reach=self.reach, unit_id=unit)
        page = self.page_of(rows)
        self.log_read("past_deadline", page)
        return self.get_paginated_response(CaseSerializer(page, many=True).data)


@extend_schema_view(
    list=extend_schema(summary="List home visits in reach"),
    retrieve=extend_schema(summary="Get a home visit"),
    transition=transition_schema(
        model=HomeVisit, request=VisitTransitionSerializer, response=HomeVisitSerializer
    ),
)
class HomeVisitViewSet(WorkflowActionsMixin, PersonDataViewSet):
    queryset = HomeVisit.objects.none()
    serializer_class = HomeVisitSerializer
    filterset_fields = ["state", "case"]
    ordering_fields = ["created_at", "scheduled_for"]
    access_resource = "home_visit"
    person_path = "case.service_user"

    def get_queryset(self) -> Any:
        return selectors.home_visit_list_for(reach=self.reach)

    def get_in_reach(self, pk: str) -> HomeVisit:
        return selectors.home_visit_get_for(reach=self.reach, id=pk)

    @extend_schema(
        summary="Plan a home visit for a case",
        request=StrictCaseRef,
        responses={201: HomeVisitSerializer},
    )
    def create(self, request: Request) -> Response:
        data = StrictCaseRef(data=request.data)
        data.is_valid(raise_exception=True)
        case = reference_in_reach(
            selectors.case_get_for, reach=self.reach, field="case", id=data.validated_data["case"]
        )
        visit = services.home_visit_plan(reach=self.reach, case=case)
        return self.respond_with(self.get_in_reach(str(visit.pk)), status.HTTP_201_CREATED)

    transition_input = VisitTransitionSerializer

    def transition_values(self, obj: Any, name: str, values: dict[str, Any]) -> dict[str, Any]:
        """The representatives present, by id: the person's own (400 ``not_found`` otherwise)."""
        wanted = set(values.pop("representatives", []))
        present = list(
            Representative.objects.filter(pk__in=sorted(wanted), service_user_id=obj.case.service_user_id)
        )
        if len(present) != len(wanted):
            raise serializers.ValidationError(
                {"representatives": [serializers.ErrorDetail(_("Not found."), code="not_found")]}
            )
        return {**values, "representatives": present}
