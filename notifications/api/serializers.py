"""Shapes of the notifications API."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from casework.api.fields import IdField, QueryBooleanField
from casework.api.inputs import StrictInputSerializer
from casework.choices import Language
from notifications.models import Notification, NotificationPreference
from notifications.selectors import OBJECT_SELECTORS


class InboxMessageSerializer(serializers.ModelSerializer):
    is_read = serializers.SerializerMethodField()

    class Meta:
        model = Notification
        fields = [
            "id",
            "kind",
            "subject",
            "body",
            "object_type",
            "object_id",
            "created_at",
            "read_at",
            "is_read",
        ]
        read_only_fields = fields

    def get_is_read(self, row: Notification) -> bool:
        return row.read_at is not None


class InboxFilterSerializer(StrictInputSerializer):
    unread = QueryBooleanField(required=False, help_text=_("Only unread messages."))


class ReadAllResultSerializer(serializers.Serializer):
    marked_read = serializers.IntegerField()


class PreferenceSerializer(serializers.ModelSerializer):
    class Meta:
        model = NotificationPreference
        fields = [
            "by_email",
            "by_sms",
            "in_inbox",
            "language",
            "daily_digest",
            "plan_pdf_by_email",
            "updated_at",
        ]
        read_only_fields = ["updated_at"]
        # null until the caller first changes a preference (the defaults are not stored)
        extra_kwargs = {"updated_at": {"allow_null": True}}


class PreferenceUpdateSerializer(StrictInputSerializer):
    by_email = serializers.BooleanField(required=False)
    by_sms = serializers.BooleanField(required=False)
    in_inbox = serializers.BooleanField(required=False)
    language = serializers.ChoiceField(choices=Language.choices, required=False)
    daily_digest = serializers.BooleanField(required=False)
    plan_pdf_by_email = serializers.BooleanField(required=False)


class DeliveryQuerySerializer(StrictInputSerializer):
    object_type = serializers.ChoiceField(choices=sorted(OBJECT_SELECTORS))
    object_id = IdField()


class DeliverySerializer(serializers.ModelSerializer):
    class Meta:
        model = Notification
        fields = [
            "id",
            "kind",
            "channel",
            "status",
            "recipient_name",
            "language",
            "subject",
            "attempts",
            "next_attempt_at",
            "last_error",
            "in_doubt_resends",
            "created_at",
            "delivered_at",
            "read_at",
        ]
        read_only_fields = fields
