"""The notifications API: the caller's own inbox and preferences; deliveries for staff.

The inbox holds only the caller's own messages (someone else's answers 404). Delivery status
names the recipients of a plan's or a meeting's messages, so it is for staff who reach the object
through its selector, and each look is written to the access log.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from casework.api.base import PersonDataViewSet, ReachViewSet, query_input
from notifications import selectors, services
from notifications.api import serializers as s
from notifications.models import Notification


@extend_schema_view(
    list=extend_schema(
        summary="The caller's own messages (portal inbox), newest first",
        parameters=[OpenApiParameter("unread", bool, description="Only unread messages")],
    ),
    retrieve=extend_schema(summary="One of the caller's messages"),
)
class InboxViewSet(ReachViewSet):
    serializer_class = s.InboxMessageSerializer
    queryset = Notification.objects.none()
    extra_query_params = frozenset({"unread"})

    def get_queryset(self) -> Any:
        return selectors.inbox_for(user=self.request.user)

    def list(self, request: Request) -> Response:
        query = query_input(s.InboxFilterSerializer, request)
        rows = self.get_queryset()
        if query.get("unread") is True:
            rows = rows.filter(read_at__isnull=True)
        elif query.get("unread") is False:
            rows = rows.filter(read_at__isnull=False)
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request: Request, pk: str) -> Response:
        return Response(self.get_serializer(selectors.inbox_get_for(user=request.user, id=pk)).data)

    @extend_schema(summary="Mark one of the caller's messages as read", request=None)
    @action(detail=True, methods=["post"])
    def read(self, request: Request, pk: str) -> Response:
        row = selectors.inbox_get_for(user=request.user, id=pk)
        return Response(
            self.get_serializer(services.inbox_mark_read(actor=request.user, notification=row)).data
        )

    @extend_schema(
        summary="Mark all the caller's messages as read", request=None, responses=s.ReadAllResultSerializer
    )
    @action(detail=False, methods=["post"], url_path="read-all")
    def read_all(self, request: Request) -> Response:
        return Response({"marked_read": services.inbox_mark_all_read(actor=request.user)})

    @extend_schema(
        methods=["GET"], summary="The caller's notification preferences", responses=s.PreferenceSerializer
    )
    @extend_schema(
        methods=["PATCH"],
        summary="Change the caller's notification preferences",
        request=s.PreferenceUpdateSerializer,
        responses=s.PreferenceSerializer,
    )
    @action(detail=False, methods=["get", "patch"])
    def preferences(self, request: Request) -> Response:
        if request.method == "PATCH":
            data = s.PreferenceUpdateSerializer(data=request.data)
            data.is_valid(raise_exception=True)
            preference = services.preference_update(actor=request.user, **data.validated_data)
        else:
            preference = selectors.preference_for(user=request.user)
        return Response(s.PreferenceSerializer(preference).data)


@extend_schema_view(
    list=extend_schema(
        summary="Delivery status of the messages about one object (staff)",
        parameters=[
            OpenApiParameter("object_type", str, required=True, enum=sorted(selectors.OBJECT_SELECTORS)),
            OpenApiParameter("object_id", int, required=True),
        ],
    ),
    retrieve=extend_schema(summary="One delivery (staff)"),
)
class DeliveryViewSet(PersonDataViewSet):
    serializer_class = s.DeliverySerializer
    queryset = Notification.objects.none()
    extra_query_params = frozenset({"object_type", "object_id"})
    access_resource = "notification"
    person_path = "service_user"

    def list(self, request: Request) -> Response:
        obj = selectors.delivery_object_for(
            reach=self.reach, **query_input(s.DeliveryQuerySerializer, request)
        )
        rows = [*(self.paginate_queryset(selectors.deliveries_of(obj=obj)) or [])]
        self.log_read("delivery", rows)
        return self.get_paginated_response(self.get_serializer(rows, many=True).data)

    def retrieve(self, request: Request, pk: str) -> Response:
        row = selectors.delivery_get_for(reach=self.reach, id=pk)
        self.log_read("delivery", [row])
        return Response(self.get_serializer(row).data)

    @extend_schema(summary="Send a failed delivery again (staff)", request=None)
    @action(detail=True, methods=["post"])
    def retry(self, request: Request, pk: str) -> Response:
        row = selectors.delivery_get_for(reach=self.reach, id=pk)
        row = services.delivery_retry(reach=self.reach, notification=row)
        self.log_read("delivery", [row])
        return Response(self.get_serializer(row).data)
