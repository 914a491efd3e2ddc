"""Which messages exist, whom they go to, what they say and what they carry.

An event from the outbox, or a reminder scan, names a message ``kind``. Each kind has a template
per language in ``notifications/templates/notifications/messages/<kind>.<language>.txt`` (the
first line is the subject, the rest the body; bokmål must exist, the system check says so at
start-up) and the functions below that find its object's recipients and the template's context.

The texts leave the municipality's systems (email, SMS), so they name neither the person nor
anything about their health: they say what happens when, and that the details are in Medvirk.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Model, Q
from django.utils import timezone

from cases import events as case_events
from cases.models import Case, HomeVisit
from casework import events as casework_events
from casework.models import Unit
from notifications import recipients as r
from notifications.recipients import Recipient
from notifications.sms import sms_enabled
from plans import events as plan_events
from plans.choices import APPROVED_STATES, CLOSED_STATES
from plans.models import IndividualPlan, PlanVersion
from quality_conversations import events as conversation_events
from quality_conversations.models import QualityConversation
from responsibility_groups import events as meeting_events
from responsibility_groups.choices import MemberKind
from responsibility_groups.models import Meeting, ResponsibilityGroup
from responsibility_groups.sharing import sharing_missing


@dataclass(frozen=True)
class Message:
    kind: str
    model: type[Model]
    recipients: Callable[[Any], list[Recipient]]
    context: Callable[[Any], dict[str, Any]]
    # Attachment specs resolved at sending time: {"type": "meeting_ics", "method": "REQUEST"} ...
    attachments: tuple[dict[str, Any], ...] = field(default_factory=tuple)
    related: tuple[str, ...] = ()
    # Still worth saying when the fan-out runs (an outage may delay it): no invitation to the past.
    relevant: Callable[[Any], bool] = lambda obj: True
    # When the message stops being worth sending (checked again by the dispatcher).
    expires: Callable[[Any], datetime.datetime | None] = lambda obj: None
    # May wait for a staff member's daily digest; meeting messages (and their .ics) never do.
    digestible: bool = False
    # Announces an approved plan version: its text tells what that version says (the review date),
    # never the working copy, which may have moved on by the time the message is written.
    announces_version: bool = False


# --- Recipients ------------------------------------------------------------------------------


def _meeting_members(meeting: Meeting, *, with_coordinator: bool) -> list[Recipient]:
    group = meeting.group
    found: list[Recipient] = []
    rows = meeting.attendance.select_related(
        "member__user__notification_preference", "member__representative__user__notification_preference"
    ).order_by("member_id")
    for row in rows:
        member = row.member
        if not member.is_active:
            continue
        is_coordinator = member.user_id == group.coordinator_id
        if is_coordinator and not with_coordinator:
            continue
        if sharing_missing(
            service_user_id=group.service_user_id,
            kind=member.kind,
            representative=member.representative,
            is_coordinator=is_coordinator,
        ):
            continue
        if member.kind == MemberKind.STAFF and member.user is not None:
            found += r.active_staff(member.user)
        elif member.kind == MemberKind.REPRESENTATIVE and member.representative is not None:
            found.append(r.representative_recipient(member.representative))
        elif member.kind == MemberKind.SERVICE_USER:
            found.append(r.person_recipient(group.service_user))
        else:
            phone = member.phone if sms_enabled() else ""
            channels = {"email"} if member.email else ({"sms"} if phone else set())
            found.append(
                Recipient(
                    key=f"m{member.pk}",
                    name=member.display_name,
                    email=member.email,
                    phone=member.phone,
                    channels=frozenset(channels),
                )
            )
    return found


def meeting_invitees(meeting: Meeting) -> list[Recipient]:
    """Everyone invited but the coordinator, who sent the invitation."""
    return _meeting_members(meeting, with_coordinator=False)


def meeting_everyone(meeting: Meeting) -> list[Recipient]:
    return _meeting_members(meeting, with_coordinator=True)


def meeting_coordinator(meeting: Meeting) -> list[Recipient]:
    return r.active_staff(meeting.group.coordinator)


def plan_representatives(plan: IndividualPlan) -> list[Recipient]:
    reps = r.representatives_in_force(plan.service_user_id, consent_scope=Q(covers_plan=True))
    return [r.representative_recipient(rep) for rep in reps]


def plan_coordinator(plan: IndividualPlan) -> list[Recipient]:
    return r.active_staff(plan.coordinator)


def group_coordinator(group: ResponsibilityGroup) -> list[Recipient]:
    return r.active_staff(group.coordinator)


def conversation_representative(conversation: QualityConversation) -> list[Recipient]:
    if conversation.representative_id is None:
        return []
    reps = r.representatives_in_force(conversation.service_user_id, consent_scope=Q()).filter(
        pk=conversation.representative_id
    )
    return [r.representative_recipient(rep) for rep in reps]


def visit_person_and_guardians(visit: HomeVisit) -> list[Recipient]:
    person = visit.case.service_user
    guardians = r.representatives_in_force(person.pk, consent_scope=Q()).filter(kind="guardian")
    return [r.person_recipient(person), *(r.representative_recipient(rep) for rep in guardians)]


def case_staff(case: Case) -> list[Recipient]:
    return r.unit_staff(case.unit_id, r.CASE_STAFF)


def quality_staff(unit: Unit) -> list[Recipient]:
    return r.unit_staff(unit.pk, r.QUALITY_STAFF)


# --- Contexts (what the templates may use) ------------------------------------------------------


def meeting_context(meeting: Meeting) -> dict[str, Any]:
    return {
        "starts_at": meeting.starts_at,
        "ends_at": meeting.ends_at,
        "place": meeting.place,
        "video_link": meeting.video_link,
        "unit": meeting.group.unit.name,
        # Not the reason for cancelling: free text that may say why ("innlagt") stays behind login.
        "meeting_id": meeting.pk,
    }


def plan_context(plan: IndividualPlan) -> dict[str, Any]:
    return _review_context(plan, plan.next_review_date)


def announced_version_context(plan: IndividualPlan, version: PlanVersion) -> dict[str, Any]:
    """What a message announcing ``version`` says of the plan: the version's own review date."""
    review = version.content.get("plan", {}).get("next_review_date")
    return _review_context(plan, datetime.date.fromisoformat(review) if review else None)


def _review_context(plan: IndividualPlan, review: datetime.date | None) -> dict[str, Any]:
    today = timezone.localdate()
    return {
        "unit": plan.unit.name,
        "plan_id": plan.pk,
        "next_review_date": review,
        "days_left": (review - today).days if review else None,
        "days_overdue": (today - review).days if review and review < today else None,
    }


def group_context(group: ResponsibilityGroup) -> dict[str, Any]:
    return {"unit": group.unit.name, "group_id": group.pk}


def holder_context(payload: dict[str, Any], entry: dict[str, Any]) -> dict[str, Any]:
    """What a message about one plan or group takes from a consent or mandate event: how many
    were marked there, whether the plan still has a consent, a mandate's last valid day."""
    context: dict[str, Any] = {
        "marked": int(entry.get("marked", 0)),
        "consent_missing": bool(entry.get("consent_missing", False)),
    }
    if payload.get("valid_to"):
        context["valid_to"] = datetime.date.fromisoformat(payload["valid_to"])
        context["ended"] = bool(payload.get("ended", False))
    return context


def conversation_context(conversation: QualityConversation) -> dict[str, Any]:
    return {
        "unit": conversation.unit.name,
        "year": conversation.year,
        "scheduled_for": conversation.scheduled_for,
        "conversation_id": conversation.pk,
    }


def visit_context(visit: HomeVisit) -> dict[str, Any]:
    return {"unit": visit.case.unit.name, "scheduled_for": visit.scheduled_for, "visit_id": visit.pk}


def case_context(case: Case) -> dict[str, Any]:
    today = timezone.localdate()
    return {
        "unit": case.unit.name,
        "case_id": case.pk,
        "received_on": case.received_on,
        "reply_due_on": case.reply_due_on,
        "days_left": (case.reply_due_on - today).days,
    }


def unit_context(unit: Unit) -> dict[str, Any]:
    # ``not_offered`` is filled in by the reminder scan, which counts them.
    return {"unit": unit.name, "unit_id": unit.pk}


def _ahead(meeting: Meeting) -> bool:
    return bool(meeting.starts_at > timezone.now())


def _at_start(meeting: Meeting) -> datetime.datetime:
    return meeting.starts_at


def _day_of(meeting: Meeting) -> datetime.datetime:
    """Local midnight before the meeting: after it, "tomorrow" is wrong."""
    day = timezone.localdate(meeting.starts_at)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time()))


def _approved(plan: IndividualPlan) -> bool:
    """A plan withdrawn or declined since the event is announced to nobody."""
    return plan.state in APPROVED_STATES


def _open(plan: IndividualPlan) -> bool:
    """A plan closed since the event has nothing left to act on."""
    return plan.state not in CLOSED_STATES


def _active(group: ResponsibilityGroup) -> bool:
    return bool(group.is_active)


def _in_year(conversation: QualityConversation) -> bool:
    return conversation.year >= timezone.localdate().year


def _visit_ahead(visit: HomeVisit) -> bool:
    return visit.scheduled_for is not None and visit.scheduled_for > timezone.now()


ICS_REQUEST = {"type": "meeting_ics", "method": "REQUEST"}
ICS_CANCEL = {"type": "meeting_ics", "method": "CANCEL"}
PLAN_PDF = {"type": "plan_pdf"}

_MEETING = ("group__unit", "group__coordinator", "group__service_user")
_PLAN = ("unit", "coordinator", "service_user")
_CONVERSATION = ("unit", "service_user")
_GROUP = ("unit", "coordinator", "service_user")


def _meeting(kind: str, recipients: Callable[[Meeting], list[Recipient]], **options: Any) -> Message:
    """Messages about a coming meeting matter until it starts, and never wait for a digest."""
    options.setdefault("relevant", _ahead)
    options.setdefault("expires", _at_start)
    return Message(kind, Meeting, recipients, meeting_context, related=_MEETING, **options)


def _minutes(kind: str, recipients: Callable[[Meeting], list[Recipient]]) -> Message:
    """About a meeting that has been held: news, not an appointment."""
    return Message(kind, Meeting, recipients, meeting_context, related=_MEETING, digestible=True)


def _plan(kind: str, recipients: Callable[[IndividualPlan], list[Recipient]], **options: Any) -> Message:
    return Message(kind, IndividualPlan, recipients, plan_context, related=_PLAN, digestible=True, **options)


# To the coordinator of a plan or group whose person's consent or mandate ended (ADR 0017). Sent
# at once, never held for a digest: someone may have to be told before the next meeting.


def _plan_basis(kind: str) -> Message:
    return Message(kind, IndividualPlan, plan_coordinator, plan_context, related=_PLAN, relevant=_open)


def _group_basis(kind: str) -> Message:
    return Message(
        kind, ResponsibilityGroup, group_coordinator, group_context, related=_GROUP, relevant=_active
    )


def _conversation(kind: str, **options: Any) -> Message:
    return Message(
        kind,
        QualityConversation,
        conversation_representative,
        conversation_context,
        related=_CONVERSATION,
        relevant=_in_year,
        **options,
    )


MESSAGES: dict[str, Message] = {
    message.kind: message
    for message in [
        # Events
        _meeting("meeting_invited", meeting_invitees, attachments=(ICS_REQUEST,)),
        _meeting("meeting_rescheduled", meeting_invitees, attachments=(ICS_REQUEST,)),
        _meeting("meeting_updated", meeting_invitees, attachments=(ICS_REQUEST,)),
        _meeting("meeting_cancelled", meeting_invitees, attachments=(ICS_CANCEL,)),
        _minutes("minutes_approved", meeting_invitees),
        _plan(
            "plan_approved",
            plan_representatives,
            attachments=(PLAN_PDF,),
            relevant=_approved,
            announces_version=True,
        ),
        _plan(
            "plan_reviewed",
            plan_representatives,
            attachments=(PLAN_PDF,),
            relevant=_approved,
            announces_version=True,
        ),
        _conversation("quality_conversation_offered", digestible=True),
        _conversation(
            "quality_conversation_scheduled", expires=lambda conversation: conversation.scheduled_for
        ),
        _plan_basis("plan_consent_withdrawn"),
        _plan_basis("plan_mandate_ended"),
        _group_basis("group_consent_withdrawn"),
        _group_basis("group_mandate_ended"),
        Message(
            "home_visit_scheduled",
            HomeVisit,
            visit_person_and_guardians,
            visit_context,
            related=("case__unit", "case__service_user"),
            relevant=_visit_ahead,
            expires=lambda visit: visit.scheduled_for,
        ),
        # Reminders
        _meeting("meeting_tomorrow", meeting_everyone, expires=_day_of),
        _meeting("meeting_soon", meeting_everyone),
        _minutes("minutes_not_approved", meeting_coordinator),
        _plan("plan_review_due", plan_coordinator),
        _plan("plan_review_overdue", plan_coordinator),
        Message("provisional_reply_due", Case, case_staff, case_context, related=("unit",), digestible=True),
        Message("quality_conversations_not_offered", Unit, quality_staff, unit_context, digestible=True),
    ]
}

# Outbox events that people hear about, keyed by the constants the workflows declare in their
# ``events`` modules; every other declared event is silent (drafts, internal steps stay in the
# history). tests/notifications/test_event_catalogue.py holds the two sets to every event emitted.
EVENT_MESSAGES: dict[str, str] = {
    meeting_events.MEETING_INVITED: "meeting_invited",
    meeting_events.MEETING_RESCHEDULED: "meeting_rescheduled",
    meeting_events.MEETING_ATTENDEES_CHANGED: "meeting_updated",
    meeting_events.MEETING_CANCELLED: "meeting_cancelled",
    meeting_events.MEETING_MINUTES_APPROVED: "minutes_approved",
    plan_events.PLAN_ACTIVATED: "plan_approved",
    plan_events.PLAN_REVIEW_COMPLETED: "plan_reviewed",
    conversation_events.CONVERSATION_OFFERED: "quality_conversation_offered",
    conversation_events.CONVERSATION_SCHEDULED: "quality_conversation_scheduled",
    case_events.HOME_VISIT_SCHEDULED: "home_visit_scheduled",
}
SILENT_EVENTS: frozenset[str] = frozenset(
    {
        plan_events.PLAN_CREATED,
        plan_events.PLAN_CONSENT_REQUESTED,
        plan_events.PLAN_CONSENT_RECORDED,
        plan_events.PLAN_REVIEW_STARTED,
        plan_events.PLAN_PUT_ON_HOLD,
        plan_events.PLAN_RESUMED,
        plan_events.PLAN_COMPLETED,
        plan_events.PLAN_WITHDRAWN,
        plan_events.PLAN_DECLINED,
        meeting_events.MEETING_HELD,
        meeting_events.MEETING_MINUTES_STARTED,
        meeting_events.MEETING_MINUTES_CORRECTED,
        case_events.CASE_ASSESSMENT_STARTED,
        case_events.CASE_DECIDED,
        case_events.CASE_APPEALED,
        case_events.CASE_CLOSED,
        case_events.HOME_VISIT_COMPLETED,
        case_events.HOME_VISIT_MISSED,
        conversation_events.CONVERSATION_ACCEPTED,
        conversation_events.CONVERSATION_DECLINED,
        conversation_events.CONVERSATION_HELD,
        conversation_events.CONVERSATION_DOCUMENTED,
        conversation_events.CONVERSATION_NOT_APPLICABLE,
        conversation_events.CONVERSATION_EXPIRED,
    }
)

# Events about one of a person's consents or mandates (casework.events), told to the
# coordinator of each open plan and active group of the person that the event's payload lists
# ({"plans": [{"id", "marked", ...}], "groups": [...]}): one message per plan or group, about it.
EVENT_HOLDER_MESSAGES: dict[str, dict[str, str]] = {
    casework_events.CONSENT_WITHDRAWN: {
        "plans": "plan_consent_withdrawn",
        "groups": "group_consent_withdrawn",
    },
    casework_events.MANDATE_ENDED: {"plans": "plan_mandate_ended", "groups": "group_mandate_ended"},
}

# After these, what was said earlier about the meeting (its time, its reminders) is out of date.
SUPERSEDING_EVENTS = {meeting_events.MEETING_RESCHEDULED, meeting_events.MEETING_CANCELLED}
MEETING_KINDS_SUPERSEDED = [
    "meeting_invited",
    "meeting_rescheduled",
    "meeting_updated",
    "meeting_tomorrow",
    "meeting_soon",
]

DIGEST_KIND = "daily_digest"
LANGUAGES = ("nb", "nn", "en")
FALLBACK_LANGUAGE = "nb"


def message_for(kind: str) -> Message:
    return MESSAGES[kind]


def load(message: Message, object_id: Any) -> Any:
    """The message's object with what its recipients and context read, or None if it is gone."""
    return message.model._default_manager.select_related(*message.related).filter(pk=object_id).first()
