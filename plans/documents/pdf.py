"""The individual plan as an archival PDF, rendered by WeasyPrint from ``plan_content(plan)``.

A pure function of the content dict: no database, no network, no files. The HTML comes from the
Django template ``plans/plan_pdf.html`` with autoescaping on, so every text a user wrote is printed
as text; the CSS is in the template, so the HTML is complete on its own. WeasyPrint gets no base URL
and a fetcher that refuses every URL (WeasyPrint's security notes: "Access to Local Files"), so
nothing in the document can make it read a file or open a connection.

A caller rendering a frozen version adds ``content["version"] = {"number", "created_at", "reason"}``;
without it the document is a working copy and says so on every page.
"""

from __future__ import annotations

import datetime
from typing import Any

import weasyprint
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext
from weasyprint.urls import URLFetcher

from casework.choices import ConsentGiver
from plans.choices import GoalProgress, ParticipantKind, PlanState, VersionReason

TEMPLATE = "plans/plan_pdf.html"
# WeasyPrint 70 writes PDF/A-3b (XMP metadata with pdfaid:part 3, sRGB output intent, embedded
# fonts); the generated file passes that check here. PDF/A-3 rather than -2 so that a later
# version can attach the FHIR bundle to the PDF.
PDF_VARIANT = "pdf/a-3b"


class URLRefusedError(ValueError):
    """The PDF renderer asked for a URL; none may be loaded."""


class RefusingURLFetcher(URLFetcher):
    """Refuses every URL (http, file, data, ...): the plan PDF needs no external resource.

    WeasyPrint catches the error, logs a warning and leaves the resource out.
    """

    def fetch(self, url: str, headers: Any = None) -> Any:
        raise URLRefusedError(f"The plan PDF loads no URLs: {url[:80]!r}")


def _date(value: str | None) -> datetime.date | datetime.datetime | None:
    if not value:
        return None
    return datetime.datetime.fromisoformat(value) if "T" in value else datetime.date.fromisoformat(value)


def _label(choices: Any, value: str) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return value


def _context(content: dict[str, Any]) -> dict[str, Any]:
    """The content with dates as dates and codes with their (translated) labels."""
    plan = content["plan"]
    person = plan["service_user"]
    consent = plan.get("consent")
    dates = ("period_start", "period_end", "next_review_date")
    context_plan = {
        **plan,
        **{name: _date(plan.get(name)) for name in dates},
        "service_user": {**person, "date_of_birth": _date(person.get("date_of_birth"))},
        "state_label": _label(PlanState, plan["state"]),
        "consent": None,
    }
    if consent:
        covers = [
            gettext("the individual plan") if consent.get("covers_plan") else "",
            gettext("information sharing in the responsibility group")
            if consent.get("covers_group_sharing")
            else "",
        ]
        context_plan["consent"] = {
            "given_by_label": _label(ConsentGiver, consent["given_by"]),
            "valid_from": _date(consent.get("valid_from")),
            "valid_to": _date(consent.get("valid_to")),
            "covers": [text for text in covers if text],
        }
    version = content.get("version")
    return {
        "plan": context_plan,
        "version": None
        if version is None
        else {
            "number": version["number"],
            "created_at": _date(version.get("created_at")),
            "reason_label": _label(VersionReason, version["reason"]) if version.get("reason") else "",
        },
        "goals": [
            {
                **goal,
                "assessments": [
                    {
                        **a,
                        "assessed_at": _date(a.get("assessed_at")),
                        "progress_label": _label(GoalProgress, a["progress"]),
                    }
                    for a in goal["assessments"]
                ],
            }
            for goal in content["goals"]
        ],
        "participants": [
            {**p, "kind_label": _label(ParticipantKind, p["kind"])} for p in content["participants"]
        ],
        "measures": [
            {**m, "start_date": _date(m.get("start_date")), "end_date": _date(m.get("end_date"))}
            for m in content["measures"]
        ],
    }


def plan_html(content: dict[str, Any], language: str = "nb") -> str:
    """The plan as a self-contained HTML document (styles inline, no URLs), in ``language``."""
    with translation.override(language):
        return render_to_string(TEMPLATE, _context(content))


def render_plan_pdf(content: dict[str, Any], *, language: str = "nb") -> bytes:
    """The plan as a PDF/A document with embedded DejaVu Sans fonts."""
    html = weasyprint.HTML(
        string=plan_html(content, language), base_url=None, url_fetcher=RefusingURLFetcher()
    )
    pdf: bytes = html.write_pdf(pdf_variant=PDF_VARIANT)
    return pdf
