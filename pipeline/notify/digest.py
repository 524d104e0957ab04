"""What each person gets in the morning: typed digests, their plain text and HTML.

One digest per assistant with an address ([powiadomienia.asystenci]): their own „do
zrobienia” grouped by family; one for the kierownik ([powiadomienia] kierownik): the
centre's summary. A person with nothing to do gets nothing, unless `nic_zaleglego` asks
for a short note. Only case numbers, attachment numbers and titles, dates and counts go in
(`due.DueItem` holds nothing else); staff are named, families never.
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from pipeline.core.config import Settings
from pipeline.core.polish import pl_count, pl_date
from pipeline.notify.due import DueItem, Snapshot, person, status_label

KIEROWNIK, ASYSTENT = "kierownik", "asystent"
PROBLEMS = ("brak", "po_terminie", "niepodpisany")
FOOTER = ("Wiadomość wysłana automatycznie przez program asysta. Nie zawiera danych rodzin – "
          "tylko numery spraw i załączników; szczegóły w liście kontrolnej sprawy "
          "i w przeglądzie ośrodka (outbox/index.html).")


@dataclass(frozen=True)
class Recipient:
    role: str  # KIEROWNIK or ASYSTENT
    address: str
    key: str  # the assistant's person key; KIEROWNIK for the kierownik
    name: str  # the assistant's name as in [powiadomienia.asystenci]; "" for the kierownik


@dataclass(frozen=True)
class Section:
    """A heading and its lines: one family, or one part of the kierownik's summary."""

    heading: str
    lines: tuple[str, ...]


@dataclass(frozen=True)
class Digest:
    recipient: Recipient
    na_dzien: date
    subject: str
    summary: str  # the counts line under the title
    sections: tuple[Section, ...]
    items: tuple[DueItem, ...]  # every item listed (the tests compare them to the checklists)

    @property
    def empty(self) -> bool:
        return not self.sections

    def text(self) -> str:
        out = [self.subject, self.summary, ""]
        for section in self.sections:
            out += [section.heading, *(f"- {line}" for line in section.lines), ""]
        return "\n".join([*out, "--", FOOTER, ""])

    def html(self) -> str:
        esc = html.escape
        parts = [f'<h1 style="font-size:1.2em;margin:0 0 .3em">{esc(self.subject)}</h1>',
                 f'<p style="margin:0 0 1em;color:#444">{esc(self.summary)}</p>']
        for section in self.sections:
            items = "".join(f'<li style="margin:.2em 0">{_marked(line)}</li>'
                            for line in section.lines)
            parts.append(f'<h2 style="font-size:1.05em;margin:1em 0 .2em">{esc(section.heading)}'
                         f'</h2><ul style="padding-left:1.2em;margin:0">{items}</ul>')
        parts.append(f'<p style="margin-top:1.5em;font-size:.85em;color:#666">{esc(FOOTER)}</p>')
        return ('<!DOCTYPE html><html lang="pl"><head><meta charset="utf-8"><meta name="viewport" '
                'content="width=device-width, initial-scale=1"></head><body style="font-family:'
                'Arial,Helvetica,sans-serif;font-size:15px;line-height:1.4;max-width:40em;'
                f'margin:0 auto;padding:.5em">{"".join(parts)}</body></html>')


def _marked(line: str) -> str:
    """A line for the HTML part, its BRAK in bold red (the rest escaped)."""
    text = html.escape(line)
    if text.startswith("BRAK "):
        return '<b style="color:#a01f12">BRAK</b>' + text[len("BRAK"):]
    return text


def recipients(settings: Settings, snap: Snapshot) -> tuple[list[Recipient], list[str]]:
    """Who gets a digest, and the assistants with cases but no address (skipped)."""
    config = settings.powiadomienia
    out = []
    if config.kierownik:
        out.append(Recipient(KIEROWNIK, config.kierownik, KIEROWNIK, ""))
    addressed = {person(name): (name, address) for name, address in config.asystenci.items()}
    for key, (name, address) in sorted(addressed.items()):
        out.append(Recipient(ASYSTENT, address, key, name))
    missing = sorted(name for key, name in snap.assistants().items() if key not in addressed)
    return out, missing


def address_book(settings: Settings, as_of: date) -> tuple[list[str], list[str]]:
    """For `asysta sprawdz`: the assistants with cases but no address, and the names in
    [powiadomienia.asystenci] that match no assistant with a case (a typo gets nothing)."""
    from pipeline.notify.due import snapshot

    snap = snapshot(settings, as_of)
    known = snap.assistants()
    unmatched = sorted(name for name in settings.powiadomienia.asystenci
                       if person(name) not in known)
    return recipients(settings, snap)[1], unmatched


def line(item: DueItem) -> str:
    """„BRAK – termin 05.11.2026: zał. 14 Miesięczny raport… (2026-10)”."""
    when = f"termin {pl_date(item.termin)}" if item.termin else "bez terminu"
    if item.soon:
        return f"do {pl_date(item.termin)}: {item.label}" if item.termin else item.label
    return f"{status_label(item.status)} – {when}: {item.label}"


def _order(items: Iterable[DueItem]) -> list[DueItem]:
    """Problems first (BRAK, po terminie, niepodpisany), then what falls due, each by date."""
    return sorted(items, key=lambda i: (i.soon, PROBLEMS.index(i.status) if i.status in PROBLEMS
                                        else 9, i.termin or date.min, i.zalacznik))


def short(item: DueItem) -> str:
    """„zał. 14 (2025-03) – 05.04.2025”: one overdue item in the kierownik's list."""
    what = f"zał. {item.zalacznik}" if item.zalacznik else item.tytul
    period = f" ({item.okres})" if item.okres else ""
    when = f" – {pl_date(item.termin)}" if item.termin else ""
    return f"{what}{period}{when}"


def _unsigned_line(rodzina: str, owner: str, items: list[DueItem]) -> str:
    """„Sprawa K-2025-014 (Katarzyna Żak): 3 dokumenty – zał. 1, 2, 5”: a case's documents
    without their signed scan, counted (a centre that starts scanning has many)."""
    numbers = sorted({i.zalacznik for i in items if i.zalacznik})
    kinds = sorted({i.tytul for i in items if not i.zalacznik})
    which = ", ".join([*(str(n) for n in numbers), *kinds])
    return (f"Sprawa {rodzina} ({owner}): "
            f"{pl_count(len(items), 'dokument', 'dokumenty', 'dokumentów')} – zał. {which}")


def counts_line(items: list[DueItem], days: int) -> str:
    """„BRAK: 5 · po terminie: 1 · termin w ciągu 14 dni: 2” (BRAK always, others when any)."""
    counts = {s: sum(1 for i in items if i.status == s and not i.soon) for s in PROBLEMS}
    parts = [f"{status_label(s)}: {n}" for s, n in counts.items() if n or s == "brak"]
    soon = sum(1 for i in items if i.soon)
    return " · ".join([*parts, *([f"termin w ciągu {days} dni: {soon}"] if soon else [])])


def assistant_digest(snap: Snapshot, recipient: Recipient) -> Digest:
    items = _order(snap.todo_of(recipient.key))
    families = sorted({i.rodzina for i in items})
    sections = tuple(Section(f"Sprawa {rodzina}", tuple(line(i) for i in items
                                                        if i.rodzina == rodzina))
                     for rodzina in families)
    day = pl_date(snap.na_dzien)
    subject = (f"asysta: do zrobienia {day} – {pl_count(len(families), 'rodzina', 'rodziny', 'rodzin')}"
               if items else f"asysta: nic zaległego {day}")
    summary = (counts_line(items, snap.horizon_days) if items else
               f"Na dzień {day} w Twoich sprawach nie ma zaległości ani terminów w ciągu "
               f"{snap.horizon_days} dni.")
    return Digest(recipient, snap.na_dzien, subject, summary, sections, tuple(items))


def manager_digest(snap: Snapshot, recipient: Recipient) -> Digest:
    items = _order(snap.todo)
    names = snap.assistants()
    load = {key: sum(1 for c in snap.cases_of(key) if c.active) for key in names}
    full = [f"{names[k]}: {n} z {snap.limit}" + (" – ponad limit!" if n > snap.limit else "")
            for k, n in sorted(load.items()) if n >= snap.limit]
    owner = {c.rodzina: c.asystent or "bez asystenta" for c in snap.cases}
    sections = []
    if items:
        rows = []
        for key, name in sorted(names.items()):
            mine = snap.todo_of(key)
            rows.append(f"{name}: {pl_count(load[key], 'rodzina', 'rodziny', 'rodzin')} w toku "
                        f"(limit {snap.limit}) · {counts_line(mine, snap.horizon_days)}")
        sections.append(Section("Asystenci", tuple(rows)))
        late = [i for i in items if i.status == "brak"]
        if late:
            sections.append(Section("Brakujące dokumenty po terminie (BRAK)", tuple(
                f"Sprawa {rodzina} ({owner[rodzina]}): "
                + "; ".join(short(i) for i in late if i.rodzina == rodzina)
                for rodzina in sorted({i.rodzina for i in late}))))
        unsigned = [i for i in items if i.status == "niepodpisany"]
        if unsigned:
            sections.append(Section("Dokumenty bez podpisanego skanu", tuple(
                _unsigned_line(rodzina, owner[rodzina], [i for i in unsigned if i.rodzina == rodzina])
                for rodzina in sorted({i.rodzina for i in unsigned}))))
    if full:
        sections.append(Section(f"Limit {snap.limit} rodzin na asystenta (art. 15 ust. 4)",
                                tuple(full)))
    day = pl_date(snap.na_dzien)
    active = sum(1 for c in snap.cases if c.active)
    summary = (f"Rodziny w toku: {active} · " + counts_line(items, snap.horizon_days))
    overdue = sum(1 for i in items if i.status == "brak")
    subject = (f"asysta: ośrodek na dzień {day} – BRAK: {overdue}" if sections else
               f"asysta: nic zaległego w ośrodku {day}")
    return Digest(recipient, snap.na_dzien, subject, summary, tuple(sections), tuple(items))


def digests(settings: Settings, snap: Snapshot) -> list[Digest]:
    """Everyone's digest for the day; an empty one only for who asked (`nic_zaleglego`)."""
    out = []
    for recipient in recipients(settings, snap)[0]:
        digest = (manager_digest(snap, recipient) if recipient.role == KIEROWNIK
                  else assistant_digest(snap, recipient))
        if not digest.empty or settings.powiadomienia.nic_zaleglego:
            out.append(digest)
    return out
