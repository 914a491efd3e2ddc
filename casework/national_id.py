"""Validation of Norwegian national identity numbers (fødselsnummer, D-nummer)."""

from __future__ import annotations

import datetime

from django.utils.translation import gettext_lazy as _
from stdnum.exceptions import (
    InvalidChecksum,
    InvalidComponent,
    InvalidFormat,
    InvalidLength,
    ValidationError,
)
from stdnum.no import fodselsnummer

_REASONS = {
    InvalidLength: ("invalid_length", _("A national identity number has 11 digits.")),
    InvalidFormat: ("invalid_format", _("A national identity number has digits only.")),
    InvalidChecksum: ("invalid_checksum", _("The check digits do not match.")),
    InvalidComponent: ("invalid_date", _("The first six digits are not a valid date of birth.")),
}


class NationalIdError(ValueError):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def national_id_clean(value: str) -> str:
    """Return the 11 digits, or raise ``NationalIdError`` with a code and a reason."""
    try:
        return str(fodselsnummer.validate(value))
    except ValidationError as error:
        for kind, (code, message) in _REASONS.items():
            if isinstance(error, kind):
                raise NationalIdError(code, str(message)) from error
        raise NationalIdError("invalid", str(_("Not a valid national identity number."))) from error


def national_id_birth_date(value: str) -> datetime.date:
    return fodselsnummer.get_birth_date(value)
