"""One API mixin for every workflow resource: ``transitions/``, ``transitions/{name}/`` and
``history/`` (api.md), served from the engine's declarations (casework/engine.py)."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from casework.engine import history_for, perform_transition, transition_options, workflow_for
from casework.models import WorkflowTransition
from casework.system import actor_name


class TransitionOptionSerializer(serializers.Serializer):
    """One entry of ``GET …/transitions/`` (api.md), the same for every workflow."""

    name = serializers.CharField()
    target = serializers.CharField()
    allowed = serializers.BooleanField()
    blocked_by = serializers.ListField(child=serializers.CharField())


class WorkflowTransitionSerializer(serializers.ModelSerializer):
    """One row of ``history/``, the same for every workflow: who, when, from, to, comment."""

    actor = serializers.SerializerMethodField()

    class Meta:
        model = WorkflowTransition
        fields = ["id", "name", "source", "target", "actor", "occurred_at", "comment"]

    def get_actor(self, row: WorkflowTransition) -> str:
        return actor_name(row.actor)  # "System" for scheduled work


class WorkflowActionsMixin:
    """For a ``ReachViewSet`` whose model is a registered workflow.

    ``transition_input`` is the strict serializer of what the resource's transitions take (every
    transition of the resource takes the same body, a field unknown to it is a 400);
    ``transition_values`` may turn ids in it into objects in reach; ``workflow_object`` fetches the
    object through its selector (404 outside reach) and ``transition_response`` answers with it.
    """

    transition_input: type[serializers.Serializer]

    def workflow_object(self, pk: str) -> Any:
        return self.get_in_reach(pk)  # type: ignore[attr-defined]

    def transition_values(self, obj: Any, name: str, values: dict[str, Any]) -> dict[str, Any]:
        return values

    def transition_response(self, obj: Any) -> Response:
        return self.respond_with(self.get_in_reach(str(obj.pk)))  # type: ignore[attr-defined]

    @extend_schema(
        summary="Transitions from the current state, whether this caller may take each, and why not",
        responses=TransitionOptionSerializer(many=True),
        filters=False,  # a list, but not of the viewset's objects
    )
    @action(detail=True, methods=["get"], pagination_class=None, filterset_class=None)
    def transitions(self, request: Request, pk: str) -> Response:
        obj = self.workflow_object(pk)
        self.log_read("transitions", [obj])  # type: ignore[attr-defined]
        options = transition_options(self.reach, obj)  # type: ignore[attr-defined]
        return Response(TransitionOptionSerializer(options, many=True).data)

    @action(detail=True, methods=["post"], url_path=r"transitions/(?P<name>[a-z_]+)", filterset_class=None)
    def transition(self, request: Request, pk: str, name: str) -> Response:
        obj = self.workflow_object(pk)
        step = workflow_for(obj).step(name)
        if step is None or step.scheduled:
            raise Http404
        data = self.transition_input(data=request.data)
        data.is_valid(raise_exception=True)
        values = self.transition_values(obj, name, dict(data.validated_data))
        moved = perform_transition(self.reach, obj, name, **values)  # type: ignore[attr-defined]
        return self.transition_response(moved)

    @extend_schema(
        summary="Every transition: who, when, from, to, comment",
        responses=WorkflowTransitionSerializer(many=True),
    )
    @action(detail=True, methods=["get"], filterset_class=None, ordering_fields=[])
    def history(self, request: Request, pk: str) -> Response:
        obj = self.workflow_object(pk)
        self.log_read("history", [obj])  # type: ignore[attr-defined]
        page = self.paginate_queryset(history_for(obj))  # type: ignore[attr-defined]
        return self.get_paginated_response(WorkflowTransitionSerializer(page, many=True).data)  # type: ignore[attr-defined]


def transition_schema(*, model: Any, request: Any, response: Any) -> Any:
    """The schema of ``POST …/transitions/{name}/`` for one resource: its names, body and answer."""
    names = sorted(step.name for step in workflow_for(model).steps if not step.scheduled)
    return extend_schema(
        summary="Perform a transition",
        request=request,
        responses=response,
        parameters=[OpenApiParameter("name", str, OpenApiParameter.PATH, enum=names)],
    )
