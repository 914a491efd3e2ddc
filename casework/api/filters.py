"""Query-parameter filters of the API lists (never on personal identifiers).

Every filter set, declared or generated from a view's ``filterset_fields``, derives from
``ApiFilterSet``: a relation is filtered by a plain id (``IdFilter``) and a number by ASCII digits,
so that a missing object and one out of reach give the same empty list, and a malformed number
gives 400 rather than an error deeper down.
"""

from typing import Any

import django_filters
from django import forms
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as drf_filters
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework.exceptions import ErrorDetail, ValidationError
from rest_framework.filters import OrderingFilter

from casework.api.fields import IdFilter
from casework.choices import Language, RepresentativeKind
from casework.models import Consent, Mandate, Representative, ServiceUser, Unit

MAX_FILTER_INTEGER = 2**31 - 1


class _IntegerFormField(forms.Field):
    default_error_messages = {"invalid": _("A whole number.")}

    def to_python(self, value: Any) -> int | None:
        if value in self.empty_values:
            return None
        text = str(value)
        if not (text.isascii() and text.isdigit()) or int(text) > MAX_FILTER_INTEGER:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return int(text)


class IntegerFilter(django_filters.Filter):
    """A whole number in ASCII digits, from 0 to 2^31 - 1 (a year, a count)."""

    field_class = _IntegerFormField


class _BooleanFormField(forms.Field):
    default_error_messages = {"invalid": _("true or false.")}

    def to_python(self, value: Any) -> bool | None:
        if value in self.empty_values:
            return None
        if value not in {"true", "false"}:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return value == "true"


class StrictBooleanFilter(django_filters.Filter):
    """``true`` or ``false``, nothing else (django-filter's also takes ``1``, and ignores the rest)."""

    field_class = _BooleanFormField


_BY_ID = {"filter_class": IdFilter}
_BY_INTEGER = {"filter_class": IntegerFilter}


class ApiFilterSet(drf_filters.FilterSet):
    FILTER_DEFAULTS = {
        **drf_filters.FilterSet.FILTER_DEFAULTS,
        models.AutoField: _BY_ID,
        models.BigAutoField: _BY_ID,
        models.ForeignKey: _BY_ID,
        models.OneToOneField: _BY_ID,
        models.ManyToManyField: _BY_ID,
        models.IntegerField: _BY_INTEGER,
        models.SmallIntegerField: _BY_INTEGER,
        models.PositiveIntegerField: _BY_INTEGER,
        models.PositiveSmallIntegerField: _BY_INTEGER,
        models.BooleanField: {"filter_class": StrictBooleanFilter},
    }


class ApiFilterBackend(DjangoFilterBackend):
    """The filter backend of every view: filter sets generated from ``filterset_fields`` too
    derive from ``ApiFilterSet``. A view's filters belong to its ``list`` alone: its other
    actions (a history, a work list) neither take nor document them."""

    filterset_base = ApiFilterSet

    def get_filterset_class(self, view: Any, queryset: Any = None) -> Any:
        if getattr(view, "action", "list") != "list":
            return None
        return super().get_filterset_class(view, queryset)


class ApiOrderingFilter(OrderingFilter):
    """``?ordering=`` of a view's list, and only of its list (taken and documented); a field the
    list cannot be ordered by is 400, not silently dropped."""

    def remove_invalid_fields(self, queryset: Any, fields: Any, view: Any, request: Any) -> list[str]:
        valid = super().remove_invalid_fields(queryset, fields, view, request)
        if len(valid) != len(fields):
            choices = ", ".join(
                item[0] for item in self.get_valid_fields(queryset, view, {"request": request})
            )
            raise ValidationError(
                {
                    self.ordering_param: [
                        ErrorDetail(_("Order by one of: %(fields)s.") % {"fields": choices}, code="invalid")
                    ]
                }
            )
        return list(valid)

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        if getattr(view, "action", "list") != "list":
            return []
        return list(super().get_schema_operation_parameters(view))


class ServiceUserFilter(ApiFilterSet):
    unit = IdFilter(field_name="units", distinct=False)
    preferred_language = django_filters.ChoiceFilter(choices=Language.choices)

    class Meta:
        model = ServiceUser
        fields = ["unit", "preferred_language"]


class RepresentativeFilter(ApiFilterSet):
    kind = django_filters.ChoiceFilter(choices=RepresentativeKind.choices)
    service_user = IdFilter()

    class Meta:
        model = Representative
        fields = ["service_user", "kind"]


class MandateFilter(ApiFilterSet):
    service_user = IdFilter(field_name="representative__service_user")
    representative = IdFilter()

    class Meta:
        model = Mandate
        fields = ["representative", "service_user"]


class ConsentFilter(ApiFilterSet):
    service_user = IdFilter()
    representative = IdFilter()

    class Meta:
        model = Consent
        fields = [
            "service_user",
            "representative",
            "covers_plan",
            "covers_group_sharing",
            "covers_relative_access",
        ]


class UnitFilter(ApiFilterSet):
    class Meta:
        model = Unit
        fields = ["service_area", "is_active"]
