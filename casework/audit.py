"""Writing the audit trail (every write) and the access log (every read of a person's data).

Audit rows are written inside the caller's transaction, so a write and its audit row land or
fail together. Values in ``changes`` are summaries: national identity numbers are masked.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from typing import Any

from django.db import models

from casework.models import AccessLogEntry, AuditEvent, ServiceUser, mask_national_id
from casework.selectors import Reach
from casework.system import SYSTEM_ROLE, SYSTEM_USERNAME, is_system_actor

_MASKED_FIELDS = {"national_id": mask_national_id}


def _summary_value(field: str, value: Any) -> Any:
    if field in _MASKED_FIELDS and value:
        return _MASKED_FIELDS[field](str(value))
    if isinstance(value, datetime.date | datetime.datetime):
        return value.isoformat()
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, list | tuple | set | frozenset):
        return sorted(_summary_value(field, item) for item in value)
    return value


def changes_between(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, list[Any]]:
    """``{field: [old, new]}`` for the fields whose value differs."""
    return {
        field: [_summary_value(field, before.get(field)), _summary_value(field, value)]
        for field, value in after.items()
        if before.get(field) != value
    }


def audit_record(
    *,
    actor: Any,
    action: str,
    obj: models.Model | None,
    role: str = "",
    service_user: ServiceUser | None = None,
    changes: Mapping[str, Any] | None = None,
    comment: str = "",
) -> AuditEvent:
    """One audit row in the caller's transaction. The system actor (``casework.system``) always
    acts in the role ``system``; without a login (a migration, before the system login existed)
    the row names the system too, by username and without an actor."""
    return AuditEvent.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        actor_username=getattr(actor, "username", "") or SYSTEM_USERNAME,
        actor_role=SYSTEM_ROLE if is_system_actor(actor) else role,
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        service_user=service_user,
        changes=dict(changes or {}),
        comment=comment[:500],
    )


def access_log_record(*, reach: Reach, resource: str, people: Iterable[ServiceUser]) -> list[AccessLogEntry]:
    """Log one read per person; one INSERT for the whole page of a list.

    ``people`` must have their units prefetched: the role and basis are derived from them.
    """
    entries = []
    for person in people:
        role, basis = reach.basis_for(person.pk, (unit.pk for unit in person.units.all()))
        entries.append(
            AccessLogEntry(
                actor=reach.actor,
                actor_role=role[:120],
                service_user=person,
                resource=resource,
                basis=basis,
            )
        )
    return AccessLogEntry.objects.bulk_create(entries)
