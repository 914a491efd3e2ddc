"""HTTP views of individual plans: validate, call a selector or service, serialise.

Staff work on the plan's working copy. A representative who may see the plan gets its latest
approved version only (``PlanApprovedSerializer``); every other plan endpoint answers them 404.
"""

from __future__ import annotations

import json
from functools import cached_property
from typing import Any

from django.db.models import Prefetch
from django.http import Http404, HttpResponse
from django.utils import translation
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view, inline_serializer
from rest_framework import serializers, status
from rest_framework.decorators import action, api_view
from rest_framework.request import Request
from rest_framework.response import Response

from casework import selectors as casework_selectors
from casework.api.base import PersonDataViewSet, reference_in_reach, refuse_unexpected_query
from casework.api.workflow import WorkflowActionsMixin, transition_schema
from casework.audit import access_log_record
from casework.limits import parse_id
from casework.models import Consent, Representative, Unit
from plans import selectors, services
from plans.api import serializers as s
from plans.api.filters import PlanFilter
from plans.content import content_diff, plan_content, plan_for_content
from plans.models import Goal, GoalAssessment, IndividualPlan, Measure, Participant


def _not_found(field: str) -> serializers.ValidationError:
    return serializers.ValidationError({field: [serializers.ErrorDetail(_("Not found."), code="not_found")]})


def _unit_in_reach(*, reach: Any, id: Any) -> Unit:
    return casework_selectors.unit_get_for(reach=reach, id=id)


def _staff_user_for(person: Any) -> Any:
    """A lookup of staff logins in the person's municipality, for ``reference_in_reach``."""

    def lookup(*, reach: Any, id: Any) -> Any:
        return casework_selectors.staff_user_in_municipality(municipality_id=person.municipality_id, id=id)

    return lookup


@extend_schema_view(
    list=extend_schema(summary="List individual plans in reach"),
    retrieve=extend_schema(
        summary="Get a plan: the working copy for staff, the latest approved version for representatives",
        responses=s.PlanDetailSerializer,
    ),
    create=extend_schema(
        summary="Create an individual plan (draft)",
        request=s.PlanCreateSerializer,
        responses={201: s.PlanDetailSerializer},
    ),
    partial_update=extend_schema(
        summary="Change the plan's texts, period, review date or consent",
        request=s.PlanUpdateSerializer,
        responses=s.PlanDetailSerializer,
    ),
    transition=transition_schema(
        model=IndividualPlan, request=s.TransitionInputSerializer, response=s.PlanDetailSerializer
    ),
)
class PlanViewSet(WorkflowActionsMixin, PersonDataViewSet):
    queryset = IndividualPlan.objects.none()
    serializer_class = s.PlanListSerializer
    filterset_class = PlanFilter
    ordering_fields = ["created_at", "state_changed_at", "next_review_date"]
    access_resource = "plan"
    person_path = "service_user"

    def get_queryset(self) -> Any:
        return selectors.plan_list_for(reach=self.reach)

    def get_in_reach(self, pk: str) -> IndividualPlan:
        return selectors.plan_get_for(reach=self.reach, id=pk)

    def staff_plan(self, pk: str) -> IndividualPlan:
        return selectors.plan_staff_get_for(reach=self.reach, id=pk)

    # Transitions and history are the working plan's: staff only (a representative gets 404).
    transition_input = s.TransitionInputSerializer

    def workflow_object(self, pk: str) -> IndividualPlan:
        return self.staff_plan(pk)

    def transition_response(self, obj: Any) -> Response:
        return self._detail(obj)

    def _detail(self, plan: IndividualPlan, *, status_code: int = 200) -> Response:
        """The plan's working fields, as a response that is also written to the access log."""
        plan = selectors.plan_detail_for(plan=plan)
        self.log_read("detail", [plan])
        return Response(s.PlanDetailSerializer(plan).data, status=status_code)

    def list(self, request: Request) -> Response:
        reach = self.reach
        if reach.is_superuser or reach.is_staff_member or not reach.represented:
            return super().list(request)
        # A representative's list shows each plan as approved, never a working-copy field.
        plans = list(self.paginate_queryset(self.filter_queryset(self.get_queryset())) or [])
        self.log_read("list", plans)
        latest = selectors.plan_latest_versions(plans=plans)
        body = [
            {"id": p.pk, "state": p.state, "state_changed_at": p.state_changed_at, "version": latest[p.pk]}
            for p in plans
        ]
        return self.get_paginated_response(s.PlanApprovedSerializer(body, many=True).data)

    def retrieve(self, request: Request, pk: str) -> Response:
        plan = self.get_in_reach(pk)
        if selectors.is_staff_view(self.reach, plan):
            return self._detail(plan)
        self.log_read("detail", [plan])
        version = selectors.plan_latest_version(plan=plan)
        if version is None:  # pragma: no cover - the selector only admits plans with versions
            raise Http404
        body = {
            "id": plan.pk,
            "state": plan.state,
            "state_changed_at": plan.state_changed_at,
            "version": version,
        }
        return Response(s.PlanApprovedSerializer(body).data)

    def create(self, request: Request) -> Response:
        data = s.PlanCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        person = reference_in_reach(
            casework_selectors.service_user_get_for,
            reach=self.reach,
            field="service_user",
            id=values["service_user"],
        )
        unit = reference_in_reach(_unit_in_reach, reach=self.reach, field="unit", id=values["unit"])
        coordinator = reference_in_reach(
            _staff_user_for(person), reach=self.reach, field="coordinator", id=values["coordinator"]
        )
        plan = services.plan_create(
            reach=self.reach,
            service_user=person,
            unit=unit,
            coordinator=coordinator,
            comment=values.get("comment", ""),
        )
        return self._detail(plan, status_code=status.HTTP_201_CREATED)

    def partial_update(self, request: Request, pk: str) -> Response:
        plan = self.staff_plan(pk)
        data = s.PlanUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        if "consent" in values:
            consent = Consent.objects.filter(pk=values.pop("consent"), service_user=plan.service_user).first()
            if consent is None:
                raise _not_found("consent")
            values["consent"] = consent
        plan = services.plan_update(reach=self.reach, plan=plan, **values)
        return self._detail(plan)

    # --- workflow ---------------------------------------------------------------------------

    @extend_schema(
        summary="The working copy's full content, in the same shape as a version's",
        responses=OpenApiTypes.OBJECT,  # as a version's `content`
    )
    @action(detail=True, methods=["get"], filterset_class=None, pagination_class=None)
    def content(self, request: Request, pk: str) -> Response:
        plan = self.staff_plan(pk)
        self.log_read("content", [plan])
        return Response(plan_content(plan_for_content(plan.pk)))

    @extend_schema(summary="Approved versions", responses=s.PlanVersionSerializer(many=True))
    @action(detail=True, methods=["get"], filterset_class=None, ordering_fields=[])
    def versions(self, request: Request, pk: str) -> Response:
        plan = self.get_in_reach(pk)
        self.log_read("versions", [plan])
        page = self.paginate_queryset(selectors.plan_versions_for(reach=self.reach, plan=plan))
        return self.get_paginated_response(s.PlanVersionSerializer(page, many=True).data)

    @extend_schema(
        summary="One approved version with its full content", responses=s.PlanVersionDetailSerializer
    )
    @action(
        detail=True, methods=["get"], url_path=r"versions/(?P<number>[1-9][0-9]{0,9})", filterset_class=None
    )
    def version(self, request: Request, pk: str, number: str) -> Response:
        plan = self.get_in_reach(pk)
        version = selectors.plan_version_get_for(reach=self.reach, plan=plan, number=number)
        self.log_read("version", [plan])
        return Response(s.PlanVersionDetailSerializer(version).data)

    @extend_schema(
        summary="What changed between two approved versions",
        responses=inline_serializer(
            "PlanVersionDiff",
            {
                "from": serializers.IntegerField(),
                "to": serializers.IntegerField(),
                "plan": serializers.DictField(),  # field name -> [before, after]
                "goals": serializers.DictField(),  # added, removed, changed
                "measures": serializers.DictField(),
                "participants": serializers.DictField(),
            },
        ),
    )
    @action(
        detail=True,
        methods=["get"],
        url_path=r"versions/(?P<a>[1-9][0-9]{0,9})/diff/(?P<b>[1-9][0-9]{0,9})",
        filterset_class=None,
    )
    def diff(self, request: Request, pk: str, a: str, b: str) -> Response:
        plan = self.get_in_reach(pk)
        old = selectors.plan_version_get_for(reach=self.reach, plan=plan, number=a)
        new = selectors.plan_version_get_for(reach=self.reach, plan=plan, number=b)
        self.log_read("version_diff", [plan])
        return Response({"from": old.number, "to": new.number, **content_diff(old.content, new.content)})


# --- Goals, participants, measures (nested under a plan; staff only) ------------------------------


class PlanItemViewSet(PersonDataViewSet):
    """Shared by goals, participants and measures: list, add, change and remove, while editable."""

    item_model: type[Any] = Goal
    input_serializer: type[serializers.Serializer] = s.GoalInputSerializer
    person_path = "plan.service_user"
    filterset_class = None
    ordering_fields: list[str] = []

    @cached_property
    def _plan(self) -> IndividualPlan:
        return selectors.plan_staff_get_for(reach=self.reach, id=self.kwargs["plan_pk"])

    def plan(self) -> IndividualPlan:
        """The plan in the path, seen as staff (404 otherwise); read once a request, with its
        person's units (the access log derives role and basis from them)."""
        return self._plan

    def get_queryset(self) -> Any:
        return self.item_model.objects.filter(plan=self.plan())

    def get_in_reach(self, pk: str) -> Any:
        item = casework_selectors.one_in_reach(self.get_queryset(), pk)
        item.plan = self.plan()  # the same row, already read with what the access log needs
        return item

    def log_plan_read(self, kind: str, plan: IndividualPlan) -> None:
        self.log_people(kind, [plan.service_user])

    def list(self, request: Request, plan_pk: str) -> Response:  # type: ignore[override]
        plan = self.plan()
        page = self.paginate_queryset(self.get_queryset())
        self.log_plan_read("list", plan)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request: Request, plan_pk: str, pk: str) -> Response:  # type: ignore[override]
        return super().retrieve(request, pk)

    def resolve(self, plan: IndividualPlan, values: dict[str, Any]) -> dict[str, Any]:
        return values

    def create(self, request: Request, plan_pk: str) -> Response:
        plan = self.plan()
        data = self.input_serializer(data=request.data)
        data.is_valid(raise_exception=True)
        item = services.plan_item_create(
            reach=self.reach,
            plan=plan,
            model=self.item_model,
            **self.resolve(plan, dict(data.validated_data)),
        )
        self.log_plan_read("detail", plan)
        return Response(self.get_serializer(item).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request: Request, plan_pk: str, pk: str) -> Response:
        item = self.get_in_reach(pk)
        data = self.input_serializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        item = services.plan_item_update(
            reach=self.reach, item=item, **self.resolve(item.plan, dict(data.validated_data))
        )
        self.log_plan_read("detail", item.plan)
        return Response(self.get_serializer(item).data)

    def destroy(self, request: Request, plan_pk: str, pk: str) -> Response:
        item = self.get_in_reach(pk)
        services.plan_item_delete(reach=self.reach, item=item)
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema_view(
    create=extend_schema(request=s.GoalInputSerializer),
    partial_update=extend_schema(request=s.GoalInputSerializer),
)
class GoalViewSet(PlanItemViewSet):
    queryset = Goal.objects.none()
    item_model = Goal
    serializer_class = s.GoalSerializer
    input_serializer = s.GoalInputSerializer
    access_resource = "plan.goal"

    def get_queryset(self) -> Any:
        assessments = GoalAssessment.objects.select_related("review")
        return super().get_queryset().prefetch_related(Prefetch("assessments", queryset=assessments))

    @extend_schema(
        summary="Assess a goal in the review under way",
        request=s.GoalAssessInputSerializer,
        responses=s.GoalSerializer,
    )
    @action(detail=True, methods=["post"])
    def assessment(self, request: Request, plan_pk: str, pk: str) -> Response:
        goal = self.get_in_reach(pk)
        data = s.GoalAssessInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.goal_assess(reach=self.reach, goal=goal, **data.validated_data)
        self.log_plan_read("goal_assessment", goal.plan)
        return Response(self.get_serializer(self.get_in_reach(pk)).data)


@extend_schema_view(
    create=extend_schema(request=s.ParticipantInputSerializer),
    partial_update=extend_schema(request=s.ParticipantInputSerializer),
)
class ParticipantViewSet(PlanItemViewSet):
    queryset = Participant.objects.none()
    item_model = Participant
    serializer_class = s.ParticipantSerializer
    input_serializer = s.ParticipantInputSerializer
    access_resource = "plan.participant"

    def resolve(self, plan: IndividualPlan, values: dict[str, Any]) -> dict[str, Any]:
        if values.get("user") is not None:
            values["user"] = reference_in_reach(
                _staff_user_for(plan.service_user), reach=self.reach, field="user", id=values["user"]
            )
        if values.get("representative") is not None:
            representative = Representative.objects.filter(
                pk=values["representative"], service_user=plan.service_user
            ).first()
            if representative is None:
                raise _not_found("representative")
            values["representative"] = representative
        return values


@extend_schema_view(
    create=extend_schema(request=s.MeasureInputSerializer),
    partial_update=extend_schema(request=s.MeasureInputSerializer),
)
class MeasureViewSet(PlanItemViewSet):
    queryset = Measure.objects.none()
    item_model = Measure
    serializer_class = s.MeasureSerializer
    input_serializer = s.MeasureInputSerializer
    access_resource = "plan.measure"

    def resolve(self, plan: IndividualPlan, values: dict[str, Any]) -> dict[str, Any]:
        if values.get("responsible") is not None:
            responsible = Participant.objects.filter(pk=values["responsible"], plan=plan).first()
            if responsible is None:
                raise _not_found("responsible")
            values["responsible"] = responsible
        return values


_VERSION_PARAMETER = OpenApiParameter(
    "version", str, description="A version number, or `draft` for the working copy (staff only)"
)


@extend_schema(
    summary="The plan as an archival PDF (latest approved version unless ?version=)",
    parameters=[_VERSION_PARAMETER],
    responses={(200, "application/pdf"): OpenApiTypes.BINARY},
)
@api_view(["GET", "HEAD"])
def plan_pdf(request: Request, pk: int) -> HttpResponse:
    from plans.documents.pdf import render_plan_pdf  # WeasyPrint needs Pango: load it only when asked

    content = _document(request, pk, resource="pdf")
    language = "en" if translation.get_language() == "en" else "nb"
    response = HttpResponse(render_plan_pdf(content, language=language), content_type="application/pdf")
    number = content.get("version", {}).get("number", "utkast")
    response["Content-Disposition"] = f'inline; filename="individuell-plan-{pk}-{number}.pdf"'
    return response


@extend_schema(
    summary="The plan as a FHIR R4 Bundle (CarePlan, Goals, CareTeam)",
    parameters=[_VERSION_PARAMETER],
    responses={(200, "application/fhir+json"): OpenApiTypes.OBJECT},
)
@api_view(["GET", "HEAD"])
def plan_fhir(request: Request, pk: int) -> HttpResponse:
    from plans.documents.fhir import plan_fhir_bundle

    bundle = plan_fhir_bundle(_document(request, pk, resource="fhir"))
    return HttpResponse(json.dumps(bundle, ensure_ascii=False), content_type="application/fhir+json")


def _document(request: Request, pk: int, *, resource: str) -> dict[str, Any]:
    refuse_unexpected_query(request, allowed={"version"})
    version = request.query_params.get("version")
    if version is not None and version != "draft" and parse_id(version) is None:
        raise serializers.ValidationError(
            {"version": [serializers.ErrorDetail(_("A version number, or draft."), code="invalid")]}
        )
    reach = casework_selectors.reach_for(request.user)
    plan = selectors.plan_get_for(reach=reach, id=pk)
    content = selectors.plan_document_content(reach=reach, plan=plan, version=version)
    access_log_record(reach=reach, resource=f"plan.{resource}", people=[plan.service_user])
    return content
