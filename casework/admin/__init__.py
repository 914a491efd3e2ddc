"""The Django admin for the casework core.

Writes are audited (``AuditedAdminMixin``); rows about a person are fetched through the access
path and every page that shows them is written to the access log (``PersonScopeMixin``); see
``casework/admin/mixins.py``. The audit trail, the access log, login throttles and API tokens
are read-only here, and so is the system actor's login (``casework.system``), which no form
offers as a choice.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import admin as auth_admin
from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.db.models.constants import LOOKUP_SEP
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from casework.admin.mixins import AuditedAdminMixin, CaseworkAdmin, NoSystemActorChoiceMixin, ReadOnlyAdmin
from casework.audit import changes_between
from casework.choices import RepresentativeKind
from casework.models import (
    AccessGrant,
    AccessLogEntry,
    ApiToken,
    AuditEvent,
    Consent,
    LoginThrottle,
    Mandate,
    Municipality,
    OutboxEvent,
    Representative,
    ServiceArea,
    ServiceUser,
    ServiceUserUserObjectPermission,
    StaffMembership,
    Unit,
)
from casework.national_id import NationalIdError, national_id_birth_date, national_id_clean
from casework.services import access_reason_end, service_user_access_grant
from casework.system import SYSTEM_USERNAME, is_system_actor, system_name

# --- Logins ----------------------------------------------------------------------------------

User = get_user_model()


class UserAdmin(auth_admin.UserAdmin):
    """Django's user admin, except for the system actor: its login can be looked at but not
    changed (no password, no switching it on) or deleted, and the autocompletes that pick a
    login (staff memberships, portal logins, access reasons) do not offer it."""

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not is_system_actor(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not is_system_actor(obj) and super().has_delete_permission(request, obj)

    def get_search_results(self, request: HttpRequest, queryset: Any, search_term: str) -> tuple[Any, bool]:
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        match = getattr(request, "resolver_match", None)
        if match is not None and match.url_name == "autocomplete":
            queryset = queryset.exclude(username=SYSTEM_USERNAME)
        return queryset, may_have_duplicates


if admin.site.is_registered(User):
    admin.site.unregister(User)
admin.site.register(User, UserAdmin)

# --- Organisation ---------------------------------------------------------------------------


@admin.register(Municipality)
class MunicipalityAdmin(CaseworkAdmin):
    list_display = ("name", "number")
    search_fields = ("name", "number")


@admin.register(ServiceArea)
class ServiceAreaAdmin(CaseworkAdmin):
    list_display = ("name", "municipality")
    list_filter = ("municipality",)
    list_select_related = ("municipality",)
    search_fields = ("name",)


class StaffMembershipInline(NoSystemActorChoiceMixin, admin.TabularInline):
    model = StaffMembership
    extra = 0
    autocomplete_fields = ("user",)
    readonly_fields = ("created_at",)


@admin.register(Unit)
class UnitAdmin(CaseworkAdmin):
    inlines = (StaffMembershipInline,)
    list_display = ("name", "service_area", "is_active")
    list_filter = ("is_active", "service_area__municipality", "service_area")
    list_select_related = ("service_area",)
    search_fields = ("name",)


@admin.register(StaffMembership)
class StaffMembershipAdmin(CaseworkAdmin):
    list_display = ("user", "unit", "role", "created_at")
    list_filter = ("role", "unit")
    list_select_related = ("user", "unit")
    search_fields = ("user__username", "user__first_name", "user__last_name", "unit__name")
    autocomplete_fields = ("user", "unit")
    readonly_fields = ("created_at",)


# --- People ---------------------------------------------------------------------------------


class ServiceUserAdminForm(forms.ModelForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "units" in self.fields:
            self.fields["units"].required = True

    def clean_national_id(self) -> str:
        try:
            return national_id_clean(self.cleaned_data["national_id"])
        except NationalIdError as error:
            raise forms.ValidationError(error.message, code=error.code) from error

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        national_id, born = cleaned.get("national_id"), cleaned.get("date_of_birth")
        if national_id and born and national_id_birth_date(national_id) != born:
            self.add_error(
                "date_of_birth",
                forms.ValidationError(
                    _("The date of birth does not match the national identity number."),
                    code="mismatch",
                ),
            )
        units, municipality = cleaned.get("units"), cleaned.get("municipality")
        if (
            units is not None
            and municipality is not None
            and units.exclude(service_area__municipality=municipality).exists()
        ):
            self.add_error(
                "units",
                forms.ValidationError(
                    _("All units must belong to the person's municipality."),
                    code="mixed_municipalities",
                ),
            )
        return cleaned


@admin.register(ServiceUser)
class ServiceUserAdmin(CaseworkAdmin):
    form = ServiceUserAdminForm
    person_path = ""
    access_resource = "admin.service_user"
    list_display = ("last_name", "first_name", "masked_id", "municipality")
    list_filter = ("municipality", "units", "preferred_language")
    search_fields = ("first_name", "last_name")  # never the national id: it would be in the URL
    search_help_text = _("Search by first or last name.")
    filter_horizontal = ("units",)
    readonly_fields = ("created_at", "updated_at")

    @admin.display(description=_("national identity number"))
    def masked_id(self, obj: ServiceUser) -> str:
        return obj.masked_national_id

    def lookup_allowed(self, lookup: str, value: str, request: Any = None) -> bool:
        # ?national_id=... would put a fødselsnummer in a URL: refuse it (400).
        if lookup.split(LOOKUP_SEP, 1)[0] == "national_id":
            return False
        return super().lookup_allowed(lookup, value, request)


class MandateInline(admin.TabularInline):
    model = Mandate
    extra = 0
    readonly_fields = ("created_at",)


@admin.register(Representative)
class RepresentativeAdmin(CaseworkAdmin):
    person_path = "service_user"
    access_resource = "admin.representative"
    list_display = ("last_name", "first_name", "kind", "relation", "service_user")
    list_filter = ("kind",)
    search_fields = ("first_name", "last_name", "service_user__first_name", "service_user__last_name")
    autocomplete_fields = ("user",)
    raw_id_fields = ("service_user",)  # an autocomplete of people would show names unlogged
    readonly_fields = ("created_at",)

    def get_inlines(self, request: HttpRequest, obj: Any) -> Any:
        # Only a guardian holds a mandate; save the guardian first, then add mandates.
        return (MandateInline,) if obj is not None and obj.kind == RepresentativeKind.GUARDIAN else ()


@admin.register(Mandate)
class MandateAdmin(CaseworkAdmin):
    person_path = "representative__service_user"
    access_resource = "admin.mandate"
    list_display = ("representative", "covers_personal", "covers_economic", "valid_from", "valid_to")
    list_filter = ("covers_personal", "covers_economic", "valid_from")
    readonly_fields = ("created_at",)


class ConsentAdminForm(forms.ModelForm):
    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        person = cleaned.get("service_user")
        for name in ("representative", "given_by_representative"):
            rep = cleaned.get(name)
            if person is not None and rep is not None and rep.service_user_id != person.pk:
                self.add_error(
                    name,
                    forms.ValidationError(
                        _("The representative belongs to another service user."),
                        code="other_person",
                    ),
                )
        return cleaned


@admin.register(Consent)
class ConsentAdmin(CaseworkAdmin):
    form = ConsentAdminForm
    person_path = "service_user"
    access_resource = "admin.consent"
    list_display = ("__str__", "service_user", "given_by", "valid_from", "valid_to", "withdrawn_at")
    list_filter = ("given_by", "covers_plan", "covers_group_sharing", "covers_relative_access")
    search_fields = ("service_user__first_name", "service_user__last_name")
    raw_id_fields = ("service_user",)
    # Withdrawal takes effect through the API's service (it ends access at once and is audited
    # as a withdrawal); the admin must not reset it.
    readonly_fields = ("recorded_by", "created_at", "withdrawn_at", "withdrawal_reason")

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if not change:
            obj.recorded_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(AccessGrant)
class AccessGrantAdmin(CaseworkAdmin):
    """The access ledger: add an explicit reason, end reasons; what plans and groups give and end
    is theirs. Adding and ending go through the services, which keep the permission in step."""

    person_path = "service_user"
    access_resource = "admin.access_grant"
    list_display = ("service_user", "user", "source", "source_id", "reason", "since", "until")
    list_filter = ("source",)
    list_select_related = ("service_user", "user")
    raw_id_fields = ("service_user",)
    autocomplete_fields = ("user",)
    fields = ("service_user", "user", "reason")
    actions = ["end_reasons"]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        row = service_user_access_grant(
            reach=None, actor=request.user, service_user=obj.service_user, user=obj.user, reason=obj.reason
        )
        if row is not None:
            obj.pk = row.pk

    @admin.action(description=_("End the selected reasons"))
    def end_reasons(self, request: HttpRequest, queryset: Any) -> None:
        for row in queryset.filter(until__isnull=True).select_related("service_user"):
            access_reason_end(
                actor=request.user,
                service_user=row.service_user,
                user=row.user_id,
                source=row.source,
                source_id=row.source_id,
                reason=str(_("Ended in the admin")),
            )


@admin.register(ServiceUserUserObjectPermission)
class ServiceUserUserObjectPermissionAdmin(ReadOnlyAdmin):
    """The permission the ledger keeps while a user has an active reason (read-only)."""

    person_path = "content_object"
    access_resource = "admin.access_grant"
    list_display = ("user", "permission", "content_object")
    list_select_related = ("permission", "user", "content_object")


# --- Logs and security (read-only) -----------------------------------------------------------


class SuperuserOnlyViewMixin:
    """The logs in the admin are for system administrators; log control by unit managers and
    quality administrators goes through the API (``/service-users/{id}/access-log/``)."""

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(request.user.is_superuser)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.is_superuser)


@admin.register(AuditEvent)
class AuditEventAdmin(SuperuserOnlyViewMixin, ReadOnlyAdmin):
    person_path = "service_user"
    person_optional = True
    list_display = (
        "occurred_at",
        "who",
        "actor_role",
        "action",
        "object_type",
        "object_id",
        "service_user",
    )
    list_filter = ("action", "object_type", "occurred_at")
    search_fields = ("actor_username", "object_id")

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return ["who", *super().get_fields(request, obj)]

    @admin.display(description=_("actor"), ordering="actor_username")
    def who(self, event: AuditEvent) -> str:
        """The system (scheduled work, and what migrations did as the system) by name, else the username."""
        return system_name() if event.actor_username == SYSTEM_USERNAME else event.actor_username


@admin.register(AccessLogEntry)
class AccessLogEntryAdmin(SuperuserOnlyViewMixin, ReadOnlyAdmin):
    person_path = "service_user"
    list_display = ("occurred_at", "actor", "actor_role", "service_user", "resource", "basis")
    list_filter = ("resource", "basis", "occurred_at")
    list_select_related = ("actor", "service_user")
    search_fields = ("actor__username",)


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyAdmin):
    fields = ("user", "created_at", "expires_at")  # never key_hash
    list_display = ("user", "created_at", "expires_at")
    list_select_related = ("user",)
    search_fields = ("user__username",)


@admin.register(LoginThrottle)
class LoginThrottleAdmin(AuditedAdminMixin, ReadOnlyAdmin):
    actions = ("unlock",)
    list_display = ("username", "failures", "last_failure_at", "locked_until")
    search_fields = ("username",)

    def has_unlock_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("casework.change_loginthrottle")

    @admin.action(description=_("Unlock the selected usernames"), permissions=("unlock",))
    def unlock(self, request: HttpRequest, queryset: QuerySet[LoginThrottle]) -> None:
        for throttle in queryset:
            before = {"failures": throttle.failures, "locked_until": throttle.locked_until}
            throttle.failures, throttle.locked_until = 0, None
            throttle.save(update_fields=["failures", "locked_until"])
            after = {"failures": 0, "locked_until": None}
            self.audit(request, throttle, "unlock", changes_between(before, after), None)
        count = len(queryset)
        self.message_user(
            request,
            ngettext("%(count)d username unlocked.", "%(count)d usernames unlocked.", count)
            % {"count": count},
            messages.SUCCESS,
        )


@admin.register(OutboxEvent)
class OutboxEventAdmin(ReadOnlyAdmin):
    """The outbox, for superusers: what was announced and whether notifications took it up."""

    list_display = ("id", "event", "object_type", "object_id", "created_at", "dispatched_at")
    list_filter = ("event",)
    fields = ("event", "object_type", "object_id", "payload", "created_at", "dispatched_at")

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(request.user.is_superuser)
