"""HTTP views of cases and home visits: the workflow endpoints of api.md, and the work list of
cases past the provisional-reply deadline."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from casework import cases as services
from casework import conversations as conversation_services
from casework import selectors
from casework.api.base import PersonDataViewSet, reference_in_reach, unit_query_param
from casework.api.fields import BoundedDateField, BoundedDateTimeField, IdField, IdListField, list_of
from casework.choices import DecisionOutcome, HomeVisitMissReason
from casework.models import Case, Decision, HomeVisit, QualityConversation, Representative, WorkflowTransition
from config.serializers import StrictInputSerializer, TransitionOptionSerializer


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


class WorkflowTransitionSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor.get_username", read_only=True)

    class Meta:
        model = WorkflowTransition
        fields = ["id", "name", "source", "target", "actor", "occurred_at", "comment"]


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


def _options(obj: Any, guards: dict[str, list[str]] | None = None) -> list[dict[str, Any]]:
    """``GET …/transitions/``: each transition from the state; ``blocked_by`` for guards known
    without request input (inputs such as a time or a summary are checked when performed)."""
    guards = guards or {}
    options = []
    for transition in obj.transitions_from_here():
        blocked = [f"missing: {item}" for item in guards.get(transition.name, [])]
        options.append(
            {
                "name": transition.name,
                "target": transition.target,
                "allowed": not blocked,
                "blocked_by": blocked,
            }
        )
    return sorted(options, key=lambda option: option["name"])


def _staff_user_for(conversation: QualityConversation) -> Any:
    def lookup(*, reach: Any, id: Any) -> Any:
        return selectors.staff_user_in_municipality(
            municipality_id=conversation.service_user.municipality_id, id=id
        )

    return lookup


class WorkflowHistoryMixin:
    """``GET …/history/`` for the casework workflows, which share one history table."""

    @extend_schema(
        summary="Every transition: who, when, from, to, comment",
        responses=WorkflowTransitionSerializer(many=True),
    )
    @action(detail=True, methods=["get"], filterset_class=None, ordering_fields=[])
    def history(self, request: Request, pk: str) -> Response:
        obj = self.get_in_reach(pk)  # type: ignore[attr-defined]
        self.log_read("history", [obj])  # type: ignore[attr-defined]
        page = self.paginate_queryset(_history(obj))  # type: ignore[attr-defined]
        return self.get_paginated_response(WorkflowTransitionSerializer(page, many=True).data)  # type: ignore[attr-defined]


def _history(obj: Any) -> Any:
    return WorkflowTransition.objects.filter(
        object_type=obj._meta.label_lower, object_id=str(obj.pk)
    ).select_related("actor")


@extend_schema_view(
    list=extend_schema(summary="List cases in reach"),
    retrieve=extend_schema(summary="Get a case"),
    create=extend_schema(
        summary="Register a case", request=CaseCreateSerializer, responses={201: CaseSerializer}
    ),
)
class CaseViewSet(WorkflowHistoryMixin, PersonDataViewSet):
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
            selectors.service_user_get_for,
            reach=self.reach,
            field="service_user",
            id=values.pop("service_user"),
        )
        unit = reference_in_reach(
            selectors.unit_get_for, reach=self.reach, field="unit", id=values.pop("unit")
        )
        case = services.case_create(reach=self.reach, service_user=person, unit=unit, **values)
        return self.respond_with(self.get_in_reach(str(case.pk)), status.HTTP_201_CREATED)

    @extend_schema(
        summary="Transitions from the current state, and what blocks each",
        responses=TransitionOptionSerializer(many=True),
        filters=False,  # a list, but not of the viewset's objects
    )
    @action(detail=True, methods=["get"], pagination_class=None, filterset_class=None)
    def transitions(self, request: Request, pk: str) -> Response:
        case = self.get_in_reach(pk)
        self.log_read("transitions", [case])
        return Response(_options(case, {"decide": services.decision_missing(case)}))

    @extend_schema(
        summary="Perform a transition (start_assessment, decide, appeal, close)",
        request=CaseTransitionSerializer,
        parameters=[OpenApiParameter("name", str, OpenApiParameter.PATH)],
    )
    @action(detail=True, methods=["post"], url_path=r"transitions/(?P<name>[a-z_]+)", filterset_class=None)
    def transition(self, request: Request, pk: str, name: str) -> Response:
        case = self.get_in_reach(pk)
        data = CaseTransitionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        if name == "start_assessment":
            services.case_start_assessment(reach=self.reach, case=case, comment=values["comment"])
        elif name == "decide":
            absent = [f for f in ("outcome", "reasons", "complaint_information") if f not in values]
            if absent and "decide" in {t.name for t in case.transitions_from_here()}:
                raise serializers.ValidationError(
                    {
                        f: [serializers.ErrorDetail(_("Required for a decision."), code="required")]
                        for f in absent
                    }
                )
            services.case_decide(
                reach=self.reach,
                case=case,
                outcome=values.get("outcome", ""),
                reasons=values.get("reasons", ""),
                complaint_information=values.get("complaint_information", ""),
                services=values.get("services", ""),
            )
        elif name == "appeal":
            services.case_appeal(reach=self.reach, case=case, comment=values["comment"])
        elif name == "close":
            services.case_close(reach=self.reach, case=case, comment=values["comment"])
        else:
            raise Http404
        return self.respond_with(self.get_in_reach(pk))

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
)
class HomeVisitViewSet(WorkflowHistoryMixin, PersonDataViewSet):
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

    @extend_schema(
        summary="Transitions from the current state",
        responses=TransitionOptionSerializer(many=True),
        filters=False,  # a list, but not of the viewset's objects
    )
    @action(detail=True, methods=["get"], pagination_class=None, filterset_class=None)
    def transitions(self, request: Request, pk: str) -> Response:
        visit = self.get_in_reach(pk)
        self.log_read("transitions", [visit])
        return Response(_options(visit))

    @extend_schema(
        summary="Perform a transition (schedule, complete, miss)",
        request=VisitTransitionSerializer,
        parameters=[OpenApiParameter("name", str, OpenApiParameter.PATH)],
    )
    @action(detail=True, methods=["post"], url_path=r"transitions/(?P<name>[a-z_]+)", filterset_class=None)
    def transition(self, request: Request, pk: str, name: str) -> Response:
        visit = self.get_in_reach(pk)
        data = VisitTransitionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        if name == "schedule":
            if "at" not in values:
                raise serializers.ValidationError(
                    {"at": [serializers.ErrorDetail(_("Required."), code="required")]}
                )
            services.home_visit_schedule(reach=self.reach, visit=visit, at=values["at"])
        elif name == "complete":
            wanted = set(values.get("representatives", []))
            person_id = visit.case.service_user_id
            present = list(Representative.objects.filter(pk__in=sorted(wanted), service_user_id=person_id))
            if len(present) != len(wanted):
                raise serializers.ValidationError(
                    {"representatives": [serializers.ErrorDetail(_("Not found."), code="not_found")]}
                )
            services.home_visit_complete(
                reach=self.reach,
                visit=visit,
                findings=values["findings"],
                wishes=values["wishes"],
                representatives=present,
            )
        elif name == "miss":
            services.home_visit_miss(reach=self.reach, visit=visit, reason=values.get("reason", ""))
        else:
            raise Http404
        return self.respond_with(self.get_in_reach(pk))


# --- Quality conversations ------------------------------------------------------------------


class QualityConversationSerializer(serializers.ModelSerializer):
    service_user = serializers.IntegerField(source="service_user_id", read_only=True)
    representative = serializers.IntegerField(source="representative_id", read_only=True, allow_null=True)
    unit = serializers.IntegerField(source="unit_id", read_only=True)

    class Meta:
        model = QualityConversation
        fields = [
            "id",
            "service_user",
            "representative",
            "unit",
            "year",
            "state",
            "state_changed_at",
            "offered_at",
            "scheduled_for",
            "held_on",
            "summary",
            "not_applicable_reason",
        ]


MAX_FOLLOW_UPS = 50


class FollowUpInputSerializer(StrictInputSerializer):
    text = serializers.CharField(max_length=5000)
    owner = IdField(required=False, allow_null=True)
    deadline = BoundedDateField(required=False, allow_null=True)
    to_plan = serializers.BooleanField(required=False, default=False)


class ConversationTransitionSerializer(StrictInputSerializer):
    at = BoundedDateTimeField(required=False)
    on = BoundedDateField(required=False)
    summary = serializers.CharField(max_length=20_000, required=False, allow_blank=True, default="")
    follow_ups = list_of(FollowUpInputSerializer, required=False, max_length=MAX_FOLLOW_UPS)


@extend_schema_view(
    list=extend_schema(summary="List quality conversations in reach"),
    retrieve=extend_schema(summary="Get a quality conversation"),
)
class QualityConversationViewSet(WorkflowHistoryMixin, PersonDataViewSet):
    queryset = QualityConversation.objects.none()
    serializer_class = QualityConversationSerializer
    filterset_fields = ["year", "state", "unit"]
    ordering_fields = ["year", "state_changed_at"]
    access_resource = "quality_conversation"
    person_path = "service_user"

    def get_queryset(self) -> Any:
        return selectors.quality_conversation_list_for(reach=self.reach)

    def get_in_reach(self, pk: str) -> QualityConversation:
        return selectors.quality_conversation_get_for(reach=self.reach, id=pk)

    @extend_schema(
        summary="Transitions from the current state, and what blocks each",
        responses=TransitionOptionSerializer(many=True),
        filters=False,  # a list, but not of the viewset's objects
    )
    @action(detail=True, methods=["get"], pagination_class=None, filterset_class=None)
    def transitions(self, request: Request, pk: str) -> Response:
        conversation = self.get_in_reach(pk)
        self.log_read("transitions", [conversation])
        valid = conversation_services.representative_valid_now(conversation)
        blocked = [] if valid else ["representative_valid"]
        return Response(_options(conversation, {"offer": blocked, "schedule": blocked}))

    @extend_schema(
        summary="Perform a transition (offer, accept, decline, schedule, hold, document)",
        request=ConversationTransitionSerializer,
        parameters=[OpenApiParameter("name", str, OpenApiParameter.PATH)],
    )
    @action(detail=True, methods=["post"], url_path=r"transitions/(?P<name>[a-z_]+)", filterset_class=None)
    def transition(self, request: Request, pk: str, name: str) -> Response:
        conversation = self.get_in_reach(pk)
        data = ConversationTransitionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        needs = {"schedule": "at", "hold": "on"}
        if name in needs and needs[name] not in values:
            field = needs[name]
            raise serializers.ValidationError(
                {field: [serializers.ErrorDetail(_("Required."), code="required")]}
            )
        reach = self.reach
        simple = {
            "offer": conversation_services.conversation_offer,
            "accept": conversation_services.conversation_accept,
            "decline": conversation_services.conversation_decline,
        }
        if name in simple:
            simple[name](reach=reach, conversation=conversation)
        elif name == "schedule":
            conversation_services.conversation_schedule(
                reach=reach, conversation=conversation, at=values["at"]
            )
        elif name == "hold":
            conversation_services.conversation_hold(reach=reach, conversation=conversation, on=values["on"])
        elif name == "document":
            conversation_services.conversation_document(
                reach=reach,
                conversation=conversation,
                summary=values["summary"],
                follow_ups=[
                    {
                        **item,
                        "owner": reference_in_reach(
                            _staff_user_for(conversation), reach=reach, field="owner", id=item["owner"]
                        )
                        if item.get("owner")
                        else None,
                    }
                    for item in values.get("follow_ups", [])
                ],
            )
        else:
            raise Http404
        return self.respond_with(self.get_in_reach(pk))

    @extend_schema(
        summary="This year's conversations not yet offered, per unit",
        parameters=[OpenApiParameter("unit", int)],
        responses=QualityConversationSerializer(many=True),
    )
    @action(
        detail=False,
        methods=["get"],
        url_path="not-offered",
        filterset_class=None,
        extra_query_params=frozenset({"unit"}),
    )
    def not_offered(self, request: Request) -> Response:
        unit = unit_query_param(request)
        rows = selectors.quality_conversation_list_for(reach=self.reach).filter(
            state="due", year=timezone.localdate().year, representative__isnull=False
        )
        if unit is not None:
            rows = rows.filter(unit_id=unit)
        page = list(self.paginate_queryset(rows) or [])
        self.log_read("not_offered", page)
        return self.get_paginated_response(QualityConversationSerializer(page, many=True).data)
