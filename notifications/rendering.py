"""Rendering a message from its template in the recipient's language.

Message templates are plain text rendered without autoescaping (an email's text part and an SMS
are not HTML); the HTML part is built by the ordinary, autoescaping engine from the rendered
paragraphs, so user text (a place, a reason for cancelling) is escaped there.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.template import Context, Engine, Template, TemplateDoesNotExist
from django.template.loader import render_to_string
from django.utils import timezone, translation

from notifications.catalogue import FALLBACK_LANGUAGE

TEMPLATE_DIR = Path(__file__).resolve().parent / "templates" / "notifications" / "messages"


@cache
def _engine() -> Engine:
    return Engine(
        dirs=[str(TEMPLATE_DIR)], autoescape=False, libraries={}, builtins=["django.templatetags.l10n"]
    )


@dataclass(frozen=True)
class Rendered:
    subject: str
    body: str
    language: str


def template_name(kind: str, language: str) -> str:
    return f"{kind}.{language}.txt"


def message_template(kind: str, language: str) -> tuple[Template, str]:
    """The template for ``kind`` in ``language``, else in bokmål (and the language used)."""
    try:
        return _engine().get_template(template_name(kind, language)), language
    except TemplateDoesNotExist:
        if language == FALLBACK_LANGUAGE:
            raise
        return _engine().get_template(template_name(kind, FALLBACK_LANGUAGE)), FALLBACK_LANGUAGE


def render_message(kind: str, language: str, context: dict[str, Any]) -> Rendered:
    template, used = message_template(kind, language)
    full = {**context, "base_url": settings.PUBLIC_BASE_URL}
    with translation.override(used), timezone.override(settings.TIME_ZONE):
        text = template.render(Context(full, autoescape=False))
    subject, _, body = text.strip().partition("\n")
    return Rendered(subject=subject.strip(), body=_tidy(body), language=used)


def _tidy(body: str) -> str:
    """Template tags leave blank lines behind: keep at most one between paragraphs."""
    lines = [line.rstrip() for line in body.strip().splitlines()]
    tidy: list[str] = []
    for line in lines:
        if line or (tidy and tidy[-1]):
            tidy.append(line)
    return "\n".join(tidy)


def paragraphs(body: str) -> list[str]:
    return [part.strip() for part in body.split("\n\n") if part.strip()]


def render_html(subject: str, body: str, language: str) -> str:
    return render_to_string(
        "notifications/email.html",
        {
            "subject": subject,
            "paragraphs": paragraphs(body),
            "language": language,
            "base_url": settings.PUBLIC_BASE_URL,
        },
    )


def sms_text(subject: str) -> str:
    return f"Medvirk: {subject}\n{settings.PUBLIC_BASE_URL}"
