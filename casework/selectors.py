"""Reads of the casework core, each through the one access path for its object type.

``Reach`` is what an actor may see at the moment of the request: staff memberships, valid
representations (a guardian's mandate or a relative's consent, checked *now*), the reasons of
the access ledger (explicit grants, plans, groups) and superuser status. Every selector filters
with it in SQL so that an object outside reach is indistinguishable from a missing one (404).
See docs/adr/0002-access-path.md.
"""

from __future__ import annotations

import dataclasses
import datetime
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.contrib.auth import get_user_model
from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Exists, F, Model, OuterRef, Prefetch, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.http import Http404
from django.utils import timezone

from casework import lookups  # noqa: F401  (registers pk__in_ids_of)
from casework.choices import AccessBasis, RepresentativeKind
from casework.limits import parse_id
from casework.models import (
    AccessGrant,
    AccessLogEntry,
    Consent,
    Mandate,
    Representative,
    ServiceUser,
    StaffMembership,
    Unit,
)
from casework.system import SYSTEM_USERNAME

VIEW_SERVICE_USER = "view_serviceuser"
M = TypeVar("M", bound=Model)


def one_in_reach(rows: QuerySet[M], id: Any) -> M:
    """The row ``id`` of a selector's list, or 404.

    Missing, out of reach and malformed ids (see ``casework.limits``) all look the same.
    """
    pk = parse_id(id)
    if pk is None:
        raise Http404
    try:
        return rows.get(pk=pk)
    except ObjectDoesNotExist as error:
        raise Http404 from error


@dataclass(frozen=True)
class Reach:
    actor: Any
    at: datetime.datetime
    is_superuser: bool = False
    roles_by_unit: Mapping[int, frozenset[str]] = field(default_factory=dict)
    represented: Mapping[int, str] = field(default_factory=dict)  # service user id -> kind

    @property
    def unit_ids(self) -> frozenset[int]:
        return frozenset(self.roles_by_unit)

    def as_staff(self) -> Reach:
        """The same actor seen only as staff: without the people they represent."""
        return dataclasses.replace(self, represented={})

    @property
    def is_staff_member(self) -> bool:
        return bool(self.roles_by_unit)

    def roles_in(self, unit_ids: Iterable[int]) -> frozenset[str]:
        roles: set[str] = set()
        for unit_id in unit_ids:
            roles |= self.roles_by_unit.get(unit_id, frozenset())
        return frozenset(roles)

    def all_roles(self) -> frozenset[str]:
        return self.roles_in(self.roles_by_unit)

    def basis_for(self, service_user_id: int, unit_ids: Iterable[int]) -> tuple[str, str]:
        """The role the actor read a person's data in, and why they could (for the access log)."""
        if self.is_superuser:
            return "superuser", AccessBasis.SUPERUSER
        shared_roles = self.roles_in(unit_ids)
        if shared_roles:
            return ",".join(sorted(shared_roles)), AccessBasis.UNIT_STAFF
        kind = self.represented.get(service_user_id)
        if kind == RepresentativeKind.GUARDIAN:
            return kind, AccessBasis.GUARDIAN_MANDATE
        if kind == RepresentativeKind.RELATIVE:
            return kind, AccessBasis.RELATIVE_CONSENT
        return ",".join(sorted(self.all_roles())) or "staff", AccessBasis.EXPLICIT_GRANT


def _valid_representations(actor: Any, at: datetime.datetime) -> dict[int, str]:
    """Service users the actor represents with a mandate or consent in force at ``at``.

    Most actors are staff and represent no one: a plain indexed lookup answers that, and the
    validity query (whose construction alone costs over a millisecond) runs only for the rest.
    """
    if not Representative.objects.filter(user=actor).exists():
        return {}
    day = timezone.localdate(at)
    personal_mandate = Mandate.objects.valid_on(day).filter(
        representative=OuterRef("pk"), covers_personal=True
    )
    relative_consent = Consent.objects.in_force(at).filter(
        representative=OuterRef("pk"),
        service_user=OuterRef("service_user"),
        covers_relative_access=True,
    )
    rows = (
        Representative.objects.filter(user=actor)
        .order_by()
        .annotate(has_mandate=Exists(personal_mandate), has_consent=Exists(relative_consent))
        .filter(
            Q(kind=RepresentativeKind.GUARDIAN, has_mandate=True)
            | Q(kind=RepresentativeKind.RELATIVE, has_consent=True)
        )
    )
    represented: dict[int, str] = {}
    for service_user_id, kind in rows.values_list("service_user_id", "kind"):
        # A guardian's mandate reaches further than a relative's consent; keep the stronger.
        if represented.get(service_user_id) != RepresentativeKind.GUARDIAN:
            represented[service_user_id] = kind
    return represented


def reach_for(actor: Any, *, at: datetime.datetime | None = None) -> Reach:
    """What ``actor`` may see now: two queries for a logged-in user, none for others."""
    at = at or timezone.now()
    if not getattr(actor, "is_authenticated", False) or not actor.is_active:
        return Reach(actor=actor, at=at)
    if actor.is_superuser:
        return Reach(actor=actor, at=at, is_superuser=True)
    roles: defaultdict[int, set[str]] = defaultdict(set)
    for unit_id, role in StaffMembership.objects.filter(user=actor, unit__is_active=True).values_list(
        "unit_id", "role"
    ):
        roles[unit_id].add(role)
    return Reach(
        actor=actor,
        at=at,
        roles_by_unit={unit_id: frozenset(r) for unit_id, r in roles.items()},
        represented=_valid_representations(actor, at),
    )


# --- Service users ------------------------------------------------------------------------------


def _placeholders(values: Iterable[int]) -> tuple[str, list[int]]:
    items = sorted(values)
    return ", ".join(["%s"] * len(items)), items


def reachable_service_user_ids(reach: Reach) -> RawSQL | None:
    """The ids in reach as one parameterised ``UNION`` subquery; None for a superuser (all).

    Written as SQL rather than as a union of querysets: Django's compilation of a combined query
    cost more than the query itself (1.5 ms a request), and it is compiled twice per list page
    (count and rows). The parts: units the actor works in, the active reasons of the access ledger
    (``AccessGrant``: explicit grants, plans, groups), and people the actor represents with a
    mandate or consent in force (already checked in ``reach``).
    """
    if reach.is_superuser:
        return None
    # Only table names from the models' metadata are interpolated; every value is a parameter.
    through = ServiceUser.units.through._meta.db_table
    ledger = AccessGrant._meta.db_table
    parts = [f"SELECT service_user_id FROM {ledger} WHERE user_id = %s AND until IS NULL"]  # noqa: S608
    params: list[Any] = [reach.actor.pk]
    if reach.unit_ids:
        marks, unit_ids = _placeholders(reach.unit_ids)
        parts.append(f"SELECT serviceuser_id FROM {through} WHERE unit_id IN ({marks})")  # noqa: S608
        params += unit_ids
    if reach.represented:
        marks, person_ids = _placeholders(reach.represented)
        parts.append(f"SELECT id FROM {ServiceUser._meta.db_table} WHERE id IN ({marks})")  # noqa: S608
        params += person_ids
    return RawSQL(" UNION ".join(parts), params)  # noqa: S611


def service_user_queryset_for(*, reach: Reach) -> QuerySet[ServiceUser]:
    """All service users in reach, unordered and without related rows."""
    if not getattr(reach.actor, "is_authenticated", False):
        return ServiceUser.objects.none()
    ids = reachable_service_user_ids(reach)
    queryset = ServiceUser.objects.all()
    return queryset if ids is None else queryset.filter(pk__in_ids_of=ids)


def service_user_list_for(*, reach: Reach) -> QuerySet[ServiceUser]:
    """Service users in reach, with their units, ready for a list page (fixed query count)."""
    return (
        service_user_queryset_for(reach=reach)
        .prefetch_related(Prefetch("units", queryset=Unit.objects.order_by("name")))
        .order_by("last_name", "first_name", "id")
    )


def service_user_get_for(*, reach: Reach, id: Any) -> ServiceUser:
    """One service user in reach, or 404 whether it is missing or merely out of reach."""
    return one_in_reach(service_user_list_for(reach=reach), id)


def service_user_find_by_national_id(*, reach: Reach, national_id: str) -> QuerySet[ServiceUser]:
    return service_user_list_for(reach=reach).filter(national_id=national_id)


# --- Units ---------------------------------------------------------------------------------


def unit_list_for(*, reach: Reach) -> QuerySet[Unit]:
    """Units are not personal data: staff see every unit of the municipalities they work in."""
    if reach.is_superuser:
        return Unit.objects.select_related("service_area__municipality").order_by("name")
    if not reach.is_staff_member:
        return Unit.objects.none()
    municipality_ids = Unit.objects.filter(pk__in=sorted(reach.unit_ids)).values(
        "service_area__municipality_id"
    )
    return (
        Unit.objects.filter(service_area__municipality_id__in=municipality_ids)
        .select_related("service_area__municipality")
        .order_by("name")
    )


def unit_get_for(*, reach: Reach, id: int) -> Unit:
    return one_in_reach(unit_list_for(reach=reach), id)


# --- Representatives, mandates, consents -------------------------------------------------------


def _about_people_in_reach(reach: Reach, prefix: str, own: Q) -> Q:
    """Rows about a person whom the actor reaches as staff, or the actor's own rows.

    A superuser gets everything; representatives get only ``own`` (their own records while
    they represent the person), never the other representatives' records.
    """
    if reach.is_superuser:
        return Q(pk__isnull=False)
    # People reached as staff (units or explicit grants), not as a representative.
    staff_ids = reachable_service_user_ids(reach.as_staff())
    return Q(**{f"{prefix}__in": staff_ids}) | own


def representative_list_for(*, reach: Reach) -> QuerySet[Representative]:
    """Staff see the representatives of people in reach; a representative sees their own rows."""
    if not getattr(reach.actor, "is_authenticated", False):
        return Representative.objects.none()
    own = Q(user=reach.actor, service_user_id__in=sorted(reach.represented))
    return (
        Representative.objects.filter(_about_people_in_reach(reach, "service_user_id", own))
        .select_related("service_user")
        .order_by("last_name", "first_name", "id")
    )


def representative_get_for(*, reach: Reach, id: int) -> Representative:
    return one_in_reach(representative_list_for(reach=reach), id)


def mandate_list_for(*, reach: Reach) -> QuerySet[Mandate]:
    if not getattr(reach.actor, "is_authenticated", False):
        return Mandate.objects.none()
    own = Q(
        representative__user=reach.actor,
        representative__service_user_id__in=sorted(reach.represented),
    )
    return (
        Mandate.objects.filter(_about_people_in_reach(reach, "representative__service_user_id", own))
        .select_related("representative__service_user")
        .order_by("-valid_from", "id")
    )


def mandate_get_for(*, reach: Reach, id: int) -> Mandate:
    return one_in_reach(mandate_list_for(reach=reach), id)


def consent_list_for(*, reach: Reach) -> QuerySet[Consent]:
    if not getattr(reach.actor, "is_authenticated", False):
        return Consent.objects.none()
    represented = sorted(reach.represented)
    own = Q(service_user_id__in=represented) & (
        Q(representative__user=reach.actor) | Q(given_by_representative__user=reach.actor)
    )
    return (
        Consent.objects.filter(_about_people_in_reach(reach, "service_user_id", own))
        .select_related("service_user", "representative", "given_by_representative")
        .order_by("-valid_from", "id")
    )


def consent_get_for(*, reach: Reach, id: int) -> Consent:
    return one_in_reach(consent_list_for(reach=reach), id)


# --- Access log -------------------------------------------------------------------------------


def access_log_list_for(*, service_user: ServiceUser) -> QuerySet[AccessLogEntry]:
    """Who read this person's data, newest first. The caller has checked the right to see it."""
    return (
        AccessLogEntry.objects.filter(service_user=service_user)
        .select_related("actor")
        .order_by("-occurred_at", "-id")
    )


def access_reasons_for(*, service_user: ServiceUser, active: bool | None = None) -> QuerySet[AccessGrant]:
    """Why users outside the person's units may see them: active reasons first, newest first;
    ``active`` keeps only the active (True) or the ended (False) ones."""
    rows = AccessGrant.objects.filter(service_user=service_user)
    if active is not None:
        rows = rows.filter(until__isnull=active)
    return rows.select_related("user").order_by(F("until").desc(nulls_first=True), "-since", "-id")


def staff_user_in_municipality(*, municipality_id: int, id: Any) -> Any:
    """An active staff login with a role in the municipality, or 404: workflows never name
    someone from another municipality as coordinator or member, nor the system actor."""
    user = (
        get_user_model()
        .objects.filter(
            pk=id, is_active=True, staff_memberships__unit__service_area__municipality_id=municipality_id
        )
        .exclude(username=SYSTEM_USERNAME)
        .distinct()
        .first()
    )
    if user is None:
        raise Http404
    return user


# --- Cases and home visits --------------------------------------------------------------------
