"""The minutes PDF, as a pure function of a minutes dict (no database).

``content()`` builds the dict ``responsibility_groups.minutes.minutes_content`` returns (and an
approved ``MinutesVersion.content`` holds). The PDF is read back with pypdf. The fetcher is the plan
PDF's ``RefusingURLFetcher``; recording its calls shows that nothing in the minutes makes WeasyPrint
ask for a URL at all.
"""

from __future__ import annotations

import io
from typing import Any

import pytest
from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

from plans.documents import pdf as pdf_module
from responsibility_groups.choices import MemberKind
from responsibility_groups.documents import minutes_html, render_minutes_pdf

PERSON = "Åse Ødegård Berntsen"
HOSTILE = [
    "<script>alert(1)</script>",
    '<img src="file:///etc/passwd">',
    '<link href="http://127.0.0.1:9/x.css" rel=stylesheet>',
]
VERSION = {"number": 2, "approved_at": "2025-03-05T14:10:00+01:00", "approved_by": "Kari Nordmann"}


def content(*, name: str = PERSON, text: str = "", topics: int = 2, agreements: int = 2) -> dict[str, Any]:
    """A minutes dict as ``minutes_content`` returns it; ``text`` is put into every user-written field."""
    return {
        "schema": 1,
        "meeting": {
            "id": 31,
            "starts_at": "2025-03-04T10:00:00+01:00",
            "ends_at": "2025-03-04T11:30:00+01:00",
            "place": f"Rådhuset, møterom 2{text}",
            "video_link": "https://meet.example.org/abc-123",
        },
        "group": {
            "id": 8,
            "service_user": name,
            "unit": "Hjemmetjenesten Øst",
            "coordinator": "Kari Nordmann",
        },
        "attendees": [
            {
                "member": 1,
                "name": name,
                "kind": MemberKind.SERVICE_USER,
                "role": "",
                "organisation": "",
                "attended": True,
            },
            {
                "member": 2,
                "name": "Kari Nordmann",
                "kind": MemberKind.STAFF,
                "role": "Koordinator",
                "organisation": "Hjemmetjenesten Øst",
                "attended": True,
            },
            {
                "member": 3,
                "name": f"Per Fastlege{text}",
                "kind": MemberKind.EXTERNAL,
                "role": f"Fastlege{text}",
                "organisation": f"Legesenteret{text}",
                "attended": False,
            },
            {
                "member": 4,
                "name": "Ola Berntsen",
                "kind": MemberKind.REPRESENTATIVE,
                "role": "Verge",
                "organisation": "",
                "attended": True,
            },
        ],
        "agenda": [f"Status siden sist{text}", "Evaluering av planen"],
        "topics": [
            {"title": f"Tema nummer {n}{text}", "notes": f"Notat til tema {n}.{text}\nAndre linje."}
            for n in range(1, topics + 1)
        ],
        "agreements": [
            {
                "text": f"Avtale nummer {n}{text}",
                "owner": "Kari Nordmann" if n % 2 else f"Ola Berntsen{text}",
                "deadline": f"2025-04-{n:02d}" if n % 2 else None,
            }
            for n in range(1, agreements + 1)
        ],
    }


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
    """Every URL WeasyPrint asks the plan PDF's fetcher for (each is still refused)."""
    calls: list[str] = []
    original = pdf_module.RefusingURLFetcher.fetch

    def recording(self: Any, url: str, headers: Any = None) -> Any:
        calls.append(url)
        return original(self, url, headers)

    monkeypatch.setattr(pdf_module.RefusingURLFetcher, "fetch", recording)
    return calls


def test_pdf_contains_the_meeting_topics_agreements_and_attendees() -> None:
    data = content(topics=4, agreements=3)

    text = pdf_text(render_minutes_pdf(data))

    for expected in (PERSON, "Hjemmetjenesten Øst", "Kari Nordmann", "Rådhuset, møterom 2"):
        assert expected in text, expected
    assert "https://meet.example.org/abc-123" in text
    assert "04.03.2025 10:00–11:30" in text
    for attendee in data["attendees"]:
        assert attendee["name"] in text
    assert "Koordinator" in text
    assert "Legesenteret" in text
    for item in data["agenda"]:
        assert item in text
    for topic in data["topics"]:
        assert topic["title"] in text
        assert topic["notes"].split("\n")[0] in text
    for agreement in data["agreements"]:
        assert agreement["text"] in text
    assert "Avtale nummer 1 Kari Nordmann 01.04.2025" in text  # one row: agreement, owner, deadline
    assert "Avtale nummer 2 Ola Berntsen –" in text  # no deadline


def test_attendees_are_split_into_present_and_not_present() -> None:
    text = pdf_text(render_minutes_pdf(content(), language="en"))

    present, absent = text.split("Present", 1)[1].split("Not present", 1)
    assert "Kari Nordmann" in present
    assert "Ola Berntsen" in present
    assert "Per Fastlege" not in present
    assert "Per Fastlege" in absent.split("Agenda", 1)[0]


def test_pdf_has_norwegian_labels_and_page_numbers() -> None:
    pdf = render_minutes_pdf(content())

    text = pdf_text(pdf)
    metadata = PdfReader(io.BytesIO(pdf)).metadata
    assert metadata is not None
    assert metadata.title == "Referat"

    for label in (
        "Referat fra ansvarsgruppemøte",
        "Referat",  # page header
        "Enhet",
        "Koordinator",
        "Til stede",
        "Ikke til stede",
        "Saksliste",
        "Avtaler",
        "Ansvarlig",
        "Frist",
        "Side 1 av",
    ):
        assert label in text, label


def test_pdf_in_english_when_asked() -> None:
    text = pdf_text(render_minutes_pdf(content(), language="en"))

    assert "Minutes of responsibility-group meeting" in text
    assert "Page 1 of" in text
    assert "Referat" not in text


def test_draft_says_it_is_not_approved() -> None:
    text = pdf_text(render_minutes_pdf(content()))

    assert "Utkast – ikke godkjent" in text
    assert "Versjon" not in text


def test_version_shows_its_number_approval_and_no_draft_marker() -> None:
    text = pdf_text(render_minutes_pdf(content(), version=VERSION))

    assert "Versjon 2, godkjent 05.03.2025 av Kari Nordmann" in text
    assert "Utkast" not in text


def test_draft_and_version_in_english() -> None:
    draft = pdf_text(render_minutes_pdf(content(), language="en"))
    approved = pdf_text(render_minutes_pdf(content(), language="en", version=VERSION))

    assert "Draft – not approved" in draft
    assert "Version 2, approved" in approved
    assert "by Kari Nordmann" in approved
    assert "Draft" not in approved


@pytest.mark.parametrize("hostile", HOSTILE)
def test_hostile_text_is_printed_as_text_and_loads_nothing(hostile: str, fetched: list[str]) -> None:
    data = content(name=f"Ola {hostile}", text=f" {hostile}")

    pdf = render_minutes_pdf(data, version={**VERSION, "approved_by": f"Kari {hostile}"})

    text = pdf_text(pdf)
    squeezed = "".join(text.split())  # narrow table columns wrap the markup inside words
    for expected in (
        f"Ola {hostile}",
        f"Tema nummer 1 {hostile}",
        f"Avtale nummer 2 {hostile}",
        f"Per Fastlege {hostile}",
        f"Status siden sist {hostile}",
        f"Kari {hostile}",  # approved by
    ):
        assert "".join(expected.split()) in squeezed, expected
    assert f"Ola {hostile}" in text
    assert fetched == []
    assert "root:x:0:0" not in text
    assert b"/JS" not in pdf
    assert b"/JavaScript" not in pdf
    assert not pdf_names(pdf) & {"/JS", "/JavaScript", "/OpenAction", "/AA", "/Launch", "/URI"}


def test_html_escapes_every_user_text() -> None:
    html = minutes_html(content(name="Ola <script>x</script>", text=' <img src="file:///etc/passwd">'))

    assert "<script>" not in html
    assert "<img" not in html
    assert "&lt;script&gt;" in html
    assert "&lt;img src=&quot;file:///etc/passwd&quot;&gt;" in html


def test_pdf_declares_pdf_a_and_keeps_names_out_of_the_metadata() -> None:
    pdf = render_minutes_pdf(content(), version=VERSION)

    reader = PdfReader(io.BytesIO(pdf))
    root: Any = reader.trailer["/Root"]
    xmp = root["/Metadata"].get_object().get_data().decode()
    assert "pdfaid" in xmp
    assert 'pdfaid:part="3"' in xmp
    assert 'pdfaid:conformance="B"' in xmp
    assert reader.metadata is not None
    info = " ".join(str(value) for value in reader.metadata.values())
    for text in (info, xmp):
        assert "Åse" not in text
        assert "Berntsen" not in text


def test_many_topics_run_over_pages_with_header_and_numbers() -> None:
    reader = PdfReader(io.BytesIO(render_minutes_pdf(content(topics=40, agreements=30))))

    pages = len(reader.pages)
    assert pages > 1
    last = " ".join(reader.pages[-1].extract_text().split())
    assert f"Side {pages} av {pages}" in last
    assert PERSON in last  # running header
