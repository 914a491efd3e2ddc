"""Writes to the casework core. Each one checks permission, writes, and records an audit row,
all in one transaction. Callers pass objects fetched through the selectors (in reach).
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any

from django.contrib.auth.models import Permission
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from casework.audit import audit_record, changes_between
from casework.basis import BasisChange, basis_before, basis_settle
from casework.choices import AccessSource, BasisEnd, ConsentGiver, RepresentativeKind
from casework.errors import Conflict, DomainError
from casework.events import CONSENT_WITHDRAWN, MANDATE_ENDED
from casework.models import (
    AccessGrant,
    Consent,
    Mandate,
    Representative,
    ServiceUser,
    ServiceUserUserObjectPermission,
    StaffMembership,
    Unit,
)
from casework.national_id import NationalIdError, national_id_birth_date, national_id_clean
from casework.outbox import outbox_emit
from casework.policies import (
    ensure_can_edit_person,
    ensure_can_grant_access,
    ensure_can_register_in_units,
)
from casework.selectors import VIEW_SERVICE_USER, Reach


class InvalidField(DomainError):
    """A value that passed the serializer's shape checks but breaks a domain rule (400)."""

    status = 400
    code = "invalid"
    title = gettext_noop("Invalid request")

    def __init__(self, *, field: str, code: str, detail: str) -> None:
        super().__init__(
            _("The request has invalid fields."),
            errors=[{"field": field, "code": code, "detail": detail}],
        )


def ensure_unit_serves(*, service_user: ServiceUser, unit: Unit) -> None:
    """Work on a person is registered to a unit that serves them (400 ``not_serving``).

    Reaching someone through a grant (a plan or a group elsewhere) does not make one's own unit
    theirs: the work would be out of sight of the unit that serves them, its manager and its work
    lists. Every workflow that starts work for a person in a unit checks this.
    """
    if not service_user.units.filter(pk=unit.pk).exists():
        raise InvalidField(field="unit", code="not_serving", detail=_("The unit does not serve this person."))


def _role(reach: Reach, service_user: ServiceUser) -> str:
    return reach.basis_for(service_user.pk, (u.pk for u in service_user.units.all()))[0]


def _clean_identity(national_id: str, date_of_birth: datetime.date | None) -> tuple[str, Any]:
    try:
        cleaned = national_id_clean(national_id)
    except NationalIdError as error:
        raise InvalidField(field="national_id", code=error.code, detail=error.message) from error
    born = national_id_birth_date(cleaned)
    if date_of_birth is not None and date_of_birth != born:
        raise InvalidField(
            field="date_of_birth",
            code="mismatch",
            detail=_("The date of birth does not match the national identity number."),
        )
    return cleaned, born


_PERSON_FIELDS = (
    "first_name",
    "last_name",
    "phone",
    "email",
    "address",
    "postal_code",
    "city",
    "preferred_language",
)


@transaction.atomic
def service_user_create(
    *,
    reach: Reach,
    national_id: str,
    first_name: str,
    last_name: str,
    units: Sequence[Unit],
    date_of_birth: datetime.date | None = None,
    **details: Any,
) -> ServiceUser:
    if not units:
        raise InvalidField(field="units", code="required", detail=_("At least one unit is required."))
    ensure_can_register_in_units(reach=reach, unit_ids=[unit.pk for unit in units])
    municipalities = {unit.service_area.municipality_id for unit in units}
    if len(municipalities) != 1:
        raise InvalidField(
            field="units",
            code="mixed_municipalities",
            detail=_("All units must belong to the same municipality."),
        )
    cleaned, born = _clean_identity(national_id, date_of_birth)
    unknown = set(details) - set(_PERSON_FIELDS)
    if unknown:
        raise TypeError(f"unexpected fields: {sorted(unknown)}")
    try:
        with transaction.atomic():
            person = ServiceUser.objects.create(
                municipality_id=municipalities.pop(),
                national_id=cleaned,
                date_of_birth=born,
                first_name=first_name,
                last_name=last_name,
                **details,
            )
    except IntegrityError as error:
        raise Conflict(
            _("A service user with this national identity number is already registered."),
            code="duplicate",
        ) from error
    person.units.set(units)
    after = {f: getattr(person, f) for f in ("national_id", "date_of_birth", *_PERSON_FIELDS)}
    after["units"] = [unit.pk for unit in units]
    audit_record(
        actor=reach.actor,
        action="service_user.create",
        obj=person,
        service_user=person,
        role=_role(reach, person),
        changes=changes_between({}, after),
    )
    return person


@transaction.atomic
def service_user_update(
    *,
    reach: Reach,
    service_user: ServiceUser,
    units: Sequence[Unit] | None = None,
    **changes: Any,
) -> ServiceUser:
    ensure_can_edit_person(reach=reach, service_user=service_user)
    unknown = set(changes) - set(_PERSON_FIELDS)
    if unknown:
        raise TypeError(f"unexpected fields: {sorted(unknown)}")
    before: dict[str, Any] = {f: getattr(service_user, f) for f in changes}
    for name, value in changes.items():
        setattr(service_user, name, value)
    if units is not None:
        if not units:
            raise InvalidField(field="units", code="required", detail=_("At least one unit is required."))
        current = {unit.pk for unit in service_user.units.all()}
        wanted = {unit.pk for unit in units}
        # Adding a unit and taking a person away from one both need a write role in that unit.
        ensure_can_register_in_units(reach=reach, unit_ids=sorted(wanted ^ current))
        if any(unit.service_area.municipality_id != service_user.municipality_id for unit in units):
            raise InvalidField(
                field="units",
                code="mixed_municipalities",
                detail=_("All units must belong to the same municipality."),
            )
        before["units"] = sorted(current)
        changes["units"] = sorted(unit.pk for unit in units)
    diff = changes_between(before, changes)
    if not diff:
        return service_user
    service_user.save()
    if units is not None:
        service_user.units.set(units)
    audit_record(
        actor=reach.actor,
        action="service_user.update",
        obj=service_user,
        service_user=service_user,
        role=_role(reach, service_user),
        changes=diff,
    )
    return service_user


# --- Representatives and mandates -------------------------------------------------------------

_REPRESENTATIVE_FIELDS = ("first_name", "last_name", "relation", "phone", "email", "user")


@transaction.atomic
def representative_create(
    *,
    reach: Reach,
    service_user: ServiceUser,
    kind: str,
    first_name: str,
    last_name: str,
    **details: Any,
) -> Representative:
    ensure_can_edit_person(reach=reach, service_user=service_user)
    if details.get("user") is not None:
        _check_portal_login(reach=reach, service_user=service_user, user=details["user"])
    representative = Representative.objects.create(
        service_user=service_user,
        kind=kind,
        first_name=first_name,
        last_name=last_name,
        **details,
    )
    after = {f: getattr(representative, f) for f in ("kind", *_REPRESENTATIVE_FIELDS)}
    audit_record(
        actor=reach.actor,
        action="representative.create",
        obj=representative,
        service_user=service_user,
        role=_role(reach, service_user),
        changes=changes_between({}, after),
    )
    return representative


@transaction.atomic
def representative_update(*, reach: Reach, representative: Representative, **changes: Any) -> Representative:
    service_user = representative.service_user
    ensure_can_edit_person(reach=reach, service_user=service_user)
    before = {f: getattr(representative, f) for f in changes}
    for name, value in changes.items():
        setattr(representative, name, value)
    diff = changes_between(before, changes)
    if diff:
        representative.save()
        audit_record(
            actor=reach.actor,
            action="representative.update",
            obj=representative,
            service_user=service_user,
            role=_role(reach, service_user),
            changes=diff,
        )
    return representative


def _check_portal_login(*, reach: Reach, service_user: ServiceUser, user: Any) -> None:
    """A portal login gives a representative access: only unit managers link one, and never to a
    staff or administrator login (staff access comes from units and grants, never from here)."""
    ensure_can_grant_access(reach=reach, service_user=service_user)
    if user.is_superuser or user.is_staff or StaffMembership.objects.filter(user=user).exists():
        raise InvalidField(
            field="portal_username",
            code="staff_login",
            detail=_("A staff or administrator login cannot be a representative's portal login."),
        )


def _check_period(valid_from: datetime.date, valid_to: datetime.date | None) -> None:
    if valid_to is not None and valid_to < valid_from:
        raise InvalidField(
            field="valid_to",
            code="before_start",
            detail=_("The end date is before the start date."),
        )


@transaction.atomic
def mandate_create(
    *,
    reach: Reach,
    representative: Representative,
    covers_personal: bool,
    covers_economic: bool,
    valid_from: datetime.date,
    valid_to: datetime.date | None,
    certificate_reference: str,
) -> Mandate:
    service_user = representative.service_user
    ensure_can_edit_person(reach=reach, service_user=service_user)
    if representative.kind != RepresentativeKind.GUARDIAN:
        raise InvalidField(
            field="representative",
            code="not_guardian",
            detail=_("Only a guardian can hold a mandate."),
        )
    if not (covers_personal or covers_economic):
        raise InvalidField(
            field="covers_personal",
            code="no_scope",
            detail=_("A mandate covers personal matters, economic matters or both."),
        )
    _check_period(valid_from, valid_to)
    mandate = Mandate.objects.create(
        representative=representative,
        covers_personal=covers_personal,
        covers_economic=covers_economic,
        valid_from=valid_from,
        valid_to=valid_to,
        certificate_reference=certificate_reference,
    )
    after = {
        "representative": representative.pk,
        "covers_personal": covers_personal,
        "covers_economic": covers_economic,
        "valid_from": valid_from,
        "valid_to": valid_to,
        "certificate_reference": certificate_reference,
    }
    role = _role(reach, service_user)
    audit_record(
        actor=reach.actor,
        action="mandate.create",
        obj=mandate,
        service_user=service_user,
        role=role,
        changes=changes_between({}, after),
    )
    # A mandate can only give a basis: it clears the marks of those it covers again.
    basis_settle(
        before=None,
        change=BasisChange(
            actor=reach.actor, role=role, service_user=service_user, at=timezone.now(), obj=mandate
        ),
    )
    return mandate


@transaction.atomic
def mandate_end(*, reach: Reach, mandate: Mandate, valid_to: datetime.date, comment: str = "") -> Mandate:
    """Set or move a mandate's end date (e.g. the guardianship was ended by the authority).

    ``valid_to`` is the last valid day. When the day changes, those who took part by the mandate
    alone and have no basis today any more are marked, those it covers again lose their mark
    (casework.basis), and ``MANDATE_ENDED`` tells the coordinators; a later day that has not come
    yet marks nothing now.
    """
    service_user = mandate.representative.service_user
    ensure_can_edit_person(reach=reach, service_user=service_user)
    mandate = Mandate.objects.select_for_update().get(pk=mandate.pk)
    _check_period(mandate.valid_from, valid_to)
    at = timezone.now()
    moved = valid_to != mandate.valid_to
    before = {"valid_to": mandate.valid_to}
    covered_before = basis_before(service_user_id=service_user.pk, at=at) if moved else None
    mandate.valid_to = valid_to
    mandate.save(update_fields=["valid_to"])
    role = _role(reach, service_user)
    audit_record(
        actor=reach.actor,
        action="mandate.end",
        obj=mandate,
        service_user=service_user,
        role=role,
        changes=changes_between(before, {"valid_to": valid_to}),
        comment=comment,
    )
    if moved:
        settled = basis_settle(
            before=covered_before,
            change=BasisChange(
                actor=reach.actor,
                role=role,
                service_user=service_user,
                at=at,
                obj=mandate,
                reason=BasisEnd.MANDATE_ENDED,
            ),
        )
        outbox_emit(
            event=MANDATE_ENDED,
            obj=mandate,
            payload={
                "valid_to": valid_to.isoformat(),
                "ended": valid_to < timezone.localdate(at),
                **settled,
            },
        )
    return mandate


# --- Consent ------------------------------------------------------------------------------


@transaction.atomic
def consent_create(
    *,
    reach: Reach,
    service_user: ServiceUser,
    given_by: str,
    given_by_representative: Representative | None = None,
    representative: Representative | None = None,
    covers_plan: bool = False,
    covers_group_sharing: bool = False,
    covers_relative_access: bool = False,
    valid_from: datetime.date,
    valid_to: datetime.date | None = None,
    note: str = "",
) -> Consent:
    ensure_can_edit_person(reach=reach, service_user=service_user)
    if not (covers_plan or covers_group_sharing or covers_relative_access):
        raise InvalidField(
            field="covers_plan",
            code="no_scope",
            detail=_("A consent must cover at least one thing."),
        )
    _check_period(valid_from, valid_to)
    for field, rep in (
        ("representative", representative),
        ("given_by_representative", given_by_representative),
    ):
        if rep is not None and rep.service_user_id != service_user.pk:
            raise InvalidField(
                field=field,
                code="other_person",
                detail=_("The representative belongs to another service user."),
            )
    if covers_relative_access and representative is None:
        raise InvalidField(
            field="representative",
            code="required",
            detail=_("Name the relative who is given access."),
        )
    if given_by == ConsentGiver.GUARDIAN:
        if given_by_representative is None or given_by_representative.kind != RepresentativeKind.GUARDIAN:
            raise InvalidField(
                field="given_by_representative",
                code="required",
                detail=_("Name the guardian who consented on the person's behalf."),
            )
        day = timezone.localdate(reach.at)
        if not given_by_representative.mandates.valid_on(day).filter(covers_personal=True).exists():
            raise InvalidField(
                field="given_by_representative",
                code="no_valid_mandate",
                detail=_("The guardian has no valid mandate covering personal matters."),
            )
    else:
        given_by_representative = None
    consent = Consent.objects.create(
        service_user=service_user,
        given_by=given_by,
        given_by_representative=given_by_representative,
        representative=representative,
        covers_plan=covers_plan,
        covers_group_sharing=covers_group_sharing,
        covers_relative_access=covers_relative_access,
        valid_from=valid_from,
        valid_to=valid_to,
        note=note,
        recorded_by=reach.actor,
    )
    after = {
        "given_by": given_by,
        "given_by_representative": given_by_representative.pk if given_by_representative else None,
        "representative": representative.pk if representative else None,
        "covers_plan": covers_plan,
        "covers_group_sharing": covers_group_sharing,
        "covers_relative_access": covers_relative_access,
        "valid_from": valid_from,
        "valid_to": valid_to,
    }
    role = _role(reach, service_user)
    audit_record(
        actor=reach.actor,
        action="consent.create",
        obj=consent,
        service_user=service_user,
        role=role,
        changes=changes_between({}, after),
    )
    # A consent can only give a basis: it clears the marks of those it covers again (from today;
    # one that starts later clears nothing now).
    basis_settle(
        before=None,
        change=BasisChange(
            actor=reach.actor, role=role, service_user=service_user, at=timezone.now(), obj=consent
        ),
    )
    return consent


@transaction.atomic
def consent_withdraw(*, reach: Reach, consent: Consent, reason: str = "") -> Consent:
    """Withdrawal takes effect at once: access that rested on the consent ends now.

    Plan participants and group members who took part by this consent and have no other basis
    are marked (casework.basis), and ``CONSENT_WITHDRAWN`` tells the coordinators; all in this
    transaction. Lock order: the consent row, then the marked rows.
    """
    service_user = consent.service_user
    ensure_can_edit_person(reach=reach, service_user=service_user)
    consent = Consent.objects.select_for_update().get(pk=consent.pk)
    if consent.withdrawn_at is not None:
        raise Conflict(_("The consent is already withdrawn."), code="already_withdrawn")
    at = timezone.now()
    covered_before = basis_before(service_user_id=service_user.pk, at=at)
    consent.withdrawn_at = at
    consent.withdrawal_reason = reason
    consent.save(update_fields=["withdrawn_at", "withdrawal_reason"])
    role = _role(reach, service_user)
    audit_record(
        actor=reach.actor,
        action="consent.withdraw",
        obj=consent,
        service_user=service_user,
        role=role,
        changes={"withdrawn_at": [None, at.isoformat()]},
        comment=reason,
    )
    settled = basis_settle(
        before=covered_before,
        change=BasisChange(
            actor=reach.actor,
            role=role,
            service_user=service_user,
            at=at,
            obj=consent,
            reason=BasisEnd.CONSENT_WITHDRAWN,
        ),
    )
    outbox_emit(event=CONSENT_WITHDRAWN, obj=consent, payload=settled)
    return consent


# --- Access outside a person's units: the ledger of reasons (casework.models.grants) -----------


def _view_permission() -> Permission:
    return Permission.objects.get(content_type__app_label="casework", codename=VIEW_SERVICE_USER)


@transaction.atomic
def access_reason_add(
    *,
    actor: Any,
    service_user: ServiceUser,
    user: Any,
    source: str,
    source_id: int = 0,
    reason: str,
    role: str = "system",
) -> AccessGrant | None:
    """Record one reason why ``user`` may see ``service_user``; None if it is recorded already.

    Each source (an explicit grant, a plan, a group) adds and ends only its own rows; the
    permission exists while any of the user's reasons for the person is active.
    """
    if user is None:
        return None
    try:  # one active row per reason: the database's constraint decides, not a check before
        with transaction.atomic():
            row = AccessGrant.objects.create(
                service_user=service_user,
                user=user,
                source=source,
                source_id=source_id,
                reason=reason[:200],
                since=timezone.now(),
                granted_by=_login_or_none(actor),
            )
    except IntegrityError:  # the reason is recorded already
        return None
    ServiceUserUserObjectPermission.objects.get_or_create(
        user=user, content_object=service_user, permission=_view_permission()
    )
    audit_record(
        actor=actor,
        action="service_user.grant_access",
        obj=service_user,
        role=role,
        service_user=service_user,
        changes={"user": [None, user.pk], "source": [None, f"{source}:{source_id}"]},
        comment=reason,
    )
    return row


@transaction.atomic
def access_reason_end(
    *,
    actor: Any,
    service_user: ServiceUser,
    user: Any,
    source: str,
    source_id: int = 0,
    reason: str = "",
    role: str = "system",
) -> int:
    """End the reason ``source``/``source_id`` gave; the permission goes with the user's last one."""
    user_id = getattr(user, "pk", user)
    ended = AccessGrant.objects.filter(
        service_user=service_user, user_id=user_id, source=source, source_id=source_id, until__isnull=True
    ).update(until=timezone.now(), ended_by=_login_or_none(actor))
    if not ended:
        return 0
    if not AccessGrant.objects.filter(
        service_user=service_user, user_id=user_id, until__isnull=True
    ).exists():
        ServiceUserUserObjectPermission.objects.filter(
            user_id=user_id, content_object=service_user, permission__codename=VIEW_SERVICE_USER
        ).delete()
    audit_record(
        actor=actor,
        action="service_user.revoke_access",
        obj=service_user,
        role=role,
        service_user=service_user,
        changes={"user": [user_id, None], "source": [f"{source}:{source_id}", None]},
        comment=reason,
    )
    return ended


def access_reasons_end(
    *, actor: Any, service_user: ServiceUser, users: set[Any] | None, source: str, source_id: int, reason: str
) -> None:
    """End what ``source``/``source_id`` gave to ``users`` (logins or ids; None: to everyone)."""
    if users is None:
        active = AccessGrant.objects.filter(source=source, source_id=source_id, until__isnull=True)
        users = set(active.values_list("user_id", flat=True))
    for user in users:
        access_reason_end(
            actor=actor,
            service_user=service_user,
            user=user,
            source=source,
            source_id=source_id,
            reason=reason,
        )


def _login_or_none(actor: Any) -> Any:
    """The acting login, or None for the system (which has no row)."""
    return actor if getattr(actor, "pk", None) else None


def service_user_access_grant(
    *,
    reach: Reach | None,
    actor: Any,
    service_user: ServiceUser,
    user: Any,
    reason: str,
) -> AccessGrant | None:
    """An explicit grant: let ``user`` see ``service_user`` outside their units.

    ``reach`` is None when the system itself grants (the demo, a migration).
    """
    if reach is not None:
        ensure_can_grant_access(reach=reach, service_user=service_user)
    return access_reason_add(
        actor=actor,
        service_user=service_user,
        user=user,
        source=AccessSource.EXPLICIT,
        reason=reason,
        role=_role(reach, service_user) if reach is not None else "system",
    )


def service_user_access_revoke(
    *,
    reach: Reach | None,
    actor: Any,
    service_user: ServiceUser,
    user: Any,
    reason: str,
) -> int:
    """End an explicit grant; reasons from a plan or a group stay."""
    if reach is not None:
        ensure_can_grant_access(reach=reach, service_user=service_user)
    return access_reason_end(
        actor=actor,
        service_user=service_user,
        user=user,
        source=AccessSource.EXPLICIT,
        reason=reason,
        role=_role(reach, service_user) if reach is not None else "system",
    )
