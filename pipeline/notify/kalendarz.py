"""Calendars to subscribe to: `outbox/kalendarze/<assistant>.ics` and `osrodek.ics`.

RFC 5545, written with the `icalendar` library: every deadline not met yet (BRAK or
awaited, with a date) is an all-day event with a reminder at 9:00 the day before. Its UID
is made from the case, its cycle, the attachment and the period (`due.DueItem.uid`), never
the date: the same deadline keeps its UID across runs, so a subscribed calendar updates
the event (or moves it, when its date moves) instead of adding another; a met deadline's
event is gone from the next file. The same privacy rule as the e-mails: case and
attachment numbers, titles and dates only. Rewritten after every batch and by
`asysta powiadomienia`; a file of an assistant who no longer has cases is removed.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from icalendar import Alarm, Calendar, Event

from pipeline.core.config import Settings
from pipeline.core.fsutil import make_private_dirs, replace
from pipeline.core.polish import pl_date
from pipeline.notify.due import DueItem, Snapshot, calendar_dir, snapshot, status_label
from pipeline.sprawa.kinds import slug

CENTRE_FILE = "osrodek.ics"
REMINDER = timedelta(hours=-15)  # 9:00 the day before an all-day event
UID_DOMAIN = "asysta"


def calendar_name(name: str) -> str:
    """`katarzyna-zak.ics`: an assistant's calendar file."""
    return f"{slug(name) or 'asystent'}.ics"


def event(item: DueItem, stamp: datetime) -> Event:
    assert item.termin is not None
    late = item.status == "brak"
    ev = Event()
    ev.add("uid", f"{item.uid}@{UID_DOMAIN}")
    ev.add("dtstamp", stamp)
    ev.add("dtstart", item.termin)
    ev.add("dtend", item.termin + timedelta(days=1))
    ev.add("summary", f"{'BRAK – ' if late else ''}{item.rodzina}: {item.label}")
    ev.add("description", f"Sprawa {item.rodzina}, termin {pl_date(item.termin)}, status: "
                          f"{status_label(item.status)}. {item.label}.")
    ev.add("categories", ["asysta", f"sprawa {item.rodzina}"])
    ev.add("transp", "TRANSPARENT")  # a deadline, not a busy day
    alarm = Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("description", f"Jutro termin: {item.rodzina} – {item.label}")
    alarm.add("trigger", REMINDER)
    ev.add_component(alarm)
    return ev


@functools.lru_cache(maxsize=10_000)  # about 1 KB each: a large centre's day of deadlines
def event_bytes(item: DueItem, stamp: datetime) -> bytes:
    """An event serialised, remembered: the watcher rewrites the calendars after every batch,
    and most deadlines are the same as in the batch before."""
    return bytes(event(item, stamp).to_ical())


def calendar(title: str, events: Iterable[bytes]) -> bytes:
    """A VCALENDAR around events already serialised (each once, for every file it is in)."""
    cal = Calendar()
    cal.add("prodid", "-//asysta//terminy asystenta rodziny//PL")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", title)
    end = b"END:VCALENDAR\r\n"
    head = cal.to_ical()
    assert head.endswith(end)
    return head[:-len(end)] + b"".join(events) + end


def calendars(snap: Snapshot, centre: str) -> dict[str, bytes]:
    """File name → calendar: one per assistant with cases, one for the whole centre.
    DTSTAMP is the day the state is of, so an unchanged calendar is byte for byte the same."""
    stamp = datetime.combine(snap.na_dzien, time(0), UTC)
    items = sorted((i for c in snap.cases for i in c.open_items),
                   key=lambda i: (i.termin or date.min, i.rodzina, i.uid))
    events = {i.uid: event_bytes(i, stamp) for i in items}
    out = {CENTRE_FILE: calendar(f"asysta – {centre}", events.values())}
    for key, name in sorted(snap.assistants().items()):
        mine = {c.rodzina for c in snap.cases_of(key)}
        file = calendar_name(name)
        while file in out:  # two names with one spelling in ASCII
            file = file.removesuffix(".ics") + "-2.ics"
        out[file] = calendar(f"asysta – {name}", (events[i.uid] for i in items
                                                  if i.rodzina in mine))
    return out


def write_calendars(settings: Settings, as_of: date, snap: Snapshot | None = None) -> list[Path]:
    """Rewrite every calendar file (owner-only, like the rest of outbox); drop stale ones."""
    snap = snap or snapshot(settings, as_of)
    folder = calendar_dir(settings.outbox)
    make_private_dirs(folder)
    written = []
    for name, data in calendars(snap, settings.osrodek.nazwa).items():
        target = folder / name
        if not target.is_file() or target.read_bytes() != data:  # unchanged: left alone
            replace(target, data)
        written.append(target)
    for old in folder.glob("*.ics"):
        if old not in written:
            old.unlink()
    return written
