"""HTTP views of responsibility groups and meetings: validate, call a selector or service, serialise."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view, inline_serializer
from rest_framework import serializers, status
from rest_framework.decorators import action, api_view
from rest_framework.request import Request
from rest_framework.response import Response

from casework import selectors as casework_selectors
from casework.api.base import (
    PersonDataViewSet,
    StrictQueryAPIView,
    reference_in_reach,
    refuse_unexpected_query,
    unit_query_param,
)
from casework.api.problems import problem_response
from casework.api.workflow import WorkflowActionsMixin, transition_schema
from casework.audit import access_log_record
from casework.errors import Conflict, NotAllowed
from casework.limits import ID_PATH_PATTERN
from casework.models import Representative, StaffMembership
from plans.models import IndividualPlan
from responsibility_groups import selectors, services
from responsibility_groups.api import serializers as s
from responsibility_groups.calendar import UnwritableMeeting, meeting_ics
from responsibility_groups.choices import MeetingState
from responsibility_groups.documents import render_minutes_pdf
from responsibility_groups.feeds import calendar_feed_for_token, calendar_feed_revoke, calendar_feed_rotate
from responsibility_groups.invitations import meeting_calendar_data
from responsibility_groups.minutes import minutes_content
from responsibility_groups.models import Meeting, ResponsibilityGroup


def _not_found(field: str) -> serializers.ValidationError:
    return serializers.ValidationError({field: [serializers.ErrorDetail(_("Not found."), code="not_found")]})


def _staff_user_for(person: Any) -> Any:
    """A lookup of staff logins in the person's municipality, for ``reference_in_reach``."""

    def lookup(*, reach: Any, id: Any) -> Any:
        return casework_selectors.staff_user_in_municipality(municipality_id=person.municipality_id, id=id)

    return lookup


def _plan_of(person_id: int, plan_id: Any) -> IndividualPlan | None:
    if plan_id is None:
        return None
    plan = IndividualPlan.objects.filter(pk=plan_id, service_user_id=person_id).first()
    if plan is None:
        raise _not_found("plan")
    return plan


@extend_schema_view(
    list=extend_schema(summary="List responsibility groups in reach"),
    retrieve=extend_schema(summary="Get a responsibility group"),
    create=extend_schema(
        summary="Create a responsibility group",
        request=s.GroupCreateSerializer,
        responses={201: s.GroupSerializer},
    ),
    partial_update=extend_schema(
        summary="Change cadence, plan link or activity", request=s.GroupUpdateSerializer
    ),
)
class GroupViewSet(PersonDataViewSet):
    queryset = ResponsibilityGroup.objects.none()
    serializer_class = s.GroupSerializer
    filterset_fields = ["is_active"]
    ordering_fields = ["created_at"]
    access_resource = "responsibility_group"
    person_path = "service_user"

    def get_queryset(self) -> Any:
        return selectors.group_list_for(reach=self.reach)

    def get_in_reach(self, pk: str) -> ResponsibilityGroup:
        return selectors.group_get_for(reach=self.reach, id=pk)

    def create(self, request: Request) -> Response:
        data = s.GroupCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        person = reference_in_reach(
            casework_selectors.service_user_get_for,
            reach=self.reach,
            field="service_user",
            id=values["service_user"],
        )
        unit = reference_in_reach(
            casework_selectors.unit_get_for, reach=self.reach, field="unit", id=values["unit"]
        )
        coordinator = reference_in_reach(
            _staff_user_for(person), reach=self.reach, field="coordinator", id=values["coordinator"]
        )
        group = services.group_create(
            reach=self.reach,
            service_user=person,
            unit=unit,
            coordinator=coordinator,
            plan=_plan_of(person.pk, values.get("plan")),
            cadence_months=values.get("cadence_months", 3),
        )
        return self.respond_with(self.get_in_reach(str(group.pk)), status.HTTP_201_CREATED)

    def partial_update(self, request: Request, pk: str) -> Response:
        group = self.get_in_reach(pk)
        data = s.GroupUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        if "plan" in values:
            values["plan"] = _plan_of(group.service_user_id, values["plan"])
        services.group_update(reach=self.reach, group=group, **values)
        return self.respond_with(self.get_in_reach(pk))

    @extend_schema(
        summary="Active groups past their meeting cadence, oldest due first",
        parameters=[OpenApiParameter("unit", int)],
        responses=s.GroupSerializer(many=True),
    )
    @action(
        detail=False,
        methods=["get"],
        filterset_class=None,
        extra_query_params=frozenset({"unit"}),
    )
    def overdue(self, request: Request) -> Response:
        groups = selectors.groups_overdue_for(reach=self.reach, unit_id=unit_query_param(request))
        page = self.page_of(groups)
        self.log_read("overdue", page)
        return self.get_paginated_response(s.GroupSerializer(page, many=True).data)

    @extend_schema(
        summary="The group's members, with any consent missing for sharing with each",
        responses=s.MemberSerializer(many=True),
    )
    @action(detail=True, methods=["get"], filterset_class=None, ordering_fields=[])
    def members(self, request: Request, pk: str) -> Response:
        group = self.get_in_reach(pk)
        self.log_read("members", [group])
        members = group.members.select_related("user", "representative", "group__service_user")
        page = self.page_of(members)
        context = {"sharing": selectors.member_sharing_status(group=group, members=page)}
        return self.get_paginated_response(s.MemberSerializer(page, many=True, context=context).data)

    @extend_schema(
        summary="Add a member (422 if the person's consent does not cover sharing with them)",
        request=s.MemberInputSerializer,
        responses={201: s.MemberSerializer},
    )
    @members.mapping.post
    def add_member(self, request: Request, pk: str) -> Response:
        group = self.get_in_reach(pk)
        data = s.MemberInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        if values.get("user") is not None:
            values["user"] = reference_in_reach(
                _staff_user_for(group.service_user), reach=self.reach, field="user", id=values["user"]
            )
        if values.get("representative") is not None:
            representative = Representative.objects.filter(
                pk=values["representative"], service_user=group.service_user
            ).first()
            if representative is None:
                raise _not_found("representative")
            values["representative"] = representative
        member = services.member_add(reach=self.reach, group=group, **values)
        self.log_read("members", [group])  # the answer names the member, a representative perhaps
        return Response(s.MemberSerializer(member).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Remove a member from the group (kept in past meetings)", request=None, responses={204: None}
    )
    @action(
        detail=True,
        methods=["delete"],
        url_path=rf"members/(?P<member_id>{ID_PATH_PATTERN})",
        filterset_class=None,
    )
    def remove_member(self, request: Request, pk: str, member_id: str) -> Response:
        group = self.get_in_reach(pk)
        member = casework_selectors.one_in_reach(group.members.filter(is_active=True), member_id)
        services.member_remove(reach=self.reach, member=member)
        return Response(status=status.HTTP_204_NO_CONTENT)


# The minutes document of responsibility_groups.minutes, as GET and PUT …/minutes/ answer it.
MINUTES = inline_serializer(
    "Minutes",
    {
        "approved": serializers.BooleanField(),
        "version": serializers.IntegerField(allow_null=True),
        "schema": serializers.IntegerField(),
        "meeting": serializers.DictField(),
        "group": serializers.DictField(),
        "attendees": serializers.ListField(child=serializers.DictField()),
        "agenda": serializers.ListField(child=serializers.CharField()),
        "topics": serializers.ListField(child=serializers.DictField()),
        "agreements": serializers.ListField(child=serializers.DictField()),
    },
)


@extend_schema_view(
    list=extend_schema(summary="List meetings in reach"),
    retrieve=extend_schema(
        summary="Get a meeting with agenda and attendance", responses=s.MeetingDetailSerializer
    ),
    create=extend_schema(
        summary="Propose a meeting",
        request=s.MeetingCreateSerializer,
        responses={201: s.MeetingDetailSerializer},
    ),
    transition=transition_schema(
        model=Meeting, request=s.MeetingTransitionInputSerializer, response=s.MeetingDetailSerializer
    ),
)
class MeetingViewSet(WorkflowActionsMixin, PersonDataViewSet):
    queryset = Meeting.objects.none()
    serializer_class = s.MeetingSerializer
    filterset_fields = ["group", "state"]
    ordering_fields = ["starts_at"]
    access_resource = "meeting"
    person_path = "group.service_user"

    def get_queryset(self) -> Any:
        return selectors.meeting_list_for(reach=self.reach)

    def get_in_reach(self, pk: str) -> Meeting:
        return selectors.meeting_get_for(reach=self.reach, id=pk)

    def get_serializer_class(self) -> Any:
        return s.MeetingSerializer if self.action == "list" else s.MeetingDetailSerializer

    def _fresh(self, meeting: Meeting) -> Meeting:
        return (
            selectors.meeting_list_for(reach=self.reach)
            .prefetch_related(
                "agenda",
                "attendance__member__user",
                "attendance__member__representative",
                "attendance__member__group__service_user",
            )
            .get(pk=meeting.pk)
        )

    def retrieve(self, request: Request, pk: str) -> Response:
        return self.respond_with(self._fresh(self.get_in_reach(pk)))

    transition_input = s.MeetingTransitionInputSerializer

    def transition_response(self, obj: Any) -> Response:
        return self.respond_with(self._fresh(obj))

    def create(self, request: Request) -> Response:
        data = s.MeetingCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        group = reference_in_reach(
            selectors.group_get_for, reach=self.reach, field="group", id=values.pop("group")
        )
        meeting = services.meeting_create(reach=self.reach, group=group, **values)
        return self.respond_with(self._fresh(meeting), status.HTTP_201_CREATED)

    @extend_schema(
        summary="Record who took part",
        request=s.AttendanceInputSerializer,
        responses=s.MeetingDetailSerializer,
    )
    @action(detail=True, methods=["put"], filterset_class=None)
    def attendance(self, request: Request, pk: str) -> Response:
        meeting = self.get_in_reach(pk)
        data = s.AttendanceInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.attendance_record(
            reach=self.reach, meeting=meeting, attended=data.validated_data["attendance"]
        )
        return self.respond_with(self._fresh(meeting))

    def _minutes(self, meeting: Meeting) -> Response:
        self.log_read("minutes", [meeting])
        version = meeting.minutes_versions.order_by("-number").first()
        if meeting.state == MeetingState.MINUTES_APPROVED and version is not None:
            return Response({"approved": True, "version": version.number, **version.content})
        return Response({"approved": False, "version": None, **minutes_content(meeting)})

    @extend_schema(summary="The minutes (the draft, or the latest approved version)", responses=MINUTES)
    @action(detail=True, methods=["get"], filterset_class=None, pagination_class=None)
    def minutes(self, request: Request, pk: str) -> Response:
        return self._minutes(self.get_in_reach(pk))

    @extend_schema(
        summary="Write the draft minutes: topics and agreements (409 once approved)",
        request=s.MinutesInputSerializer,
        responses=MINUTES,
    )
    @minutes.mapping.put
    def write_minutes(self, request: Request, pk: str) -> Response:
        meeting = self.get_in_reach(pk)
        data = s.MinutesInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        services.minutes_write(
            reach=self.reach,
            meeting=meeting,
            topics=values["topics"],
            agreements=values.get("agreements", []),
        )
        return self._minutes(self.get_in_reach(pk))

    @extend_schema(
        summary="Approved versions of the minutes", responses=s.MinutesVersionSerializer(many=True)
    )
    @action(detail=True, methods=["get"], url_path="minutes/versions", filterset_class=None)
    def minutes_versions(self, request: Request, pk: str) -> Response:
        meeting = self.get_in_reach(pk)
        self.log_read("minutes_versions", [meeting])
        page = self.paginate_queryset(
            meeting.minutes_versions.select_related("approved_by").order_by("number")
        )
        return self.get_paginated_response(s.MinutesVersionSerializer(page, many=True).data)

    @extend_schema(
        summary="Comments on the approved minutes", responses=s.MinutesCommentSerializer(many=True)
    )
    @action(detail=True, methods=["get"], url_path="minutes/comments", filterset_class=None)
    def comments(self, request: Request, pk: str) -> Response:
        meeting = self.get_in_reach(pk)
        self.log_read("minutes_comments", [meeting])
        page = self.paginate_queryset(meeting.comments.select_related("author").order_by("created_at", "id"))
        return self.get_paginated_response(s.MinutesCommentSerializer(page, many=True).data)

    @extend_schema(
        summary="Comment on the approved minutes (attendees)",
        request=s.CommentInputSerializer,
        responses={201: s.MinutesCommentSerializer},
    )
    @comments.mapping.post
    def add_comment(self, request: Request, pk: str) -> Response:
        meeting = self.get_in_reach(pk)
        data = s.CommentInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        comment = services.minutes_comment(
            reach=self.reach, meeting=meeting, text=data.validated_data["text"]
        )
        self.log_read("minutes_comments", [meeting])
        return Response(s.MinutesCommentSerializer(comment).data, status=status.HTTP_201_CREATED)


@extend_schema(
    summary="The meeting as an iCalendar invitation (METHOD:CANCEL once cancelled)",
    responses={(200, "text/calendar"): OpenApiTypes.BINARY},
)
@api_view(["GET", "HEAD"])
def meeting_ics_view(request: Request, pk: int) -> HttpResponse:
    refuse_unexpected_query(request, allowed=())
    reach = casework_selectors.reach_for(request.user)
    found = selectors.meeting_get_for(reach=reach, id=pk)
    meeting = (
        Meeting.objects.select_related("group__coordinator", "group__unit", "group__service_user")
        .prefetch_related("attendance__member__user", "attendance__member__representative")
        .get(pk=found.pk)
    )
    access_log_record(reach=reach, resource="meeting.ics", people=[found.group.service_user])
    method = "CANCEL" if meeting.state == MeetingState.CANCELLED else "REQUEST"
    try:
        body = meeting_ics(meeting_calendar_data(meeting), method=method)
    except UnwritableMeeting as error:  # a time stored before input was bounded (casework.limits)
        raise Conflict(
            _("The meeting's time cannot be written as a calendar invitation; correct the time."),
            code="unwritable_meeting",
        ) from error
    response = HttpResponse(body, content_type=f"text/calendar; charset=utf-8; method={method}")
    response["Content-Disposition"] = f'attachment; filename="ansvarsgruppemote-{meeting.pk}.ics"'
    return response


def self_is_staff(user: Any) -> bool:
    return bool(StaffMembership.objects.filter(user_id=int(user.pk)).exists())


class CalendarFeedView(StrictQueryAPIView):
    """The caller's personal calendar subscription: create or rotate (POST), revoke (DELETE)."""

    @extend_schema(
        summary="Create or rotate my calendar subscription URL (shown once)",
        request=None,
        responses={201: s.CalendarFeedSerializer},
    )
    def post(self, request: Request) -> Response:
        if not self_is_staff(request.user):
            raise NotAllowed(_("Calendar subscriptions are for staff."))
        token = calendar_feed_rotate(actor=request.user)
        path = reverse("calendar-feed-ics", kwargs={"token": token})
        https_url = request.build_absolute_uri(path)
        body = {"url": "webcal://" + https_url.split("://", 1)[1], "https_url": https_url}
        return Response(s.CalendarFeedSerializer(body).data, status=status.HTTP_201_CREATED)

    @extend_schema(summary="Revoke my calendar subscription", request=None, responses={204: None})
    def delete(self, request: Request) -> Response:
        calendar_feed_revoke(actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


@require_GET
@transaction.non_atomic_requests
def calendar_feed_ics(request: HttpRequest, token: str) -> HttpResponse:
    """The subscription itself: no login (calendar apps cannot log in); the secret is the key."""
    if request.GET:
        return problem_response(status=400, detail=_("The calendar feed takes no query parameters."))
    body = calendar_feed_for_token(token)
    if body is None:
        return problem_response(status=404, detail=_("Not found."))
    return HttpResponse(body, content_type="text/calendar; charset=utf-8")


@extend_schema(
    summary="The minutes as an archival PDF (the latest approved version, or the draft)",
    responses={(200, "application/pdf"): OpenApiTypes.BINARY},
)
@api_view(["GET", "HEAD"])
def minutes_pdf_view(request: Request, pk: int) -> HttpResponse:
    refuse_unexpected_query(request, allowed=())
    reach = casework_selectors.reach_for(request.user)
    meeting = selectors.meeting_get_for(reach=reach, id=pk)
    access_log_record(reach=reach, resource="meeting.minutes_pdf", people=[meeting.group.service_user])
    version = meeting.minutes_versions.select_related("approved_by").order_by("-number").first()
    if meeting.state == MeetingState.MINUTES_APPROVED and version is not None:
        content, stamp = (
            version.content,
            {
                "number": version.number,
                "approved_at": version.approved_at.isoformat(),
                "approved_by": version.approved_by.get_full_name() or version.approved_by.get_username(),
            },
        )
    else:
        content, stamp = minutes_content(meeting), None
    language = "en" if translation.get_language() == "en" else "nb"
    response = HttpResponse(
        render_minutes_pdf(content, language=language, version=stamp), content_type="application/pdf"
    )
    response["Content-Disposition"] = f'inline; filename="referat-{meeting.pk}.pdf"'
    return response
