"""The plan's PDF and FHIR exports, as pure functions of a content dict (no database).

``content()`` builds the dict ``plans.content.plan_content`` returns, so these tests do not depend on
the services. The PDF is read back with pypdf; the FHIR bundle is parsed with fhir.resources' R4B
models, which check structure and types but not code values, so the status codes are asserted here.
"""

from __future__ import annotations

import datetime
import io
import json
import re
from typing import Any

import pytest
import weasyprint
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.careplan import CarePlan
from fhir.resources.R4B.careteam import CareTeam
from fhir.resources.R4B.goal import Goal
from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

from plans.choices import FHIR_CAREPLAN_STATUS, GoalProgress, ParticipantKind, PlanState
from plans.documents import pdf as pdf_module
from plans.documents.fhir import plan_fhir_bundle
from plans.documents.pdf import render_plan_pdf

PERSON = "Åse Ødegård Berntsen"
HOSTILE = [
    "<script>alert(1)</script>",
    '<img src="file:///etc/passwd">',
    '<link rel=stylesheet href="http://127.0.0.1:9/x.css">',
    "<style>@import url(http://127.0.0.1:9/x)</style>",
]
FHIR_R4_CAREPLAN_CODES = {"draft", "active", "on-hold", "revoked", "completed"}
EXPECTED_CAREPLAN_STATUS = {
    PlanState.DRAFT: "draft",
    PlanState.AWAITING_CONSENT: "draft",
    PlanState.IN_PREPARATION: "draft",
    PlanState.ACTIVE: "active",
    PlanState.UNDER_REVIEW: "active",
    PlanState.ON_HOLD: "on-hold",
    PlanState.COMPLETED: "completed",
    PlanState.WITHDRAWN: "revoked",
    PlanState.DECLINED: "revoked",
}


def content(
    *,
    goals: int = 3,
    measures: int = 4,
    state: str = PlanState.ACTIVE,
    name: str = PERSON,
    goal_text: str = "Jeg vil klare å handle på egen hånd, mål nummer {n}.",
    measure_text: str = "Praktisk bistand i hjemmet, tiltak nummer {n}.",
    version: int | None = None,
) -> dict[str, Any]:
    """A content dict as ``plan_content`` returns it, with a participant of each kind."""
    participants = [
        {
            "id": 11,
            "kind": ParticipantKind.SERVICE_USER,
            "name": name,
            "organisation": "",
            "contact": "",
            "role": "",
            "contribution": "Sier hva jeg ønsker.",
        },
        {
            "id": 12,
            "kind": ParticipantKind.STAFF,
            "name": "Kari Nordmann",
            "organisation": "Hjemmetjenesten",
            "contact": "kari@example.org",
            "role": "Koordinator",
            "contribution": "Kaller inn til møter.",
        },
        {
            "id": 13,
            "kind": ParticipantKind.EXTERNAL,
            "name": "Per Fastlege",
            "organisation": "Legesenteret",
            "contact": "22 22 22 22",
            "role": "Fastlege",
            "contribution": "Medisinsk oppfølging.",
        },
        {
            "id": 14,
            "kind": ParticipantKind.REPRESENTATIVE,
            "name": "Ola Berntsen",
            "organisation": "",
            "contact": "",
            "role": "Verge",
            "contribution": "Økonomi.",
        },
    ]
    data: dict[str, Any] = {
        "schema": 1,
        "plan": {
            "id": 42,
            "state": str(state),
            "unit": {"id": 3, "name": "Hjemmetjenesten Øst"},
            "coordinator": {"id": 5, "name": "Kari Nordmann"},
            "service_user": {"id": 7, "name": name, "date_of_birth": "1965-07-15"},
            "resources": "Liker å gå turer og lage mat.",
            "needs": "Trenger hjelp til å planlegge uka.",
            "cooperation": "NAV (arbeid), fastlege.",
            "period_start": "2025-01-01",
            "period_end": "2025-12-31",
            "next_review_date": "2025-06-30",
            "consent": {
                "id": 9,
                "given_by": "service_user",
                "valid_from": "2025-01-01",
                "valid_to": None,
                "covers_plan": True,
                "covers_group_sharing": True,
            },
        },
        "goals": [
            {
                "id": 100 + n,
                "text": goal_text.format(n=n),
                "assessments": [
                    {
                        "review": 1,
                        "progress": GoalProgress.PARTLY_ACHIEVED,
                        "assessment": f"Godt i gang ({n}).",
                        "assessed_at": "2025-03-01T10:00:00+00:00",
                    },
                ],
            }
            for n in range(1, goals + 1)
        ],
        "participants": participants,
        "measures": [
            {
                "id": 200 + n,
                "description": measure_text.format(n=n),
                "scope": "2 timer per uke",
                "responsible": "Kari Nordmann",
                "responsible_id": 12,
                "how_carried_out": "Hjemmebesøk tirsdag og fredag.",
                "start_date": "2025-01-06",
                "end_date": "2025-12-19" if n % 2 else None,
            }
            for n in range(1, measures + 1)
        ],
    }
    if version is not None:
        data["version"] = {
            "number": version,
            "created_at": "2025-02-03T09:30:00+00:00",
            "reason": "activation",
        }
    return data


def pdf_text(pdf: bytes) -> str:
    """The text of every page, whitespace collapsed (lines wrap anywhere)."""
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    return " ".join(text.split())


def pdf_names(pdf: bytes) -> set[str]:
    """Every dictionary key and name reachable from the trailer (compressed objects included)."""
    seen: set[int] = set()
    names: set[str] = set()
    stack: list[Any] = [PdfReader(io.BytesIO(pdf)).trailer]
    while stack:
        item = stack.pop()
        if isinstance(item, IndirectObject):
            if item.idnum in seen:
                continue
            seen.add(item.idnum)
            item = item.get_object()
        if isinstance(item, DictionaryObject):
            names.update(str(key) for key in item)
            names.update(str(value) for value in item.values() if str(value).startswith("/"))
            stack.extend(item.values())
        elif isinstance(item, ArrayObject):
            stack.extend(item)
    return names


@pytest.fixture
def fetched(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every URL WeasyPrint asks the PDF module's fetcher for (each is still refused)."""
    calls: list[str] = []
    original = pdf_module.RefusingURLFetcher.fetch

    def recording(self: Any, url: str, headers: Any = None) -> Any:
        calls.append(url)
        return original(self, url, headers)

    monkeypatch.setattr(pdf_module.RefusingURLFetcher, "fetch", recording)
    return calls


# PDF


def test_pdf_contains_the_person_every_goal_and_every_measure() -> None:
    data = content(goals=5, measures=7)

    text = pdf_text(render_plan_pdf(data))

    assert PERSON in text
    for goal in data["goals"]:
        assert goal["text"] in text
    for measure in data["measures"]:
        assert measure["description"] in text
    assert "15.07.1965" in text  # date of birth


def test_pdf_has_norwegian_labels_and_page_numbers() -> None:
    text = pdf_text(render_plan_pdf(content()))

    for label in ("Individuell plan", "Mål", "Tiltak", "Deltakere", "Samtykke", "Side 1 av"):
        assert label in text, label


def test_pdf_in_english_when_asked() -> None:
    text = pdf_text(render_plan_pdf(content(), language="en"))

    assert "Individual plan" in text
    assert "Page 1 of" in text
    assert "Individuell plan" not in text


def test_working_copy_says_it_is_not_approved() -> None:
    text = pdf_text(render_plan_pdf(content()))

    assert "Arbeidsutkast – ikke godkjent" in text


def test_version_shows_its_number_and_no_draft_marker() -> None:
    text = pdf_text(render_plan_pdf(content(version=3)))

    assert "Versjon 3, godkjent 03.02.2025" in text
    assert "Arbeidsutkast" not in text


@pytest.mark.parametrize("hostile", HOSTILE)
def test_hostile_text_is_printed_as_text_and_loads_nothing(hostile: str, fetched: list[str]) -> None:
    data = content(
        goals=2,
        measures=2,
        name=f"Ola {hostile}",
        goal_text=hostile + " {n}",
        measure_text=hostile + " tiltak {n}",
    )

    pdf = render_plan_pdf(data)

    text = pdf_text(pdf)
    assert f"Ola {hostile}" in text
    assert f"{hostile} 1" in text
    assert f"{hostile} tiltak 2" in text
    assert fetched == []
    assert "root:x:0:0" not in text
    assert b"/JS" not in pdf
    assert b"/JavaScript" not in pdf
    assert not pdf_names(pdf) & {"/JS", "/JavaScript", "/OpenAction", "/AA", "/Launch", "/URI"}


def test_the_fetcher_refuses_what_raw_html_would_load(fetched: list[str]) -> None:
    """Defence in depth: even unescaped markup reaching WeasyPrint loads nothing."""
    html = (
        '<link rel=stylesheet href="http://127.0.0.1:9/x.css"><style>@import url(http://127.0.0.1:9/y);</style>'
        '<p>x</p><img src="file:///etc/passwd"><img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">'
    )

    pdf = weasyprint.HTML(string=html, base_url=None, url_fetcher=pdf_module.RefusingURLFetcher()).write_pdf()

    assert sorted(fetched) == sorted(
        [
            "http://127.0.0.1:9/x.css",
            "http://127.0.0.1:9/y",
            "file:///etc/passwd",
            "data:image/gif;base64,R0lGODlhAQABAAAAACw=",
        ]
    )
    assert "root:x:0:0" not in pdf_text(pdf)


def test_pdf_declares_pdf_a_and_keeps_names_out_of_the_metadata() -> None:
    pdf = render_plan_pdf(content())

    reader = PdfReader(io.BytesIO(pdf))
    root: Any = reader.trailer["/Root"]
    xmp = root["/Metadata"].get_object().get_data().decode()
    assert 'pdfaid:part="3"' in xmp
    assert 'pdfaid:conformance="B"' in xmp
    assert reader.metadata is not None
    assert reader.metadata.title == "Individuell plan"
    info = " ".join(str(value) for value in reader.metadata.values())
    for text in (info, xmp):
        assert "Åse" not in text
        assert "Berntsen" not in text
        assert "1965" not in text


def test_pdf_embeds_its_fonts() -> None:
    reader = PdfReader(io.BytesIO(render_plan_pdf(content())))

    fonts = [
        font.get_object()
        for page in reader.pages
        for font in page["/Resources"]["/Font"].values()  # type: ignore[index]
    ]
    assert fonts
    for font in fonts:
        descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"].get_object()
        assert "DejaVu" in str(descriptor["/FontName"])
        assert "/FontFile2" in descriptor


# FHIR


def _resources(bundle: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [entry["resource"] for entry in bundle["entry"] if entry["resource"]["resourceType"] == kind]


def test_bundle_and_each_resource_parse_as_r4b() -> None:
    bundle = plan_fhir_bundle(content(goals=2, measures=3, version=2))

    parsed = Bundle.model_validate(bundle)

    assert parsed.type == "collection"
    assert [entry["resource"]["resourceType"] for entry in bundle["entry"]] == [
        "CarePlan",
        "Goal",
        "Goal",
        "CareTeam",
    ]
    models = {"CarePlan": CarePlan, "Goal": Goal, "CareTeam": CareTeam}
    for entry in bundle["entry"]:
        models[entry["resource"]["resourceType"]].model_validate(entry["resource"])


@pytest.mark.parametrize("state", list(PlanState))
def test_careplan_status_of_every_state(state: PlanState) -> None:
    bundle = plan_fhir_bundle(content(state=state))

    (care_plan,) = _resources(bundle, "CarePlan")
    assert care_plan["status"] == EXPECTED_CAREPLAN_STATUS[state] == FHIR_CAREPLAN_STATUS[state]
    assert care_plan["status"] in FHIR_R4_CAREPLAN_CODES
    assert CarePlan.model_validate(care_plan).status == EXPECTED_CAREPLAN_STATUS[state]


def test_careplan_links_its_goals_and_care_team_by_full_url() -> None:
    bundle = plan_fhir_bundle(content(goals=2, measures=3))

    full_urls: dict[str, list[str]] = {}
    for entry in bundle["entry"]:
        assert entry["fullUrl"].startswith("urn:uuid:")
        full_urls.setdefault(entry["resource"]["resourceType"], []).append(entry["fullUrl"])
    (care_plan,) = _resources(bundle, "CarePlan")
    assert care_plan["intent"] == "plan"
    assert care_plan["title"] == "Individuell plan"
    assert care_plan["period"] == {"start": "2025-01-01", "end": "2025-12-31"}
    assert [ref["reference"] for ref in care_plan["goal"]] == full_urls["Goal"]
    assert [ref["reference"] for ref in care_plan["careTeam"]] == full_urls["CareTeam"]
    assert [activity["detail"]["description"].split("\n")[0] for activity in care_plan["activity"]] == [
        "Praktisk bistand i hjemmet, tiltak nummer 1.",
        "Praktisk bistand i hjemmet, tiltak nummer 2.",
        "Praktisk bistand i hjemmet, tiltak nummer 3.",
    ]


def test_activity_status_follows_the_dates() -> None:
    data = content(measures=3)
    data["measures"][0].update(start_date="2025-01-01", end_date="2025-02-01")
    data["measures"][1].update(start_date="2025-01-01", end_date=None)
    data["measures"][2].update(start_date="2025-09-01", end_date=None)

    bundle = plan_fhir_bundle(data, today=datetime.date(2025, 6, 1))

    (care_plan,) = _resources(bundle, "CarePlan")
    assert [a["detail"]["status"] for a in care_plan["activity"]] == ["completed", "in-progress", "scheduled"]


def test_goal_status_follows_the_latest_assessment() -> None:
    data = content(goals=3)
    data["goals"][0]["assessments"].append(
        {
            "review": 2,
            "progress": GoalProgress.ACHIEVED,
            "assessment": "Klarer det.",
            "assessed_at": "2025-06-01",
        }
    )
    data["goals"][1]["assessments"].append(
        {
            "review": 2,
            "progress": GoalProgress.DISCONTINUED,
            "assessment": "Avsluttet.",
            "assessed_at": "2025-06-01",
        }
    )

    goals = _resources(plan_fhir_bundle(data), "Goal")

    assert [g["lifecycleStatus"] for g in goals] == ["completed", "cancelled", "active"]
    assert goals[0]["achievementStatus"]["coding"][0]["code"] == "achieved"
    assert "achievementStatus" not in goals[1]
    assert goals[0]["description"] == {"text": data["goals"][0]["text"]}
    assert len(goals[0]["note"]) == 2


def test_care_team_lists_the_participants() -> None:
    (team,) = _resources(plan_fhir_bundle(content()), "CareTeam")

    assert [
        (p["member"]["display"], p["member"]["type"], p["role"][0]["text"]) for p in team["participant"]
    ] == [
        (PERSON, "Patient", "Tjenestemottakeren"),
        ("Kari Nordmann", "Practitioner", "Koordinator"),
        ("Per Fastlege", "Practitioner", "Fastlege"),
        ("Ola Berntsen", "RelatedPerson", "Verge"),
    ]


def test_the_person_is_a_display_reference_without_identifiers() -> None:
    data = content()
    bundle = plan_fhir_bundle(data)

    (care_plan,) = _resources(bundle, "CarePlan")
    assert care_plan["subject"] == {"type": "Patient", "display": PERSON}
    serialised = json.dumps(bundle, ensure_ascii=False)
    assert '"identifier"' not in serialised
    assert re.search(r"(?<!\d)\d{11}(?!\d)", serialised) is None  # no fødselsnummer-like number
    assert "1965-07-15" not in serialised


def test_same_content_gives_the_same_bundle() -> None:
    first = plan_fhir_bundle(content(goals=2, measures=2, version=1))
    second = plan_fhir_bundle(content(goals=2, measures=2, version=1))

    assert first == second
    assert json.loads(json.dumps(first)) == first
    assert len({entry["fullUrl"] for entry in first["entry"]}) == len(first["entry"])
