"""Demo cases: cases in every state the services reach, for people of the demo municipality's
first unit (the quality conversations' demo is ``quality_conversations.demo``).

Built through the services (``cases.services``), so every step is audited and has its history,
exactly as if the unit's caseworker had clicked through it.

Create-only and idempotent: a case is found by its person and the service applied for; an
existing case is left alone, whatever state it is in now.

Not made: appealed and closed cases. The ``Case`` model has the ``appeal`` and ``close``
transitions, but ``cases.services`` has no service for them (and the demo never bypasses the
services to move a state), so the demo stops at ``decided``.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from cases import services as case_services
from cases.choices import CaseState, DecisionOutcome, HomeVisitMissReason
from cases.models import Case
from casework.demo.times import soon
from casework.models import ServiceUser, Unit
from casework.selectors import Reach

C = CaseState

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


def _scheduled_visit(reach: Reach, case: Case, days: int) -> Any:
    visit = case_services.home_visit_plan(reach=reach, case=case)
    return case_services.home_visit_schedule(reach=reach, visit=visit, at=soon(days))


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
