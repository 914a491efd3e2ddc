"""HTTP views of the quality conversations: the workflow endpoints of api.md and the work list of
this year's conversations not yet offered."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from casework import selectors as casework_selectors
from casework.api.base import PersonDataViewSet, reference_in_reach, unit_query_param
from casework.api.fields import BoundedDateField, BoundedDateTimeField, IdField, list_of
from casework.api.inputs import StrictInputSerializer
from casework.api.workflow import WorkflowActionsMixin, transition_schema
from quality_conversations import selectors
from quality_conversations.models import QualityConversation


def _staff_user_for(conversation: QualityConversation) -> Any:
    def lookup(*, reach: Any, id: Any) -> Any:
        return casework_selectors.staff_user_in_municipality(
            municipality_id=conversation.service_user.municipality_id, id=id
        )

    return lookup


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
    transition=transition_schema(
        model=QualityConversation,
        request=ConversationTransitionSerializer,
        response=QualityConversationSerializer,
    ),
)
class QualityConversationViewSet(WorkflowActionsMixin, PersonDataViewSet):
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

    transition_input = ConversationTransitionSerializer

    def transition_values(self, obj: Any, name: str, values: dict[str, Any]) -> dict[str, Any]:
        """Each follow-up's owner, by id: a staff member of the person's municipality."""
        lookup = _staff_user_for(obj)
        follow_ups = [
            {
                **item,
                "owner": reference_in_reach(lookup, reach=self.reach, field="owner", id=item["owner"])
                if item.get("owner")
                else None,
            }
            for item in values.pop("follow_ups", [])
        ]
        return {**values, "follow_ups": follow_ups}

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
