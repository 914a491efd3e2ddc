"""Input and output shapes of the responsibility-group API. No writes here."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from casework.api.fields import (
    BoundedDateField,
    BoundedDateTimeField,
    IdField,
    IdMapField,
    IntegerInputField,
    list_of,
)
from casework.api.inputs import StrictInputSerializer
from casework.choices import BasisEnd
from casework.system import actor_name
from responsibility_groups.choices import MemberKind
from responsibility_groups.models import (
    AgendaItem,
    Attendance,
    GroupMember,
    Meeting,
    MinutesComment,
    MinutesVersion,
    ResponsibilityGroup,
)
from responsibility_groups.selectors import next_meeting_due

PERSON_SIDE = (MemberKind.SERVICE_USER, MemberKind.REPRESENTATIVE)


def _name(user: Any) -> str:
    return actor_name(user)  # "System" for the system actor of scheduled work


class GroupSerializer(serializers.ModelSerializer):
    service_user = serializers.SerializerMethodField()
    unit = serializers.SerializerMethodField()
    coordinator = serializers.SerializerMethodField()
    last_meeting_held = serializers.DateTimeField(source="last_held_at", read_only=True, allow_null=True)
    next_meeting_due = serializers.SerializerMethodField()

    class Meta:
        model = ResponsibilityGroup
        fields = [
            "id",
            "service_user",
            "unit",
            "coordinator",
            "plan",
            "cadence_months",
            "is_active",
            "last_meeting_held",
            "next_meeting_due",
            "created_at",
        ]

    @extend_schema_field(serializers.DictField())
    def get_service_user(self, group: ResponsibilityGroup) -> dict[str, Any]:
        return {"id": group.service_user_id, "name": group.service_user.full_name}

    @extend_schema_field(serializers.DictField())
    def get_unit(self, group: ResponsibilityGroup) -> dict[str, Any]:
        return {"id": group.unit_id, "name": group.unit.name}

    @extend_schema_field(serializers.DictField())
    def get_coordinator(self, group: ResponsibilityGroup) -> dict[str, Any]:
        return {"id": group.coordinator_id, "name": _name(group.coordinator)}

    @extend_schema_field(serializers.DateField())
    def get_next_meeting_due(self, group: ResponsibilityGroup) -> Any:
        return next_meeting_due(group)


class MemberSerializer(serializers.ModelSerializer):
    display_name = serializers.CharField(read_only=True)
    sharing_missing = serializers.SerializerMethodField()
    # Set by a withdrawn consent or an ended mandate (responsibility_groups.basis), never by a
    # request; "" and null while sharing with the member is covered as it was.
    basis_ended_at = serializers.DateTimeField(read_only=True, allow_null=True)
    basis_ended_reason = serializers.ChoiceField(choices=BasisEnd.choices, allow_blank=True, read_only=True)

    class Meta:
        model = GroupMember
        fields = [
            "id",
            "kind",
            "user",
            "representative",
            "name",
            "display_name",
            "organisation",
            "email",
            "phone",
            "role",
            "is_active",
            "sharing_missing",
            "basis_ended_at",
            "basis_ended_reason",
        ]

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_sharing_missing(self, member: GroupMember) -> list[str]:
        return self.context.get("sharing", {}).get(member.pk, [])


class AgendaItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = AgendaItem
        fields = ["title", "position"]


class AttendanceSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="member.display_name", read_only=True)
    kind = serializers.CharField(source="member.kind", read_only=True)

    class Meta:
        model = Attendance
        fields = ["member", "name", "kind", "attended"]


class MeetingSerializer(serializers.ModelSerializer):
    group = serializers.IntegerField(source="group_id", read_only=True)
    service_user = serializers.SerializerMethodField()

    class Meta:
        model = Meeting
        fields = [
            "id",
            "group",
            "service_user",
            "state",
            "state_changed_at",
            "starts_at",
            "ends_at",
            "place",
            "video_link",
            "sequence",
            "cancel_reason",
            "created_at",
        ]

    @extend_schema_field(serializers.DictField())
    def get_service_user(self, meeting: Meeting) -> dict[str, Any]:
        person = meeting.group.service_user
        return {"id": person.pk, "name": person.full_name}


class MeetingDetailSerializer(MeetingSerializer):
    agenda = AgendaItemSerializer(many=True, read_only=True)
    attendance = AttendanceSerializer(many=True, read_only=True)
    person_or_representative_attended = serializers.SerializerMethodField()

    class Meta(MeetingSerializer.Meta):
        fields = [*MeetingSerializer.Meta.fields, "agenda", "attendance", "person_or_representative_attended"]

    @extend_schema_field(serializers.BooleanField(allow_null=True))
    def get_person_or_representative_attended(self, meeting: Meeting) -> bool | None:
        """The scorecard's indicator: did the person or a representative take part (None: not recorded)."""
        rows = [row for row in meeting.attendance.all() if row.member.kind in PERSON_SIDE]
        if not rows or any(row.attended is None for row in rows):
            return None
        return any(row.attended for row in rows)


class MinutesVersionSerializer(serializers.ModelSerializer):
    approved_by = serializers.SerializerMethodField()

    class Meta:
        model = MinutesVersion
        fields = ["number", "approved_at", "approved_by", "content"]

    def get_approved_by(self, version: MinutesVersion) -> str:
        return _name(version.approved_by)


class MinutesCommentSerializer(serializers.ModelSerializer):
    author = serializers.SerializerMethodField()

    class Meta:
        model = MinutesComment
        fields = ["id", "author", "version", "text", "created_at"]

    def get_author(self, comment: MinutesComment) -> str:
        return _name(comment.author)


# --- Input ----------------------------------------------------------------------------------

MAX_MEMBERS = 200  # members of one group, and so entries of one attendance list
MAX_MINUTES_ITEMS = 100  # topics, and agreements, in one set of minutes


class GroupCreateSerializer(StrictInputSerializer):
    service_user = IdField()
    unit = IdField()
    coordinator = IdField()
    plan = IdField(required=False, allow_null=True)
    cadence_months = IntegerInputField(min_value=1, max_value=12, required=False)


class GroupUpdateSerializer(StrictInputSerializer):
    cadence_months = IntegerInputField(min_value=1, max_value=12, required=False)
    plan = IdField(required=False, allow_null=True)
    is_active = serializers.BooleanField(required=False)


class MemberInputSerializer(StrictInputSerializer):
    kind = serializers.ChoiceField(choices=MemberKind.choices)
    user = IdField(required=False, allow_null=True)
    representative = IdField(required=False, allow_null=True)
    name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    organisation = serializers.CharField(max_length=200, required=False, allow_blank=True)
    email = serializers.EmailField(max_length=254, required=False, allow_blank=True)
    phone = serializers.CharField(max_length=30, required=False, allow_blank=True)
    role = serializers.CharField(max_length=120, required=False, allow_blank=True)


class MeetingCreateSerializer(StrictInputSerializer):
    group = IdField()
    starts_at = BoundedDateTimeField()
    ends_at = BoundedDateTimeField()
    place = serializers.CharField(max_length=200, required=False, allow_blank=True)
    video_link = serializers.URLField(max_length=200, required=False, allow_blank=True)
    agenda = serializers.ListField(child=serializers.CharField(max_length=300), required=False, max_length=50)


class MeetingTransitionInputSerializer(StrictInputSerializer):
    comment = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
    starts_at = BoundedDateTimeField(required=False)
    ends_at = BoundedDateTimeField(required=False)


class AttendanceInputSerializer(StrictInputSerializer):
    attendance = IdMapField(child=serializers.BooleanField(), max_length=MAX_MEMBERS, allow_empty=False)


class TopicInputSerializer(StrictInputSerializer):
    title = serializers.CharField(max_length=300)
    notes = serializers.CharField(max_length=20_000, required=False, allow_blank=True)


class AgreementInputSerializer(StrictInputSerializer):
    text = serializers.CharField(max_length=5000)
    owner = IdField(required=False, allow_null=True)
    deadline = BoundedDateField(required=False, allow_null=True)
    to_plan = serializers.BooleanField(required=False, default=False)


class MinutesInputSerializer(StrictInputSerializer):
    topics = list_of(TopicInputSerializer, max_length=MAX_MINUTES_ITEMS)
    agreements = list_of(AgreementInputSerializer, required=False, max_length=MAX_MINUTES_ITEMS)


class CommentInputSerializer(StrictInputSerializer):
    text = serializers.CharField(max_length=5000)


class CalendarFeedSerializer(serializers.Serializer):
    url = serializers.CharField()
    https_url = serializers.CharField()
