"""The building blocks of the casework admin, for any app whose admin holds people's data.

``AuditedAdminMixin`` audits every write the admin makes, like the services do.
``PersonScopeMixin`` fetches rows about a person through the access path (``selectors``) and
writes every page that shows them to the access log. ``ReadOnlyAdmin`` is for the logs.
``NoSystemActorChoiceMixin`` keeps the system actor out of every choice of a login.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.db.models import Model, Q, QuerySet
from django.db.models.constants import LOOKUP_SEP
from django.http import HttpRequest, HttpResponse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from casework.audit import access_log_record, audit_record, changes_between
from casework.engine import history_for
from casework.models import Representative, ServiceUser
from casework.selectors import Reach, reach_for, service_user_queryset_for
from casework.system import SYSTEM_USERNAME


def request_reach(request: HttpRequest) -> Reach:
    """The actor's reach, computed once per request (two queries)."""
    reach = getattr(request, "casework_reach", None)
    if reach is None:
        reach = reach_for(request.user)
        request.casework_reach = reach  # type: ignore[attr-defined]
    return reach


def _follow(obj: Any, path: str | None) -> Any:
    """Walk ``a__b`` from ``obj``; ``""`` is the object itself, ``None`` means no person."""
    if path is None:
        return None
    for part in filter(None, path.split(LOOKUP_SEP)):
        obj = getattr(obj, part, None)
    return obj


def _plain(value: Any) -> Any:
    """Form values as ``changes_between`` summarises them: querysets become sorted ids."""
    if isinstance(value, QuerySet):
        return sorted(value.values_list("pk", flat=True))
    return value


def form_changes(form: forms.ModelForm, *, new: bool) -> dict[str, list[Any]]:
    """``{field: [old, new]}``: every filled-in field of a new object, else ``changed_data``."""
    fields = {f.name for f in form._meta.model._meta.get_fields()} & set(form.cleaned_data)
    if new:
        after = {n: _plain(form.cleaned_data[n]) for n in fields}
        return changes_between({}, {n: v for n, v in after.items() if v not in ("", [])})
    names = [n for n in form.changed_data if n in fields]
    before = {n: _plain(form.initial.get(n)) for n in names}
    return changes_between(before, {n: _plain(form.cleaned_data[n]) for n in names})


def _snapshot(obj: Model) -> dict[str, list[Any]]:
    """What a deleted row held, as ``{field: [old, None]}`` (national id masked)."""
    values = {f.name: f.value_from_object(obj) for f in obj._meta.concrete_fields}
    return changes_between(values, dict.fromkeys(values))


class AuditedAdminMixin:
    """Every admin write leaves one audit row per object, in the same transaction.

    ``save_model`` records the object's own fields *and* its many-to-many fields (the values
    come from the validated form; ``save_related`` writes them right after in the same
    transaction). Inline rows are audited one by one in ``save_formset``.
    """

    person_path: str | None = None  # from the object to the person it is about; "" = itself

    def audit_person(self, obj: Model, *, deleting: bool = False) -> ServiceUser | None:
        if deleting and self.person_path == "":
            return None  # the person's own row is going away; the audit row must not PROTECT it
        return _follow(obj, self.person_path)

    def audit(self, request: HttpRequest, obj: Model, verb: str, changes: Any, person: Any) -> None:
        action = f"{obj._meta.model_name}.admin_{verb}"
        audit_record(
            actor=request.user, action=action, obj=obj, service_user=person, role="admin", changes=changes
        )

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)  # type: ignore[misc]
        changes = form_changes(form, new=not change)
        if changes or not change:  # like the services: an update that changed nothing is no event
            self.audit(request, obj, "update" if change else "create", changes, self.audit_person(obj))

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        forms_by_object = {id(f.instance): f for f in formset.forms}
        person = self.audit_person(form.instance)
        saved = formset.save(commit=False)
        for obj in formset.deleted_objects:
            self.audit(request, obj, "delete", _snapshot(obj), person)
            obj.delete()
        for obj in saved:
            new = obj._state.adding
            obj.save()
            changes = form_changes(forms_by_object[id(obj)], new=new)
            self.audit(request, obj, "create" if new else "update", changes, person)
        formset.save_m2m()

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        self.audit(request, obj, "delete", _snapshot(obj), self.audit_person(obj, deleting=True))
        super().delete_model(request, obj)  # type: ignore[misc]

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        for obj in queryset:
            self.audit(request, obj, "delete", _snapshot(obj), self.audit_person(obj, deleting=True))
        super().delete_queryset(request, queryset)  # type: ignore[misc]


class PersonScopeMixin:
    """Rows about a person: only people in the actor's reach, and every display logged."""

    person_path: str | None = None
    person_optional = False  # rows without a person (nullable link) stay visible
    access_resource = ""  # e.g. "admin.consent": logs "admin.consent.detail" and ".list"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        path = self.person_path
        if path == "":
            queryset = service_user_queryset_for(reach=request_reach(request))
            return queryset.select_related("municipality").prefetch_related("units")
        queryset = super().get_queryset(request)  # type: ignore[misc]
        if path is None:
            return queryset
        queryset = queryset.select_related(path)
        if self.access_resource:
            queryset = queryset.prefetch_related(f"{path}__units")
        reach = request_reach(request)
        if reach.is_superuser:
            return queryset
        in_reach = Q(**{f"{path}__in": service_user_queryset_for(reach=reach).values("pk")})
        if self.person_optional:
            in_reach |= Q(**{f"{path}__isnull": True})
        return queryset.filter(in_reach)

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        """Choices of people and representatives are limited to the actor's reach too."""
        people = service_user_queryset_for(reach=request_reach(request))
        if db_field.related_model is ServiceUser:
            kwargs.setdefault("queryset", people.order_by("last_name", "first_name", "id"))
        elif db_field.related_model is Representative:
            kwargs.setdefault("queryset", Representative.objects.filter(service_user__in=people.values("pk")))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)  # type: ignore[misc]

    def log_access(self, request: HttpRequest, kind: str, objects: Any) -> None:
        if not self.access_resource:
            return
        people: dict[int, ServiceUser] = {}
        for obj in objects:
            person = _follow(obj, self.person_path)
            if person is not None:
                people.setdefault(person.pk, person)
        if people:
            access_log_record(
                reach=request_reach(request),
                resource=f"{self.access_resource}.{kind}",
                people=people.values(),
            )

    def change_view(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = super().change_view(request, *args, **kwargs)  # type: ignore[misc]
        original = (getattr(response, "context_data", None) or {}).get("original")
        if original is not None:
            self.log_access(request, "detail", [original])
        return response

    def history_view(self, request: HttpRequest, object_id: str, extra_context: Any = None) -> HttpResponse:
        response = super().history_view(request, object_id, extra_context)  # type: ignore[misc]
        shown = (getattr(response, "context_data", None) or {}).get("object")
        if shown is not None:
            self.log_access(request, "history", [shown])
        return response

    def delete_view(self, request: HttpRequest, object_id: str, extra_context: Any = None) -> HttpResponse:
        response = super().delete_view(request, object_id, extra_context)  # type: ignore[misc]
        shown = (getattr(response, "context_data", None) or {}).get("object")
        if shown is not None and request.method == "GET":
            self.log_access(request, "delete_confirmation", [shown])
        return response

    def changelist_view(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = super().changelist_view(request, *args, **kwargs)  # type: ignore[misc]
        changelist = (getattr(response, "context_data", None) or {}).get("cl")
        if changelist is not None:
            self.log_access(request, "list", changelist.result_list)
        return response


class SuperuserWritesMixin:
    """Only superusers write through the admin. Other staff may be given view permissions and
    then see, through the access path, what they reach; their writes go through the API, whose
    services apply the role policies (who may register whom, in which unit)."""

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return bool(request.user.is_superuser) and super().has_add_permission(request, *args)  # type: ignore[misc]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(request.user.is_superuser) and super().has_change_permission(request, obj)  # type: ignore[misc]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(request.user.is_superuser) and super().has_delete_permission(request, obj)  # type: ignore[misc]


class NoSystemActorChoiceMixin:
    """A form that picks a login (a member of staff, a representative's portal login, the holder
    of an access reason) never accepts the system actor, even when its id is posted; the user
    admin's autocomplete does not offer it either (``casework.admin.UserAdmin``)."""

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.related_model is get_user_model():
            using = kwargs.get("using")
            users = kwargs.get("queryset")
            if users is None:  # as the admin would choose them (the user admin's ordering)
                users = self.get_field_queryset(using, db_field, request)  # type: ignore[attr-defined]
            if users is None:
                users = db_field.related_model._default_manager.using(using).all()
            kwargs["queryset"] = users.exclude(username=SYSTEM_USERNAME)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)  # type: ignore[misc]


class CaseworkAdmin(
    NoSystemActorChoiceMixin, SuperuserWritesMixin, AuditedAdminMixin, PersonScopeMixin, admin.ModelAdmin
):
    pass


class ReadOnlyAdmin(PersonScopeMixin, admin.ModelAdmin):
    """Nothing can be added, changed or deleted; all fields are shown read-only."""

    actions: Any = None

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return self.fields or [f.name for f in self.model._meta.concrete_fields if not f.primary_key]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return self.get_fields(request, obj)


class WorkflowHistoryAdminMixin:
    """A read-only ``history`` field: the object's transitions from the engine's one table."""

    @admin.display(description=_("history"))
    def history(self, obj: Any) -> str:
        rows = (
            [
                (
                    row.occurred_at.strftime("%Y-%m-%d %H:%M"),
                    row.name,
                    row.source,
                    row.target,
                    row.actor,
                    row.comment,
                )
                for row in history_for(obj)
            ]
            if obj is not None and obj.pk
            else []
        )
        if not rows:
            return "–"
        return format_html(
            "<table><tbody>{}</tbody></table>",
            format_html_join(
                "", "<tr><td>{}</td><td>{}</td><td>{} → {}</td><td>{}</td><td>{}</td></tr>", rows
            ),
        )
