"""Who hears about what, on which channels and in which language.

Every resolver answers for *now*: a representative whose mandate has ended or whose consent was
withdrawn since the event is no longer told anything. The rules are the ones the access path
uses (a guardian's personal mandate, a relative's consent in force), so a message never reaches
someone who could not open what it announces.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from casework.choices import Language, RepresentativeKind, StaffRole
from casework.models import Consent, Mandate, Representative, ServiceUser, StaffMembership
from notifications.choices import Channel
from notifications.models import NotificationPreference
from notifications.sms import sms_enabled


@dataclass(frozen=True)
class Recipient:
    key: str  # stable within the system: "u<user>", "r<representative>", "m<member>", "p<person>"
    name: str
    user: Any = None
    email: str = ""
    phone: str = ""
    language: str = Language.BOKMAAL
    channels: frozenset[str] = frozenset()
    daily_digest: bool = False
    plan_pdf_by_email: bool = False

    def address_for(self, channel: str) -> str:
        """Where a message on ``channel`` goes (the inbox needs no address)."""
        return {Channel.EMAIL: self.email, Channel.SMS: self.phone}.get(Channel(channel), "")


def _preference(user: Any) -> NotificationPreference | None:
    try:
        preference: NotificationPreference = user.notification_preference
    except NotificationPreference.DoesNotExist:
        return None
    return preference


def _channels(*, email: str, phone: str, preference: NotificationPreference | None, login: bool) -> set[str]:
    """The channels a recipient gets: their choice, or email with SMS only when there is no email."""
    if not sms_enabled():
        phone = ""
    if preference is None:
        default: set[str] = {Channel.EMAIL} if email else ({Channel.SMS} if phone else set())
        return default | ({Channel.INBOX} if login else set())
    chosen: set[str] = set()
    if preference.by_email and email:
        chosen.add(Channel.EMAIL)
    if preference.by_sms and phone:
        chosen.add(Channel.SMS)
    if preference.in_inbox and login:
        chosen.add(Channel.INBOX)
    return chosen


def staff_recipient(user: Any) -> Recipient:
    preference = _preference(user)
    return Recipient(
        key=f"u{user.pk}",
        name=user.get_full_name() or user.get_username(),
        user=user,
        email=user.email,
        language=preference.language if preference else Language.BOKMAAL,
        channels=frozenset(_channels(email=user.email, phone="", preference=preference, login=True)),
        daily_digest=bool(preference and preference.daily_digest),
        plan_pdf_by_email=bool(preference and preference.plan_pdf_by_email),
    )


def active_staff(user: Any) -> list[Recipient]:
    """The staff member as a recipient, or nobody if their login has been deactivated."""
    return [staff_recipient(user)] if user.is_active else []


def representative_recipient(representative: Representative) -> Recipient:
    user = representative.user if representative.user_id else None
    preference = _preference(user) if user is not None and user.is_active else None
    login = user is not None and user.is_active
    return Recipient(
        key=f"r{representative.pk}",
        name=f"{representative.first_name} {representative.last_name}",
        user=user if login else None,
        email=representative.email,
        phone=representative.phone,
        language=preference.language if preference else Language.BOKMAAL,
        channels=frozenset(
            _channels(
                email=representative.email, phone=representative.phone, preference=preference, login=login
            )
        ),
        plan_pdf_by_email=bool(preference and preference.plan_pdf_by_email),
    )


def person_recipient(person: ServiceUser) -> Recipient:
    return Recipient(
        key=f"p{person.pk}",
        name=person.full_name,
        email=person.email,
        phone=person.phone,
        language=person.preferred_language,
        channels=frozenset(_channels(email=person.email, phone=person.phone, preference=None, login=False)),
    )


def representatives_in_force(
    service_user_id: int, *, consent_scope: Q, mandate_scope: Q | None = None
) -> QuerySet[Representative]:
    """Guardians with a valid personal mandate and relatives with a consent in force naming them.

    ``consent_scope`` says what the consent must cover (e.g. ``Q(covers_plan=True)``).
    """
    now = timezone.now()
    mandate = Mandate.objects.valid_on(timezone.localdate(now)).filter(
        mandate_scope or Q(covers_personal=True), representative=OuterRef("pk")
    )
    consent = Consent.objects.in_force(now).filter(
        consent_scope,
        representative=OuterRef("pk"),
        service_user_id=service_user_id,
        covers_relative_access=True,
    )
    return (
        Representative.objects.filter(service_user_id=service_user_id)
        .select_related("user__notification_preference")
        .annotate(has_mandate=Exists(mandate), has_consent=Exists(consent))
        .filter(
            Q(kind=RepresentativeKind.GUARDIAN, has_mandate=True)
            | Q(kind=RepresentativeKind.RELATIVE, has_consent=True)
        )
        .order_by("pk")
    )


def unit_staff(unit_id: int, roles: Collection[str]) -> list[Recipient]:
    users = {
        membership.user.pk: membership.user
        for membership in StaffMembership.objects.filter(
            unit_id=unit_id, role__in=roles, user__is_active=True
        )
        .select_related("user__notification_preference")
        .order_by("user_id")
    }
    return [staff_recipient(user) for user in users.values()]


CASE_STAFF = {StaffRole.CASEWORKER, StaffRole.UNIT_MANAGER}
QUALITY_STAFF = {StaffRole.UNIT_MANAGER, StaffRole.QUALITY_ADMIN}
