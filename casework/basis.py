"""What takes part on the basis of a person's consent or a guardian's mandate (ADR 0017).

Plan participants and responsibility-group members are there by the person's consent or by a
guardian's mandate. Those rows live in apps above casework, which casework may not import, so
each of those apps registers its ``BasisDependents`` here when it starts (``AppConfig.ready``).
The services that withdraw or give a consent, or end or register a mandate
(``casework.services``), call every registered one, in the order registered and inside their own
transaction; nothing runs on a signal or after the commit:

1. ``basis_before``: before the change, which rows have a basis at the instant ``at``;
2. the change itself (``withdrawn_at = at``, a new ``valid_to`` ...);
3. ``basis_settle``: after it, at the same instant, rows that had a basis and have none now are
   marked (``basis_ended_at``, ``basis_ended_reason``, an audit row naming the actor), and rows
   marked earlier that have a basis again lose their mark. Each answers, per open plan or active
   group of the person, how many rows the change marked: the outbox event carries that.

Before and after are judged at one instant, so only what the change itself did counts: a row that
had no basis before is not marked by it, and a row that still has another (a second consent, a
guardian's valid mandate) is not marked at all. Rows are never deleted here.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from django.db import models

from casework.audit import audit_record
from casework.models import ServiceUser


@dataclass(frozen=True)
class BasisChange:
    """One change to a person's consents or mandates, as the dependents need to know it."""

    actor: Any
    role: str  # the actor's role towards the person, for the audit rows
    service_user: ServiceUser
    at: datetime.datetime  # the instant the change takes effect; before and after are judged at it
    obj: models.Model  # the consent or mandate changed
    # Why a row that lost its basis lost it (``casework.choices.BasisEnd``); empty for a change
    # that can only give a basis (a new consent or mandate), which marks nothing.
    reason: str = ""

    @property
    def cause(self) -> str:
        """The changed object as the audit rows name it, e.g. ``consent #12``."""
        return f"{self.obj._meta.model_name} #{self.obj.pk}"


class BasisDependents(Protocol):
    """Rows of one kind that take part by a consent or a mandate (plan participants, members)."""

    # Names the rows' holders in the outbox payload: "plans", "groups".
    key: str

    def covered(self, *, service_user_id: int, at: datetime.datetime) -> set[int]:
        """Ids of the rows that depend on a consent or mandate and have a basis at ``at``."""
        ...

    def settle(self, *, covered_before: set[int], change: BasisChange) -> list[dict[str, Any]]:
        """Mark the rows in ``covered_before`` that have no basis now; clear the marks of rows
        that have one again; audit each. One ``{"id": ..., "marked": n, ...}`` per open holder
        (plan, group) of the person, in id order."""
        ...


_registered: dict[str, BasisDependents] = {}


def basis_dependents_register(dependents: BasisDependents) -> None:
    """Called from an app's ``ready()``; registering the same key again replaces it."""
    _registered[dependents.key] = dependents


def basis_dependents() -> list[BasisDependents]:
    return list(_registered.values())


def basis_before(*, service_user_id: int, at: datetime.datetime) -> dict[str, set[int]]:
    """Which rows have a basis at ``at``, before the change is made."""
    return {d.key: d.covered(service_user_id=service_user_id, at=at) for d in basis_dependents()}


def basis_settle(
    *, before: Mapping[str, set[int]] | None, change: BasisChange
) -> dict[str, list[dict[str, Any]]]:
    """After the change: mark what lost its basis, clear what has one again.

    ``before`` is ``basis_before``'s answer; None for a change that can only give a basis, which
    then only clears marks.
    """
    return {
        d.key: d.settle(covered_before=set((before or {}).get(d.key, set())), change=change)
        for d in basis_dependents()
    }


def basis_mark_and_clear(
    *,
    rows: Sequence[Any],
    covered_before: set[int],
    covered_now: set[int],
    change: BasisChange,
    action: str,
) -> list[Any]:
    """For dependents: mark ``rows`` that had a basis and have none now, clear the marks of rows
    that have one now, one audit row each (``<action>.basis_end`` / ``<action>.basis_restore``).

    ``rows`` are model instances with ``basis_ended_at`` and ``basis_ended_reason``; each is
    updated by its id alone, so a concurrent edit of its other fields is neither lost nor undone.
    Answers the rows marked.
    """
    lost = [row for row in rows if row.pk in covered_before - covered_now and row.basis_ended_at is None]
    regained = [row for row in rows if row.pk in covered_now and row.basis_ended_at is not None]
    if lost and not change.reason:
        raise ValueError(f"{change.cause} took a basis away but names no reason")
    for row in lost:
        type(row)._default_manager.filter(pk=row.pk).update(
            basis_ended_at=change.at, basis_ended_reason=change.reason
        )
        _audit(
            change,
            row,
            f"{action}.basis_end",
            {"basis_ended_at": [None, change.at.isoformat()], "basis_ended_reason": [None, change.reason]},
        )
    for row in regained:
        type(row)._default_manager.filter(pk=row.pk).update(basis_ended_at=None, basis_ended_reason="")
        _audit(
            change,
            row,
            f"{action}.basis_restore",
            {
                "basis_ended_at": [row.basis_ended_at.isoformat(), None],
                "basis_ended_reason": [row.basis_ended_reason, ""],
            },
        )
    return lost


def _audit(change: BasisChange, row: models.Model, action: str, changes: dict[str, Any]) -> None:
    audit_record(
        actor=change.actor,
        action=action,
        obj=row,
        role=change.role,
        service_user=change.service_user,
        changes=changes,
        comment=change.cause,
    )
