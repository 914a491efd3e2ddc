"""Writes to responsibility groups and meetings: permission, change, audit and outbox in one
transaction. Lock order: the meeting row (``meeting_lock``), then its bookings.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from typing import Any

from django.db import IntegrityError, OperationalError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from casework.audit import audit_record, changes_between
from casework.choices import AccessSource
from casework.engine import Move, perform_transition
from casework.errors import Conflict, GuardFailed, NotAllowed
from casework.models import ServiceUser, StaffMembership, Unit
from casework.outbox import outbox_emit
from casework.selectors import Reach
from casework.services import (
    InvalidField,
    access_reason_add,
    access_reasons_end,
    ensure_unit_serves,
)
from plans.choices import EDITABLE_STATES
from plans.models import IndividualPlan, Measure
from plans.participants import duplicate_problem, kind_field_problem
from plans.services import plan_item_create
from responsibility_groups import events
from responsibility_groups.choices import MeetingState, MemberKind
from responsibility_groups.minutes import minutes_content
from responsibility_groups.models import (
    AgendaItem,
    Agreement,
    Attendance,
    GroupMember,
    Meeting,
    MeetingBooking,
    MinutesComment,
    MinutesTopic,
    MinutesVersion,
    ResponsibilityGroup,
)
from responsibility_groups.policies import ensure_can_create_group, ensure_can_run
from responsibility_groups.sharing import sharing_missing

DEADLOCK_DETECTED = "40P01"


def group_role(reach: Reach, group: ResponsibilityGroup) -> str:
    """The actor's role in the group's unit, as the audit trail names it."""
    return "superuser" if reach.is_superuser else ",".join(sorted(reach.roles_in([group.unit_id]))) or "staff"


def _audit(reach: Reach, group: ResponsibilityGroup, action: str, obj: Any, **kwargs: Any) -> None:
    audit_record(
        actor=reach.actor,
        action=action,
        obj=obj,
        role=group_role(reach, group),
        service_user=group.service_user,
        **kwargs,
    )


def _grant_group_access(group: ResponsibilityGroup, user: Any, actor: Any) -> None:
    """A staff member of the group may see the person: the group is their reason in the ledger."""
    access_reason_add(
        actor=actor,
        service_user=group.service_user,
        user=user,
        source=AccessSource.GROUP,
        source_id=group.pk,
        reason=_("Responsibility group #%(id)s") % {"id": group.pk},
    )


def _release_group_access(group: ResponsibilityGroup, users: set[Any] | None, actor: Any) -> None:
    """End the group's reason for ``users`` (logins or ids; None: everyone); other reasons stay."""
    access_reasons_end(
        actor=actor,
        service_user=group.service_user,
        users=users,
        source=AccessSource.GROUP,
        source_id=group.pk,
        reason=_("Responsibility group #%(id)s") % {"id": group.pk},
    )


# --- Groups and members -----------------------------------------------------------------------


@transaction.atomic
def group_create(
    *,
    reach: Reach,
    service_user: ServiceUser,
    unit: Unit,
    coordinator: Any,
    plan: IndividualPlan | None = None,
    cadence_months: int = 3,
) -> ResponsibilityGroup:
    ensure_can_create_group(reach=reach, unit_id=unit.pk)
    ensure_unit_serves(service_user=service_user, unit=unit)
    if plan is not None and plan.service_user_id != service_user.pk:
        raise InvalidField(field="plan", code="other_person", detail=_("The plan is for another person."))
    if not StaffMembership.objects.filter(user=coordinator).exists():
        raise InvalidField(
            field="coordinator", code="not_staff", detail=_("The coordinator must be a staff member.")
        )
    try:
        with transaction.atomic():
            group = ResponsibilityGroup.objects.create(
                service_user=service_user,
                unit=unit,
                coordinator=coordinator,
                plan=plan,
                cadence_months=cadence_months,
            )
    except IntegrityError as error:
        raise Conflict(
            _("The person already has an active responsibility group."), code="active_group_exists"
        ) from error
    GroupMember.objects.create(group=group, kind=MemberKind.SERVICE_USER)
    GroupMember.objects.create(group=group, kind=MemberKind.STAFF, user=coordinator, role=_("coordinator"))
    _grant_group_access(group, coordinator, reach.actor)
    _audit(
        reach,
        group,
        "group.create",
        group,
        changes={"coordinator": [None, coordinator.pk], "cadence_months": [None, cadence_months]},
    )
    return group


@transaction.atomic
def group_update(*, reach: Reach, group: ResponsibilityGroup, **changes: Any) -> ResponsibilityGroup:
    ensure_can_run(reach=reach, group=group)
    allowed = {"cadence_months", "plan", "is_active"}
    if set(changes) - allowed:
        raise TypeError(f"unexpected fields: {sorted(set(changes) - allowed)}")
    plan = changes.get("plan")
    if plan is not None and plan.service_user_id != group.service_user_id:
        raise InvalidField(field="plan", code="other_person", detail=_("The plan is for another person."))
    before = {name: getattr(group, name) for name in changes}
    for name, value in changes.items():
        setattr(group, name, value)
    diff = changes_between(before, changes)
    if diff:
        group.save()
        if "is_active" in diff and not group.is_active:
            # A group that stops ends the access it gave, at once.
            _release_group_access(group, None, reach.actor)
        _audit(reach, group, "group.update", group, changes=diff)
    return group


@transaction.atomic
def member_add(*, reach: Reach, group: ResponsibilityGroup, kind: str, **fields: Any) -> GroupMember:
    """Add a member; refused (422) unless the person's consent or a guardian's mandate covers them."""
    ensure_can_run(reach=reach, group=group)
    if kind == MemberKind.SERVICE_USER:
        # The person's own row is made with the group and stays; nobody else is the person.
        raise InvalidField(
            field="kind", code="person_is_member", detail=_("The person is already a member of their group.")
        )
    problem = kind_field_problem(kind, fields) or duplicate_problem(
        kind, fields, group.members.filter(is_active=True)
    )
    if problem is not None:
        field, code, detail = problem
        raise InvalidField(field=field, code=code, detail=detail)
    representative = fields.get("representative")
    if representative is not None and representative.service_user_id != group.service_user_id:
        raise InvalidField(
            field="representative",
            code="other_person",
            detail=_("The representative belongs to another service user."),
        )
    missing = sharing_missing(service_user_id=group.service_user_id, kind=kind, representative=representative)
    if missing:
        raise GuardFailed(
            _("Information about the person may not be shared with this member: %(missing)s.")
            % {"missing": ", ".join(missing)},
            missing=missing,
        )
    member = GroupMember.objects.create(group=group, kind=kind, **fields)
    if kind == MemberKind.STAFF:
        _grant_group_access(group, member.user, reach.actor)
    # Meetings already invited take the new member in: booked (409 if that double-books them),
    # on the attendance list, and announced again with a higher SEQUENCE.
    for meeting in Meeting.objects.select_for_update().filter(group=group, state=MeetingState.INVITED):
        if member.user_id is not None:
            _book_one(meeting, member.user_id)
        Attendance.objects.get_or_create(meeting=meeting, member=member)
        _announce_change(meeting)
    _audit(reach, group, "group.member.add", member, changes=changes_between({}, {"kind": kind, **fields}))
    return member


@transaction.atomic
def member_remove(*, reach: Reach, member: GroupMember) -> GroupMember:
    ensure_can_run(reach=reach, group=member.group)
    if member.kind == MemberKind.SERVICE_USER:
        raise Conflict(_("The person is always a member of their own group."), code="person_stays")
    member.is_active = False
    member.save(update_fields=["is_active"])
    group = member.group
    user_id = member.user_id
    left_the_group = (
        user_id is not None and not group.members.filter(is_active=True, user_id=user_id).exists()
    )
    if left_the_group and user_id != group.coordinator_id:
        _release_group_access(group, {user_id}, reach.actor)
    # Meetings not yet held let the member go: no invitation, no booking, no attendance row.
    open_states = [MeetingState.PROPOSED, MeetingState.INVITED]
    for meeting in Meeting.objects.select_for_update().filter(group=group, state__in=open_states):
        Attendance.objects.filter(meeting=meeting, member=member).delete()
        if left_the_group and user_id is not None and user_id != group.coordinator_id:
            MeetingBooking.objects.filter(meeting=meeting, user_id=user_id).delete()
        if meeting.state == MeetingState.INVITED:
            _announce_change(meeting)
    _audit(reach, member.group, "group.member.remove", member, changes={"is_active": [True, False]})
    return member


# --- Meetings -------------------------------------------------------------------------------


MAX_MEETING_LENGTH = datetime.timedelta(hours=8)


def _future(starts_at: datetime.datetime, ends_at: datetime.datetime) -> None:
    # Compare instants: Python compares two times of the same zone by their wall-clock reading,
    # and 02:30 in the spring gap reads as before 03:30 though both are the same instant.
    starts_at, ends_at = starts_at.astimezone(datetime.UTC), ends_at.astimezone(datetime.UTC)
    if ends_at <= starts_at:
        raise InvalidField(field="ends_at", code="before_start", detail=_("A meeting ends after it starts."))
    if ends_at - starts_at > MAX_MEETING_LENGTH:
        raise InvalidField(field="ends_at", code="too_long", detail=_("A meeting lasts at most eight hours."))
    if starts_at <= timezone.now():
        raise InvalidField(
            field="starts_at", code="in_the_past", detail=_("The meeting must start in the future.")
        )


@transaction.atomic
def meeting_create(
    *,
    reach: Reach,
    group: ResponsibilityGroup,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    place: str = "",
    video_link: str = "",
    agenda: Iterable[str] = (),
) -> Meeting:
    ensure_can_run(reach=reach, group=group)
    if not group.is_active:
        raise Conflict(_("The group is no longer active."), code="group_inactive")
    _future(starts_at, ends_at)
    meeting = Meeting.objects.create(
        group=group, starts_at=starts_at, ends_at=ends_at, place=place, video_link=video_link
    )
    AgendaItem.objects.bulk_create(
        [AgendaItem(meeting=meeting, title=title, position=index) for index, title in enumerate(agenda)]
    )
    _audit(
        reach,
        group,
        "meeting.create",
        meeting,
        changes=changes_between({}, {"starts_at": starts_at, "ends_at": ends_at}),
    )
    return meeting


def meeting_lock(meeting: Meeting) -> Meeting:
    return Meeting.objects.select_for_update().select_related("group__service_user").get(pk=meeting.pk)


def _booked_users(meeting: Meeting) -> set[int]:
    """The coordinator and every active staff member: their time is taken by the meeting."""
    users = set(
        meeting.group.members.filter(is_active=True, kind=MemberKind.STAFF, user__isnull=False).values_list(
            "user_id", flat=True
        )
    )
    return users | {meeting.group.coordinator_id}


def _conflict(
    users: set[int], starts_at: datetime.datetime, ends_at: datetime.datetime, meeting: Meeting
) -> Conflict | None:
    clash = (
        MeetingBooking.objects.filter(
            user_id__in=users, active=True, starts_at__lt=ends_at, ends_at__gt=starts_at
        )
        .exclude(meeting=meeting)
        .select_related("meeting")
        .order_by("starts_at")
        .first()
    )
    if clash is None:
        return None
    local = timezone.localtime(clash.meeting.starts_at)
    return Conflict(
        _("Double booking: a member is already in meeting #%(id)s at %(when)s.")
        % {"id": clash.meeting_id, "when": f"{local:%d.%m.%Y %H:%M}"},
        code="double_booking",
        conflicting_meeting=clash.meeting_id,
    )


def _book(meeting: Meeting, starts_at: datetime.datetime, ends_at: datetime.datetime) -> None:
    """Take the members' time, or raise 409 naming the meeting in the way.

    The query finds conflicts that are committed; on PostgreSQL the exclusion constraint also
    refuses the one that commits at the same moment (IntegrityError → the same 409).
    """
    users = _booked_users(meeting)
    conflict = _conflict(users, starts_at, ends_at, meeting)
    if conflict is not None:
        raise conflict
    try:
        with transaction.atomic():
            MeetingBooking.objects.filter(meeting=meeting).delete()
            MeetingBooking.objects.bulk_create(
                [
                    MeetingBooking(meeting=meeting, user_id=user, starts_at=starts_at, ends_at=ends_at)
                    for user in sorted(users)
                ]
            )
    except (IntegrityError, OperationalError) as error:
        # Two requests inserting overlapping bookings at once: PostgreSQL refuses one with the
        # exclusion constraint, or, when both wait on each other, as a deadlock victim.
        if (
            isinstance(error, OperationalError)
            and getattr(error.__cause__, "sqlstate", None) != DEADLOCK_DETECTED
        ):
            raise
        raise _conflict(users, starts_at, ends_at, meeting) or Conflict(
            _("Double booking: a member was booked for the same time just now."), code="double_booking"
        ) from error


def _book_one(meeting: Meeting, user_id: int) -> None:
    """Book one more staff member into an invited meeting, or 409 naming the meeting in the way."""
    conflict = _conflict({user_id}, meeting.starts_at, meeting.ends_at, meeting)
    if conflict is not None:
        raise conflict
    try:
        with transaction.atomic():
            MeetingBooking.objects.get_or_create(
                meeting=meeting,
                user_id=user_id,
                defaults={"starts_at": meeting.starts_at, "ends_at": meeting.ends_at},
            )
    except (IntegrityError, OperationalError) as error:
        raise Conflict(
            _("Double booking: a member was booked for the same time just now."), code="double_booking"
        ) from error


def _announce_change(meeting: Meeting) -> None:
    """The attendee list changed: calendars need the invitation again, with a higher SEQUENCE."""
    Meeting.objects.filter(pk=meeting.pk).update(sequence=F("sequence") + 1)
    outbox_emit(event=events.MEETING_ATTENDEES_CHANGED, obj=meeting, payload={"meeting": meeting.pk})


def meeting_guard_missing(meeting: Meeting, name: str) -> list[str]:
    if name in ("invite", "reschedule", "approve_minutes"):
        sharing = _sharing_missing_for_members(meeting)
        if name == "approve_minutes":
            return sharing + _minutes_missing(meeting)
        return sharing
    return _other_missing(meeting, name)


def _sharing_missing_for_members(meeting: Meeting) -> list[str]:
    """Invitations, new times and minutes go only to members the person's consent covers now."""
    return [
        f"{item} ({member.display_name})"
        for member in meeting.group.members.filter(is_active=True).select_related("user", "representative")
        for item in sharing_missing(
            service_user_id=meeting.group.service_user_id,
            kind=member.kind,
            representative=member.representative,
            is_coordinator=member.user_id is not None and member.user_id == meeting.group.coordinator_id,
        )
    ]


def _minutes_missing(meeting: Meeting) -> list[str]:
    missing = [] if meeting.topics.exists() else ["topics"]
    if meeting.agreements.filter(to_plan=True, plan_measure__isnull=True).exists():
        plan = meeting.group.plan
        if plan is None:
            missing.append("plan")
        elif plan.state not in EDITABLE_STATES:
            missing.append("plan_open_for_changes")
    return missing


def _other_missing(meeting: Meeting, name: str) -> list[str]:
    if name == "record_held":
        missing = []
        if meeting.starts_at > timezone.now():
            missing.append("meeting_started")
        if meeting.attendance.filter(attended__isnull=True).exists() or not meeting.attendance.exists():
            missing.append("attendance")
        return missing
    return []


def meeting_transition(
    *,
    reach: Reach,
    meeting: Meeting,
    name: str,
    comment: str = "",
    starts_at: datetime.datetime | None = None,
    ends_at: datetime.datetime | None = None,
) -> Meeting:
    """The meeting's transition ``name`` (declared in responsibility_groups/workflow.py)."""
    moved: Meeting = perform_transition(
        reach, meeting, name, comment=comment, starts_at=starts_at, ends_at=ends_at
    )
    return moved


# --- What the transitions do besides moving the state (fields only, the row is locked) -----------


def apply_invite(move: Move) -> None:
    meeting = move.obj
    _future(meeting.starts_at, meeting.ends_at)
    _book(meeting, meeting.starts_at, meeting.ends_at)
    members = meeting.group.members.filter(is_active=True)
    Attendance.objects.bulk_create(
        [Attendance(meeting=meeting, member=member) for member in members], ignore_conflicts=True
    )
    meeting.invite()


def apply_reschedule(move: Move) -> None:
    meeting, starts_at, ends_at = move.obj, move.input["starts_at"], move.input["ends_at"]
    _future(starts_at, ends_at)
    _book(meeting, starts_at, ends_at)
    meeting.reschedule(starts_at=starts_at, ends_at=ends_at)


def apply_cancel(move: Move) -> None:
    MeetingBooking.objects.filter(meeting=move.obj).update(active=False)
    move.obj.cancel(reason=move.comment)


def apply_approve_minutes(move: Move) -> None:
    meeting = move.obj
    _agreements_to_plan(move.reach, meeting)
    meeting.approve_minutes()
    last = meeting.minutes_versions.order_by("-number").values_list("number", flat=True).first() or 0
    MinutesVersion.objects.create(
        meeting=meeting, number=last + 1, content=minutes_content(meeting), approved_by=move.reach.actor
    )


def _agreements_to_plan(reach: Reach, meeting: Meeting) -> None:
    """Agreements marked for the plan become measures in the person's plan (which must be open
    for changes, e.g. under review in this very meeting), with a responsible participant when
    the agreement's owner takes part in the plan."""
    plan = meeting.group.plan
    agreements = meeting.agreements.filter(to_plan=True, plan_measure__isnull=True).select_related("owner")
    if plan is None:
        return
    for agreement in agreements:
        owner = agreement.owner
        responsible = (
            plan.participants.filter(user_id=owner.user_id).first() if owner and owner.user_id else None
        )
        measure = plan_item_create(
            reach=reach,
            plan=plan,
            model=Measure,
            description=agreement.text,
            responsible=responsible,
            end_date=agreement.deadline,
        )
        agreement.plan_measure = measure  # type: ignore[assignment]
        agreement.save(update_fields=["plan_measure"])


@transaction.atomic
def attendance_record(*, reach: Reach, meeting: Meeting, attended: Mapping[int, bool]) -> list[Attendance]:
    """Who took part, by member id; while the meeting is invited or just held."""
    meeting = meeting_lock(meeting)
    ensure_can_run(reach=reach, group=meeting.group)
    if meeting.state not in (MeetingState.INVITED, MeetingState.HELD) or meeting.starts_at > timezone.now():
        raise Conflict(
            _("Attendance is recorded once an invited meeting has started."), code="attendance_locked"
        )
    rows = {row.member_id: row for row in meeting.attendance.all()}
    unknown = sorted(set(attended) - set(rows))
    if unknown:
        raise InvalidField(
            field="attendance", code="not_invited", detail=_("Not invited: %(ids)s") % {"ids": unknown}
        )
    for member_id, value in attended.items():
        rows[member_id].attended = value
    Attendance.objects.bulk_update([rows[m] for m in attended], ["attended"])
    _audit(reach, meeting.group, "meeting.attendance", meeting, changes={"attended": [None, dict(attended)]})
    return list(rows.values())


@transaction.atomic
def minutes_write(
    *, reach: Reach, meeting: Meeting, topics: list[dict[str, Any]], agreements: list[dict[str, Any]]
) -> Meeting:
    """Replace the draft minutes' topics and agreements; approved minutes are locked (409)."""
    meeting = meeting_lock(meeting)
    ensure_can_run(reach=reach, group=meeting.group)
    if meeting.state != MeetingState.MINUTES_DRAFT:
        raise Conflict(_("Minutes can be written only while they are a draft."), code="minutes_locked")
    members = {m.pk: m for m in meeting.group.members.all()}
    for index, agreement in enumerate(agreements):
        owner = agreement.get("owner")
        if owner is not None and owner not in members:
            raise InvalidField(field=f"agreements[{index}].owner", code="not_found", detail=_("Not found."))
    meeting.topics.all().delete()
    meeting.agreements.filter(plan_measure__isnull=True).delete()
    MinutesTopic.objects.bulk_create(
        [
            MinutesTopic(meeting=meeting, title=t["title"], notes=t.get("notes", ""), position=i)
            for i, t in enumerate(topics)
        ]
    )
    Agreement.objects.bulk_create(
        [
            Agreement(
                meeting=meeting,
                text=a["text"],
                owner=members.get(int(a["owner"])) if a.get("owner") else None,
                deadline=a.get("deadline"),
                to_plan=bool(a.get("to_plan")),
                position=i,
            )
            for i, a in enumerate(agreements)
        ]
    )
    _audit(
        reach,
        meeting.group,
        "meeting.minutes.write",
        meeting,
        changes={"topics": [None, len(topics)], "agreements": [None, len(agreements)]},
    )
    return meeting


@transaction.atomic
def minutes_comment(*, reach: Reach, meeting: Meeting, text: str) -> MinutesComment:
    """An attendee comments on approved minutes; the minutes stay as approved."""
    meeting = meeting_lock(meeting)
    if meeting.state != MeetingState.MINUTES_APPROVED:
        raise Conflict(_("Comments are made on approved minutes."), code="minutes_not_approved")
    attended = meeting.attendance.filter(attended=True, member__user=reach.actor).exists()
    if not (attended or reach.is_superuser or meeting.group.coordinator_id == reach.actor.pk):
        raise NotAllowed(_("Only attendees may comment on the minutes."))
    version = meeting.minutes_versions.order_by("-number").values_list("number", flat=True).first() or 0
    comment = MinutesComment.objects.create(meeting=meeting, author=reach.actor, version=version, text=text)
    _audit(reach, meeting.group, "meeting.minutes.comment", comment, changes={"version": [None, version]})
    return comment
