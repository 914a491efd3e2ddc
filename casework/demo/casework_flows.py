"""Demo cases and quality conversations: cases in every state the services reach, for people of
the demo municipality's first unit, and this year's quality conversations in every state.

Built through the services (``casework.cases`` and ``casework.conversations``), so every step is
audited and has its history, exactly as if the unit's caseworker had clicked through it.

Create-only and idempotent:
- a case is found by its person and the service applied for; an existing case is left alone,
  whatever state it is in now;
- the year's conversations come from the yearly generation (a second run creates nothing), and
  only a conversation still ``due`` is moved, so what someone changed since is never undone.

Not made: appealed and closed cases. The ``Case`` model has the ``appeal`` and ``close``
transitions, but ``casework.cases`` has no service for them (and the demo never bypasses the
services to move a state), so the demo stops at ``decided``.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from casework import cases as case_services
from casework import conversations as conversation_services
from casework.choices import CaseState, ConversationState, DecisionOutcome, HomeVisitMissReason
from casework.models import Case, QualityConversation, ServiceUser, Unit
from casework.selectors import Reach

C = CaseState
Q = ConversationState

COMPLAINT_INFORMATION = (
    "Du kan klage på vedtaket innen tre uker fra du mottok det. Klagen sendes til enheten som har "
    "fattet vedtaket. Du har rett til å se dokumentene i saken (forvaltningsloven §§ 18 og 19)."
)


@dataclass(frozen=True)
class DemoCase:
    """A demo case: whose (position among the first unit's people), what, received how many days
    ago, and how far it goes (``flow``)."""

    person: int
    service: str
    days_ago: int
    flow: str


# The flows:
#   received            received, nothing more
#   waiting_for_visit   under assessment, home visit scheduled in a few days
#   past_deadline       under assessment, home visit planned but not yet scheduled, received 40 days
#                       ago and no provisional reply sent: on the list of cases past the deadline
#   decided_after_visit visit completed (findings, the person's own wishes, the guardian present),
#                       then decided
#   decided_no_visit    a reason recorded why no visit was made, then decided
#   decided_after_miss  the visit was not made (not at home), a reason recorded, then decided
DEMO_CASES = (
    DemoCase(0, "Praktisk bistand i hjemmet", 18, "decided_after_visit"),
    DemoCase(3, "Støttekontakt", 4, "received"),
    DemoCase(4, "Dagaktivitetstilbud", 12, "waiting_for_visit"),
    DemoCase(5, "Omsorgsbolig", 40, "past_deadline"),
    DemoCase(6, "Avlastning", 25, "decided_no_visit"),
    DemoCase(7, "Brukerstyrt personlig assistanse (BPA)", 22, "decided_after_miss"),
)

VISIT_FINDINGS = (
    "Bor alene i toromsleilighet i andre etasje uten heis. Klarer personlig hygiene selv, men "
    "trenger hjelp til rengjøring, klesvask og innkjøp. Kjøleskapet var nesten tomt; har gått ned "
    "i vekt siden i vår ifølge vergen."
)
VISIT_WISHES = (
    "«Jeg vil bo hjemme så lenge jeg kan. Jeg vil gjerne ha hjelp til å handle og vaske, men jeg vil "
    "lage maten selv. Det er best om dere kommer om formiddagen.»"
)
NO_VISIT_REASON = (
    "Hjemmebesøk ble gjennomført i forbindelse med forrige sak for tre måneder siden; situasjonen "
    "er uendret ifølge brukeren og pårørende (telefonsamtale)."
)
AFTER_MISS_REASON = (
    "Ikke hjemme ved avtalt besøk. Saken er tilstrekkelig opplyst gjennom samtale på kontoret og "
    "uttalelse fra fastlegen."
)


def _at(day: datetime.date, hour: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def _soon(days: int, hour: int = 10) -> datetime.datetime:
    """A wall-clock time ``days`` days from today in Oslo (always in the future for days >= 1)."""
    return _at(timezone.localdate() + datetime.timedelta(days=days), hour)


def _scheduled_visit(reach: Reach, case: Case, days: int) -> Any:
    visit = case_services.home_visit_plan(reach=reach, case=case)
    return case_services.home_visit_schedule(reach=reach, visit=visit, at=_soon(days))


@transaction.atomic
def case_in_flow(*, reach: Reach, person: ServiceUser, unit: Unit, spec: DemoCase) -> Case:
    """A case for ``person`` moved through the services along ``spec.flow``."""
    case = case_services.case_create(
        reach=reach,
        service_user=person,
        unit=unit,
        service_applied_for=spec.service,
        received_on=timezone.localdate() - datetime.timedelta(days=spec.days_ago),
    )
    if spec.flow == "received":
        return case
    case = case_services.case_start_assessment(reach=reach, case=case, comment="Saken er fordelt")
    if spec.flow == "waiting_for_visit":
        _scheduled_visit(reach, case, 3)
        return case
    if spec.flow == "past_deadline":
        case_services.home_visit_plan(reach=reach, case=case)
        return case
    if spec.flow == "decided_after_visit":
        # A visit can only be scheduled ahead; it is then recorded as completed (the demo's clock).
        visit = _scheduled_visit(reach, case, 1)
        present = [rep for rep in person.representatives.order_by("pk") if rep.kind == "guardian"][:1]
        case_services.home_visit_complete(
            reach=reach, visit=visit, findings=VISIT_FINDINGS, wishes=VISIT_WISHES, representatives=present
        )
        outcome, services, reasons = (
            DecisionOutcome.GRANTED,
            "Praktisk bistand i hjemmet, 3 timer per uke (rengjøring, klesvask og innkjøp).",
            "Hjemmebesøket viste at du trenger hjelp til praktiske gjøremål for å kunne bo hjemme.",
        )
    elif spec.flow == "decided_no_visit":
        case_services.case_record_no_visit_reason(reach=reach, case=case, reason=NO_VISIT_REASON)
        outcome, services, reasons = (
            DecisionOutcome.PARTLY_GRANTED,
            "Avlastning ett døgn annenhver uke (søkt: hver uke).",
            "Behovet for avlastning er dokumentert, men ikke i det omfanget det er søkt om.",
        )
    elif spec.flow == "decided_after_miss":
        visit = _scheduled_visit(reach, case, 2)
        case_services.home_visit_miss(reach=reach, visit=visit, reason=HomeVisitMissReason.NOT_AT_HOME)
        case_services.case_record_no_visit_reason(reach=reach, case=case, reason=AFTER_MISS_REASON)
        outcome, services, reasons = (
            DecisionOutcome.REFUSED,
            "",
            "Vilkårene for brukerstyrt personlig assistanse er ikke oppfylt; behovet dekkes av "
            "andre tjenester.",
        )
    else:
        raise ValueError(f"no demo flow {spec.flow!r}")
    case_services.case_decide(
        reach=reach,
        case=case,
        outcome=outcome,
        services=services,
        reasons=reasons,
        complaint_information=COMPLAINT_INFORMATION,
    )
    return Case.objects.get(pk=case.pk)


def seed_demo_cases(*, reach: Reach, people: list[ServiceUser], unit: Unit) -> int:
    created = 0
    for spec in DEMO_CASES:
        person = people[spec.person]
        if Case.objects.filter(service_user=person, service_applied_for=spec.service).exists():
            continue
        case_in_flow(reach=reach, person=person, unit=unit, spec=spec)
        created += 1
    return created


# Conversation targets, in the order of the first unit's conversations with a representative (by
# person, then representative): eight eligible representatives (three of them of people also served
# by another unit), so the last two stay due.
FIRST_UNIT_TARGETS = (Q.DOCUMENTED, Q.HELD, Q.SCHEDULED, Q.ACCEPTED, Q.OFFERED, Q.DECLINED)
SUMMARY = (
    "Samtale med vergen om tjenestene det siste året. Fornøyd med hjemmetjenesten, men ønsker "
    "færre ulike ansatte og faste tider. Avtalt: enheten lager fast turnus for brukeren, og "
    "vergen får beskjed ved endringer. Følges opp i neste ansvarsgruppemøte."
)
# The path from due to each state (declined branches off after the offer).
PATHS: dict[str, tuple[str, ...]] = {
    Q.OFFERED: ("offer",),
    Q.ACCEPTED: ("offer", "accept"),
    Q.DECLINED: ("offer", "decline"),
    Q.SCHEDULED: ("offer", "accept", "schedule"),
    Q.HELD: ("offer", "accept", "schedule", "hold"),
    Q.DOCUMENTED: ("offer", "accept", "schedule", "hold", "document"),
}


@transaction.atomic
def conversation_to(*, reach: Reach, conversation: QualityConversation, state: str) -> QualityConversation:
    """Move a ``due`` conversation through the services to ``state``."""
    s = conversation_services
    for step in PATHS[state]:
        if step == "offer":
            conversation = s.conversation_offer(reach=reach, conversation=conversation)
        elif step == "accept":
            conversation = s.conversation_accept(reach=reach, conversation=conversation)
        elif step == "decline":
            conversation = s.conversation_decline(reach=reach, conversation=conversation)
        elif step == "schedule":
            # Scheduling needs a time ahead; holding needs a date in the conversation's year.
            conversation = s.conversation_schedule(reach=reach, conversation=conversation, at=_soon(1, 13))
        elif step == "hold":
            conversation = s.conversation_hold(
                reach=reach, conversation=conversation, on=timezone.localdate()
            )
        else:
            conversation = s.conversation_document(reach=reach, conversation=conversation, summary=SUMMARY)
    return conversation


def _with_representative(unit: Unit, year: int) -> list[QualityConversation]:
    return list(
        QualityConversation.objects.filter(unit=unit, year=year, representative__isnull=False).order_by(
            "service_user_id", "representative_id"
        )
    )


def seed_demo_conversations(*, reach: Reach, unit: Unit) -> tuple[int, int]:
    """This year's conversations for the municipality of ``unit`` (the yearly generation), then
    the first unit's conversations moved by its caseworker ``reach`` to every state. Returns
    (conversations created, conversations moved)."""
    year = timezone.localdate().year
    generated = conversation_services.quality_conversations_generate(
        municipality=unit.service_area.municipality, year=year
    )
    moved = 0
    for conversation, target in zip(_with_representative(unit, year), FIRST_UNIT_TARGETS, strict=False):
        if conversation.state != Q.DUE:
            continue  # moved already (by an earlier run or by someone in the app): left alone
        conversation_to(reach=reach, conversation=conversation, state=target)
        moved += 1
    return generated.created, moved


@dataclass(frozen=True)
class DemoCasework:
    cases: int
    conversations: int
    conversations_moved: int


def seed_demo_casework(*, reach: Reach, people: list[ServiceUser], unit: Unit) -> DemoCasework:
    """Cases of ``people`` (the first unit's demo people) in ``unit`` as its caseworker
    ``reach``, and this year's quality conversations (see ``seed_demo_conversations``)."""
    cases = seed_demo_cases(reach=reach, people=people, unit=unit)
    created, moved = seed_demo_conversations(reach=reach, unit=unit)
    return DemoCasework(cases=cases, conversations=created, conversations_moved=moved)
