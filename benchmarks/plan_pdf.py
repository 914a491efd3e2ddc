"""Time and memory of the plan PDF: 20 goals (two assessments each) and 60 measures.

    .venv/bin/python benchmarks/plan_pdf.py [--renders 10]

No database: the content dict is built here, as ``plans.content.plan_content`` would return it,
with Norwegian text of realistic length. Two modes:

- ``render_plan_pdf``: the whole export, template rendering included;
- ``weasyprint``: WeasyPrint alone rendering the same HTML string (made once, untimed) with the
  same PDF variant and URL fetcher.

Each mode runs in a fresh subprocess, so that their memory does not mix: one untimed render first
(font configuration and caches warm up; printed as "cold"), then ``--renders`` timed ones. Memory
is that subprocess's peak resident set size (``ru_maxrss``) at the end, which includes the
interpreter, Django and WeasyPrint; the peak before the first render is printed too, so the
difference is what rendering adds.

The ratio comes from a third subprocess that alternates the two modes render by render, so that
load from other processes on the machine falls on both alike; the medians of the isolated runs
are printed too. Targets of issue 3: PDF <= 1 s, ratio <= 1.2, peak RSS <= 200 MB.
"""

from __future__ import annotations

import argparse
import io
import json
import logging
import os
import random
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()
# WeasyPrint's progress and fontTools' subsetting log at INFO: keep them out of the output and timing.
for _logger in ("weasyprint", "fontTools"):
    logging.getLogger(_logger).setLevel(logging.WARNING)

import weasyprint
from pypdf import PdfReader

from plans.documents.pdf import PDF_VARIANT, RefusingURLFetcher, plan_html, render_plan_pdf

MODES = ("render_plan_pdf", "weasyprint")
PAIRED = "paired"
TARGET_SECONDS, TARGET_RATIO, TARGET_RSS_MB = 1.0, 1.2, 200

WISHES = [
    "Jeg vil klare å handle mat på egen hånd på nærbutikken",
    "Jeg ønsker å bo i egen leilighet med litt hjelp i hverdagen",
    "Jeg vil ha en jobb eller et arbeidstilbud to dager i uka",
    "Jeg vil gå tur med hunden hver dag uten å bli for sliten",
    "Jeg ønsker å ha bedre kontakt med søsteren min og barna hennes",
    "Jeg vil lære meg å lage enkle middager selv",
    "Jeg vil sove bedre om natta og ha faste rutiner",
    "Jeg ønsker å komme meg ut og treffe andre minst én gang i uka",
    "Jeg vil klare å ta bussen alene til sentrum og tilbake",
    "Jeg vil ha oversikt over økonomien min og betale regningene i tide",
]
BECAUSE = [
    "fordi det gjør at jeg føler meg mer selvstendig",
    "slik at jeg slipper å være avhengig av andre for alt",
    "for da blir dagene mer forutsigbare for meg",
    "fordi jeg savner å være en del av noe",
    "så jeg kan bestemme mer over min egen hverdag",
]
ASSESSMENTS = [
    "Har kommet godt i gang, men trenger fortsatt påminnelser fra personalet.",
    "Målet er delvis nådd; Åse handler nå selv to av tre ganger, med følge på de andre.",
    "Lite framgang denne perioden på grunn av sykdom i familien. Vi fortsetter som før.",
    "Målet er nådd og følges opp videre med lavere innsats fra tjenesten.",
    "Tiltaket fungerer godt, og Åse uttrykker at hun er fornøyd med utviklingen så langt.",
]
MEASURES = [
    "Praktisk bistand til innkjøp av dagligvarer",
    "Opplæring i matlaging i egen bolig",
    "Støttekontakt for sosiale aktiviteter på fritiden",
    "Hjemmesykepleie for medisinhåndtering morgen og kveld",
    "Oppfølging fra NAV med arbeidsrettet tiltak",
    "Veiledning i bruk av kollektivtransport",
    "Samtaler med psykiatrisk sykepleier hver fjortende dag",
    "Hjelp til å sette opp ukeplan og faste rutiner",
    "Avlastning for pårørende én helg i måneden",
    "Fysioterapi med fokus på gangfunksjon og utholdenhet",
]
HOW = [
    "Personalet møter opp hjemme hos Åse til avtalt tid og går gjennom handlelisten sammen med "
    "henne før de går til butikken. Åse bestemmer selv hva som skal handles.",
    "Gjennomføres som hjemmebesøk. Tjenesten ringer dagen før for å bekrefte tidspunktet, og "
    "endringer avtales direkte med Åse eller vergen.",
    "Foregår på dagsenteret og i nærmiljøet. Aktivitetene velges ut fra Åses ønsker og evalueres "
    "på hvert ansvarsgruppemøte.",
    "Koordinator følger opp at tiltaket er i gang og tar kontakt med samarbeidspartnerne ved behov "
    "for endringer.",
]
SCOPES = ["2 timer per uke", "30 minutter daglig", "Hver 14. dag", "3 dager per uke", "Inntil 4 t/mnd"]
ROLES = ["Koordinator", "Primærkontakt", "Fastlege", "Miljøterapeut", "Fysioterapeut"]
NAMES = ["Kari Nordmann", "Per Hansen", "Ingrid Solberg", "Jørgen Lie", "Siri Bakken", "Øystein Dahl"]


def plan_content(goals: int = 20, measures: int = 60) -> dict[str, Any]:
    """A plan's content dict, deterministic, with the shape ``plan_content`` gives."""
    rng = random.Random(3)
    participants = [
        {
            "id": 10 + i,
            "kind": "staff" if i < 4 else "external",
            "name": name,
            "organisation": "Hjemmetjenesten Øst" if i < 4 else "Legesenteret på Ås",
            "contact": f"{name.split()[0].lower()}@example.org, 4{i}0 00 00{i}",
            "role": rng.choice(ROLES),
            "contribution": rng.choice(HOW),
        }
        for i, name in enumerate(NAMES)
    ]
    paragraph = " ".join(ASSESSMENTS + HOW[:2])
    cooperation = "NAV Ås (arbeid og økonomi), fastlegen, DPS poliklinikk og Frisklivssentralen. " * 3
    return {
        "schema": 1,
        "plan": {
            "id": 1,
            "state": "active",
            "unit": {"id": 1, "name": "Hjemmetjenesten Øst"},
            "coordinator": {"id": 10, "name": NAMES[0]},
            "service_user": {"id": 1, "name": "Åse Ødegård Berntsen", "date_of_birth": "1965-07-15"},
            "resources": paragraph,
            "needs": paragraph,
            "cooperation": cooperation,
            "period_start": "2025-01-01",
            "period_end": "2026-12-31",
            "next_review_date": "2025-09-30",
            "consent": {
                "id": 1,
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
                "text": f"{rng.choice(WISHES)}, {rng.choice(BECAUSE)}.",
                "assessments": [
                    {
                        "review": review,
                        "progress": rng.choice(["partly_achieved", "not_achieved", "continued", "achieved"]),
                        "assessment": " ".join(rng.sample(ASSESSMENTS, 2)),
                        "assessed_at": f"2025-0{3 * review}-15T10:00:00+00:00",
                    }
                    for review in (1, 2)
                ],
            }
            for n in range(goals)
        ],
        "participants": participants,
        "measures": [
            {
                "id": 200 + n,
                "description": f"{rng.choice(MEASURES)} ({n + 1})",
                "scope": rng.choice(SCOPES),
                "responsible": rng.choice(NAMES),
                "responsible_id": 10,
                "how_carried_out": rng.choice(HOW),
                "start_date": "2025-01-06",
                "end_date": rng.choice([None, "2025-12-19"]),
            }
            for n in range(measures)
        ],
    }


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


def _renderer(mode: str, content: dict[str, Any], html: str) -> Callable[[], bytes]:
    def full() -> bytes:
        return render_plan_pdf(content)

    def weasyprint_alone() -> bytes:
        document = weasyprint.HTML(string=html, base_url=None, url_fetcher=RefusingURLFetcher())
        pdf: bytes = document.write_pdf(pdf_variant=PDF_VARIANT)
        return pdf

    return full if mode == "render_plan_pdf" else weasyprint_alone


def _timed(render: Callable[[], bytes]) -> tuple[float, bytes]:
    started = time.perf_counter()
    pdf = render()
    return time.perf_counter() - started, pdf


def run_mode(mode: str, renders: int) -> dict[str, Any]:
    """One mode (or both alternating, for ``paired``) in this process: the figures as a dict."""
    content = plan_content()
    html = plan_html(content, "nb")
    rss_before = _peak_rss_mb()
    if mode == PAIRED:
        renderers = {name: _renderer(name, content, html) for name in MODES}
        for render in renderers.values():
            render()
        timings: dict[str, list[float]] = {name: [] for name in MODES}
        for i in range(renders):
            order = MODES if i % 2 == 0 else MODES[::-1]
            for name in order:
                timings[name].append(_timed(renderers[name])[0])
        return {"timings": timings}
    render = _renderer(mode, content, html)
    cold, pdf = _timed(render)
    runs = [_timed(render) for _ in range(renders)]
    pdf = runs[-1][1] if runs else pdf
    return {
        "timings": [seconds for seconds, _pdf in runs],
        "cold": cold,
        "rss_before": rss_before,
        "rss_peak": _peak_rss_mb(),
        "pages": len(PdfReader(io.BytesIO(pdf)).pages),
        "bytes": len(pdf),
        "html_bytes": len(html.encode()),
    }


def _subprocess(mode: str, renders: int) -> dict[str, Any]:
    out = subprocess.run(  # noqa: S603 - this script, fixed arguments
        [sys.executable, __file__, "--mode", mode, "--renders", str(renders)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    result: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--renders", type=int, default=10)
    parser.add_argument("--mode", choices=(*MODES, PAIRED), help=argparse.SUPPRESS)  # one subprocess
    args = parser.parse_args()
    if args.mode:
        print(json.dumps(run_mode(args.mode, args.renders)))
        return 0

    results = {mode: _subprocess(mode, args.renders) for mode in MODES}
    paired = _subprocess(PAIRED, args.renders)["timings"]

    full = results["render_plan_pdf"]
    print(
        f"plan PDF: 20 goals (2 assessments each), 60 measures; {full['pages']} pages, "
        f"{full['bytes'] / 1024:.0f} KiB PDF ({PDF_VARIANT}), {full['html_bytes'] / 1024:.0f} KiB HTML; "
        f"{args.renders} timed renders per mode, each mode in its own process"
    )
    header = ("mode", "cold s", "median s", "p95 s", "RSS before MB", "peak RSS MB")
    print("{:<16} {:>7} {:>9} {:>7} {:>14} {:>12}".format(*header))
    for mode, r in results.items():
        print(
            f"{mode:<16} {r['cold']:>7.3f} {statistics.median(r['timings']):>9.3f} "
            f"{_percentile(r['timings'], 0.95):>7.3f} {r['rss_before']:>14.1f} {r['rss_peak']:>12.1f}"
        )
    medians = {mode: statistics.median(paired[mode]) for mode in MODES}
    ratio = medians["render_plan_pdf"] / medians["weasyprint"]
    isolated = statistics.median(full["timings"]) / statistics.median(results["weasyprint"]["timings"])
    print(
        f"alternating in one process: render_plan_pdf median {medians['render_plan_pdf']:.3f} s, "
        f"WeasyPrint alone {medians['weasyprint']:.3f} s"
    )
    print(
        f"render_plan_pdf median {statistics.median(full['timings']):.3f} s, "
        f"p95 {_percentile(full['timings'], 0.95):.3f} s (target <= {TARGET_SECONDS:.0f} s)"
    )
    print(
        f"ratio render_plan_pdf / WeasyPrint alone (medians, alternating): {ratio:.2f} "
        f"(target <= {TARGET_RATIO}); isolated runs: {isolated:.2f}"
    )
    peak = max(r["rss_peak"] for r in results.values())
    print(f"peak RSS {full['rss_peak']:.1f} MB (target <= {TARGET_RSS_MB} MB); worst mode {peak:.1f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
