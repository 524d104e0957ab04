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

from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
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


def calendar(title: str, items: Iterable[DueItem], stamp: datetime) -> Calendar:
    cal = Calendar()
    cal.add("prodid", "-//asysta//terminy asystenta rodziny//PL")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", title)
    for item in sorted(items, key=lambda i: (i.termin or date.min, i.rodzina, i.uid)):
        cal.add_component(event(item, stamp))
    return cal


def calendars(snap: Snapshot, centre: str) -> dict[str, Calendar]:
    """File name → calendar: one per assistant with cases, one for the whole centre."""
    stamp = datetime.now(UTC).replace(microsecond=0)
    out = {CENTRE_FILE: calendar(f"asysta – {centre}",
                                 (i for c in snap.cases for i in c.open_items), stamp)}
    for key, name in sorted(snap.assistants().items()):
        items = [i for c in snap.cases_of(key) for i in c.open_items]
        file = calendar_name(name)
        while file in out:  # two names with one spelling in ASCII
            file = file.removesuffix(".ics") + "-2.ics"
        out[file] = calendar(f"asysta – {name}", items, stamp)
    return out


def write_calendars(settings: Settings, as_of: date, snap: Snapshot | None = None) -> list[Path]:
    """Rewrite every calendar file (owner-only, like the rest of outbox); drop stale ones."""
    snap = snap or snapshot(settings, as_of)
    folder = calendar_dir(settings.outbox)
    make_private_dirs(folder)
    written = []
    for name, cal in calendars(snap, settings.osrodek.nazwa).items():
        target = folder / name
        replace(target, cal.to_ical())
        written.append(target)
    for old in folder.glob("*.ics"):
        if old not in written:
            old.unlink()
    return written
