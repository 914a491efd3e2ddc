"""What every API view of the service shares: the actor's reach, and the access log of reads."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import cached_property
from typing import Any

import django_filters
from django.core.exceptions import ImproperlyConfigured
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import serializers, viewsets
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from casework.api.params import MAX_PAGE_SIZE, whole_number_param
from casework.audit import access_log_record
from casework.limits import ID_PATH_PATTERN, parse_id
from casework.models import ServiceUser
from casework.selectors import Reach, reach_for

PAGING_PARAMETERS = frozenset({"page", "page_size", "ordering"})
# What an action other than ``list`` takes besides its own ``extra_query_params``.
ACTION_PARAMETERS = frozenset({"page", "page_size"})


def refuse_unexpected_query(
    request: Request, *, allowed: Iterable[str], repeatable: Iterable[str] = ()
) -> None:
    """400 for a query parameter the view does not take, gives twice or leaves blank.

    A misspelt filter must not silently return everything, and a repeated one must not let the
    last value win unnoticed. ``page`` and ``page_size`` are checked wherever they are taken.
    """
    allowed, repeatable = set(allowed), set(repeatable)
    params = request.query_params
    refused: dict[str, tuple[str, str]] = {}
    for name in sorted(params):
        values = params.getlist(name)
        if name not in allowed:
            refused[name] = ("unknown_parameter", _("Unknown query parameter."))
        elif len(values) > 1 and name not in repeatable:
            refused[name] = ("repeated_parameter", _("Give this parameter once."))
        elif any(value == "" for value in values):
            refused[name] = ("blank", _("Give a value, or leave the parameter out."))
    if refused:
        raise serializers.ValidationError(
            {name: [serializers.ErrorDetail(text, code=code)] for name, (code, text) in refused.items()}
        )
    whole_number_param(request, "page")
    whole_number_param(request, "page_size", maximum=MAX_PAGE_SIZE)


class StrictQueryAPIView(APIView):
    """An API view outside the viewsets: it takes ``query_params`` and no other query parameter."""

    query_params: frozenset[str] = frozenset()

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        refuse_unexpected_query(request, allowed=self.query_params)


class ReachViewSet(viewsets.GenericViewSet):
    """A viewset whose reads and writes go through selectors and services with ``self.reach``.

    Query parameters that the action does not take are refused with 400 (``refuse_unexpected_query``).
    """

    filterset_class: Any = None
    filterset_fields: Any = None
    lookup_value_regex = ID_PATH_PATTERN  # ASCII digits: ``/plans/١/`` is no route (404)
    extra_query_params: frozenset[str] = frozenset()  # an action may widen it: @action(extra_query_params=…)

    def page_of(self, rows: Any) -> list[Any]:
        """One page of ``rows`` (a queryset or a list), cut as the API contract's pagination cuts."""
        return list(self.paginate_queryset(rows) or [])

    @cached_property
    def reach(self) -> Reach:
        return reach_for(self.request.user)

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)  # authentication first: anonymous callers get 401
        allowed = ACTION_PARAMETERS | self.extra_query_params
        repeatable: set[str] = set()
        if self.action == "list":  # filters and ordering are the list's (casework.api.filters)
            allowed |= PAGING_PARAMETERS
            if self.filterset_class is not None:
                allowed |= set(self.filterset_class.base_filters)
                repeatable = {
                    name
                    for name, f in self.filterset_class.base_filters.items()
                    if isinstance(f, django_filters.MultipleChoiceFilter)
                }
            allowed |= set(self.filterset_fields or ())
        refuse_unexpected_query(request, allowed=allowed, repeatable=repeatable)


def query_input(serializer_class: type[serializers.Serializer], request: Request) -> dict[str, Any]:
    """A list's own query parameters, validated by ``serializer_class``; the paging parameters of
    the API contract (``page``, ``page_size``, ``ordering``) are the paginator's, not the filter's."""
    params = {key: value for key, value in request.query_params.items() if key not in PAGING_PARAMETERS}
    data = serializer_class(data=params)
    data.is_valid(raise_exception=True)
    return dict(data.validated_data)


def reference_in_reach(getter: Callable[..., Any], *, reach: Reach, field: str, id: Any) -> Any:
    """An object named in a request body, through its selector.

    Missing and out of reach give the same 400 ``not_found`` on the field: never reveal that an
    object the caller may not see exists.
    """
    try:
        return getter(reach=reach, id=id)
    except Http404 as error:
        raise serializers.ValidationError(
            {field: [serializers.ErrorDetail(_("Not found."), code="not_found")]}
        ) from error


class PersonDataViewSet(ReachViewSet):
    """List and retrieve rows about people; every person shown is written to the access log.

    Subclasses name the resource (``access_resource``, e.g. ``"mandate"``), the path from a row to
    its person (``person_path``, ``""`` for the person itself), and the selector that fetches one
    row in reach (``get_in_reach``). ``get_queryset`` returns the selector's list, with the
    person's units prefetched (the access log derives role and basis from them).
    """

    access_resource = ""
    person_path = ""
    read_logged = False  # set by ``log_read`` during the request

    def get_in_reach(self, pk: str) -> Any:
        raise NotImplementedError

    def finalize_response(self, request: Request, response: Any, *args: Any, **kwargs: Any) -> Any:
        """A successful answer with a body must have written its access-log row (Normen).

        An action that forgets would show a person's data unlogged; it fails instead (500, and
        ATOMIC_REQUESTS rolls back whatever it wrote), so the gap shows in tests, not in the log.
        """
        response = super().finalize_response(request, response, *args, **kwargs)
        shows_data = 200 <= response.status_code < 300 and getattr(response, "data", None) is not None
        if shows_data and not self.read_logged:
            raise ImproperlyConfigured(
                f"{type(self).__name__}.{self.action} answered without writing the access log."
            )
        return response

    def people_of(self, rows: Iterable[Any]) -> list[ServiceUser]:
        """The distinct people of ``rows``; a row about no one (a nullable link) adds nobody."""
        people: dict[int, ServiceUser] = {}
        for row in rows:
            person = row
            for part in filter(None, self.person_path.split(".")):
                person = getattr(person, part) if person is not None else None
            if person is not None:
                people.setdefault(person.pk, person)
        return list(people.values())

    def log_read(self, kind: str, rows: Iterable[Any]) -> None:
        self.log_people(kind, self.people_of(rows))

    def log_people(self, kind: str, people: Iterable[ServiceUser]) -> None:
        access_log_record(reach=self.reach, resource=f"{self.access_resource}.{kind}", people=people)
        self.read_logged = True

    def respond_with(self, row: Any, status_code: int = 200) -> Response:
        """The response to a write: it shows the person's data, so it is logged like a read."""
        self.log_read("detail", [row])
        return Response(self.get_serializer(row).data, status=status_code)

    def list(self, request: Request) -> Response:
        rows = list(self.paginate_queryset(self.filter_queryset(self.get_queryset())) or [])
        self.log_read("list", rows)
        return self.get_paginated_response(self.get_serializer(rows, many=True).data)

    def retrieve(self, request: Request, pk: str) -> Response:
        row = self.get_in_reach(pk)
        self.log_read("detail", [row])
        return Response(self.get_serializer(row).data)


def unit_query_param(request: Request) -> int | None:
    """The optional ``?unit=`` of the work lists: an id (``casework.limits``), or 400."""
    unit = request.query_params.get("unit")
    if unit is None:
        return None
    number = parse_id(unit)
    if number is None:
        raise serializers.ValidationError(
            {"unit": [serializers.ErrorDetail(_("An id: a whole number from 1."), code="invalid")]}
        )
    return number
