"""Bounded input fields: every value a request body may carry has a documented limit.

Input serializers (``StrictInputSerializer``) use these instead of DRF's unbounded ones;
``tests/test_input_bounds.py`` walks every input serializer and refuses a field without its
bound, so a new endpoint cannot forget one. The query-string filters follow the same rules
(``casework.api.filters``).
"""

from __future__ import annotations

import datetime
import re
from typing import Any

from django.core.validators import MaxLengthValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from casework.limits import EARLIEST_DATE, LATEST_DATE, MAX_ID, parse_id

_RANGE_MESSAGE = _("Give a date from 1900-01-01 to 2100-12-31.")


class IntegerInputField(serializers.IntegerField):
    """A whole number written with ASCII digits, within ``min_value`` and ``max_value``.

    DRF's ``IntegerField`` takes ``"١"`` (an Arabic-Indic one) as 1, and ``1.0`` as 1.
    """

    default_error_messages = {"invalid": _("A whole number.")}

    def __init__(self, *, min_value: int, max_value: int, **kwargs: Any) -> None:
        super().__init__(min_value=min_value, max_value=max_value, **kwargs)

    def to_internal_value(self, data: Any) -> int:
        if isinstance(data, bool):
            self.fail("invalid")
        if isinstance(data, str):
            text = data[1:] if data.startswith("-") else data
            if not (text.isascii() and text.isdigit()) or len(text) > 20:
                self.fail("invalid")
            return int(data)
        if not isinstance(data, int):
            self.fail("invalid")
        return data


class IdField(IntegerInputField):
    """The id of an object named in a request body (see ``casework.limits``)."""

    default_error_messages = {"invalid": _("An id: a whole number from 1.")}

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(min_value=1, max_value=MAX_ID, **kwargs)

    def to_internal_value(self, data: Any) -> int:
        value = parse_id(data)
        if value is None:
            self.fail("invalid")
        return value


class QueryBooleanField(serializers.BooleanField):
    """A yes/no in a query string: ``true`` or ``false``, as the schema documents, nothing else."""

    default_error_messages = {"invalid": _("true or false.")}
    TRUE_VALUES = {"true"}
    FALSE_VALUES = {"false"}
    NULL_VALUES: set[str | None] = set()


class IdListField(serializers.ListField):
    """A list of ids, at most ``max_length`` (required: every list input has a maximum)."""

    def __init__(self, *, max_length: int, **kwargs: Any) -> None:
        super().__init__(child=IdField(), max_length=max_length, **kwargs)


class IdMapField(serializers.DictField):
    """An object keyed by ids (``{"12": true}``), at most ``max_length`` entries."""

    default_error_messages = {
        "max_length": _("Ensure this field has no more than {max_length} entries."),
        "invalid_key": _("Keys are ids: whole numbers from 1."),
    }

    def __init__(self, *, child: serializers.Field, max_length: int, **kwargs: Any) -> None:
        self.max_length = max_length
        super().__init__(child=child, **kwargs)
        self.validators.append(MaxLengthValidator(max_length))  # documented as maxProperties

    def to_internal_value(self, data: Any) -> dict[int, Any]:
        if isinstance(data, dict) and len(data) > self.max_length:
            self.fail("max_length", max_length=self.max_length)
        values = super().to_internal_value(data)
        keyed: dict[int, Any] = {}
        for key, value in values.items():
            number = parse_id(key)
            if number is None:
                self.fail("invalid_key")
            keyed[number] = value
        return keyed


def list_of(serializer: type[serializers.Serializer], *, max_length: int, **kwargs: Any) -> Any:
    """A nested list of ``serializer`` objects, at most ``max_length`` of them."""
    return serializer(many=True, max_length=max_length, **kwargs)  # type: ignore[call-arg]


# ISO 8601 as the schema documents it, in ASCII: ``2027-06-01`` and ``2027-06-01T10:00[:00[.000]]``
# with an optional ``Z`` or offset. Python's parser also takes week dates, other scripts' digits
# and trailing characters; one spelling per value keeps what is stored what was meant.
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_ISO_DATETIME = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,6})?)?(Z|[+-][0-9]{2}:?[0-9]{2})?"
)


def _iso_form(value: Any, pattern: re.Pattern[str], shape: str, field: serializers.Field) -> None:
    if isinstance(value, str) and not pattern.fullmatch(value):
        field.fail("invalid", format=shape)


class BoundedDateField(serializers.DateField):
    """A date from ``EARLIEST_DATE`` to ``LATEST_DATE``, written ``YYYY-MM-DD``."""

    default_error_messages = {"out_of_range": _RANGE_MESSAGE}

    def to_internal_value(self, value: Any) -> datetime.date:
        _iso_form(value, _ISO_DATE, "YYYY-MM-DD", self)
        date = super().to_internal_value(value)
        if not EARLIEST_DATE <= date <= LATEST_DATE:
            self.fail("out_of_range")
        return date


class BoundedDateTimeField(serializers.DateTimeField):
    """A point in time within the date range, given as a local time that exists.

    A time without an offset is Norwegian local time; one in the hour the clocks skip in spring
    (02:00-03:00 on the last Sunday of March) does not exist and is refused rather than moved.
    The value is returned in UTC, so that comparing two of them compares instants: two datetimes
    with the same zone compare by their wall-clock reading in Python, and 02:30 in the gap is
    the same instant as 03:30.
    """

    default_error_messages = {
        "out_of_range": _RANGE_MESSAGE,
        "nonexistent": _(
            "%(time)s does not exist in Norway on %(date)s: the clocks go forward from 02:00 to 03:00."
        ),
    }

    def to_internal_value(self, value: Any) -> datetime.datetime:
        _iso_form(value, _ISO_DATETIME, "YYYY-MM-DDThh:mm[:ss[.uuuuuu]][Z|±hh:mm]", self)
        moment = super().to_internal_value(value)
        if not EARLIEST_DATE <= moment.date() <= LATEST_DATE:
            self.fail("out_of_range")
        if timezone.is_aware(moment):
            zone = moment.tzinfo
            round_trip = moment.astimezone(datetime.UTC).astimezone(zone)
            if round_trip.replace(tzinfo=None) != moment.replace(tzinfo=None):
                raise serializers.ValidationError(
                    self.error_messages["nonexistent"]
                    % {"time": moment.strftime("%H:%M"), "date": moment.date().isoformat()},
                    code="nonexistent_local_time",
                )
            moment = moment.astimezone(datetime.UTC)
        return moment
