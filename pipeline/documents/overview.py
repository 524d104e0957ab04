"""Where the checklist shows: `checklista.json` and `checklista.pdf` in each family's
folder, `outbox/index.html` for the whole centre, and the 15-family limit at intake."""

from __future__ import annotations

import dataclasses
import html
import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from pipeline.core.config import Settings
from pipeline.core.errors import ConversionError, Problem, RegisterError
from pipeline.core.fsutil import ensure_private_dir, replace, work_dir
from pipeline.core.polish import meta_date, pl_date
from pipeline.documents.kierownik import render_described
from pipeline.documents.looks import (
    CHECKLIST_JSON,
    CHECKLIST_PDF,
    SHOWN_STATUSES,
    STATUS_LABELS,
    STATUS_LOOK,
    is_reenrolment,
    next_step,
    stage_words,
    status_look,
    waiting_for,
)
from pipeline.pdf.pdfa import PdfMeta
from pipeline.sprawa.case import Case, holds
from pipeline.sprawa.checklist import (
    STATUSES,
    ZAKONCZONA,
    Checklist,
    HistoryCycle,
    Item,
    add_years,
    compute,
    earlier_cycles,
)
from pipeline.sprawa.register import Register, families, family_dir
from pipeline.stages.convert import Converter

INDEX_HTML = "index.html"
# where the checklist shows, as other modules name it
__all__ = ["CHECKLIST_JSON", "CHECKLIST_PDF", "STATUS_LABELS", "all_checklists", "checklist_for",
           "expired_cases", "families", "limit_problem", "write_checklists", "write_index"]


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
    return checklist_of(outbox, rodzina, Register.load(family_dir(outbox, rodzina)), as_of,
                        settings)


def checklist_of(outbox: Path, rodzina: str, register: Register, as_of: date,
                 settings: Settings) -> Checklist:
    """A family's checklist from its register (signatures included)."""
    from pipeline.scans.stan import add_signatures

    checklist = compute(rodzina, register, as_of, settings.terminy)
    return add_signatures(checklist, outbox, register, as_of, settings.skany.dni_na_podpis)


def all_checklists(settings: Settings, as_of: date,
                   known: Mapping[str, Checklist] | None = None) -> list[Checklist]:
    """Every family's checklist (those in `known`, made on `as_of` already, are taken as
    they are); a family whose register cannot be read is left out (the overview page
    lists it as unreadable)."""
    out = []
    for rodzina in families(settings.outbox):
        if known and rodzina in known:
            out.append(known[rodzina])
            continue
        try:
            out.append(checklist_for(settings.outbox, rodzina, as_of, settings))
        except (OSError, RegisterError):
            continue
    return out


def _cases(settings: Settings) -> list[Case]:
    """Every readable family's case (an unreadable register is listed on the page)."""
    out = []
    for rodzina in families(settings.outbox):
        try:
            out.append(Case.of(Register.load(family_dir(settings.outbox, rodzina))))
        except (OSError, RegisterError):
            continue
    return out


def limit_problem(settings: Settings, asystent: str, rodzina: str, on: date) -> Problem | None:
    """An assignment (1) that would give an assistant more families than the statutory limit."""
    limit = settings.terminy.limit_rodzin
    active = [r for r in holds(_cases(settings), asystent, on) if r != rodzina]
    if len(active) < limit:
        return None
    return Problem(
        f"asystent rodziny {asystent} prowadzi już {len(active)} rodzin (stan na "
        f"{on.strftime('%d.%m.%Y')}); ustawa pozwala na najwyżej {limit} rodzin jednocześnie "
        "(art. 15 ust. 4) – przydziel innego asystenta albo najpierw zakończ inną sprawę",
        "asystent", "Asystent rodziny")


def _context(checklist: Checklist, settings: Settings,
             history: list[HistoryCycle]) -> dict[str, Any]:
    """What checklista.docx prints: the current cycle item by item, the earlier ones briefly."""
    counts = checklist.counts()
    numer = len(history) + 1
    if checklist.cykl_od:
        cykl = f"{numer}. cykl sprawy, od {pl_date(checklist.cykl_od)} (przydzielenie asystenta)"
    else:
        cykl = f"{numer}. cykl sprawy – czeka na przydzielenie asystenta"
    assistant = checklist.asystent or "—"
    if is_reenrolment(checklist):
        assistant += " (w poprzednim cyklu)"

    def when(item: Item) -> str:
        if item.termin:
            return pl_date(item.termin)
        wait = re.search(r"\((\d+)\)$", waiting_for(item)) if item.status == "oczekuje" else None
        return f"czeka na zał.\u00a0{wait.group(1)}" if wait else "bez terminu"

    return {
        "rodzina": checklist.rodzina,
        "na_dzien": checklist.na_dzien,
        "etap": stage_words(checklist),
        "asystent": assistant,
        "cykl": cykl,
        "najblizszy_termin": next_step(checklist),
        "podsumowanie": ", ".join(f"{status_look(s).label}: {counts[s]}"
                                  for s in SHOWN_STATUSES if s in counts),
        "pozycje": [{
            "zalacznik": i.zalacznik or "—",  # the closing's items have no number
            "okres": i.okres or "",
            "status": status_look(i.status).label,
            "kolor": status_look(i.status).colour,
            "termin": when(i),
            "plik": f"plik: {i.plik}" if i.plik else "",
            "opis": i.opis,
        } for i in checklist.pozycje],
        "historia": [{
            "cykl": f"{h.numer}.",
            "okres": f"{pl_date(h.od)} – {pl_date(h.do)}",
            "asystent": h.asystent or "—",
            "dokumenty": str(h.dokumentow),
            "zakonczenie": h.zakonczenie,
        } for h in history],
        "legenda": "Statusy: " + "; ".join(
            f"{status_look(s).label} – {status_look(s).meaning}"
            for s in STATUS_LOOK if (s in SHOWN_STATUSES and s in STATUSES)
            or any(i.status == s for i in checklist.pozycje)) + ".",
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
            history = earlier_cycles(Register.load(family_dir(outbox, rodzina)), checklist.na_dzien)
            meta = PdfMeta(f"Lista kontrolna dokumentów rodziny – nr sprawy {rodzina}",
                           f"Stan na dzień {meta_date(checklist.na_dzien)}", settings.osrodek.nazwa,
                           f"asystent rodziny; lista kontrolna; {rodzina}")
            render_described(settings, "checklista.docx", _context(checklist, settings, history),
                             meta, docx)
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


def write_index(settings: Settings, as_of: date, checklists: list[Checklist] | None = None) -> Path:
    """The centre's morning page (pipeline/documents/dashboard.py), opened from the file system with
    no server; `checklists`: every family's, when the caller has them already."""
    from pipeline.documents.dashboard import render_page  # it reads this module's status looks

    outbox = settings.outbox
    checklists = all_checklists(settings, as_of) if checklists is None else checklists
    readable = {c.rodzina for c in checklists}
    unreadable = [r for r in families(outbox) if r not in readable]
    old_cases = expired_cases(checklists, as_of, settings.terminy.przechowywanie_lat)
    esc = html.escape
    retention = "".join(
        f'<tr data-do-usuniecia="{esc(e.rodzina)}"><td>{esc(e.rodzina)}</td>'
        f'<td>{e.zakonczono.strftime("%d.%m.%Y")}</td><td class="s-brak">'
        f'{e.usunac_po.strftime("%d.%m.%Y")}</td></tr>' for e in old_cases)
    ensure_private_dir(outbox)
    target = outbox / INDEX_HTML
    replace(target, (part.encode("utf-8")
                     for part in render_page(settings, checklists, unreadable, retention, as_of)))
    return target
