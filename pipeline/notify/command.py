"""`asysta powiadomienia`: the morning digests, sent once a day per person.

Run it every morning by the service timer or cron (running it more often is harmless:
who got today's digest gets nothing more, and after a failure the next runs wait with
back-off). `--podglad` prints what would go out and sends nothing; `--na-dzien` computes
the digests as of another day (tests, a missed morning). The calendars are rewritten too.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from datetime import date, datetime
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:  # imported by `run`: building the CLI's parser stays quick
    from pipeline.core.config import Settings
    from pipeline.notify import mail, sent
    from pipeline.notify.digest import Digest

EXIT_OK, EXIT_FAILED, EXIT_ERROR = 0, 1, 2
CRASH_POINT = "powiadomienia_wyslano"  # faults: after a digest is recorded as sent
HANDED_POINT = "powiadomienia_przekazano"  # faults: taken by the server, not yet recorded


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser],
               day: Callable[[str], date]) -> None:
    """The subcommand; `day` parses RRRR-MM-DD (the CLI's own type)."""
    p = sub.add_parser(
        "powiadomienia", help="poranne powiadomienia e-mail dla asystentów i kierownika",
        description="Wysyła każdemu asystentowi z adresem w [powiadomienia.asystenci] jego listę "
                    "„do zrobienia” (BRAK, po terminie, terminy w ciągu [terminy] "
                    "do_zrobienia_dni), a kierownikowi podsumowanie ośrodka – najwyżej jedną "
                    "wiadomość dziennie na osobę, tylko numery spraw i załączników. Odświeża "
                    "kalendarze w outbox/kalendarze/.")
    p.add_argument("--na-dzien", type=day, metavar="RRRR-MM-DD",
                   help="stan na wskazany dzień (domyślnie dziś)")
    p.add_argument("--podglad", action="store_true",
                   help="tylko pokaż wiadomości, niczego nie wysyłaj")
    p.set_defaults(func=run)


def run(settings: Settings, args: argparse.Namespace, out: TextIO | None = None) -> int:
    from pipeline.core.polish import pl_count
    from pipeline.notify.digest import digests, recipients
    from pipeline.notify.due import snapshot
    from pipeline.notify.kalendarz import write_calendars

    out = out or sys.stdout
    day: date = args.na_dzien or date.today()
    snap = snapshot(settings, day)
    write_calendars(settings, day, snap)
    skipped = recipients(settings, snap)[1]
    for name in skipped:
        print(f"pominięto: {name} – brak adresu w [powiadomienia.asystenci]", file=out)
    todo = digests(settings, snap)
    if args.podglad:
        for digest in todo:
            print(f"Do: {digest.recipient.address}\nTemat: {digest.subject}\n\n{digest.text()}",
                  file=out)
        print(f"(podgląd: {pl_count(len(todo), 'wiadomość', 'wiadomości', 'wiadomości')}, "
              "nic nie wysłano)", file=out)
        return EXIT_OK
    return send(settings, day, todo, out)


def send(settings: Settings, day: date, todo: list[Digest], out: TextIO) -> int:
    """Send what the journal does not record as sent today, one sender at a time."""
    from pipeline.notify import sent

    with sent.sending_lock(settings.outbox) as mine:
        if not mine:
            print("Powiadomienia wysyła teraz inne uruchomienie – nic więcej do zrobienia.",
                  file=out)
            return EXIT_OK
        return _send(settings, day, todo, out)


def _send(settings: Settings, day: date, todo: list[Digest], out: TextIO) -> int:
    """Under the lock: read the ledger, wait out a back-off, send and record each digest."""
    from pipeline.core.errors import MailError
    from pipeline.core.polish import pl_count, pl_date
    from pipeline.notify import mail, sent

    outbox = settings.outbox
    ledger = sent.read(outbox, day)
    waiting = [d for d in todo if sent.key(d.recipient) not in ledger.sent]
    if not waiting:
        print(f"Powiadomienia na dzień {pl_date(day)}: nic do wysłania "
              f"({pl_count(len(ledger.sent), 'wysłana', 'wysłane', 'wysłanych')} wcześniej).",
              file=out)
        return EXIT_OK
    retry = ledger.retry_at(settings.poczta.ponowienie_min)
    now = datetime.now().astimezone()
    if retry is not None and now < retry:
        count = pl_count(len(waiting), "wiadomość", "wiadomości", "wiadomości")
        print(f"Poprzednia próba wysłania nie powiodła się; następna po "
              f"{retry.astimezone():%H:%M} (czeka {count}).", file=out)
        return EXIT_FAILED
    refused = 0
    try:
        from_ = mail.sender(settings.poczta)
        with mail.Mailbox(settings.poczta) as box:
            for digest in waiting:
                refused += _one(box, settings, day, digest, from_, ledger, out)
    except MailError as exc:
        sent.failed(outbox, day, exc.setting)
        raise
    return EXIT_FAILED if refused else EXIT_OK


def _one(box: mail.Mailbox, settings: Settings, day: date, digest: Digest, from_: str,
         ledger: sent.Ledger, out: TextIO) -> int:
    """Send one digest; 1 when the server refused its address (the others go on)."""
    from pipeline.core import faults
    from pipeline.core.errors import MailError
    from pipeline.notify import mail, sent

    recipient = digest.recipient
    msg = mail.message(digest, from_, ledger.pending.get(sent.key(recipient)))
    message_id = str(msg["Message-ID"])
    sent.sending(settings.outbox, day, recipient, message_id)
    try:
        box.send(msg)
    except MailError as exc:
        if exc.setting != "[powiadomienia]":
            raise
        sent.refused(settings.outbox, day, recipient, message_id)
        print(f"asysta: {exc}", file=sys.stderr)
        return 1
    faults.point(HANDED_POINT)
    sent.sent(settings.outbox, day, recipient, message_id)
    print(f"wysłano: {recipient.address} – {digest.subject}", file=out)
    faults.point(CRASH_POINT)
    return 0
