"""`outbox/index.html`: the centre at a glance, the page the kierownik opens every morning.

One static page, opened from a shared folder (`file://`, no server, nothing fetched): the
centre's totals, the „Do zrobienia” list first (every item BRAK, po terminie or otherwise
needing action, then what falls due within `[terminy] do_zrobienia_dni`), grouped by
assistant, one compact row per family with its documents behind a disclosure, the assistants'
load against the 15-family limit and the closed cases past retention. A small inline script
filters by assistant and stage and searches by case number; CSS lays the families out as
cards at a phone's width and prints the list first on A4 landscape.

It names families by case number only and staff by name, as the checklists do: no personal
data of a family is on the page (pipeline/app/privacy.py: the page is rebuilt after a deletion).
"""

from __future__ import annotations

import html
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from pipeline.core.config import Settings
from pipeline.core.errors import RegisterError
from pipeline.core.polish import pl_count, pl_date, typeset
from pipeline.documents.banner import banner_html  # `asysta stan` not ok: one line
from pipeline.documents.looks import (
    CHECKLIST_JSON,
    CHECKLIST_PDF,
    SHOWN_STATUSES,
    STAGE_WORDS,
    is_reenrolment,
    next_step,
    stage_words,
    status_look,
    waiting_for,
)
from pipeline.documents.page_assets import CSS, SCRIPT
from pipeline.sprawa.checklist import STATUSES, ZAKONCZONA, Checklist, Item
from pipeline.sprawa.family import person_key
from pipeline.sprawa.register import FAMILIES_DIR, REGISTER_NAME, TECZKA_NAME, Register, family_dir

esc = html.escape
NO_ASSISTANT = "bez asystenta"
# Statuses that put an item on the „Do zrobienia” list whatever its date, in the list's order.
TODO_STATUSES = ("brak", "po_terminie", "niepodpisany")


@dataclass(frozen=True)
class TodoLine:
    checklist: Checklist
    item: Item
    soon: bool  # due within the horizon (not a problem yet)


def todo_lines(checklists: Iterable[Checklist], as_of: date, days: int) -> list[TodoLine]:
    """Every item to act on: BRAK, po terminie (and any other problem status), then the items
    awaited whose deadline falls within `days` days from `as_of` (both days included)."""
    horizon = as_of + timedelta(days=days)
    out = []
    for c in checklists:
        for i in c.pozycje:
            if i.status in TODO_STATUSES:
                out.append(TodoLine(c, i, False))
            elif i.status == "oczekuje" and i.termin is not None and as_of <= i.termin <= horizon:
                out.append(TodoLine(c, i, True))
    return out


# -- the page ---------------------------------------------------------------------------------

def _when(line: TodoLine, as_of: date) -> str:
    termin = line.item.termin
    if termin is None:
        return waiting_for(line.item)
    if line.soon:
        days = (termin - as_of).days
        left = {0: "dziś", 1: "jutro"}.get(days, f"za {days} dni")
        return f"do {pl_date(termin)} ({left})"
    if line.item.status == "brak":
        late = (as_of - termin).days
        return f"termin minął {pl_date(termin)} ({pl_count(late, 'dzień', 'dni', 'dni')} temu)"
    return f"termin {pl_date(termin)}"


def _todo_section(lines: list[TodoLine], as_of: date, days: int,
                  folder_of: dict[str, str]) -> Iterator[str]:
    by_person: dict[str, list[TodoLine]] = defaultdict(list)
    names: dict[str, str] = {}
    for line in lines:
        key = person_key(line.checklist.asystent) or NO_ASSISTANT
        by_person[key].append(line)
        names.setdefault(key, (line.checklist.asystent or NO_ASSISTANT).strip())
    order = {s: n for n, s in enumerate(TODO_STATUSES)}
    yield (f'<section id="do-zrobienia"><h2>Do zrobienia</h2>'
           f'<p class="meta">Najpierw braki i dokumenty złożone po terminie, potem terminy do '
           f"{pl_date(as_of + timedelta(days=days))} (w ciągu {days} dni) – według asystentów."
           f'<span class="tylko-ekran"> Numer sprawy prowadzi do wiersza rodziny.</span></p>')
    for key in sorted(by_person, key=lambda k: (k == NO_ASSISTANT, k)):
        group = sorted(by_person[key], key=lambda t: (
            t.soon, order.get(t.item.status, len(order)), t.item.termin or date.max,
            t.checklist.rodzina, t.item.zalacznik))
        problems = sum(1 for t in group if not t.soon)
        items = []
        for t in group:
            c, i = t.checklist, t.item
            status = "oczekuje" if t.soon else i.status
            badge = (f'<span class="badge soon">w ciągu {days} dni</span>' if t.soon else
                     f'<span class="badge {status_look(status).css}">{esc(status_look(status).label)}</span>')
            plik = (f' <a class="plik" href="{esc(folder_of[c.rodzina])}/{esc(i.plik)}">'
                    f"{esc(i.plik)}</a>" if i.plik else "")
            items.append(
                f'<li data-rodzina="{esc(c.rodzina)}" data-asystent="{esc(key)}" '
                f'data-etap="{esc(c.etap)}" data-status="{esc(status)}" '
                f'data-zalacznik="{i.zalacznik}" data-okres="{esc(i.okres or "")}" '
                f'data-termin="{i.termin.isoformat() if i.termin else ""}" '
                f'data-rodzaj="{"termin" if t.soon else "problem"}">'
                f'{badge}<a class="sprawa" href="#r-{esc(c.rodzina)}">{esc(c.rodzina)}</a>'
                f'<span class="opis"><span class="zal">{_number(i)}</span> · '
                f"{esc(i.opis)}{plik}</span>"
                f'<span class="kiedy">{esc(_when(t, as_of))}</span></li>')
        counts = []
        if problems:
            counts.append(pl_count(problems, "zaległość", "zaległości", "zaległości"))
        if len(group) - problems:
            counts.append(pl_count(len(group) - problems, "termin", "terminy", "terminów")
                          + f" w ciągu {days} dni")
        yield (f'<div class="grupa" data-asystent="{esc(key)}"><h3>{esc(names[key])} '
               f'<span class="ile">({", ".join(counts)})</span></h3>'
               f'<ul class="todo">{"".join(items)}</ul></div>')
    empty = ("" if lines else
             f'<p class="pusto">Nic do zrobienia: żadnych braków, dokumentów po terminie ani '
             f"terminów w ciągu {days} dni.</p>")
    yield (f'{empty}<p class="pusto" id="nic-do-zrobienia" hidden>Dla wybranych filtrów nie ma '
           f"nic do zrobienia.</p></section>")


def _count_cells(c: Checklist) -> str:
    counts = c.counts()
    cells = []
    for status in SHOWN_STATUSES:
        if status not in STATUSES:
            continue
        n = counts[status]
        alarm = f" {status_look(status).css}" if n and status in TODO_STATUSES else ""
        cells.append(f'<td class="n{alarm}" data-label="{esc(status_look(status).label)}" '
                     f'data-status="{status}">{n}</td>')
    return "".join(cells)


def _documents(outbox: Path, rodzina: str) -> list[str]:
    """The family's documents as its register holds them now: the current version of each
    (one monthly report a month), its signed scan where one stands in, and the teczka."""
    from pipeline.scans.stan import binder_pdf

    folder = family_dir(outbox, rodzina)
    try:
        entries = Register.load(folder).current()
    except RegisterError:
        entries = []
    names = {Path(binder_pdf(e)[0]).name for e in entries}
    if (folder / TECZKA_NAME).is_file():
        names.add(TECZKA_NAME)
    return sorted(n for n in names if (folder / n).is_file())


def _family_row(c: Checklist, outbox: Path, folder: str) -> str:
    key = person_key(c.asystent) or NO_ASSISTANT
    text = next_step(c)
    assistant = esc(c.asystent or "—")
    if is_reenrolment(c):
        assistant += ' <span class="poprzedni">(poprzedni cykl)</span>'
    docs = _documents(outbox, c.rodzina)
    links = "".join(f'<li><a href="{esc(folder)}/{esc(d)}">{esc(d)}</a></li>' for d in docs)
    return (
        f'<tr id="r-{esc(c.rodzina)}" data-rodzina="{esc(c.rodzina)}" data-asystent="{esc(key)}" '
        f'data-etap="{esc(c.etap)}"><td class="rodzina">{esc(c.rodzina)}</td>'
        f'<td data-label="Asystent" class="asystent">{assistant}</td>'
        f'<td data-label="Etap" class="etap">{esc(stage_words(c))}</td>{_count_cells(c)}'
        f'<td data-label="Najbliższy termin" class="nastepny">{esc(text)}</td>'
        f'<td class="dokumenty"><a href="{esc(folder)}/{CHECKLIST_PDF}">lista kontrolna</a>'
        f' · <a href="{esc(folder)}/{CHECKLIST_JSON}">JSON</a>'
        f'<details><summary>{esc(pl_count(len(docs), "dokument", "dokumenty", "dokumentów"))}'
        f'</summary><ul class="docs">{links}</ul></details></td></tr>')


def _workload(checklists: list[Checklist], limit: int) -> str:
    names: dict[str, str] = {}
    active: dict[str, int] = defaultdict(int)
    closed: dict[str, int] = defaultdict(int)
    waiting: dict[str, int] = defaultdict(int)
    for c in checklists:
        if not c.asystent:
            continue
        key = person_key(c.asystent) or NO_ASSISTANT
        names.setdefault(key, c.asystent.strip())
        if c.active:
            active[key] += 1
        elif is_reenrolment(c):
            waiting[key] += 1
        elif c.etap == ZAKONCZONA:
            closed[key] += 1
    rows = []
    for key in sorted(names):
        n = active[key]
        state = "ponad" if n > limit else ("pelny" if n == limit else "")
        note = (" – ponad limit!" if n > limit else " – limit osiągnięty" if n == limit else "")
        width = min(100, round(100 * n / limit)) if limit else 100
        rows.append(
            f'<tr data-asystent="{esc(key)}" class="{state}"><td>{esc(names[key])}</td>'
            f'<td class="obciazenie"><span class="pasek"><i style="width:{width}%"></i></span>'
            f'<span class="stan">{n} / {limit}{note}</span></td>'
            f'<td class="n" data-label="Czeka na ponowne przydzielenie">{waiting[key]}</td>'
            f'<td class="n" data-label="Zakończone">{closed[key]}</td></tr>')
    body = "".join(rows) or '<tr><td colspan="4">W archiwum nie ma jeszcze przydzieleń asystentów.</td></tr>'
    return (f'<section id="obciazenie"><h2>Obciążenie asystentów</h2>'
            f'<p class="meta">Rodziny w toku (od przydzielenia do końca monitoringu) wobec limitu '
            f"{limit} rodzin na asystenta (art. 15 ust. 4 ustawy).</p>"
            f'<table id="asystenci" class="karty"><thead><tr><th>Asystent rodziny</th>'
            f"<th>Rodziny w toku (limit {limit})</th><th>Czeka na ponowne przydzielenie</th>"
            f"<th>Zakończone</th></tr></thead><tbody>{body}</tbody></table></section>")


def _totals(checklists: list[Checklist], lines: list[TodoLine], days: int) -> str:
    totals: dict[str, int] = defaultdict(int)
    for c in checklists:
        for status, n in c.counts().items():
            totals[status] += n
    # captions under the numbers agree with them: „26 rodzin”, „4 asystenci”, „25 terminów”
    active = sum(1 for c in checklists if c.active)
    people = {person_key(c.asystent) for c in checklists if c.asystent}
    cells = [_tile(len(checklists), ("rodzina", "rodziny", "rodzin"),
                   f" (w\u00a0toku:\u00a0{active})"),
             _tile(len(people), ("asystent", "asystenci", "asystentów"), " rodziny")]
    for status in SHOWN_STATUSES:
        if status in TODO_STATUSES and status in STATUSES:
            n = totals[status]
            cells.append(f'<li class="{status_look(status).css if n else ""}" data-status="{status}">'
                         f"<b>{n}</b><span>{esc(status_look(status).label)}</span></li>")
    soon = sum(1 for t in lines if t.soon)
    cells.append(_tile(soon, ("termin", "terminy", "terminów"), f" w ciągu {days} dni",
                       ' data-status="wkrotce"'))
    return f'<ul class="totals" id="podsumowanie">{"".join(cells)}</ul>'


def _number(item: Item) -> str:
    """„zał. 6”, or „zakończenie” for an item of a kind beyond the sixteen (no number)."""
    return f"zał. {item.zalacznik}" if item.zalacznik else "zakończenie"


def _tile(n: int, forms: tuple[str, str, str], rest: str, attrs: str = "") -> str:
    word = pl_count(n, *forms).split(" ", 1)[1]
    return f"<li{attrs}><b>{n}</b><span>{word}{rest}</span></li>"


def _filters(checklists: list[Checklist]) -> str:
    people: dict[str, str] = {}
    for c in checklists:
        people.setdefault(person_key(c.asystent) or NO_ASSISTANT, (c.asystent or NO_ASSISTANT).strip())
    stages = sorted({c.etap for c in checklists},
                    key=lambda s: list(STAGE_WORDS).index(s) if s in STAGE_WORDS else 99)
    who = "".join(f'<option value="{esc(k)}">{esc(people[k])}</option>'
                  for k in sorted(people, key=lambda k: (k == NO_ASSISTANT, k)))
    what = "".join(f'<option value="{esc(s)}">{esc(STAGE_WORDS.get(s, s))}</option>' for s in stages)
    return (f'<form id="filtry" role="search"><label>Asystent<select name="asystent">'
            f'<option value="">wszyscy</option>{who}</select></label>'
            f'<label>Etap sprawy<select name="etap"><option value="">wszystkie</option>{what}'
            f'</select></label><label>Numer sprawy<input name="szukaj" type="search" '
            f'placeholder="np. K-2026-004" autocomplete="off"></label>'
            f'<button type="reset">Pokaż wszystko</button></form><p id="wynik" role="status"></p>')


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def render_page(settings: Settings, checklists: list[Checklist], unreadable: list[str],
                retention_rows: str, as_of: date) -> Iterator[str]:
    """The whole page, piece by piece (overview.write_index writes each as it comes: a
    centre of thousands of families never has its page in memory whole)."""
    outbox = settings.outbox
    days = settings.terminy.do_zrobienia_dni
    limit = settings.terminy.limit_rodzin
    folder_of = {c.rodzina: f"{FAMILIES_DIR}/{c.rodzina}" for c in checklists}
    lines = todo_lines(checklists, as_of, days)
    shown = [s for s in SHOWN_STATUSES if s in STATUSES]
    columns = len(shown) + 5
    heads = "".join(f"<th>{esc(_capital(status_look(s).label))}</th>" for s in shown)
    years = settings.terminy.przechowywanie_lat
    yield f"""<!DOCTYPE html>
<html lang="pl"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>asysta – przegląd rodzin na dzień {pl_date(as_of)}</title>
<style>{CSS}</style></head>
<body>{banner_html(outbox)}
<header><h1>{esc(typeset(settings.osrodek.nazwa, words=True))} – dokumentacja asystentów rodziny</h1>
<p class="meta">Stan na dzień {pl_date(as_of)} (wygenerowano
{datetime.now().strftime("%d.%m.%Y %H:%M")}).</p>
{_totals(checklists, lines, days)}
{_filters(checklists)}</header>
<main>
"""
    yield from _todo_section(lines, as_of, days, folder_of)
    del lines
    yield f"""
<section id="rodziny-sekcja"><h2>Rodziny</h2>
<table id="rodziny" class="karty"><thead><tr><th>Nr sprawy</th><th>Asystent</th><th>Etap</th>
{heads}<th>Najbliższy termin</th><th>Lista kontrolna i dokumenty</th></tr></thead>
<tbody>"""
    for c in checklists:
        yield _family_row(c, outbox, folder_of[c.rodzina])
    for r in unreadable:
        yield (f'<tr data-rodzina="{esc(r)}" data-asystent="" data-etap=""><td class="rodzina">'
               f'{esc(r)}</td><td colspan="{columns - 1}" class="s-brak">nie można odczytać '
               f"rejestru rodziny ({REGISTER_NAME}) – zgłoś to administratorowi</td></tr>")
    if not checklists and not unreadable:
        yield f'<tr><td colspan="{columns}">Brak rodzin w archiwum.</td></tr>'
    yield f"""</tbody></table></section>
{_workload(checklists, limit)}
<section id="przechowywanie-sekcja"><h2>Sprawy zakończone po okresie przechowywania ({years} lat)</h2>
<p class="meta">Dokumentację tych rodzin należy usunąć poleceniem <code>asysta usun NUMER</code>
(wcześniej, jeśli trzeba, <code>asysta eksport NUMER</code>).</p>
<table id="przechowywanie"><thead><tr><th>Nr sprawy</th><th>Zakończono</th>
<th>Okres przechowywania minął</th></tr></thead>
<tbody>{retention_rows or '<tr><td colspan="3">Brak takich spraw.</td></tr>'}</tbody></table>
</section></main>
<script>{SCRIPT}</script>
</body></html>
"""
