"""The Norwegian bokmål catalogue is complete, compiled, and used by the models and the API.

``locale/nb/LC_MESSAGES/django.po`` must have a translation for every message, none fuzzy, with
the placeholders of the English text; the committed ``django.mo`` must hold exactly what the
``.po`` compiles to (a stale ``.mo`` silently serves old or English text). ``nb`` is the default
language; a client asking for English gets English.
"""

from __future__ import annotations

import ast
import gettext
import re
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.utils import translation

from casework.models import ServiceUser
from tests.clients import CheckedClient

LC_MESSAGES = Path(settings.LOCALE_PATHS[0]) / "nb" / "LC_MESSAGES"
PO_FILE = LC_MESSAGES / "django.po"
MO_FILE = LC_MESSAGES / "django.mo"


@dataclass
class Entry:
    msgid: str = ""
    msgid_plural: str | None = None
    msgctxt: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)  # plural index (0 if singular) -> text
    flags: set[str] = field(default_factory=set)
    line: int = 0


_KEYWORD = re.compile(r"^(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+(\".*\")\s*$")


def parse_po(path: Path) -> list[Entry]:
    """A minimal PO reader: enough for the files ``makemessages`` writes. Obsolete entries are skipped."""
    entries: list[Entry] = []
    entry = Entry()
    target: tuple[str, int] | None = None  # which string continuation lines extend

    def finish() -> None:
        nonlocal entry, target
        if entry.msgstr or entry.msgid:
            entries.append(entry)
        entry, target = Entry(), None

    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line:
            finish()
        elif line.startswith("#,"):
            if entry.msgstr:  # a new entry starts without a blank line
                finish()
            entry.flags |= {flag.strip() for flag in line[2:].split(",") if flag.strip()}
        elif line.startswith("#"):
            continue  # translator, extracted, reference and obsolete (#~) comments
        elif line.startswith('"'):
            assert target is not None, f"{path}:{number}: continuation line outside a string"
            text: str = ast.literal_eval(line)
            kind, index = target
            if kind == "msgstr":
                entry.msgstr[index] += text
            else:
                setattr(entry, kind, getattr(entry, kind) + text)
        else:
            match = _KEYWORD.match(line)
            assert match, f"{path}:{number}: cannot parse {raw!r}"
            keyword, plural_index, quoted = match.groups()
            text = str(ast.literal_eval(quoted))
            if keyword in {"msgctxt", "msgid"} and entry.msgstr:
                finish()
            if keyword.startswith("msgstr"):
                position = int(plural_index) if plural_index is not None else 0
                entry.msgstr[position] = text
                target = ("msgstr", position)
            else:
                if keyword == "msgid" and not entry.line:
                    entry.line = number
                setattr(entry, keyword, text)
                target = (keyword, 0)
    finish()
    return entries


def _messages() -> list[Entry]:
    return [entry for entry in parse_po(PO_FILE) if entry.msgid != ""]


def _where(entry: Entry) -> str:
    return f"{PO_FILE.name}:{entry.line} {entry.msgid!r}"


# %(name)s, %s, %d ... and {name} / {0} placeholders (not %% or {{ }}).
_PLACEHOLDER = re.compile(r"%\([^)]+\)[#0 +-]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]|%[diouxXeEfFgGcrsa]|\{[^{}]*\}")


@pytest.fixture(autouse=True)
def _reset_language() -> Iterator[None]:
    """LocaleMiddleware activates the request's language in this thread; do not leak it."""
    yield
    translation.deactivate()


# --- (a) the catalogue is complete ------------------------------------------------------------


def test_po_file_exists_and_has_messages() -> None:
    assert PO_FILE.is_file(), f"{PO_FILE} is missing: run makemessages -l nb"
    assert len(_messages()) > 50


def test_po_header_declares_bokmaal_utf8_and_plural_forms() -> None:
    header = next(entry for entry in parse_po(PO_FILE) if entry.msgid == "")
    assert "fuzzy" not in header.flags, "the header is still marked fuzzy"
    fields = dict(line.split(": ", 1) for line in header.msgstr[0].splitlines() if ": " in line)
    assert fields["Language"] == "nb"
    assert fields["Content-Type"] == "text/plain; charset=UTF-8"
    assert fields["Plural-Forms"] == "nplurals=2; plural=(n != 1);"


def test_every_message_is_translated_and_none_is_fuzzy() -> None:
    problems = []
    for entry in _messages():
        if "fuzzy" in entry.flags:
            problems.append(f"fuzzy: {_where(entry)}")
        expected = 2 if entry.msgid_plural is not None else 1
        if len(entry.msgstr) != expected or not all(text.strip() for text in entry.msgstr.values()):
            problems.append(f"untranslated: {_where(entry)}")
    assert not problems, "\n".join(problems)


def test_translations_keep_the_placeholders() -> None:
    problems = []
    for entry in _messages():
        for index, text in entry.msgstr.items():
            source = entry.msgid_plural if index > 0 and entry.msgid_plural else entry.msgid
            expected = sorted(_PLACEHOLDER.findall(source))
            if sorted(_PLACEHOLDER.findall(text)) != expected:
                problems.append(f"placeholders differ in msgstr[{index}]: {_where(entry)} -> {text!r}")
    assert not problems, "\n".join(problems)


# --- (b) the compiled catalogue matches the .po -----------------------------------------------


def _catalog(path: Path) -> dict[Any, str]:
    with path.open("rb") as handle:
        return dict(gettext.GNUTranslations(handle)._catalog)


def test_compiled_mo_matches_the_po(tmp_path: Path) -> None:
    """Compare what the .mo serves with a fresh compile of the .po (mtimes lie after a checkout)."""
    assert MO_FILE.is_file(), f"{MO_FILE} is missing: run compilemessages -l nb"
    msgfmt = shutil.which("msgfmt")
    if msgfmt is None:
        pytest.skip("GNU gettext's msgfmt is not installed: cannot compile the .po to compare")
    fresh = tmp_path / "django.mo"
    subprocess.run([msgfmt, "--check", "-o", str(fresh), str(PO_FILE)], check=True)  # noqa: S603
    committed, expected = _catalog(MO_FILE), _catalog(fresh)
    stale = sorted(
        repr(key) for key in committed.keys() | expected.keys() if committed.get(key) != expected.get(key)
    )
    assert not stale, "django.mo is out of date; run compilemessages -l nb. Differs: " + ", ".join(stale)


# --- (c) the translations are used ------------------------------------------------------------


def test_model_verbose_name_in_bokmaal() -> None:
    with translation.override("nb"):
        assert str(ServiceUser._meta.verbose_name) == "tjenestemottaker"
        assert str(ServiceUser._meta.verbose_name_plural) == "tjenestemottakere"
    with translation.override("en"):
        assert str(ServiceUser._meta.verbose_name) == "service user"


@pytest.mark.django_db
def test_api_problem_title_is_norwegian_by_default(client: CheckedClient) -> None:
    response = client.get("/api/v1/service-users/")
    assert response.status_code == 401
    assert response.headers["Content-Language"] == "nb"
    assert response.json()["title"] == "Ikke autentisert"


@pytest.mark.django_db
def test_api_problem_title_is_english_on_request(client: CheckedClient) -> None:
    response = client.get("/api/v1/service-users/", headers={"accept-language": "en"})
    assert response.status_code == 401
    assert response.headers["Content-Language"] == "en"
    assert response.json()["title"] == "Not authenticated"
