"""Demo responsibility groups: one group for each demo person of the first unit whose plan is in
use (active or under review), with past meetings whose minutes are approved, an upcoming invited
meeting per group and one proposed meeting.

Built through the services, so every step is audited and has its history, exactly as if the
unit's caseworker had clicked through it. The one exception is the back-dating of past meetings:
the services (rightly) refuse to invite to a time in the past, so those meetings are created and
invited in the future and then moved into the past with a queryset update, for the demo only.

Create-only: a person who already has a group (active or not) is left alone.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from casework.choices import ConsentGiver, RepresentativeKind
from casework.models import Representative, ServiceUser, Unit
from casework.selectors import Reach
from casework.services import consent_create
from plans.choices import PlanState
from plans.models import IndividualPlan
from responsibility_groups import services
from responsibility_groups.choices import MeetingState, MemberKind
from responsibility_groups.models import GroupMember, Meeting, MeetingBooking, ResponsibilityGroup

# Plans in use: the group meets to follow them up.
GROUP_PLAN_STATES = (PlanState.ACTIVE, PlanState.UNDER_REVIEW)


@dataclass(frozen=True)
class External:
    name: str
    organisation: str
    role: str
    email: str
    phone: str


EXTERNALS = (
    External(
        "Ingrid Solberg", "Strandvik legesenter", "fastlege", "ingrid.solberg@legesenter.example", "71234560"
    ),
    External("Nils Haugland", "NAV Strandvik", "veileder", "nils.haugland@nav.example", "55553321"),
    External("Marte Lunde", "NAV Strandvik", "veileder", "marte.lunde@nav.example", "55553347"),
    External(
        "Eirik Bakken", "Fjordgata legekontor", "fastlege", "eirik.bakken@fjordgatalege.example", "71239911"
    ),
)

PLACES = ("Strandvik rådhus, møterom Fjorden", "Bo- og aktivitetstilbud Nord, personalrommet")
VIDEO_LINK = "https://video.strandvik.kommune.example/ansvarsgruppe"

AGENDA = ("Status siden sist", "Evaluering av målene i planen", "Avtaler fram til neste møte", "Eventuelt")

# Past meetings, oldest first: days before today, and the minutes written afterwards.
PAST_MEETINGS: tuple[tuple[int, list[dict[str, str]], list[tuple[str, str, int]]], ...] = (
    (
        170,
        [
            {"title": "Bolig", "notes": "Ønsker å flytte i egen leilighet. Søknad om omsorgsbolig drøftet."},
            {"title": "Arbeid og aktivitet", "notes": "Interessert i arbeidstrening to dager i uka."},
        ],
        # agreement text, owner ("coordinator", "external", "person"), deadline in days after the meeting
        [
            ("Sende søknad om omsorgsbolig.", "coordinator", 30),
            ("Avklare tilbud om arbeidstrening i Strandvik Vekst AS.", "external", 45),
        ],
    ),
    (
        80,
        [
            {"title": "Evaluering av planen", "notes": "God fremgang. Målene videreføres."},
            {"title": "Helse", "notes": "Fastlegen følger opp medisineringen; ingen endringer nå."},
            {"title": "Fritid", "notes": "Går tur med støttekontakt annenhver uke og trives med det."},
        ],
        [
            ("Følge opp svar på boligsøknaden.", "coordinator", 21),
            ("Starte arbeidstrening etter avtale med NAV.", "external", 30),
            ("Si fra om ønsker til fritidsaktiviteter.", "person", 60),
        ],
    ),
)
UPCOMING_IN_DAYS = 14
PROPOSED_IN_DAYS = 100


@dataclass(frozen=True)
class DemoGroups:
    groups: int
    meetings: int


def _at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    """A wall-clock time in Oslo (the current time zone), as an aware datetime."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def _free_slot(
    users: Iterable[int], day: datetime.date, hour: int, length: datetime.timedelta, step: int
) -> tuple[datetime.datetime, datetime.datetime]:
    """The first weekday from ``day`` (going ``step`` days at a time) on which none of ``users``
    has an active booking at ``hour``: demo meetings never double-book, whatever exists already."""
    users = list(users)
    while True:
        if day.weekday() < 5:
            starts_at = _at(day, hour)
            ends_at = starts_at + length
            taken = MeetingBooking.objects.filter(
                user_id__in=users, active=True, starts_at__lt=ends_at, ends_at__gt=starts_at
            ).exists()
            if not taken:
                return starts_at, ends_at
        day += datetime.timedelta(days=step)


def _representative(person: ServiceUser) -> Representative | None:
    """The guardian with a valid mandate for personal matters, or else a relative."""
    today = timezone.localdate()
    relatives = []
    for rep in Representative.objects.filter(service_user=person).order_by("pk"):
        if rep.kind == RepresentativeKind.GUARDIAN:
            if rep.mandates.valid_on(today).filter(covers_personal=True).exists():
                return rep
        else:
            relatives.append(rep)
    return relatives[0] if relatives else None


def _sharing_consent(reach: Reach, person: ServiceUser, guardian: Representative | None) -> None:
    """The consent to share information in the group: the guardian's on the person's behalf when
    the person has one, otherwise the person's own."""
    consent_create(
        reach=reach,
        service_user=person,
        given_by=ConsentGiver.GUARDIAN if guardian is not None else ConsentGiver.SERVICE_USER,
        given_by_representative=guardian,
        covers_group_sharing=True,
        valid_from=timezone.localdate() - datetime.timedelta(days=200),
        note="Samtykke til informasjonsdeling i ansvarsgruppen (NAV, fastlege, pårørende/verge).",
    )


def _members(
    reach: Reach, group: ResponsibilityGroup, external: External, rep: Representative | None
) -> dict[str, GroupMember]:
    members = {
        "person": group.members.get(kind=MemberKind.SERVICE_USER),
        "coordinator": group.members.get(kind=MemberKind.STAFF, user=group.coordinator),
        "external": services.member_add(
            reach=reach,
            group=group,
            kind=MemberKind.EXTERNAL,
            name=external.name,
            organisation=external.organisation,
            email=external.email,
            phone=external.phone,
            role=external.role,
        ),
    }
    if rep is not None:
        members["representative"] = services.member_add(
            reach=reach,
            group=group,
            kind=MemberKind.REPRESENTATIVE,
            representative=rep,
            role="verge" if rep.kind == RepresentativeKind.GUARDIAN else rep.relation,
        )
    return members


def _invited(
    reach: Reach,
    group: ResponsibilityGroup,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    place: str,
) -> Meeting:
    meeting = services.meeting_create(
        reach=reach,
        group=group,
        starts_at=starts_at,
        ends_at=ends_at,
        place=place,
        video_link=VIDEO_LINK if place == PLACES[1] else "",
        agenda=AGENDA,
    )
    return services.meeting_transition(reach=reach, meeting=meeting, name="invite")


def _past_meeting(
    reach: Reach,
    group: ResponsibilityGroup,
    members: dict[str, GroupMember],
    slot: int,
    days_ago: int,
    topics: list[dict[str, str]],
    agreements: list[tuple[str, str, int]],
    first: bool,
) -> Meeting:
    """A meeting held ``days_ago`` with approved minutes."""
    users = {group.coordinator_id}
    length = datetime.timedelta(hours=1, minutes=30)
    hour = 9 + 2 * (slot % 3)  # 09:00, 11:00 or 13:00
    # Invited at a free time a year ahead (the services refuse the past) ...
    future = _free_slot(users, timezone.localdate() + datetime.timedelta(days=365 + slot), hour, length, 1)
    meeting = _invited(reach, group, *future, place=PLACES[slot % 2])
    # ... and then moved to its real, past time. Demo back-dating only: bypasses the services on
    # purpose, for the meeting and its bookings alike, and is not audited. Never do this in the app.
    starts_at, ends_at = _free_slot(
        users, timezone.localdate() - datetime.timedelta(days=days_ago + slot), hour, length, -1
    )
    Meeting.objects.filter(pk=meeting.pk).update(starts_at=starts_at, ends_at=ends_at)
    MeetingBooking.objects.filter(meeting=meeting).update(starts_at=starts_at, ends_at=ends_at)
    meeting.refresh_from_db()

    # At the first meeting the external professional sent their apologies.
    attended = {
        row.member_id: not (first and row.member_id == members["external"].pk)
        for row in meeting.attendance.all()
    }
    services.attendance_record(reach=reach, meeting=meeting, attended=attended)
    meeting = services.meeting_transition(reach=reach, meeting=meeting, name="record_held")
    meeting = services.meeting_transition(reach=reach, meeting=meeting, name="start_minutes")
    day = timezone.localdate(starts_at)
    services.minutes_write(
        reach=reach,
        meeting=meeting,
        topics=topics,
        agreements=[
            {"text": text, "owner": members[owner].pk, "deadline": day + datetime.timedelta(days=days)}
            for text, owner, days in agreements
        ],
    )
    return services.meeting_transition(reach=reach, meeting=meeting, name="approve_minutes")


@transaction.atomic
def group_with_meetings(
    *,
    reach: Reach,
    person: ServiceUser,
    plan: IndividualPlan,
    unit: Unit,
    coordinator: Any,
    slot: int,
    proposed: bool,
) -> tuple[ResponsibilityGroup, int]:
    """A group around ``person`` with two past meetings (minutes approved), an upcoming invited
    meeting and, if ``proposed``, a proposed one after it. ``slot`` spreads the meetings of the
    coordinator's groups over different days and hours. Returns the group and its meeting count."""
    rep = _representative(person)
    _sharing_consent(
        reach, person, rep if rep is not None and rep.kind == RepresentativeKind.GUARDIAN else None
    )
    group = services.group_create(
        reach=reach, service_user=person, unit=unit, coordinator=coordinator, plan=plan, cadence_months=3
    )
    members = _members(reach, group, EXTERNALS[slot % len(EXTERNALS)], rep)
    for position, (days_ago, topics, agreements) in enumerate(PAST_MEETINGS):
        _past_meeting(reach, group, members, slot, days_ago, topics, agreements, first=position == 0)
    users = {coordinator.pk}
    length = datetime.timedelta(hours=1, minutes=30)
    hour = 9 + 2 * (slot % 3)
    upcoming = _free_slot(
        users, timezone.localdate() + datetime.timedelta(days=UPCOMING_IN_DAYS + slot), hour, length, 1
    )
    _invited(reach, group, *upcoming, place=PLACES[slot % 2])
    meetings = len(PAST_MEETINGS) + 1
    if proposed:
        starts_at, ends_at = _free_slot(
            users, timezone.localdate() + datetime.timedelta(days=PROPOSED_IN_DAYS + slot), 13, length, 1
        )
        services.meeting_create(
            reach=reach,
            group=group,
            starts_at=starts_at,
            ends_at=ends_at,
            place=PLACES[0],
            agenda=("Forslag: felles møte med skolen/arbeidsgiver", "Evaluering av planen"),
        )
        meetings += 1
    return group, meetings


def seed_demo_groups(*, reach: Reach, people: list[ServiceUser], unit: Unit, coordinator: Any) -> DemoGroups:
    """Groups for the people (the first unit's demo people) whose plan is active or under review."""
    in_use = []
    for person in people:
        plan = (
            IndividualPlan.objects.filter(service_user=person, state__in=GROUP_PLAN_STATES)
            .order_by("-pk")
            .first()
        )
        if plan is not None:
            in_use.append((person, plan))
    groups = meetings = 0
    # One proposed meeting in all: only if none of the coordinator's groups of the unit has one.
    proposed_wanted = not Meeting.objects.filter(
        group__unit=unit, group__coordinator=coordinator, state=MeetingState.PROPOSED
    ).exists()
    # The slot is the position among the people with a plan in use, the same on every run.
    for slot, (person, plan) in enumerate(in_use):
        if ResponsibilityGroup.objects.filter(service_user=person).exists():
            continue
        _group, count = group_with_meetings(
            reach=reach,
            person=person,
            plan=plan,
            unit=unit,
            coordinator=coordinator,
            slot=slot,
            proposed=proposed_wanted,
        )
        proposed_wanted = False
        groups += 1
        meetings += count
    return DemoGroups(groups=groups, meetings=meetings)
