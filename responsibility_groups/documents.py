"""The minutes of a responsibility-group meeting as an archival PDF, rendered by WeasyPrint.

A pure function of the minutes dict (``minutes_content(meeting)`` or an approved
``MinutesVersion.content``): no database, no network, no files. The same safety rules as the plan
PDF (ADR 0007): the HTML comes from ``responsibility_groups/minutes_pdf.html`` with autoescaping
on, so every text a user wrote is printed as text; WeasyPrint gets no base URL and the plan PDF's
fetcher that refuses every URL; the document is PDF/A-3b with embedded DejaVu Sans. The video link
is printed as text, not as a link.

``version`` is ``None`` for a draft (marked as not approved on every page) or
``{"number", "approved_at", "approved_by"}`` for an approved version.

WeasyPrint is imported only when a PDF is asked for: the service starts without Pango.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.template.loader import render_to_string
from django.utils import translation

from responsibility_groups.choices import MemberKind

TEMPLATE = "responsibility_groups/minutes_pdf.html"


def _datetime(value: str | None) -> datetime.datetime | None:
    return datetime.datetime.fromisoformat(value) if value else None


def _date(value: str | None) -> datetime.date | None:
    return datetime.date.fromisoformat(value[:10]) if value else None


def _kind_label(value: str) -> str:
    try:
        return str(MemberKind(value).label)
    except ValueError:
        return value


def _context(content: dict[str, Any], version: dict[str, Any] | None) -> dict[str, Any]:
    """The content with dates as dates, kinds with their (translated) labels, attendees split."""
    meeting = content["meeting"]
    starts_at = _datetime(meeting.get("starts_at"))
    ends_at = _datetime(meeting.get("ends_at"))
    attendees = [{**a, "kind_label": _kind_label(a.get("kind", ""))} for a in content["attendees"]]
    return {
        "group": content["group"],
        "meeting": {
            **meeting,
            "starts_at": starts_at,
            "ends_at": ends_at,
            "same_day": bool(starts_at and ends_at and starts_at.date() == ends_at.date()),
        },
        "attendance": [
            {"present": present, "people": [a for a in attendees if bool(a.get("attended")) is present]}
            for present in (True, False)
        ],
        "agenda": content["agenda"],
        "topics": content["topics"],
        "agreements": [{**a, "deadline": _date(a.get("deadline"))} for a in content["agreements"]],
        "version": None
        if version is None
        else {
            "number": version["number"],
            "approved_at": _datetime(version.get("approved_at")),
            "approved_by": version.get("approved_by") or "",
        },
    }


def minutes_html(
    content: dict[str, Any], *, language: str = "nb", version: dict[str, Any] | None = None
) -> str:
    """The minutes as a self-contained HTML document (styles inline, no URLs), in ``language``."""
    with translation.override(language):
        return render_to_string(TEMPLATE, _context(content, version))


def render_minutes_pdf(
    content: dict[str, Any], *, language: str = "nb", version: dict[str, Any] | None = None
) -> bytes:
    """The minutes as a PDF/A document with embedded DejaVu Sans fonts."""
    # WeasyPrint needs Pango (and the plan PDF module imports it): load them only when asked.
    import weasyprint

    from plans.documents.pdf import PDF_VARIANT, RefusingURLFetcher

    html = weasyprint.HTML(
        string=minutes_html(content, language=language, version=version),
        base_url=None,
        url_fetcher=RefusingURLFetcher(),
    )
    pdf: bytes = html.write_pdf(pdf_variant=PDF_VARIANT)
    return pdf
