"""Who may change a plan they can see. Moving and editing: the plan's coordinator or a
caseworker of its unit; unit managers and quality administrators read only (403)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from casework.choices import StaffRole
from casework.errors import Conflict, NotAllowed
from casework.selectors import Reach
from plans.choices import EDITABLE_STATES
from plans.models import IndividualPlan


def may_move(reach: Reach, plan: IndividualPlan) -> bool:
    """The plan's coordinator or a caseworker of its unit; nobody else, administrators included
    (they see every plan, but the plan is the person's and their helpers')."""
    if plan.coordinator_id == getattr(reach.actor, "pk", None):
        return True
    return StaffRole.CASEWORKER in reach.roles_in([plan.unit_id])


def ensure_can_move(*, reach: Reach, plan: IndividualPlan) -> None:
    if not may_move(reach, plan):
        raise NotAllowed(_("Only the plan's coordinator or a caseworker of its unit may change the plan."))


def ensure_can_edit(*, reach: Reach, plan: IndividualPlan) -> None:
    """Content changes: the right person, and a state in which the plan is open for work."""
    ensure_can_move(reach=reach, plan=plan)
    if plan.state not in EDITABLE_STATES:
        raise Conflict(
            _(
                "The plan is '%(state)s'; its content can be changed only while it is a draft, in "
                "preparation or under review."
            )
            % {"state": plan.state},
            code="plan_locked",
        )


def ensure_can_create(*, reach: Reach, unit_id: int) -> None:
    if reach.is_superuser or StaffRole.CASEWORKER in reach.roles_in([unit_id]):
        return
    raise NotAllowed(_("Only caseworkers of the unit may create an individual plan."))
