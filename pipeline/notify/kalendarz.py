"""Calendars to subscribe to: `outbox/kalendarze/<assistant>.ics` and `osrodek.ics`.

RFC 5545: every deadline not met yet (BRAK or awaited, with a date) is an all-day event
with a reminder at 9:00 the day before. Its UID is made from the case, its cycle, the
attachment and the period (`due.DueItem.uid`), never the date: the same deadline keeps its
UID across runs, so a subscribed calendar updates the event (or moves it, when its date
moves) instead of adding another; a met deadline's event is gone from the next file. The
same privacy rule as the e-mails: case and attachment numbers, titles and dates only.
Rewritten after every batch and by `asysta powiadomienia`; a file of an assistant who no
longer has cases is removed.

The files are written here directly, not with the `icalendar` library (serialising a large
centre's events with it took seconds after every batch): the output is byte for byte what
icalendar (7.3) writes for the same event – the same property order, TEXT escaping and line
folding. `event` builds that event with icalendar, as a reference: tests/test_kalendarz.py
compares the two.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.core.config import Settings
from pipeline.core.fsutil import make_private_dirs, replace_if_changed
from pipeline.core.polish import pl_date
from pipeline.notify.due import DueItem, Snapshot, calendar_dir, snapshot, status_label
from pipeline.sprawa.kinds import slug

if TYPE_CHECKING:
    from icalendar import Event

CENTRE_FILE = "osrodek.ics"
REMINDER = timedelta(hours=-15)  # 9:00 the day before an all-day event
UID_DOMAIN = "asysta"
PRODID = "-//asysta//terminy asystenta rodziny//PL"
CATEGORY = "asysta"

# A folded line holds at most 74 octets (the fold's leading space not counted): icalendar
# folds before the character that would make a line 75 octets long.
LINE_OCTETS = 74
FOLD = b"\r\n "
CRLF = b"\r\n"
NEWLINES = re.compile(r"[\r\n]+")


def calendar_name(name: str) -> str:
    """`katarzyna-zak.ics`: an assistant's calendar file."""
    return f"{slug(name) or 'asystent'}.ics"


def _texts(item: DueItem) -> tuple[str, str, list[str], str]:
    """An event's summary, description, categories and reminder text (the one place they
    are worded, for the writer and for `event`)."""
    assert item.termin is not None
    late = item.status == "brak"
    summary = f"{'BRAK – ' if late else ''}{item.rodzina}: {item.label}"
    description = (f"Sprawa {item.rodzina}, termin {pl_date(item.termin)}, status: "
                   f"{status_label(item.status)}. {item.label}.")
    return (summary, description, [CATEGORY, f"sprawa {item.rodzina}"],
            f"Jutro termin: {item.rodzina} – {item.label}")


def event(item: DueItem, stamp: datetime) -> Event:
    """The same event built with the `icalendar` library: the reference `event_bytes` is
    tested against (not used to write the files)."""
    from icalendar import Alarm, Event

    summary, description, categories, reminder = _texts(item)
    assert item.termin is not None
    ev = Event()
    ev.add("uid", f"{item.uid}@{UID_DOMAIN}")
    ev.add("dtstamp", stamp)
    ev.add("dtstart", item.termin)
    ev.add("dtend", item.termin + timedelta(days=1))
    ev.add("summary", summary)
    ev.add("description", description)
    ev.add("categories", categories)
    ev.add("transp", "TRANSPARENT")  # a deadline, not a busy day
    alarm = Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("description", reminder)
    alarm.add("trigger", REMINDER)
    ev.add_component(alarm)
    return ev


# -- the writer ----------------------------------------------------------------------------


def text(value: str) -> str:
    r"""A TEXT value escaped (RFC 5545, 3.3.11) exactly as icalendar escapes it: `\`, `;`
    and `,` get a backslash; CRLF, LF or a lone CR is written `\n`; and, like icalendar, a
    literal `\N` already in the value is taken for a newline (so it is written `\n`)."""
    return (value.replace("\\N", "\n").replace("\\", "\\\\").replace(";", "\\;")
            .replace(",", "\\,").replace("\r\n", "\\n").replace("\n", "\\n")
            .replace("\r", "\\n"))


def content_line(line: str) -> bytes:
    r"""One content line in UTF-8, folded as icalendar folds it: cut before the character
    that would make the line 75 octets long (never inside a multi-byte character), each
    next part after CRLF and a space; a part that would end in `\` or `^` leaves that
    character to the next part, so an escape is never cut in two. No CRLF at the end."""
    data = line.encode("utf-8")
    size = len(data)
    if size <= LINE_OCTETS:
        return data
    parts = []
    start = 0
    while size - start > LINE_OCTETS:
        end = start + LINE_OCTETS
        while (data[end] & 0xC0) == 0x80:  # a continuation byte: back to the character's start
            end -= 1
        if data[end - 1] in b"\\^" and end - 1 > start:  # ASCII: never part of another character
            end -= 1
        parts.append(data[start:end])
        start = end
    parts.append(data[start:])
    return FOLD.join(parts)


def ical_date(day: date) -> str:
    """A DATE value: `20250610`."""
    return f"{day.year:04}{day.month:02}{day.day:02}"


def ical_utc(moment: datetime) -> str:
    """A DATE-TIME in UTC, `20250610T000000Z` (a naive one is taken as UTC, as icalendar
    takes DTSTAMP)."""
    utc = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    return f"{ical_date(utc)}T{utc.hour:02}{utc.minute:02}{utc.second:02}Z"


def ical_duration(span: timedelta) -> str:
    """A DURATION value as icalendar writes one: `-PT15H`, `P1DT2H`, `PT0M30S`…"""
    sign = ""
    if span.days < 0:
        sign, span = "-", -span
    clock = ""
    if span.seconds:
        hours, minutes, seconds = (span.seconds // 3600, span.seconds % 3600 // 60,
                                   span.seconds % 60)
        clock = "T"
        if hours:
            clock += f"{hours}H"
        if minutes or (hours and seconds):
            clock += f"{minutes}M"
        if seconds:
            clock += f"{seconds}S"
    if span.days == 0 and clock:
        return f"{sign}P{clock}"
    return f"{sign}P{abs(span.days)}D{clock}"


TRIGGER = ical_duration(REMINDER)
CALENDAR_HEAD = CRLF.join(content_line(line) for line in (
    "BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:{text(PRODID)}", "CALSCALE:GREGORIAN")) + CRLF
CALENDAR_END = b"END:VCALENDAR\r\n"


@functools.lru_cache(maxsize=10_000)  # about 1 KB each: a large centre's day of deadlines
def event_bytes(item: DueItem, stamp: datetime) -> bytes:
    """An event serialised, remembered: the watcher rewrites the calendars after every batch,
    and most deadlines are the same as in the batch before. The properties in icalendar's
    order: SUMMARY, DTSTART, DTEND, DTSTAMP, UID, then the rest alphabetically."""
    summary, description, categories, reminder = _texts(item)
    assert item.termin is not None
    lines = (
        "BEGIN:VEVENT",
        f"SUMMARY:{text(summary)}",
        f"DTSTART;VALUE=DATE:{ical_date(item.termin)}",
        f"DTEND;VALUE=DATE:{ical_date(item.termin + timedelta(days=1))}",
        f"DTSTAMP:{ical_utc(stamp)}",
        f"UID:{text(f'{item.uid}@{UID_DOMAIN}')}",
        f"CATEGORIES:{','.join(map(text, categories))}",
        f"DESCRIPTION:{text(description)}",
        "TRANSP:TRANSPARENT",  # a deadline, not a busy day
        "BEGIN:VALARM",
        "ACTION:DISPLAY",
        f"DESCRIPTION:{text(reminder)}",
        f"TRIGGER:{TRIGGER}",
        "END:VALARM",
        "END:VEVENT",
    )
    return CRLF.join(map(content_line, lines)) + CRLF


def calendar(title: str, events: Iterable[bytes]) -> bytes:
    """A VCALENDAR around events already serialised (each once, for every file it is in)."""
    return b"".join(calendar_chunks(title, events))


def calendar_chunks(title: str, events: Iterable[bytes]) -> Iterator[bytes]:
    """`calendar` in pieces, for a file written as it is made. X-WR-CALNAME is written as
    icalendar (since 7.2) writes a property it has no type for: as it is, not escaped (a
    line break, which icalendar refuses, becomes a space)."""
    yield CALENDAR_HEAD + content_line(f"X-WR-CALNAME:{NEWLINES.sub(' ', title)}") + CRLF
    yield from events
    yield CALENDAR_END


Pieces = Callable[[], Iterator[bytes]]


def calendar_files(snap: Snapshot, centre: str) -> list[tuple[str, Pieces]]:
    """(file name, its content in pieces – made anew each time it is asked for): one per
    assistant with cases, one for the whole centre. A large centre's files are never held
    whole: each event is serialised as it is written (`event_bytes` remembers the recent
    ones). DTSTAMP is the day the state is of, so an unchanged calendar is byte for byte
    the same."""
    stamp = datetime.combine(snap.na_dzien, time(0), UTC)
    items = sorted((i for c in snap.cases for i in c.open_items),
                   key=lambda i: (i.termin or date.min, i.rodzina, i.uid))
    event = {i.uid: i for i in items}  # one event per UID (in the order first met)
    keys: dict[str, set[str]] = {}  # family → the assistants whose calendar has its deadlines
    for case in snap.cases:
        if case.key:
            keys.setdefault(case.rodzina, set()).add(case.key)
    mine: dict[str, list[DueItem]] = {}  # assistant → events, in the centre file's order
    for item in items:
        for key in keys.get(item.rodzina, ()):
            mine.setdefault(key, []).append(event[item.uid])

    def pieces(title: str, chosen: list[DueItem]) -> Pieces:
        return lambda: calendar_chunks(title, (event_bytes(i, stamp) for i in chosen))

    out = [(CENTRE_FILE, pieces(f"asysta – {centre}", list(event.values())))]
    names = {CENTRE_FILE}
    for key, name in sorted(snap.assistants().items()):
        file = calendar_name(name)
        while file in names:  # two names with one spelling in ASCII
            file = file.removesuffix(".ics") + "-2.ics"
        names.add(file)
        out.append((file, pieces(f"asysta – {name}", mine.get(key, []))))
    return out


def calendars(snap: Snapshot, centre: str) -> dict[str, bytes]:
    """File name → calendar (`calendar_files`, each made whole)."""
    return {name: b"".join(made()) for name, made in calendar_files(snap, centre)}


def write_calendars(settings: Settings, as_of: date, snap: Snapshot | None = None) -> list[Path]:
    """Rewrite every calendar file (owner-only, like the rest of outbox) as it is made;
    drop stale ones."""
    snap = snap or snapshot(settings, as_of)
    folder = calendar_dir(settings.outbox)
    make_private_dirs(folder)
    written = []
    for name, made in calendar_files(snap, settings.osrodek.nazwa):
        target = folder / name
        replace_if_changed(target, made())  # unchanged: left alone
        written.append(target)
    for old in folder.glob("*.ics"):
        if old not in written:
            old.unlink()
    return written
