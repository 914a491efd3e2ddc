"""Who someone taking part is: the fields each kind of plan participant or group member carries.

Plan participants and responsibility-group members share their kinds (``ParticipantKind``), and
each kind is described by its own fields only: a staff member by a login, a guardian or relative
by their registration as the person's representative, an external professional by a name and
contact details, and the person by nothing at all (it is the person the plan or group is about).
A field of another kind is refused, naming the field: a row that called itself the person while
pointing at a staff login, say, would escape the consent check for sharing and count as the
person attending. The same rule is a check constraint on both tables.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext as _

from plans.choices import ParticipantKind

# The fields that say who someone is. ``contact`` is the plans' one field for a phone or an
# address; group members have ``email`` and ``phone``.
IDENTITY_FIELDS = ("user", "representative", "name", "organisation", "email", "phone", "contact")

KIND_FIELDS: Mapping[str, frozenset[str]] = {
    ParticipantKind.SERVICE_USER: frozenset(),
    ParticipantKind.REPRESENTATIVE: frozenset({"representative"}),
    ParticipantKind.STAFF: frozenset({"user"}),
    ParticipantKind.EXTERNAL: frozenset({"name", "organisation", "email", "phone", "contact"}),
}
KIND_REQUIRES: Mapping[str, str | None] = {
    ParticipantKind.SERVICE_USER: None,
    ParticipantKind.REPRESENTATIVE: "representative",
    ParticipantKind.STAFF: "user",
    ParticipantKind.EXTERNAL: None,
}


def _given(value: Any) -> bool:
    return value is not None and value != ""


def kind_field_problem(kind: str, values: Mapping[str, Any]) -> tuple[str, str, str] | None:
    """``(field, code, detail)`` for the first identity field that does not fit ``kind``, or None.

    ``values`` holds the row's identity fields as they will be stored (all of them for a change,
    not only the changed ones).
    """
    allowed = KIND_FIELDS[kind]
    for field in IDENTITY_FIELDS:
        if field not in allowed and _given(values.get(field)):
            detail = _("Someone of the kind '%(kind)s' has no field '%(field)s'.") % {
                "kind": kind,
                "field": field,
            }
            return field, "not_for_kind", detail
    required = KIND_REQUIRES[kind]
    if required is not None and not _given(values.get(required)):
        details = {
            "user": _("A staff participant needs a login."),
            "representative": _("Name the representative."),
        }
        return required, "required", details[required]
    if kind == ParticipantKind.EXTERNAL and not (
        _given(values.get("name")) or _given(values.get("organisation"))
    ):
        return "name", "required", _("Name the external professional or their organisation.")
    return None


def duplicate_problem(kind: str, values: Mapping[str, Any], others: Any) -> tuple[str, str, str] | None:
    """``(field, code, detail)`` when ``others`` (the plan's or group's other participants or
    members) already hold the person, this login or this representative; None otherwise."""
    if kind == ParticipantKind.SERVICE_USER and others.filter(kind=ParticipantKind.SERVICE_USER).exists():
        return "kind", "person_is_member", _("The person already takes part.")
    for field in ("user", "representative"):
        value = values.get(field)
        if value is not None and others.filter(**{field: value}).exists():
            return field, "already_member", _("Already takes part.")
    return None


def links_fit_kind() -> Q:
    """The database's half of the rule: which kinds may link a login and a representative."""
    staff = Q(kind=ParticipantKind.STAFF, user__isnull=False, representative__isnull=True)
    representative = Q(kind=ParticipantKind.REPRESENTATIVE, representative__isnull=False, user__isnull=True)
    others = Q(
        kind__in=[ParticipantKind.SERVICE_USER, ParticipantKind.EXTERNAL],
        user__isnull=True,
        representative__isnull=True,
    )
    return staff | representative | others


def basis_end_has_reason() -> Q:
    """A mark that the basis ended has both its time and its reason, or neither (plans.basis)."""
    return Q(basis_ended_at__isnull=True, basis_ended_reason="") | (
        Q(basis_ended_at__isnull=False) & ~Q(basis_ended_reason="")
    )
