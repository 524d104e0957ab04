"""The kierownik's summary of a month's reports (`asysta raporty`): per assistant and family,
the stage, contacts, hours, overdue items and whether the assistant filed the report or
the program made it; as XLSX and as PDF (`kierownik.template_pdf`). `asysta raporty` makes
it while the reports convert, from the counts it expects, and files it when they hold."""

from __future__ import annotations

import dataclasses
import itertools
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime
from typing import Any

from pipeline.core.config import Settings
from pipeline.core.polish import display, meta_date, month_name
from pipeline.documents.kierownik import template_pdf
from pipeline.documents.raporty import REPORTS_DIR, BatchResult
from pipeline.documents.sheet import xlsx
from pipeline.pdf.pdfa import PdfMeta
from pipeline.sprawa.family import person_key
from pipeline.stages.archive import write_versioned
from pipeline.stages.convert import Converter

FILED, MADE = "złożony przez asystenta", "wygenerowany"


def rows(result: BatchResult) -> list[dict[str, Any]]:
    """The summary's rows, assistant by assistant."""
    out = []
    for r in sorted(result.reports, key=lambda r: (person_key(r.asystent), r.rodzina)):
        v = r.values
        out.append({
            "asystent": r.asystent, "rodzina": r.rodzina, "etap": v.get("etap", "—"),
            "wizyty": v.get("liczba_wizyt", 0), "godziny": v.get("liczba_godzin", 0.0),
            "kontakty": v.get("liczba_kontaktow", 0), "zaleglosci": r.overdue,
            "uwagi": "błąd: " + r.error if r.error else ("brak wizyt" if not v.get("liczba_wizyt") else ""),
            "raport": FILED if r.wlasny else MADE,
        })
    return out


HEADERS = ["Asystent rodziny", "Nr sprawy", "Etap", "Wizyty", "Godziny", "Kontakty z instytucjami",
           "Zaległe dokumenty", "Uwagi", "Raport"]
KEYS = ["asystent", "rodzina", "etap", "wizyty", "godziny", "kontakty", "zaleglosci", "uwagi",
        "raport"]


GROUP_ROWS = 30  # about a page of rows


def groups(families: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """The families' rows as the PDF prints them: tables of at most GROUP_ROWS rows (rows in
    order), an assistant's families in one table unless they are more than that.
    LibreOffice lays out one table of thousands of rows in quadratic time (5,000 rows: two
    minutes), tables of tens in linear time."""
    out: list[list[dict[str, Any]]] = []
    for _, rows in itertools.groupby(families, key=lambda row: person_key(row["asystent"])):
        mine = list(rows)
        for start in range(0, len(mine), GROUP_ROWS):
            piece = mine[start:start + GROUP_ROWS]
            if out and len(out[-1]) + len(piece) <= GROUP_ROWS:
                out[-1].extend(piece)
            else:
                out.append(piece)
    return out


def _xlsx(table: list[dict[str, Any]], month: str, today: date) -> bytes:
    return xlsx(f"Raporty {month}", HEADERS, ([row[k] for k in KEYS] for row in table),
                (28, 16, 22, 9, 9, 12, 12, 30, 24), datetime(today.year, today.month, today.day))


@dataclasses.dataclass(frozen=True)
class Made:
    """The summary made from `table` (its rows), not yet filed; `pdf` None when the
    conversion failed."""

    table: list[dict[str, Any]]
    pdf: bytes | None
    xlsx: bytes


def make(settings: Settings, converter: Converter, month: str, table: list[dict[str, Any]],
         today: date) -> Made:
    """The kierownik's summary of `table` (`rows`): per assistant and family, contacts,
    hours, overdue items and who made the report; as PDF/A and XLSX."""
    per_assistant: dict[str, dict[str, float]] = {}
    for row in table:
        total = per_assistant.setdefault(row["asystent"], {"rodziny": 0, "wizyty": 0, "godziny": 0.0,
                                                           "zaleglosci": 0})
        total["rodziny"] += 1
        total["wizyty"] += row["wizyty"]
        total["godziny"] += row["godziny"]
        total["zaleglosci"] += row["zaleglosci"]
    families = [{**r, "godziny": display(float(r["godziny"])),
                 "uwagi": "; ".join(t for t in (f"raport {r['raport']}", r["uwagi"]) if t)}
                for r in table]
    context = {
        "miesiac": month, "na_dzien": today,
        "osrodek": dataclasses.asdict(settings.osrodek),
        "grupy": groups(families),
        "asystenci": [{"asystent": name, "rodziny": int(t["rodziny"]), "wizyty": int(t["wizyty"]),
                       "godziny": display(float(t["godziny"])), "zaleglosci": int(t["zaleglosci"])}
                      for name, t in sorted(per_assistant.items())],
    }
    with ThreadPoolExecutor(1) as side:  # the spreadsheet is made while LibreOffice converts
        sheet = side.submit(_xlsx, table, month, today)
        pdf = template_pdf(settings, converter, "zestawienie.docx", context, PdfMeta(
            f"Zestawienie miesięcznych raportów asystentów rodziny – {month_name(month)}",
            f"Stan na dzień {meta_date(today)}", settings.osrodek.nazwa,
            f"asystent rodziny; raport miesięczny; {month_name(month)}"))
        return Made(table, pdf, sheet.result())


def file(settings: Settings, result: BatchResult, made: Made) -> None:
    """The made summary written into outbox/raporty/RRRR-MM/ (a new version when changed)."""
    folder = settings.outbox / REPORTS_DIR / result.month.key
    stem = f"zestawienie_{result.month.key}"
    result.summary_pdf = (write_versioned(folder, stem, ".pdf", made.pdf)
                          if made.pdf is not None else None)
    result.summary_xlsx = write_versioned(folder, stem, ".xlsx", made.xlsx)
