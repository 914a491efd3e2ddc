"""The paging numbers of the query string, shared by the paginator and the views' own checks.

Kept apart from the views' base classes: DRF loads the paginator while those are being imported.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from rest_framework import serializers
from rest_framework.request import Request

from casework.limits import parse_whole_number

MAX_PAGE_SIZE = 200  # the API contract's


def whole_number_param(request: Request, name: str, *, maximum: int | None = None) -> int | None:
    """The query parameter ``name`` as a whole number from 1 in ASCII digits, or 400; None if absent."""
    raw = request.query_params.get(name)
    if raw is None:
        return None
    number = parse_whole_number(raw, minimum=1, maximum=999_999_999, canonical=True)
    if number is None:
        message = _("A whole number from 1.")
    elif maximum is not None and number > maximum:
        message = _("At most %(maximum)d.") % {"maximum": maximum}
    else:
        return number
    raise serializers.ValidationError({name: [serializers.ErrorDetail(message, code="invalid")]})
