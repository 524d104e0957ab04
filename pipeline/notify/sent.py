"""The once-a-day ledger, kept in the journal (`outbox/dziennik.jsonl`).

Before a digest goes out, `powiadomienie_wysylanie` records its Message-ID; once the server
has taken it, `powiadomienie_wyslane`. A rerun the same day sends only whom no
`powiadomienie_wyslane` names, so a crash between two sends never duplicates the first; a
message whose sending began but was never confirmed (the crash came while the server was
taking it) goes again with the same Message-ID, which mail programs recognise as one
message. A failed run leaves `powiadomienia_blad`; the next runs wait, doubling the wait
each time (`[poczta] ponowienie_min`, at most `MAX_WAIT`), before trying again.
Entries name the recipient's role and address (staff), never a family's data.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from pipeline.core import journal
from pipeline.core.fsutil import ensure_private_dir
from pipeline.notify.digest import Recipient

LOCK_NAME = ".powiadomienia.lock"
SENDING, SENT, FAILED = "powiadomienie_wysylanie", "powiadomienie_wyslane", "powiadomienia_blad"
MAX_WAIT = timedelta(hours=4)

Key = tuple[str, str]  # (role, address)


def key(recipient: Recipient) -> Key:
    return recipient.role, recipient.address.casefold()


@dataclass
class Ledger:
    """What the journal says of one day's digests."""

    na_dzien: date
    sent: dict[Key, str] = field(default_factory=dict)  # → Message-ID
    pending: dict[Key, str] = field(default_factory=dict)  # begun, never confirmed
    failures: list[datetime] = field(default_factory=list)

    def retry_at(self, base_minutes: float) -> datetime | None:
        """When the next attempt is due after the day's failures (None: at once)."""
        if not self.failures:
            return None
        wait = timedelta(minutes=base_minutes * 2 ** (len(self.failures) - 1))
        return self.failures[-1] + min(wait, MAX_WAIT)


@contextlib.contextmanager
def sending_lock(outbox: Path) -> Iterator[bool]:
    """One sender at a time (a timer's run may overlap a manual one): True when this
    process holds the lock, False when another one is sending right now."""
    ensure_private_dir(outbox)
    fd = os.open(outbox / LOCK_NAME, os.O_CREAT | os.O_RDWR, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        yield True
    finally:
        os.close(fd)


def _entries_of(outbox: Path, day: date) -> list[dict[str, Any]]:
    """The journal's entries about one day's digests; only their lines are parsed (the
    journal grows by every filed document for years)."""
    path = outbox / journal.JOURNAL_NAME
    if not path.exists():
        return []
    needle = f'"na_dzien": "{day.isoformat()}"'
    out = []
    with path.open(encoding="utf-8", errors="replace") as handle:
        for line in handle:
            if needle not in line:
                continue
            try:
                entry = json.loads(line)
            except ValueError:  # a line cut short by a crash
                continue
            if isinstance(entry, dict) and entry.get("na_dzien") == day.isoformat():
                out.append(entry)
    return out


def read(outbox: Path, day: date) -> Ledger:
    ledger = Ledger(day)
    for entry in _entries_of(outbox, day):
        akcja = entry.get("akcja")
        where: Key = (str(entry.get("rola")), str(entry.get("adres", "")).casefold())
        if akcja == SENT:
            ledger.sent[where] = str(entry.get("message_id"))
            ledger.pending.pop(where, None)
        elif akcja == SENDING and where not in ledger.sent:
            ledger.pending[where] = str(entry.get("message_id"))
        elif akcja == FAILED and entry.get("rola") is None:
            try:
                ledger.failures.append(datetime.fromisoformat(str(entry.get("czas"))))
            except ValueError:
                continue
    return ledger


def _log(outbox: Path, akcja: str, day: date, recipient: Recipient, message_id: str,
         wynik: str = "ok") -> None:
    journal.log(outbox, akcja, wynik=wynik, na_dzien=day.isoformat(), rola=recipient.role,
                adres=recipient.address, message_id=message_id)


def sending(outbox: Path, day: date, recipient: Recipient, message_id: str) -> None:
    _log(outbox, SENDING, day, recipient, message_id)


def sent(outbox: Path, day: date, recipient: Recipient, message_id: str) -> None:
    _log(outbox, SENT, day, recipient, message_id)


def refused(outbox: Path, day: date, recipient: Recipient, message_id: str) -> None:
    """One recipient refused by the server: the others go on."""
    _log(outbox, FAILED, day, recipient, message_id, wynik="adres_odrzucony")


def failed(outbox: Path, day: date, setting: str) -> None:
    """The run could not send (server down, login refused…): the next runs wait."""
    journal.log(outbox, FAILED, wynik="niewyslane", na_dzien=day.isoformat(), ustawienie=setting)
