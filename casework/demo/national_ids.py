"""Generating valid fødselsnummer for demo and scale data (never for real records)."""

from __future__ import annotations

import datetime
from collections.abc import Iterator

_K1 = (3, 7, 6, 1, 8, 9, 4, 5, 2)
_K2 = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)


def _check_digit(digits: str, weights: tuple[int, ...]) -> int | None:
    remainder = sum(int(d) * w for d, w in zip(digits, weights, strict=True)) % 11
    check = (11 - remainder) % 11
    return None if check == 10 else check


def national_id_for(birth_date: datetime.date, individual: int) -> str | None:
    """The fødselsnummer for a date and a three-digit individual number, or None if none exists.

    Individual numbers 000–499 are for people born 1900–1999, which is all this module makes.
    """
    if not (1900 <= birth_date.year <= 1999 and 0 <= individual <= 499):
        raise ValueError("demo numbers cover births 1900–1999 with individual numbers 000–499")
    base = f"{birth_date:%d%m%y}{individual:03d}"
    k1 = _check_digit(base, _K1)
    if k1 is None:
        return None
    k2 = _check_digit(base + str(k1), _K2)
    if k2 is None:
        return None
    return f"{base}{k1}{k2}"


def national_ids(
    *,
    first_day: datetime.date = datetime.date(1930, 1, 1),
    days: int = 25_000,
    start_individual: int = 100,
) -> Iterator[tuple[datetime.date, str]]:
    """Distinct (birth date, fødselsnummer) pairs, spread over ``days`` consecutive dates."""
    for individual in range(start_individual, 500):
        for offset in range(days):
            born = first_day + datetime.timedelta(days=offset)
            value = national_id_for(born, individual)
            if value is not None:
                yield born, value
