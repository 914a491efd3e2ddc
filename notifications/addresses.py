"""Checking an address before sending to it: a bad one fails that notification, not the others."""

from __future__ import annotations

import phonenumbers
from django.core.exceptions import ValidationError
from django.core.validators import validate_email


class InvalidAddress(ValueError):
    """The address cannot be delivered to; retrying will not help."""


def checked_email(value: str) -> str:
    try:
        validate_email(value)
    except ValidationError as error:
        raise InvalidAddress("invalid email address") from error
    return value


def checked_phone(value: str) -> str:
    """The number in E.164 form; numbers without a country code are Norwegian."""
    try:
        number = phonenumbers.parse(value, "NO")
    except phonenumbers.NumberParseException as error:
        raise InvalidAddress("invalid phone number") from error
    if not phonenumbers.is_valid_number(number):
        raise InvalidAddress("invalid phone number")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
