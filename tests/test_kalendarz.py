"""The calendars' own RFC 5545 writer against the `icalendar` library: for every kind of
event the module writes (late or awaited, Polish letters, long labels folded with multi-byte
characters and escapes at every fold position, commas, semicolons, backslashes, line
breaks), the bytes are those icalendar writes for the same event, and icalendar reads the
written calendars back with the same UIDs, dates and summaries."""

from __future__ import annotations

import os
import random
import subprocess
import sys
from datetime import UTC, date, datetime, time, timedelta, timezone
from pathlib import Path

import pytest

icalendar = pytest.importorskip("icalendar", minversion="7.2")  # 7.2: X- values as they are

from icalendar import Alarm, Calendar, Event  # noqa: E402
from icalendar.parser import Contentline  # noqa: E402
from icalendar.prop import vText  # noqa: E402

from pipeline.core.polish import pl_date  # noqa: E402
from pipeline.notify.due import CaseState, DueItem, Snapshot, status_label  # noqa: E402
from pipeline.notify.kalendarz import (  # noqa: E402
    CENTRE_FILE,
    REMINDER,
    calendar,
    calendars,
    content_line,
    event,
    event_bytes,
    ical_duration,
    text,
    write_calendars,
)

ROOT = Path(__file__).resolve().parent.parent
DAY = date(2026, 3, 9)
STAMP = datetime.combine(DAY, time(0), UTC)  # as `calendars` stamps its events
TITLES = [
    "Miesięczny raport z pracy z rodziną",
    "Ocena sytuacji rodziny; okresowa, z wnioskami",
    "Karta \\ informacyjna\nrodziny",  # a backslash and a line break
    "Zgoda\r\nna współpracę\rz asystentem",  # CRLF and a lone CR
    "Literal \\N and \\n, ^caret^ and \\\\ two",  # `\N` is taken for a newline by icalendar
    "Żółć gęślą jaźń – ĄĆĘŁŃÓŚŹŻ ąćęłńóśźż " * 4,  # several folds, two-byte letters
    "€ three-byte and 😀 four-byte characters " * 3,
]


def reference(item: DueItem, stamp: datetime) -> Event:
    """The event as the module wrote it with icalendar before it had its own writer."""
    assert item.termin is not None
    late = item.status == "brak"
    ev = Event()
    ev.add("uid", f"{item.uid}@asysta")
    ev.add("dtstamp", stamp)
    ev.add("dtstart", item.termin)
    ev.add("dtend", item.termin + timedelta(days=1))
    ev.add("summary", f"{'BRAK – ' if late else ''}{item.rodzina}: {item.label}")
    ev.add("description", f"Sprawa {item.rodzina}, termin {pl_date(item.termin)}, status: "
                          f"{status_label(item.status)}. {item.label}.")
    ev.add("categories", ["asysta", f"sprawa {item.rodzina}"])
    ev.add("transp", "TRANSPARENT")
    alarm = Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("description", f"Jutro termin: {item.rodzina} – {item.label}")
    alarm.add("trigger", REMINDER)
    ev.add_component(alarm)
    return ev


def reference_calendar(title: str, events: list[Event]) -> bytes:
    cal = Calendar()
    cal.add("prodid", "-//asysta//terminy asystenta rodziny//PL")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", title)
    for ev in events:
        cal.add_component(ev)
    return bytes(cal.to_ical())


def item(n: int, rodzina: str = "K-2025-014", title: str = TITLES[0], **changes: object) -> DueItem:
    fields: dict[str, object] = dict(
        rodzina=rodzina, zalacznik=n % 17, rodzaj="" if n % 17 else "zakonczenie", tytul=title,
        okres=f"2026-{n % 12 + 1:02d}" if n % 3 else None, termin=DAY + timedelta(days=n % 40 - 10),
        status="brak" if n % 2 else "oczekuje", soon=False, uid=f"{n:032x}")
    fields.update(changes)
    return DueItem(**fields)  # type: ignore[arg-type]


def varied() -> list[DueItem]:
    """Every title in both statuses, under case numbers with commas and semicolons, and
    padded by 0–79 characters so that each fold of the long lines falls on every
    position: between the bytes of a letter, right after a backslash or a caret."""
    items = [item(n, rodzina, title, status=status)
             for n, (rodzina, title, status) in enumerate(
                 (r, t, s) for r in ("K-2025-014", "S-00,1;2", "Ś\\ęż")
                 for t in TITLES for s in ("brak", "oczekuje"))]
    for pad in range(80):
        for k, tail in enumerate(("ż\\,;" * 30, "😀\\\\€^" * 25, ";\\N\nł" * 30)):
            items.append(item(1000 + pad * 3 + k, title="x" * pad + tail,
                              status="brak" if pad % 2 else "oczekuje"))
    return items


def test_event_bytes_equal_icalendar() -> None:
    items = varied()
    assert len(items) > 250
    for it in items:
        expected = reference(it, STAMP).to_ical()
        assert event_bytes(it, STAMP) == expected, it
        assert event(it, STAMP).to_ical() == expected  # the module's own reference event


def test_stamps_as_icalendar_writes_them() -> None:
    """DTSTAMP in UTC whatever the stamp: a naive one taken as UTC, others converted."""
    it = item(5, title="Żółć, gęś; jaźń")
    for stamp in (datetime(2026, 3, 9, 23, 59, 58, 999999),
                  datetime(2026, 3, 9, 1, 2, 3, tzinfo=timezone(timedelta(hours=2))),
                  datetime(2026, 3, 9, 12, 0, tzinfo=timezone(timedelta(hours=-7, minutes=-30)))):
        assert event_bytes(it, stamp) == reference(it, stamp).to_ical()


def test_durations_as_icalendar_writes_them() -> None:
    from icalendar.prop import vDuration

    for span in (REMINDER, timedelta(hours=15), timedelta(days=-1), timedelta(days=2, seconds=5),
                 timedelta(hours=1, seconds=1), timedelta(minutes=-30), timedelta(0),
                 timedelta(days=-3, hours=4, minutes=5, seconds=6)):
        assert ical_duration(span).encode() == vDuration(span).to_ical(), span


def test_escaping_and_folding_match_icalendar_on_random_text() -> None:
    rng = random.Random(5545)
    alphabet = "ab ,;:\\^\n\r\tNnżŁ€😀\"'"
    for _ in range(3000):
        value = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 400)))
        assert text(value) == vText(value).to_ical().decode("utf-8")
        line = f"DESCRIPTION:{text(value)}"
        assert content_line(line) == Contentline(line).to_ical()


def test_calendar_equals_icalendar() -> None:
    items = varied()[:40]
    # a long title with Polish letters (folded); a comma stays as it is in X-WR-CALNAME
    for title in ("asysta – Katarzyna Żak",
                  "asysta – Gminny Ośrodek Pomocy Społecznej w Łęgowie Śląskim, filia w Żółkiewce"):
        written = calendar(title, (event_bytes(i, STAMP) for i in items))
        assert written == reference_calendar(title, [reference(i, STAMP) for i in items])
    assert calendar("asysta – x", []) == reference_calendar("asysta – x", [])


def _expected_summary(it: DueItem) -> str:
    """What icalendar reads back: line breaks (CR, CRLF, a literal `\\N`) as LF."""
    summary = f"{'BRAK – ' if it.status == 'brak' else ''}{it.rodzina}: {it.label}"
    return summary.replace("\\N", "\n").replace("\r\n", "\n").replace("\r", "\n")


def test_written_calendars_parse_back() -> None:
    zak = [item(n, "K-2025-014", TITLES[n % len(TITLES)]) for n in range(12)]
    slezak = [item(100 + n, "S-00,1;2", TITLES[n % len(TITLES)]) for n in range(9)]
    nobody = [item(200 + n, "K-2025-099", TITLES[-2]) for n in range(3)]  # no assistant yet
    snap = Snapshot(DAY, 14, 15, (
        CaseState("K-2025-014", "Katarzyna Żak", "katarzyna żak", True, tuple(zak)),
        CaseState("S-00,1;2", "Tomasz Ślęzak", "tomasz ślęzak", True, tuple(slezak)),
        CaseState("K-2025-099", "", "", True, tuple(nobody))), ())
    files = calendars(snap, "Ośrodek w Łęgowie")
    assert sorted(files) == ["katarzyna-zak.ics", CENTRE_FILE, "tomasz-slezak.ics"]
    for name, mine in (("katarzyna-zak.ics", zak), ("tomasz-slezak.ics", slezak),
                       (CENTRE_FILE, zak + slezak + nobody)):
        cal = Calendar.from_ical(files[name])
        assert str(cal["x-wr-calname"]).startswith("asysta – ")
        events = cal.walk("VEVENT")
        got = {str(e["uid"]): (e.decoded("dtstart"), e.decoded("dtend"), str(e["summary"]),
                               e.walk("VALARM")[0].decoded("trigger")) for e in events}
        assert len(got) == len(events) == len(mine)
        assert got == {f"{i.uid}@asysta": (i.termin, i.termin + timedelta(days=1),  # type: ignore[operator]
                                           _expected_summary(i), REMINDER) for i in mine}
        starts = [e.decoded("dtstart") for e in events]
        assert starts == sorted(starts)  # in date order
    assert str(Calendar.from_ical(files[CENTRE_FILE])["x-wr-calname"]) == "asysta – Ośrodek w Łęgowie"


def test_calendars_are_written_in_pieces_and_an_unchanged_one_is_left_alone(tmp_path: Path) -> None:
    """`write_calendars` writes each file as it is made (a large centre's never held whole):
    the files are `calendars` byte for byte, owner-only; an unchanged file is not rewritten,
    a changed one is, and an assistant's file without cases any more is removed."""
    from conftest import make_settings

    settings = make_settings(tmp_path)
    zak = [item(n, "K-2025-014", TITLES[n % len(TITLES)]) for n in range(30)]
    slezak = [item(100 + n, "K-2025-015", TITLES[n % len(TITLES)]) for n in range(5)]
    both = Snapshot(DAY, 14, 15, (
        CaseState("K-2025-014", "Katarzyna Żak", "katarzyna żak", True, tuple(zak)),
        CaseState("K-2025-015", "Tomasz Ślęzak", "tomasz ślęzak", True, tuple(slezak))), ())
    folder = settings.outbox / "kalendarze"
    written = write_calendars(settings, DAY, both)
    assert {p.name: p.read_bytes() for p in written} == calendars(both, settings.osrodek.nazwa)
    assert {p.stat().st_mode & 0o777 for p in written} == {0o600}
    zak_file = folder / "katarzyna-zak.ics"
    os.utime(zak_file, ns=(1, 1))
    write_calendars(settings, DAY, both)
    assert zak_file.stat().st_mtime_ns == 1  # the same bytes: left alone
    one = Snapshot(DAY, 14, 15, (
        CaseState("K-2025-014", "Katarzyna Żak", "katarzyna żak", True, tuple(zak[:-1])),), ())
    write_calendars(settings, DAY, one)
    assert zak_file.stat().st_mtime_ns != 1
    assert zak_file.read_bytes() == calendars(one, settings.osrodek.nazwa)["katarzyna-zak.ics"]
    assert sorted(p.name for p in folder.glob("*.ics")) == ["katarzyna-zak.ics", CENTRE_FILE]


def test_the_module_does_not_import_icalendar() -> None:
    """Writing the calendars needs no icalendar: only `event`, the reference, imports it."""
    code = ("import sys, pipeline.notify.kalendarz as k; "
            "assert 'icalendar' not in sys.modules, 'icalendar imported'")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(ROOT)}, check=False)
    assert done.returncode == 0, done.stderr
