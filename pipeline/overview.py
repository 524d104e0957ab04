"""Where the checklist shows: `checklista.json` and `checklista.pdf` in each family's
folder, `outbox/index.html` for the whole centre, and the 15-family limit at intake."""

from __future__ import annotations

import dataclasses
import html
import json
import os
import re
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from .checklist import ZAKONCZONA, Checklist, add_years, compute, load_docs
from .config import Settings
from .convert import Converter
from .errors import ConversionError, Problem, RegisterError
from .fsutil import ensure_private_dir, replace, work_dir
from .pdfa import PdfMeta, describe_docx
from .register import FAMILIES_DIR, REGISTER_NAME, families, family_dir
from .render import named_template, render_docx

CHECKLIST_JSON = "checklista.json"
CHECKLIST_PDF = "checklista.pdf"
INDEX_HTML = "index.html"
STATUS_LABELS = {"jest": "jest", "po_terminie": "po terminie", "brak": "BRAK",
                 "oczekuje": "oczekuje"}
STATUS_COLOURS = {"jest": "D9EAD3", "po_terminie": "FCE5CD", "brak": "F4CCCC",
                  "oczekuje": "FFFFFF"}


@dataclass(frozen=True)
class Expired:
    """A closed case past its retention period."""

    rodzina: str
    zakonczono: date
    usunac_po: date


def expired_cases(checklists: list[Checklist], as_of: date, years: int) -> list[Expired]:
    out = []
    for checklist in checklists:
        if checklist.etap == ZAKONCZONA and checklist.zakonczono:
            until = add_years(checklist.zakonczono, years)
            if until < as_of:
                out.append(Expired(checklist.rodzina, checklist.zakonczono, until))
    return out


def checklist_for(outbox: Path, rodzina: str, as_of: date, settings: Settings) -> Checklist:
    return compute(rodzina, load_docs(family_dir(outbox, rodzina)), as_of, settings.terminy)


def all_checklists(settings: Settings, as_of: date) -> list[Checklist]:
    """Every family's checklist; a family whose register cannot be read is left out
    (the overview page lists it as unreadable)."""
    out = []
    for rodzina in families(settings.outbox):
        try:
            out.append(checklist_for(settings.outbox, rodzina, as_of, settings))
        except (OSError, RegisterError):
            continue
    return out


def _person(name: str | None) -> str:
    """An assistant's name as a key: spacing and letter case do not make another person."""
    return re.sub(r"\s+", " ", (name or "").strip()).casefold()


def limit_problem(settings: Settings, asystent: str, rodzina: str, on: date) -> Problem | None:
    """An assignment (1) that would give an assistant more families than the statutory limit."""
    limit = settings.terminy.limit_rodzin
    active = [c.rodzina for c in all_checklists(settings, on)
              if c.active and c.rodzina != rodzina and _person(c.asystent) == _person(asystent)]
    if len(active) < limit:
        return None
    return Problem(
        f"asystent rodziny {asystent} prowadzi już {len(active)} rodzin (stan na "
        f"{on.strftime('%d.%m.%Y')}); ustawa pozwala na najwyżej {limit} rodzin jednocześnie "
        "(art. 15 ust. 4) – przydziel innego asystenta albo najpierw zakończ inną sprawę",
        "asystent", "Asystent rodziny")


def _context(checklist: Checklist, settings: Settings) -> dict[str, Any]:
    counts = checklist.counts()
    nxt = checklist.next_deadline
    return {
        "rodzina": checklist.rodzina,
        "na_dzien": checklist.na_dzien.strftime("%d.%m.%Y"),
        "etap": checklist.etap,
        "asystent": checklist.asystent or "—",
        "najblizszy_termin": (f"{nxt.termin.strftime('%d.%m.%Y')} – {nxt.opis}"
                              if nxt and nxt.termin else "—"),
        "podsumowanie": ", ".join(f"{STATUS_LABELS[s]}: {n}" for s, n in counts.items()),
        "pozycje": [{
            "zalacznik": i.zalacznik or "—",  # the closing's items have no number
            "okres": i.okres or "",
            "status": STATUS_LABELS[i.status],
            "kolor": STATUS_COLOURS[i.status],
            "termin": i.termin.strftime("%d.%m.%Y") if i.termin else "—",
            "plik": i.plik or "",
            "opis": i.opis,
        } for i in checklist.pozycje],
        "osrodek": dataclasses.asdict(settings.osrodek),
    }


def write_checklists(settings: Settings, converter: Converter, rodziny: list[str],
                     as_of: date, only_changed: bool = False, pdf: bool = True) -> list[Checklist]:
    """checklista.json (always) and checklista.pdf for the given families, PDFs in one batch,
    then index.html (the after-batch steps, `process.AFTER_BATCH`, run these three in turn).

    `only_changed` makes a new PDF only for families whose items changed (or whose PDF is
    older than their JSON); `pdf=False` leaves the PDFs to a later refresh (a batch job)."""
    written = [write_checklist_json(settings, rodzina, as_of, only_changed) for rodzina in rodziny]
    if pdf:
        write_checklist_pdfs(settings, converter, [c for c, stale in written if stale])
    write_index(settings, as_of)
    return [c for c, _ in written]


def write_checklist_json(settings: Settings, rodzina: str, as_of: date,
                         only_changed: bool = True) -> tuple[Checklist, bool]:
    """A family's checklista.json, and whether its checklista.pdf needs making anew (with
    `only_changed`, only when its items changed or the PDF is older than the JSON)."""
    checklist = checklist_for(settings.outbox, rodzina, as_of, settings)
    folder = family_dir(settings.outbox, rodzina)
    data = checklist.to_json()
    path, pdf_path = folder / CHECKLIST_JSON, folder / CHECKLIST_PDF
    unchanged = False
    if only_changed and path.exists() and pdf_path.exists():
        old = json.loads(path.read_text(encoding="utf-8"))
        unchanged = ({**old, "na_dzien": None} == {**data, "na_dzien": None}
                     and pdf_path.stat().st_mtime >= path.stat().st_mtime)
    replace(path, json.dumps(data, ensure_ascii=False, indent=1).encode("utf-8"))
    if unchanged:  # keep the PDF counted as fresh: its items are today's too
        os.utime(pdf_path)
    return checklist, not unchanged


def write_checklist_pdfs(settings: Settings, converter: Converter,
                         checklists: list[Checklist]) -> None:
    """checklista.pdf of these families, converted by LibreOffice in one batch."""
    if not checklists:
        return
    outbox = settings.outbox
    staging = work_dir(outbox, "lista")
    docx_files: dict[Path, Path] = {}
    try:
        for checklist in checklists:
            rodzina = checklist.rodzina
            docx = staging / f"{rodzina}.docx"
            render_docx(named_template("checklista.docx", settings), _context(checklist, settings),
                        docx)
            describe_docx(docx, PdfMeta(
                f"Lista kontrolna dokumentów rodziny – nr sprawy {rodzina}",
                f"Stan na dzień {checklist.na_dzien:%d.%m.%Y}", settings.osrodek.nazwa,
                f"asystent rodziny; lista kontrolna; {rodzina}"))
            docx_files[docx] = family_dir(outbox, rodzina) / CHECKLIST_PDF
        results = converter.convert(list(docx_files), staging)
        for docx, target in docx_files.items():
            result = results.get(docx)
            if isinstance(result, Path):
                replace(target, result.read_bytes())
            elif isinstance(result, ConversionError):
                raise result
    finally:
        for leftover in staging.iterdir():
            leftover.unlink()
        staging.rmdir()


# -- outbox/index.html ---------------------------------------------------------------

_CSS = """
:root { --jest:#d9ead3; --po_terminie:#fce5cd; --brak:#f4cccc; --oczekuje:#eeeeee; }
* { box-sizing: border-box; }
body { font-family: "Liberation Sans", Arial, sans-serif; margin: 1.5rem; color: #222;
       font-size: 14px; }
h1 { font-size: 1.4rem; margin: 0 0 .2rem; }
p.meta { color: #555; margin: 0 0 1rem; }
table { border-collapse: collapse; width: 100%; margin-bottom: 1.5rem; }
th, td { border: 1px solid #bbb; padding: .3rem .45rem; text-align: left; vertical-align: top; }
th { background: #e7e6e6; }
tr { page-break-inside: avoid; }
td.n { text-align: center; font-variant-numeric: tabular-nums; }
.s-jest { background: var(--jest); } .s-po_terminie { background: var(--po_terminie); }
.s-brak { background: var(--brak); font-weight: bold; } .s-oczekuje { background: var(--oczekuje); }
.over { background: var(--brak); font-weight: bold; }
a { color: #1a4d8f; }
ul.docs { margin: 0; padding-left: 1rem; font-size: .85rem; }
@media print {
  @page { size: A4 landscape; margin: 12mm; }
  body { margin: 0; font-size: 10px; }
  a { color: #000; text-decoration: none; }
  ul.docs { display: none; }
}
"""


def write_index(settings: Settings, as_of: date) -> Path:
    """A self-contained overview page, opened from the file system with no server."""
    outbox = settings.outbox
    checklists = all_checklists(settings, as_of)
    limit = settings.terminy.limit_rodzin
    names = {_person(c.asystent): c.asystent.strip() for c in checklists if c.asystent}
    load = Counter(names[_person(c.asystent)] for c in checklists if c.active and c.asystent)
    esc = html.escape
    rows = []
    for c in checklists:
        counts = c.counts()
        nxt = c.next_deadline
        folder = f"{FAMILIES_DIR}/{c.rodzina}"
        docs = sorted(p.name for p in family_dir(outbox, c.rodzina).glob("zal*.pdf"))
        doc_links = "".join(f'<li><a href="{esc(folder)}/{esc(d)}">{esc(d)}</a></li>'
                            for d in docs)
        next_text = (esc(nxt.termin.strftime("%d.%m.%Y")) + " – " + esc(nxt.opis)
                     if nxt and nxt.termin else "—")
        cells = "".join(f'<td class="n s-{s}" data-status="{s}">{counts[s]}</td>'
                        for s in ("brak", "po_terminie", "oczekuje", "jest"))
        rows.append(
            f'<tr data-rodzina="{esc(c.rodzina)}"><td><a href="{esc(folder)}/">{esc(c.rodzina)}</a>'
            f'</td><td>{esc(c.asystent or "—")}</td><td>{esc(c.etap)}</td>{cells}'
            f"<td>{next_text}</td>"
            f'<td><a href="{esc(folder)}/{CHECKLIST_PDF}">PDF</a> · '
            f'<a href="{esc(folder)}/{CHECKLIST_JSON}">JSON</a><ul class="docs">{doc_links}</ul></td></tr>'
        )
    readable = {c.rodzina for c in checklists}
    rows += [f'<tr data-rodzina="{esc(r)}"><td>{esc(r)}</td><td colspan="8" class="s-brak">'
             f"nie można odczytać rejestru rodziny ({REGISTER_NAME}) – zgłoś to administratorowi"
             "</td></tr>" for r in families(outbox) if r not in readable]
    load_rows = "".join(
        f'<tr data-asystent="{esc(name)}"><td>{esc(name)}</td>'
        f'<td class="n{" over" if n > limit else ""}">{n} / {limit}</td></tr>'
        for name, n in sorted(load.items())
    )
    old_cases = expired_cases(checklists, as_of, settings.terminy.przechowywanie_lat)
    retention = "".join(
        f'<tr data-do-usuniecia="{esc(e.rodzina)}"><td>{esc(e.rodzina)}</td>'
        f'<td>{e.zakonczono.strftime("%d.%m.%Y")}</td><td class="s-brak">'
        f'{e.usunac_po.strftime("%d.%m.%Y")}</td></tr>' for e in old_cases)
    totals: Counter[str] = Counter()
    for c in checklists:
        totals.update(c.counts())
    page = f"""<!DOCTYPE html>
<html lang="pl"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>asysta – przegląd rodzin na dzień {as_of.strftime("%d.%m.%Y")}</title>
<style>{_CSS}</style></head>
<body>
<h1>{esc(settings.osrodek.nazwa)} – dokumentacja asystentów rodziny</h1>
<p class="meta">Stan na dzień {as_of.strftime("%d.%m.%Y")} (wygenerowano
{datetime.now().strftime("%d.%m.%Y %H:%M")}). Rodzin: {len(checklists)}; braków:
{totals["brak"]}, po terminie: {totals["po_terminie"]}, oczekuje: {totals["oczekuje"]}.</p>
<h2>Rodziny</h2>
<table id="rodziny"><thead><tr><th>Nr sprawy</th><th>Asystent</th><th>Etap</th>
<th>Brak</th><th>Po terminie</th><th>Oczekuje</th><th>Jest</th><th>Najbliższy termin</th>
<th>Lista kontrolna i dokumenty</th></tr></thead>
<tbody>{"".join(rows) or '<tr><td colspan="9">Brak rodzin w archiwum.</td></tr>'}</tbody></table>
<h2>Obciążenie asystentów</h2>
<table id="asystenci"><thead><tr><th>Asystent rodziny</th><th>Rodziny (limit {limit})</th>
</tr></thead><tbody>{load_rows or '<tr><td colspan="2">—</td></tr>'}</tbody></table>
<h2>Sprawy zakończone po okresie przechowywania ({settings.terminy.przechowywanie_lat} lat)</h2>
<p class="meta">Dokumentację tych rodzin należy usunąć poleceniem <code>asysta usun NUMER</code>
(wcześniej, jeśli trzeba, <code>asysta eksport NUMER</code>).</p>
<table id="przechowywanie"><thead><tr><th>Nr sprawy</th><th>Zakończono</th>
<th>Okres przechowywania minął</th></tr></thead>
<tbody>{retention or '<tr><td colspan="3">Brak takich spraw.</td></tr>'}</tbody></table>
</body></html>
"""
    ensure_private_dir(outbox)
    target = outbox / INDEX_HTML
    replace(target, page.encode("utf-8"))
    return target
