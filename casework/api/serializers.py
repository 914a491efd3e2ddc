"""Input and output shapes of the casework API. No writes here: views call services."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from casework.api.fields import BoundedDateField, IdField, IdListField, QueryBooleanField
from casework.api.inputs import StrictInputSerializer
from casework.choices import ConsentGiver, Language, RepresentativeKind
from casework.models import AccessGrant, AccessLogEntry, Consent, Mandate, Representative, ServiceUser, Unit
from casework.system import SYSTEM_USERNAME

# --- Output ---------------------------------------------------------------------------------


class UnitSerializer(serializers.ModelSerializer):
    service_area = serializers.CharField(source="service_area.name", read_only=True)
    municipality = serializers.CharField(source="service_area.municipality.name", read_only=True)

    class Meta:
        model = Unit
        fields = ["id", "name", "service_area", "municipality", "is_active"]


class UnitRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Unit
        fields = ["id", "name"]


class ServiceUserListSerializer(serializers.ModelSerializer):
    national_id_masked = serializers.CharField(source="masked_national_id", read_only=True)
    units = UnitRefSerializer(many=True, read_only=True)

    class Meta:
        model = ServiceUser
        fields = [
            "id",
            "first_name",
            "last_name",
            "date_of_birth",
            "national_id_masked",
            "units",
            "preferred_language",
        ]


class ServiceUserDetailSerializer(ServiceUserListSerializer):
    class Meta(ServiceUserListSerializer.Meta):
        fields = [
            *ServiceUserListSerializer.Meta.fields,
            "national_id",
            "municipality",
            "phone",
            "email",
            "address",
            "postal_code",
            "city",
            "created_at",
            "updated_at",
        ]


class RepresentativeSerializer(serializers.ModelSerializer):
    has_portal_login = serializers.SerializerMethodField()

    class Meta:
        model = Representative
        fields = [
            "id",
            "service_user",
            "kind",
            "first_name",
            "last_name",
            "relation",
            "phone",
            "email",
            "has_portal_login",
            "created_at",
        ]

    def get_has_portal_login(self, obj: Representative) -> bool:
        return obj.user_id is not None


class MandateSerializer(serializers.ModelSerializer):
    is_valid_today = serializers.SerializerMethodField()

    class Meta:
        model = Mandate
        fields = [
            "id",
            "representative",
            "covers_personal",
            "covers_economic",
            "valid_from",
            "valid_to",
            "certificate_reference",
            "is_valid_today",
            "created_at",
        ]

    def get_is_valid_today(self, obj: Mandate) -> bool:
        return obj.is_valid_on(self.context["today"])


class ConsentSerializer(serializers.ModelSerializer):
    in_force = serializers.SerializerMethodField()

    class Meta:
        model = Consent
        fields = [
            "id",
            "service_user",
            "given_by",
            "given_by_representative",
            "representative",
            "covers_plan",
            "covers_group_sharing",
            "covers_relative_access",
            "valid_from",
            "valid_to",
            "withdrawn_at",
            "withdrawal_reason",
            "note",
            "in_force",
            "created_at",
        ]

    def get_in_force(self, obj: Consent) -> bool:
        return obj.is_in_force(self.context["now"])


class AccessLogEntrySerializer(serializers.ModelSerializer):
    who = serializers.SerializerMethodField()
    basis_label = serializers.CharField(source="get_basis_display", read_only=True)

    class Meta:
        model = AccessLogEntry
        fields = ["id", "occurred_at", "who", "actor_role", "resource", "basis", "basis_label"]

    @extend_schema_field(serializers.CharField())
    def get_who(self, obj: AccessLogEntry) -> str:
        full_name = obj.actor.get_full_name()
        return full_name or obj.actor.get_username()


class AccessReasonSerializer(serializers.ModelSerializer):
    """One reason why a user outside the person's units may see them (``until`` null: active)."""

    user_name = serializers.SerializerMethodField()
    source_label = serializers.CharField(source="get_source_display", read_only=True)

    class Meta:
        model = AccessGrant
        fields = [
            "id",
            "user",
            "user_name",
            "source",
            "source_label",
            "source_id",
            "reason",
            "since",
            "until",
        ]

    @extend_schema_field(serializers.CharField())
    def get_user_name(self, row: AccessGrant) -> str:
        return row.user.get_full_name() or row.user.get_username()


class AccessReasonFilterSerializer(StrictInputSerializer):
    active = QueryBooleanField(
        required=False, help_text=_("Only active reasons (true) or ended ones (false).")
    )


class MeSerializer(serializers.Serializer):
    username = serializers.CharField()
    full_name = serializers.CharField()
    is_superuser = serializers.BooleanField()
    roles = serializers.ListField(child=serializers.DictField())
    represents = serializers.ListField(child=serializers.DictField())


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField()
    expires_at = serializers.DateTimeField()


# --- Input ----------------------------------------------------------------------------------

MAX_UNITS_PER_PERSON = 20


class ServiceUserCreateSerializer(StrictInputSerializer):
    national_id = serializers.CharField(max_length=20)
    first_name = serializers.CharField(max_length=100)
    last_name = serializers.CharField(max_length=100)
    date_of_birth = BoundedDateField(required=False)
    units = IdListField(max_length=MAX_UNITS_PER_PERSON, allow_empty=False)
    phone = serializers.CharField(max_length=30, required=False, allow_blank=True)
    email = serializers.EmailField(max_length=254, required=False, allow_blank=True)
    address = serializers.CharField(max_length=200, required=False, allow_blank=True)
    postal_code = serializers.RegexField(r"^[0-9]{4}$", max_length=4, required=False, allow_blank=True)
    city = serializers.CharField(max_length=100, required=False, allow_blank=True)
    preferred_language = serializers.ChoiceField(choices=Language.choices, required=False)


class ServiceUserUpdateSerializer(StrictInputSerializer):
    first_name = serializers.CharField(max_length=100, required=False)
    last_name = serializers.CharField(max_length=100, required=False)
    units = IdListField(max_length=MAX_UNITS_PER_PERSON, allow_empty=False, required=False)
    phone = serializers.CharField(max_length=30, required=False, allow_blank=True)
    email = serializers.EmailField(max_length=254, required=False, allow_blank=True)
    address = serializers.CharField(max_length=200, required=False, allow_blank=True)
    postal_code = serializers.RegexField(r"^[0-9]{4}$", max_length=4, required=False, allow_blank=True)
    city = serializers.CharField(max_length=100, required=False, allow_blank=True)
    preferred_language = serializers.ChoiceField(choices=Language.choices, required=False)


class ServiceUserSearchResultSerializer(serializers.Serializer):
    """The answer to a search by national identity number: at most one person, in reach."""

    count = serializers.IntegerField()
    results = ServiceUserListSerializer(many=True)


class ServiceUserSearchSerializer(StrictInputSerializer):
    national_id = serializers.CharField(max_length=20)


class RepresentativeCreateSerializer(StrictInputSerializer):
    service_user = IdField()
    kind = serializers.ChoiceField(choices=RepresentativeKind.choices)
    first_name = serializers.CharField(max_length=100)
    last_name = serializers.CharField(max_length=100)
    relation = serializers.CharField(max_length=60, required=False, allow_blank=True)
    phone = serializers.CharField(max_length=30, required=False, allow_blank=True)
    email = serializers.EmailField(max_length=254, required=False, allow_blank=True)
    portal_username = serializers.CharField(max_length=150, required=False)

    def validate_portal_username(self, value: str) -> Any:
        user = (
            get_user_model()
            .objects.filter(username=value, is_active=True)
            .exclude(username=SYSTEM_USERNAME)
            .first()
        )
        if user is None:
            raise serializers.ValidationError(_("No active login with this username."), code="unknown")
        return user


class RepresentativeUpdateSerializer(StrictInputSerializer):
    first_name = serializers.CharField(max_length=100, required=False)
    last_name = serializers.CharField(max_length=100, required=False)
    relation = serializers.CharField(max_length=60, required=False, allow_blank=True)
    phone = serializers.CharField(max_length=30, required=False, allow_blank=True)
    email = serializers.EmailField(max_length=254, required=False, allow_blank=True)


class MandateCreateSerializer(StrictInputSerializer):
    representative = IdField()
    covers_personal = serializers.BooleanField()
    covers_economic = serializers.BooleanField()
    valid_from = BoundedDateField()
    valid_to = BoundedDateField(required=False, allow_null=True)
    certificate_reference = serializers.CharField(max_length=60)


class MandateEndSerializer(StrictInputSerializer):
    valid_to = BoundedDateField()
    comment = serializers.CharField(max_length=500, required=False, allow_blank=True)


class ConsentCreateSerializer(StrictInputSerializer):
    service_user = IdField()
    given_by = serializers.ChoiceField(choices=ConsentGiver.choices)
    given_by_representative = IdField(required=False, allow_null=True)
    representative = IdField(required=False, allow_null=True)
    covers_plan = serializers.BooleanField(required=False, default=False)
    covers_group_sharing = serializers.BooleanField(required=False, default=False)
    covers_relative_access = serializers.BooleanField(required=False, default=False)
    valid_from = BoundedDateField()
    valid_to = BoundedDateField(required=False, allow_null=True)
    note = serializers.CharField(max_length=500, required=False, allow_blank=True)


class ConsentWithdrawSerializer(StrictInputSerializer):
    reason = serializers.CharField(max_length=300, required=False, allow_blank=True)


class TokenRequestSerializer(StrictInputSerializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=512, trim_whitespace=False)
