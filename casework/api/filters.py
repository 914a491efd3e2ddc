"""Query-parameter filters of the API lists (never on personal identifiers).

Every filter set, declared or generated from a view's ``filterset_fields``, derives from
``ApiFilterSet``: a relation is filtered by a plain id (``IdFilter``) and a number by ASCII digits,
so that a missing object and one out of reach give the same empty list, and a malformed number
gives 400 rather than an error deeper down.
"""

from collections.abc import Callable
from typing import Any

import django_filters
from django import forms
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as drf_filters
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework.exceptions import ErrorDetail, ValidationError
from rest_framework.filters import OrderingFilter

from casework.choices import Language, RepresentativeKind
from casework.limits import parse_id, parse_whole_number
from casework.models import Consent, Mandate, Representative, ServiceUser, Unit

MAX_FILTER_INTEGER = 2**31 - 1


class _ParsedFormField(forms.Field):
    """A query value read by ``parse``; what it cannot read (None) is 400 with ``message``."""

    def __init__(self, *, parse: Callable[[str], Any], message: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.parse, self.message = parse, message

    def to_python(self, value: Any) -> Any:
        if value in self.empty_values:
            return None
        parsed = self.parse(str(value))
        if parsed is None:
            raise forms.ValidationError(self.message, code="invalid")
        return parsed


class _ParsedFilter(django_filters.Filter):
    field_class = _ParsedFormField

    @staticmethod
    def parse(text: str) -> Any:
        raise NotImplementedError

    message: Any = ""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("parse", self.parse)
        kwargs.setdefault("message", self.message)
        super().__init__(*args, **kwargs)


class IdFilter(_ParsedFilter):
    """Filter by the id of a related object, as a plain number (``casework.limits``).

    A model-choice filter answers 400 for an id that does not exist and 200 for one outside the
    caller's reach, and so tells which ids exist; this one answers both with an empty list.
    """

    @staticmethod
    def parse(text: str) -> int | None:
        return parse_id(text)

    message = _("An id: a whole number from 1.")


class IntegerFilter(_ParsedFilter):
    """A whole number in ASCII digits, from 0 to 2^31 - 1 (a year, a count)."""

    @staticmethod
    def parse(text: str) -> int | None:
        return parse_whole_number(text, minimum=0, maximum=MAX_FILTER_INTEGER)

    message = _("A whole number.")


class StrictBooleanFilter(_ParsedFilter):
    """``true`` or ``false``, nothing else (django-filter's also takes ``1``, and ignores the rest)."""

    @staticmethod
    def parse(text: str) -> bool | None:
        return {"true": True, "false": False}.get(text)

    message = _("true or false.")


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
