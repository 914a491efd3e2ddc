"""Notifications in the admin: delivery status, failures with their reason, retry by hand.

Read-only like the workflows' admin: rows change through the dispatcher and the services. The
one action, "send again", goes through ``delivery_retry`` (audited); staff see only deliveries
about people they reach, and looking is access-logged.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from casework.admin.mixins import ReadOnlyAdmin, request_reach
from casework.errors import DomainError
from notifications.choices import DeliveryStatus
from notifications.models import Notification, NotificationPreference
from notifications.services import delivery_retry

RETRY_DESCRIPTION = _("Send the selected failed notifications again")


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    person_path = "service_user"
    person_optional = False
    access_resource = "admin.notification"
    actions = ["retry_failed"]
    list_display = (
        "id",
        "kind",
        "channel",
        "status",
        "recipient_name",
        "attempts",
        "last_error",
        "created_at",
    )
    list_filter = ("status", "channel", "kind")
    list_select_related = ("service_user",)
    search_fields = ("kind", "object_type", "object_id")
    date_hierarchy = "created_at"
    fields = (
        "kind",
        "channel",
        "status",
        "recipient_name",
        "recipient_user",
        "address",
        "language",
        "object_type",
        "object_id",
        "service_user",
        "subject",
        "body",
        "attachments",
        "attempts",
        "next_attempt_at",
        "last_error",
        "in_doubt_resends",
        "event",
        "digest",
        "created_at",
        "delivered_at",
        "read_at",
        "key",
    )

    def get_actions(self, request: HttpRequest) -> Any:
        # ReadOnlyAdmin switches actions off; this admin has exactly one, and no bulk delete.
        return {"retry_failed": (NotificationAdmin.retry_failed, "retry_failed", RETRY_DESCRIPTION)}

    @admin.action(description=RETRY_DESCRIPTION)
    def retry_failed(self, request: HttpRequest, queryset: QuerySet[Notification]) -> None:
        reach = request_reach(request)
        sent = 0
        for row in queryset.filter(status=DeliveryStatus.FAILED):
            try:
                delivery_retry(reach=reach, notification=row)
            except DomainError:
                continue
            sent += 1
        self.message_user(
            request,
            ngettext(
                "%(count)d notification will be sent again.",
                "%(count)d notifications will be sent again.",
                sent,
            )
            % {"count": sent},
            messages.SUCCESS,
        )


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(ReadOnlyAdmin):
    list_display = ("user", "by_email", "by_sms", "in_inbox", "language", "daily_digest")
    list_filter = ("language", "daily_digest")

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(request.user.is_superuser)
