"""Rows for the list budgets: a small demo-like municipality, and for each list route a builder
that brings the rows the list shows up to ``n`` and returns the path to read.

The scene has the first demo unit and the demo's logins in it (``admin``, ``saksbehandler``,
``koordinator``, ``leder``, ``kvalitet``, and ``verge``, the guardian of ``scene.person`` with a
valid mandate). Every row a builder makes is visible to every login its registry entry reads the
list as. Builders are called again before each read and top the rows up, so a read that writes
a row the list shows (the access log logs its own read) still finds ``n``.

The rows are made to exercise what each list reads: each row is about another person, or by
another user, or links another representative, wherever the serializer or the access log follows
that link, so that a missing ``select_related``/``prefetch_related`` shows as a count that grows.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import count
from typing import Any

from django.utils import timezone

from cases.demo import DemoCase, case_in_flow
from cases.models import Case, HomeVisit
from casework.choices import AccessBasis, AccessSource, StaffRole
from casework.demo.municipality import UNITS
from casework.models import (
    AccessGrant,
    AccessLogEntry,
    Consent,
    Mandate,
    Representative,
    ServiceUser,
    Unit,
    WorkflowTransition,
)
from casework.selectors import Reach, reach_for
from notifications.choices import Channel, DeliveryStatus
from notifications.models import Notification
from plans import services as plan_services
from plans.choices import GoalProgress, ParticipantKind, PlanState, VersionReason
from plans.models import (
    Goal,
    GoalAssessment,
    IndividualPlan,
    Measure,
    Participant,
    PlanReview,
    PlanVersion,
)
from quality_conversations.models import QualityConversation
from responsibility_groups import services as group_services
from responsibility_groups.choices import MemberKind
from responsibility_groups.models import (
    GroupMember,
    Meeting,
    MinutesComment,
    MinutesVersion,
    ResponsibilityGroup,
)
from tests.factories import (
    ConsentFactory,
    MandateFactory,
    MembershipFactory,
    RepresentativeFactory,
    ServiceUserFactory,
    UnitFactory,
    UserFactory,
)

API = "/api/v1/"
_keys = count()


@dataclass
class Scene:
    unit: Unit  # "Bo- og aktivitetstilbud Nord", where the staff logins work
    person: ServiceUser  # a person of the unit, whom ``verge`` represents
    users: dict[str, Any]  # the logins, by demo username
    parents: dict[str, Any] = field(default_factory=dict)  # what nested lists hang under, made once
    _others: list[Any] = field(default_factory=list)

    def reach(self, login: str = "saksbehandler") -> Reach:
        return reach_for(self.users[login])

    def parent(self, key: str, make: Callable[[], Any]) -> Any:
        if key not in self.parents:
            self.parents[key] = make()
        return self.parents[key]

    def people(self, k: int) -> list[ServiceUser]:
        """``k`` new people of the unit (none for ``k`` <= 0)."""
        return [ServiceUserFactory(units=[self.unit]) for _ in range(k)]

    def others(self, k: int) -> list[Any]:
        """``k`` users besides the logins, the same ones on every call (authors, actors, members)."""
        while len(self._others) < k:
            self._others.append(UserFactory(first_name="Kollega", last_name=f"Nr{len(self._others)}"))
        return self._others[:k]


def build_scene() -> Scene:
    unit = UnitFactory(name=UNITS[0])
    users: dict[str, Any] = {"admin": UserFactory(username="admin", superuser=True)}
    for username, role in (
        ("saksbehandler", StaffRole.CASEWORKER),
        ("koordinator", StaffRole.COORDINATOR),
        ("leder", StaffRole.UNIT_MANAGER),
        ("kvalitet", StaffRole.QUALITY_ADMIN),
    ):
        users[username] = MembershipFactory(unit=unit, role=role, user__username=username).user
    person = ServiceUserFactory(units=[unit], first_name="Åse", last_name="Berg")
    users["verge"] = UserFactory(username="verge")
    MandateFactory(representative__service_user=person, representative__user=users["verge"])
    return Scene(unit=unit, person=person, users=users)


def _now() -> datetime.datetime:
    return timezone.now()


# --- casework ----------------------------------------------------------------------------------


def units(scene: Scene, n: int) -> str:
    for _ in range(n - Unit.objects.count()):
        UnitFactory(service_area=scene.unit.service_area)
    return f"{API}units/"


def service_users(scene: Scene, n: int) -> str:
    scene.people(n - ServiceUser.objects.count())
    return f"{API}service-users/"


def representatives(scene: Scene, n: int) -> str:
    for person in scene.people(n - Representative.objects.count()):
        RepresentativeFactory(service_user=person)
    return f"{API}representatives/"


def mandates(scene: Scene, n: int) -> str:
    for person in scene.people(n - Mandate.objects.count()):
        MandateFactory(representative__service_user=person)
    return f"{API}mandates/"


def consents(scene: Scene, n: int) -> str:
    for person in scene.people(n - Consent.objects.count()):
        ConsentFactory(service_user=person, representative=RepresentativeFactory(service_user=person))
    return f"{API}consents/"


def access_log(scene: Scene, n: int) -> str:
    """The log of a new person of the unit, read ``n - 1`` times by others before: the read itself
    is logged before the page is listed, so it is the ``n``-th row. (The log is append-only, so
    each read starts from a person of its own.)"""
    person = scene.people(1)[0]
    AccessLogEntry.objects.bulk_create(
        AccessLogEntry(
            actor=actor,
            actor_role=StaffRole.CASEWORKER,
            service_user=person,
            resource="service_user.detail",
            basis=AccessBasis.UNIT_STAFF,
        )
        for actor in scene.others(n - 1)
    )
    return f"{API}service-users/{person.pk}/access-log/"


def access_reasons(scene: Scene, n: int) -> str:
    stored = AccessGrant.objects.filter(service_user=scene.person).count()
    AccessGrant.objects.bulk_create(
        AccessGrant(
            service_user=scene.person,
            user=user,
            source=AccessSource.EXPLICIT,
            reason="Vikar i enheten",
            since=_now() - datetime.timedelta(days=index + 1),
            until=_now() if index % 3 == 2 else None,  # some reasons have ended
            granted_by=scene.users["leder"],
        )
        for index, user in enumerate(scene.others(n)[stored:], start=stored)
    )
    return f"{API}service-users/{scene.person.pk}/access-reasons/"


# Cases go through the services along the demo's flows (casework.demo.casework_flows): received,
# under assessment with a home visit, decided (a decision row), past the reply deadline.
CASE_FLOWS = ("received", "waiting_for_visit", "decided_no_visit", "past_deadline")


def _cases(scene: Scene, k: int, flows: tuple[str, ...]) -> list[Case]:
    return [
        case_in_flow(
            reach=scene.reach(),
            person=person,
            unit=scene.unit,
            spec=DemoCase(0, "Praktisk bistand i hjemmet", 40, flows[index % len(flows)]),
        )
        for index, person in enumerate(scene.people(k))
    ]


def cases(scene: Scene, n: int) -> str:
    _cases(scene, n - Case.objects.count(), CASE_FLOWS)
    return f"{API}cases/"


def cases_past_deadline(scene: Scene, n: int) -> str:
    _cases(scene, n - Case.objects.count(), ("past_deadline",))
    return f"{API}cases/past-deadline/"


def home_visits(scene: Scene, n: int) -> str:
    _cases(scene, n - HomeVisit.objects.count(), ("waiting_for_visit",))
    return f"{API}home-visits/"


def _workflow_history(scene: Scene, obj: Any, n: int) -> None:
    """Top the history of a workflow object (the engine's one table) up to ``n`` transitions,
    each by another user."""
    rows = WorkflowTransition.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk))
    WorkflowTransition.objects.bulk_create(
        WorkflowTransition(
            object_type=obj._meta.label_lower,
            object_id=str(obj.pk),
            name="note",
            source="received",
            target="received",
            actor=actor,
            comment=f"Merknad {next(_keys)}",
        )
        for actor in scene.others(n)[rows.count() :]
    )


def case_history(scene: Scene, n: int) -> str:
    case = scene.parent("case", lambda: _cases(scene, 1, ("received",))[0])
    _workflow_history(scene, case, n)
    return f"{API}cases/{case.pk}/history/"


def home_visit_history(scene: Scene, n: int) -> str:
    visit = scene.parent("visit", lambda: _cases(scene, 1, ("waiting_for_visit",))[0].home_visits.get())
    _workflow_history(scene, visit, n)
    return f"{API}home-visits/{visit.pk}/history/"


def _conversations(scene: Scene, k: int) -> list[QualityConversation]:
    """``k`` of this year's conversations, each with another person's guardian, still due."""
    return [
        QualityConversation.objects.create(
            service_user=person,
            representative=MandateFactory(representative__service_user=person).representative,
            unit=scene.unit,
            year=timezone.localdate().year,
        )
        for person in scene.people(k)
    ]


def quality_conversations(scene: Scene, n: int) -> str:
    _conversations(scene, n - QualityConversation.objects.count())
    return f"{API}quality-conversations/"


def quality_conversations_not_offered(scene: Scene, n: int) -> str:
    _conversations(scene, n - QualityConversation.objects.count())
    return f"{API}quality-conversations/not-offered/"


def quality_conversation_history(scene: Scene, n: int) -> str:
    conversation = scene.parent("conversation", lambda: _conversations(scene, 1)[0])
    _workflow_history(scene, conversation, n)
    return f"{API}quality-conversations/{conversation.pk}/history/"


# --- plans -------------------------------------------------------------------------------------


def _plans(scene: Scene, k: int) -> list[IndividualPlan]:
    return [
        plan_services.plan_create(
            reach=scene.reach(), service_user=person, unit=scene.unit, coordinator=scene.users["koordinator"]
        )
        for person in scene.people(k)
    ]


def _plan(scene: Scene) -> IndividualPlan:
    return scene.parent("plan", lambda: _plans(scene, 1)[0])


def plans(scene: Scene, n: int) -> str:
    """Plans of the guardian's person that the guardian may see too: completed ones, each with an
    approved version (by another approver), so that staff, the superuser and the guardian read
    the same list, the guardian's through the latest versions (``plan_latest_versions``)."""
    approvers = scene.others(n)
    for index in range(IndividualPlan.objects.count(), n):
        plan = IndividualPlan.objects.create(
            service_user=scene.person,
            unit=scene.unit,
            coordinator=scene.users["koordinator"],
            state=PlanState.COMPLETED,
        )
        PlanVersion.objects.create(
            plan=plan,
            number=1,
            reason=VersionReason.ACTIVATION,
            content={"plan": {"state": "active"}, "goals": [{"text": "Jeg vil bo i egen leilighet."}]},
            created_by=approvers[index],
        )
    return f"{API}plans/"


def plan_history(scene: Scene, n: int) -> str:
    plan = _plan(scene)
    _workflow_history(scene, plan, n)
    return f"{API}plans/{plan.pk}/history/"


def plan_versions(scene: Scene, n: int) -> str:
    plan = _plan(scene)
    PlanVersion.objects.bulk_create(
        PlanVersion(plan=plan, number=number, reason=VersionReason.REVIEW, content={}, created_by=actor)
        for number, actor in enumerate(scene.others(n), start=1)
        if number > plan.versions.count()
    )
    return f"{API}plans/{plan.pk}/versions/"


def plan_goals(scene: Scene, n: int) -> str:
    plan = _plan(scene)
    review = scene.parent(
        "review",
        lambda: PlanReview.objects.create(
            plan=plan, number=1, started_at=_now(), started_by=scene.users["koordinator"]
        ),
    )
    for actor in scene.others(n)[plan.goals.count() :]:
        goal = Goal.objects.create(plan=plan, text=f"Mål {next(_keys)}")
        GoalAssessment.objects.create(
            goal=goal,
            review=review,
            progress=GoalProgress.PARTLY_ACHIEVED,
            assessment="På vei.",
            assessed_by=actor,
        )
    return f"{API}plans/{plan.pk}/goals/"


def _participant(plan: IndividualPlan, index: int, user: Any) -> Participant:
    """Staff, a representative of the person and an external professional, in turn."""
    if index % 3 == 0:
        return Participant(plan=plan, kind=ParticipantKind.STAFF, user=user, role="miljøterapeut")
    if index % 3 == 1:
        representative = RepresentativeFactory(service_user=plan.service_user)
        return Participant(plan=plan, kind=ParticipantKind.REPRESENTATIVE, representative=representative)
    return Participant(
        plan=plan, kind=ParticipantKind.EXTERNAL, name=f"Fastlege {index}", organisation="Legesenter"
    )


def plan_participants(scene: Scene, n: int) -> str:
    plan = _plan(scene)
    stored = plan.participants.count()
    Participant.objects.bulk_create(
        _participant(plan, index, user) for index, user in enumerate(scene.others(n)[stored:], start=stored)
    )
    return f"{API}plans/{plan.pk}/participants/"


def plan_measures(scene: Scene, n: int) -> str:
    plan = _plan(scene)
    stored = plan.measures.count()
    for index, user in enumerate(scene.others(n)[stored:], start=stored):
        responsible = _participant(plan, index, user)
        responsible.save()
        Measure.objects.create(
            plan=plan, description=f"Tiltak {index}", responsible=responsible, position=index
        )
    return f"{API}plans/{plan.pk}/measures/"


def deliveries(scene: Scene, n: int) -> str:
    """The messages about one plan: to the coordinator, the guardian and others, on each channel."""
    plan = _plan(scene)
    rows = Notification.objects.filter(object_type=plan._meta.label_lower, object_id=str(plan.pk))
    channels = (Channel.INBOX, Channel.EMAIL, Channel.SMS)
    Notification.objects.bulk_create(
        Notification(
            key=f"budget:{next(_keys)}",
            kind="plan_approved",
            channel=channels[index % 3],
            status=DeliveryStatus.DELIVERED,
            object_type=plan._meta.label_lower,
            object_id=str(plan.pk),
            service_user=plan.service_user,
            recipient_user=user,
            recipient_name=user.get_full_name(),
            language="nb",
            subject="Den individuelle planen er godkjent",
            body="…",
        )
        for index, user in enumerate(scene.others(n)[rows.count() :])
    )
    return f"{API}notifications/deliveries/?object_type=plan&object_id={plan.pk}"


def inbox(scene: Scene, n: int) -> str:
    """The guardian's inbox: messages about the person they represent."""
    verge = scene.users["verge"]
    stored = Notification.objects.filter(recipient_user=verge).count()
    kinds = (("plan_approved", "plans.individualplan"), ("meeting_invited", "responsibility_groups.meeting"))
    Notification.objects.bulk_create(
        Notification(
            key=f"budget:{next(_keys)}",
            kind=kinds[index % 2][0],
            channel=Channel.INBOX,
            status=DeliveryStatus.DELIVERED,
            object_type=kinds[index % 2][1],
            object_id=str(index + 1),
            service_user=scene.person,
            recipient_user=verge,
            recipient_name="Vera Verge",
            language="nb",
            subject=f"Melding {index}",
            body="…",
            created_at=_now() - datetime.timedelta(minutes=index),
        )
        for index in range(stored, n)
    )
    return f"{API}notifications/"


# --- responsibility groups and meetings ---------------------------------------------------------


def _groups(scene: Scene, k: int) -> list[ResponsibilityGroup]:
    made = []
    for person in scene.people(k):
        ConsentFactory(service_user=person, covers_plan=False, covers_group_sharing=True)
        made.append(
            group_services.group_create(
                reach=scene.reach(),
                service_user=person,
                unit=scene.unit,
                coordinator=scene.users["koordinator"],
            )
        )
    return made


def groups(scene: Scene, n: int) -> str:
    _groups(scene, n - ResponsibilityGroup.objects.count())
    return f"{API}responsibility-groups/"


def groups_overdue(scene: Scene, n: int) -> str:
    made = _groups(scene, n - ResponsibilityGroup.objects.count())
    # Started half a year ago and never met: past a three-month cadence.
    ResponsibilityGroup.objects.filter(pk__in=[g.pk for g in made]).update(
        created_at=_now() - datetime.timedelta(days=180)
    )
    return f"{API}responsibility-groups/overdue/"


def _members_group(scene: Scene) -> ResponsibilityGroup:
    """A group, as yet without members (``group_create`` would seat the person and the coordinator
    at once, and the list could not start at one row)."""
    person = scene.people(1)[0]
    ConsentFactory(service_user=person, covers_plan=False, covers_group_sharing=True)
    return ResponsibilityGroup.objects.create(
        service_user=person, unit=scene.unit, coordinator=scene.users["koordinator"]
    )


def _member(group: ResponsibilityGroup, index: int, user: Any) -> GroupMember:
    """First a guardian whose mandate covers economic matters only (the one kind of member whose
    sharing needs both lookups: a mandate, then a consent), then the person and the coordinator,
    then staff, a guardian with a personal mandate, a relative and an external professional."""
    person = group.service_user
    if index == 0:
        guardian = MandateFactory(representative__service_user=person, economic_only=True).representative
        return GroupMember(group=group, kind=MemberKind.REPRESENTATIVE, representative=guardian)
    if index == 1:
        return GroupMember(group=group, kind=MemberKind.SERVICE_USER)
    if index == 2:
        return GroupMember(group=group, kind=MemberKind.STAFF, user=group.coordinator, role="koordinator")
    if index % 4 == 0:
        return GroupMember(group=group, kind=MemberKind.STAFF, user=user, role="miljøterapeut")
    if index % 4 == 1:
        guardian = MandateFactory(representative__service_user=person).representative
        return GroupMember(group=group, kind=MemberKind.REPRESENTATIVE, representative=guardian)
    if index % 4 == 2:
        relative = RepresentativeFactory(service_user=person)
        return GroupMember(group=group, kind=MemberKind.REPRESENTATIVE, representative=relative)
    return GroupMember(group=group, kind=MemberKind.EXTERNAL, name=f"Fysioterapeut {index}")


def group_members(scene: Scene, n: int) -> str:
    group = scene.parent("group", lambda: _members_group(scene))
    stored = group.members.count()
    GroupMember.objects.bulk_create(
        _member(group, index, user) for index, user in enumerate(scene.others(n)[stored:], start=stored)
    )
    return f"{API}responsibility-groups/{group.pk}/members/"


def _meetings(scene: Scene, k: int) -> list[Meeting]:
    """A meeting in each of ``k`` new groups, on days of its own."""
    made = []
    for group in _groups(scene, k):
        start = (_now() + datetime.timedelta(days=7 + Meeting.objects.count())).replace(microsecond=0)
        made.append(
            group_services.meeting_create(
                reach=scene.reach(),
                group=group,
                starts_at=start,
                ends_at=start + datetime.timedelta(hours=1),
                place="Rådhuset, møterom 2",
                agenda=["Status siden sist"],
            )
        )
    return made


def _meeting(scene: Scene) -> Meeting:
    return scene.parent("meeting", lambda: _meetings(scene, 1)[0])


def meetings(scene: Scene, n: int) -> str:
    _meetings(scene, n - Meeting.objects.count())
    return f"{API}meetings/"


def meeting_history(scene: Scene, n: int) -> str:
    meeting = _meeting(scene)
    _workflow_history(scene, meeting, n)
    return f"{API}meetings/{meeting.pk}/history/"


def meeting_comments(scene: Scene, n: int) -> str:
    meeting = _meeting(scene)
    MinutesComment.objects.bulk_create(
        MinutesComment(meeting=meeting, author=author, version=1, text="Takk for møtet.")
        for author in scene.others(n)[meeting.comments.count() :]
    )
    return f"{API}meetings/{meeting.pk}/minutes/comments/"


def meeting_minutes_versions(scene: Scene, n: int) -> str:
    meeting = _meeting(scene)
    MinutesVersion.objects.bulk_create(
        MinutesVersion(meeting=meeting, number=number, content={"topics": []}, approved_by=user)
        for number, user in enumerate(scene.others(n), start=1)
        if number > meeting.minutes_versions.count()
    )
    return f"{API}meetings/{meeting.pk}/minutes/versions/"
