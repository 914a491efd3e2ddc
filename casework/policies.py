"""Who may do what with an object already in reach. Reach itself is decided in selectors.

Each check raises ``NotAllowed`` (403): the object is visible to the actor, so saying that the
action is refused reveals nothing new.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from casework.choices import ACCESS_LOG_ROLES, CASE_WRITE_ROLES
from casework.errors import NotAllowed
from casework.models import ServiceUser
from casework.selectors import Reach


def _unit_ids(service_user: ServiceUser) -> set[int]:
    return {unit.pk for unit in service_user.units.all()}


def ensure_can_register_in_units(*, reach: Reach, unit_ids: Iterable[int]) -> None:
    """Registering a person in units needs a caseworker or unit-manager role in each of them."""
    if reach.is_superuser:
        return
    for unit_id in unit_ids:
        if not reach.roles_in([unit_id]) & CASE_WRITE_ROLES:
            raise NotAllowed(_("You may only register service users in your own units."))


def ensure_can_edit_person(*, reach: Reach, service_user: ServiceUser) -> None:
    """Changing a person's records needs a caseworker or unit-manager role in one of their units."""
    if reach.is_superuser:
        return
    if not reach.roles_in(_unit_ids(service_user)) & CASE_WRITE_ROLES:
        raise NotAllowed(_("Only caseworkers and unit managers of the person's units may change this."))


def ensure_can_read_access_log(*, reach: Reach, service_user: ServiceUser) -> None:
    """Log control (Normen): unit managers and quality administrators of the person's units."""
    if reach.is_superuser:
        return
    if not reach.roles_in(_unit_ids(service_user)) & ACCESS_LOG_ROLES:
        raise NotAllowed(_("Only unit managers and quality administrators may read the access log."))


def ensure_can_grant_access(*, reach: Reach, service_user: ServiceUser) -> None:
    """Explicit grants are given by unit managers of the person's units (or administrators)."""
    if reach.is_superuser:
        return
    if not reach.roles_in(_unit_ids(service_user)) & {"unit_manager"}:
        raise NotAllowed(_("Only unit managers may grant access to a service user."))


# --- The case workflow and the quality conversations: the unit's caseworkers and managers ------


CASE_WORK_DENIED = gettext_lazy("Only caseworkers and unit managers of the case's unit may do this.")


def may_work_on(reach: Reach, unit_id: int) -> bool:
    """Caseworkers and unit managers of the unit (and superusers) act on its cases, visits and
    quality conversations; other staff in reach only read them."""
    return reach.is_superuser or bool(reach.roles_in([unit_id]) & CASE_WRITE_ROLES)


def work_role(reach: Reach, unit_id: int) -> str:
    """The actor's role in the unit, as the audit trail names it."""
    return ",".join(sorted(reach.roles_in([unit_id]))) or "superuser"


def ensure_can_work_on(reach: Reach, unit_id: int) -> None:
    if not may_work_on(reach, unit_id):
        raise NotAllowed(str(CASE_WORK_DENIED))
