"""Who may run a responsibility group and its meetings: the group's coordinator, or a caseworker
or coordinator of its unit. Unit managers and quality administrators read (403 on writes)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from casework.choices import StaffRole
from casework.errors import NotAllowed
from casework.selectors import Reach
from responsibility_groups.models import ResponsibilityGroup

GROUP_ROLES = frozenset({StaffRole.CASEWORKER, StaffRole.COORDINATOR})


def may_run(reach: Reach, group: ResponsibilityGroup) -> bool:
    if reach.is_superuser or group.coordinator_id == getattr(reach.actor, "pk", None):
        return True
    return bool(reach.roles_in([group.unit_id]) & GROUP_ROLES)


def ensure_can_run(*, reach: Reach, group: ResponsibilityGroup) -> None:
    if not may_run(reach, group):
        raise NotAllowed(
            _("Only the group's coordinator or caseworkers and coordinators of its unit may do this.")
        )


def ensure_can_create_group(*, reach: Reach, unit_id: int) -> None:
    if reach.is_superuser or reach.roles_in([unit_id]) & GROUP_ROLES:
        return
    raise NotAllowed(_("Only caseworkers and coordinators of the unit may create a responsibility group."))
