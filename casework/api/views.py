"""HTTP views of the casework core: validate input, call a selector or service, serialise.

Every read of a person's data is access-logged (``PersonDataViewSet``); every write goes through a service
that writes its audit row.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import authenticate
from django.db import transaction
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import permissions, serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from casework import selectors, services
from casework.api import filters
from casework.api import serializers as s
from casework.api.base import (
    PersonDataViewSet,
    ReachViewSet,
    StrictQueryAPIView,
    query_input,
    reference_in_reach,
)
from casework.api.schema import Problem
from casework.audit import audit_record
from casework.auth import api_token_issue, api_token_revoke
from casework.models import Consent, Mandate, Representative, ServiceUser, Unit
from casework.national_id import NationalIdError, national_id_clean
from casework.policies import ensure_can_read_access_log

# --- Units -------------------------------------------------------------------------------------


@extend_schema_view(list=extend_schema(summary="List units"), retrieve=extend_schema(summary="Get a unit"))
class UnitViewSet(ReachViewSet):
    serializer_class = s.UnitSerializer
    queryset = Unit.objects.none()
    filterset_class = filters.UnitFilter
    ordering_fields = ["name"]

    def get_queryset(self) -> Any:
        return selectors.unit_list_for(reach=self.reach)

    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request: Request, pk: str) -> Response:
        unit = selectors.unit_get_for(reach=self.reach, id=pk)  # type: ignore[arg-type]
        return Response(self.get_serializer(unit).data)


# --- Service users -------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="List service users in reach (national id masked)"),
    retrieve=extend_schema(summary="Get a service user", responses=s.ServiceUserDetailSerializer),
    create=extend_schema(
        summary="Register a service user",
        request=s.ServiceUserCreateSerializer,
        responses={201: s.ServiceUserDetailSerializer},
    ),
    partial_update=extend_schema(
        summary="Change a service user",
        request=s.ServiceUserUpdateSerializer,
        responses=s.ServiceUserDetailSerializer,
    ),
)
class ServiceUserViewSet(PersonDataViewSet):
    serializer_class = s.ServiceUserListSerializer
    queryset = ServiceUser.objects.none()
    filterset_class = filters.ServiceUserFilter
    ordering_fields = ["last_name", "first_name", "date_of_birth"]
    ordering = ["last_name", "first_name", "id"]
    access_resource = "service_user"

    def get_queryset(self) -> Any:
        return selectors.service_user_list_for(reach=self.reach)

    def get_in_reach(self, pk: str) -> ServiceUser:
        return selectors.service_user_get_for(reach=self.reach, id=pk)

    def get_serializer_class(self) -> Any:
        return (
            s.ServiceUserListSerializer
            if self.action in {"list", "search"}
            else s.ServiceUserDetailSerializer
        )

    def _with_units(self, values: dict[str, Any]) -> dict[str, Any]:
        """The units named by id; the service decides whether the caller may use them (403).

        Units are not personal data, so a unit that does not exist may say so (400 ``not_found``).
        """
        values = dict(values)
        if "units" in values:
            wanted = list(dict.fromkeys(values["units"]))
            units = {u.pk: u for u in Unit.objects.select_related("service_area").filter(pk__in=wanted)}
            if len(units) != len(wanted):
                raise serializers.ValidationError(
                    {"units": [serializers.ErrorDetail(_("Not found."), code="not_found")]}
                )
            values["units"] = [units[unit_id] for unit_id in wanted]
        return values

    def create(self, request: Request) -> Response:
        data = s.ServiceUserCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = self._with_units(data.validated_data)
        person = services.service_user_create(reach=self.reach, **values)
        person = selectors.service_user_get_for(reach=self.reach, id=person.pk)  # units prefetched
        self.log_read("detail", [person])  # the response shows the person's data
        return Response(self.get_serializer(person).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request: Request, pk: str) -> Response:
        person = self.get_in_reach(pk)
        data = s.ServiceUserUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = self._with_units(data.validated_data)
        services.service_user_update(reach=self.reach, service_user=person, **values)
        person = selectors.service_user_get_for(reach=self.reach, id=person.pk)  # units prefetched
        self.log_read("detail", [person])
        return Response(self.get_serializer(person).data)

    @extend_schema(
        summary="Find a service user by national identity number (kept out of the URL)",
        request=s.ServiceUserSearchSerializer,
        responses=s.ServiceUserSearchResultSerializer,
    )
    @action(detail=False, methods=["post"], pagination_class=None, filterset_class=None)
    def search(self, request: Request) -> Response:
        data = s.ServiceUserSearchSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            national_id = national_id_clean(data.validated_data["national_id"])
        except NationalIdError as error:
            raise serializers.ValidationError(
                {"national_id": [serializers.ErrorDetail(error.message, code=error.code)]}
            ) from error
        people = list(selectors.service_user_find_by_national_id(reach=self.reach, national_id=national_id))
        self.log_read("search", people)
        if not people:
            # No person to log a read of, but the lookup itself is kept: probing for numbers is
            # traceable (the number itself is never stored).
            audit_record(actor=request.user, action="service_user.search_no_match", obj=None, role="")
        return Response({"count": len(people), "results": self.get_serializer(people, many=True).data})

    @extend_schema(
        summary="Why users outside the person's units may see them (staff who reach the person)",
        parameters=[
            OpenApiParameter("active", bool, description="true: only active reasons; false: only ended ones")
        ],
        responses=s.AccessReasonSerializer(many=True),
        filters=False,
    )
    @action(
        detail=True,
        methods=["get"],
        url_path="access-reasons",
        filterset_class=None,
        ordering_fields=[],
        extra_query_params=frozenset({"active"}),
    )
    def access_reasons(self, request: Request, pk: str) -> Response:
        # Staff who reach the person as staff; a representative's view comes with the portal.
        person = selectors.service_user_get_for(reach=self.reach.as_staff(), id=pk)
        query = query_input(s.AccessReasonFilterSerializer, request)
        rows = selectors.access_reasons_for(service_user=person, active=query.get("active"))
        self.log_read("access_reasons", [person])
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(s.AccessReasonSerializer(page, many=True).data)

    @extend_schema(
        summary="Who has read this person's data",
        responses=s.AccessLogEntrySerializer(many=True),
        filters=False,
    )
    @action(
        detail=True,
        methods=["get"],
        url_path="access-log",
        filterset_class=None,
        ordering_fields=[],
    )
    def access_log(self, request: Request, pk: str) -> Response:
        person = self.get_in_reach(pk)
        ensure_can_read_access_log(reach=self.reach, service_user=person)
        self.log_read("access_log", [person])
        page = self.paginate_queryset(selectors.access_log_list_for(service_user=person))
        return self.get_paginated_response(s.AccessLogEntrySerializer(page, many=True).data)


# --- Representatives, mandates, consents ----------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="List representatives (guardians and relatives)"),
    retrieve=extend_schema(summary="Get a representative"),
    create=extend_schema(
        summary="Register a representative",
        request=s.RepresentativeCreateSerializer,
        responses={201: s.RepresentativeSerializer},
    ),
    partial_update=extend_schema(summary="Change a representative", request=s.RepresentativeUpdateSerializer),
)
class RepresentativeViewSet(PersonDataViewSet):
    serializer_class = s.RepresentativeSerializer
    queryset = Representative.objects.none()
    filterset_class = filters.RepresentativeFilter
    ordering_fields = ["last_name", "first_name"]
    access_resource = "representative"
    person_path = "service_user"

    def get_queryset(self) -> Any:
        return selectors.representative_list_for(reach=self.reach).prefetch_related("service_user__units")

    def get_in_reach(self, pk: str) -> Representative:
        return selectors.representative_get_for(reach=self.reach, id=pk)  # type: ignore[arg-type]

    def create(self, request: Request) -> Response:
        data = s.RepresentativeCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        person = reference_in_reach(
            selectors.service_user_get_for,
            reach=self.reach,
            field="service_user",
            id=values.pop("service_user"),
        )
        if "portal_username" in values:
            values["user"] = values.pop("portal_username")
        row = services.representative_create(reach=self.reach, service_user=person, **values)
        return self.respond_with(row, status.HTTP_201_CREATED)

    def partial_update(self, request: Request, pk: str) -> Response:
        row = self.get_in_reach(pk)
        data = s.RepresentativeUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        row = services.representative_update(reach=self.reach, representative=row, **data.validated_data)
        return self.respond_with(row)


@extend_schema_view(
    list=extend_schema(summary="List guardians' mandates"),
    retrieve=extend_schema(summary="Get a mandate"),
    create=extend_schema(
        summary="Register a guardian's mandate",
        request=s.MandateCreateSerializer,
        responses={201: s.MandateSerializer},
    ),
    partial_update=extend_schema(
        summary="End a mandate (set its last valid day)", request=s.MandateEndSerializer
    ),
)
class MandateViewSet(PersonDataViewSet):
    serializer_class = s.MandateSerializer
    queryset = Mandate.objects.none()
    filterset_class = filters.MandateFilter
    ordering_fields = ["valid_from", "valid_to"]
    access_resource = "mandate"
    person_path = "representative.service_user"

    def get_queryset(self) -> Any:
        return selectors.mandate_list_for(reach=self.reach).prefetch_related(
            "representative__service_user__units"
        )

    def get_in_reach(self, pk: str) -> Mandate:
        return selectors.mandate_get_for(reach=self.reach, id=pk)  # type: ignore[arg-type]

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "today": timezone.localdate(self.reach.at)}

    def create(self, request: Request) -> Response:
        data = s.MandateCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        representative = reference_in_reach(
            selectors.representative_get_for,
            reach=self.reach,
            field="representative",
            id=values.pop("representative"),
        )
        values.setdefault("valid_to", None)
        row = services.mandate_create(reach=self.reach, representative=representative, **values)
        return self.respond_with(row, status.HTTP_201_CREATED)

    def partial_update(self, request: Request, pk: str) -> Response:
        row = self.get_in_reach(pk)
        data = s.MandateEndSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        row = services.mandate_end(reach=self.reach, mandate=row, **data.validated_data)
        return self.respond_with(row)


@extend_schema_view(
    list=extend_schema(summary="List consents"),
    retrieve=extend_schema(summary="Get a consent"),
    create=extend_schema(
        summary="Record a consent",
        request=s.ConsentCreateSerializer,
        responses={201: s.ConsentSerializer},
    ),
)
class ConsentViewSet(PersonDataViewSet):
    serializer_class = s.ConsentSerializer
    queryset = Consent.objects.none()
    filterset_class = filters.ConsentFilter
    ordering_fields = ["valid_from", "valid_to"]
    access_resource = "consent"
    person_path = "service_user"

    def get_queryset(self) -> Any:
        return selectors.consent_list_for(reach=self.reach).prefetch_related("service_user__units")

    def get_in_reach(self, pk: str) -> Consent:
        return selectors.consent_get_for(reach=self.reach, id=pk)  # type: ignore[arg-type]

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "now": self.reach.at}

    def create(self, request: Request) -> Response:
        data = s.ConsentCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        person = reference_in_reach(
            selectors.service_user_get_for,
            reach=self.reach,
            field="service_user",
            id=values.pop("service_user"),
        )
        for field in ("representative", "given_by_representative"):
            rep_id = values.pop(field, None)
            if rep_id is not None:
                values[field] = reference_in_reach(
                    selectors.representative_get_for, reach=self.reach, field=field, id=rep_id
                )
        row = services.consent_create(reach=self.reach, service_user=person, **values)
        return self.respond_with(row, status.HTTP_201_CREATED)

    @extend_schema(
        summary="Withdraw a consent (takes effect at once)",
        request=s.ConsentWithdrawSerializer,
        responses=s.ConsentSerializer,
    )
    @action(detail=True, methods=["post"], filterset_class=None)
    def withdraw(self, request: Request, pk: str) -> Response:
        row = self.get_in_reach(pk)
        data = s.ConsentWithdrawSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        row = services.consent_withdraw(reach=self.reach, consent=row, **data.validated_data)
        return self.respond_with(row)


# --- The caller -------------------------------------------------------------------------------


class MeView(StrictQueryAPIView):
    @extend_schema(summary="Who am I: roles and whom I represent", responses=s.MeSerializer)
    def get(self, request: Request) -> Response:
        reach = selectors.reach_for(request.user)
        units = {u.pk: u.name for u in Unit.objects.filter(pk__in=sorted(reach.unit_ids))}
        body = {
            "username": request.user.get_username(),
            "full_name": request.user.get_full_name(),  # type: ignore[union-attr]
            "is_superuser": reach.is_superuser,
            "roles": [
                {"unit": unit_id, "unit_name": units.get(unit_id, ""), "role": role}
                for unit_id, roles in sorted(reach.roles_by_unit.items())
                for role in sorted(roles)
            ],
            "represents": [
                {"service_user": person_id, "kind": kind}
                for person_id, kind in sorted(reach.represented.items())
            ],
        }
        return Response(s.MeSerializer(body).data)


# --- Tokens -------------------------------------------------------------------------------------


@method_decorator(transaction.non_atomic_requests, name="dispatch")
class TokenView(StrictQueryAPIView):
    """Runs outside ATOMIC_REQUESTS so that a failed login's count survives the 400."""

    authentication_classes: list[Any] = []
    permission_classes = [permissions.AllowAny]

    @extend_schema(
        summary="Exchange username and password for an API token",
        request=s.TokenRequestSerializer,
        responses={
            200: s.TokenSerializer,
            400: OpenApiResponse(response=Problem, description="Wrong credentials or locked"),
        },
    )
    def post(self, request: Request) -> Response:
        data = s.TokenRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = authenticate(request._request, **data.validated_data)
        if user is None or not user.is_active:
            raise serializers.ValidationError(
                {
                    "non_field_errors": [
                        serializers.ErrorDetail(
                            _(
                                "Unable to log in with these credentials. After repeated failures the "
                                "account is locked for a while."
                            ),
                            code="invalid_credentials",
                        )
                    ]
                }
            )
        with transaction.atomic():
            token, key = api_token_issue(user=user)
        return Response({"token": key, "expires_at": token.expires_at})


class TokenRevokeView(StrictQueryAPIView):
    @extend_schema(summary="Revoke the token used for this request", request=None, responses={204: None})
    def post(self, request: Request) -> Response:
        header = request.META.get("HTTP_AUTHORIZATION", "").split()
        if len(header) == 2 and header[0].lower() == "token":
            api_token_revoke(key=header[1])
        return Response(status=status.HTTP_204_NO_CONTENT)
