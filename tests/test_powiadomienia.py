"""`asysta powiadomienia` against a real SMTP server (aiosmtpd on a local port, plain and
STARTTLS with a self-made CA and login), on an archive built by the real pipeline: two
families with two assistants. What is checked: recipients, subjects, parts, the exact items
the checklists give, no personal data anywhere, once a day even across a crash or an
outage, Polish errors naming the setting, and the calendars (parsed, compared to the
checklists, UIDs stable)."""

from __future__ import annotations

import email
import json
import re
import shutil
import socket
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from email.message import EmailMessage
from email.policy import default as default_policy
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from icalendar import Calendar

from pipeline.app.cli import main
from pipeline.core import journal
from pipeline.core.config import Settings, load_settings
from pipeline.notify.kalendarz import CENTRE_FILE
from pipeline.stages.convert import Converter
from tests.conftest import copy_examples, make_settings, other_family, run

DAY = date(2025, 6, 10)
ZAK, SLEZAK = "Katarzyna Żak", "Tomasz Ślęzak"
ADDRESSES = {"kierownik": "kierownik@ops.test", ZAK: "k.zak@ops.test", SLEZAK: "t.slezak@ops.test"}
LOGIN, PASSWORD = "asysta@ops.test", "Tajne-hasło-7"
# staff fields: the assistant's and social worker's names may be in a mail to staff
STAFF_FIELDS = {"asystent", "pracownik_socjalny", "kierownik"}


# -- a real SMTP server ------------------------------------------------------------------


@dataclass
class Mailbox:
    messages: list[tuple[list[str], bytes]] = field(default_factory=list)
    refuse: set[str] = field(default_factory=set)  # addresses answered with 550

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str,  # noqa: N802
                          options: list[str]) -> str:
        if address in self.refuse:
            return "550 5.1.1 no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.messages.append((list(envelope.rcpt_tos), bytes(envelope.content)))
        return "250 OK"

    def parsed(self) -> list[EmailMessage]:
        return [email.message_from_bytes(raw, policy=default_policy)  # type: ignore[misc]
                for _, raw in self.messages]

    def by_recipient(self) -> dict[str, list[EmailMessage]]:
        out: dict[str, list[EmailMessage]] = {}
        for msg in self.parsed():
            out.setdefault(str(msg["To"]), []).append(msg)
        return out


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _login(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
    ok = (isinstance(data, LoginPassword) and data.login == LOGIN.encode()
          and data.password == PASSWORD.encode())
    return AuthResult(success=ok, handled=False)  # a refusal answers 535


@dataclass(frozen=True)
class Pki:
    ca: Path
    cert: Path
    key: Path
    other_ca: Path  # a CA that did not sign the server's certificate


def _openssl(*args: str, cwd: Path) -> None:
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True)


def _ca(folder: Path, name: str) -> None:
    _openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", f"{name}.key", "-out",
             f"{name}.pem", "-days", "2", "-subj", f"/CN=asysta test {name}",
             "-addext", "basicConstraints=critical,CA:TRUE",
             "-addext", "keyUsage=critical,keyCertSign,cRLSign", cwd=folder)


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    """A self-made CA and a server certificate for localhost, made by openssl."""
    folder = tmp_path_factory.mktemp("pki")
    _ca(folder, "ca")
    _ca(folder, "inne")
    (folder / "ext.cnf").write_text(
        "subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\n"
        "keyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n"
        "subjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid,issuer\n")
    _openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-out",
             "server.csr", "-subj", "/CN=localhost", cwd=folder)
    _openssl("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
             "-CAcreateserial", "-out", "server.pem", "-days", "2", "-extfile", "ext.cnf",
             cwd=folder)
    return Pki(folder / "ca.pem", folder / "server.pem", folder / "server.key", folder / "inne.pem")


@dataclass
class Server:
    port: int
    box: Mailbox
    controller: Controller | None = None

    def start(self, pki: Pki | None = None, implicit: bool = False) -> Server:
        """Plain; with `pki`, STARTTLS required and a login; `implicit`: TLS from the start."""
        options: dict[str, Any] = {}
        if pki is not None:
            import ssl

            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            context.load_cert_chain(pki.cert, pki.key)
            options = {"auth_required": True, "authenticator": _login}
            # aiosmtpd counts only STARTTLS as TLS for AUTH; with implicit TLS it is TLS anyway
            options.update({"ssl_context": context, "auth_require_tls": False} if implicit else
                           {"tls_context": context, "require_starttls": True})
        self.controller = Controller(self.box, hostname="127.0.0.1", port=self.port, **options)
        self.controller.start()
        return self

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture
def server() -> Iterator[Server]:
    srv = Server(_free_port(), Mailbox())
    try:
        yield srv
    finally:
        srv.stop()


# -- an archive built by the real pipeline ------------------------------------------------


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory, converter: Converter) -> Settings:
    """Two families, two assistants: the examples' K-2025-014 (Katarzyna Żak) from the
    assignment to the first visits, and K-2025-099 (Tomasz Ślęzak)."""
    settings = make_settings(tmp_path_factory.mktemp("archiwum"))
    paths = [p for p in copy_examples(settings, [1, 2, 3, 5, 6, 8])]
    paths += other_family(settings)
    outcomes = run(settings, converter, *paths)
    assert all(o.status == "przyjety" for o in outcomes), [o.problems for o in outcomes]
    return settings


def _centre(tmp_path: Path, archive: Settings, *, port: int, addresses: dict[str, str] = ADDRESSES,
            **poczta: Any) -> Path:
    """A copy of the archive and a config file pointing at it; its path."""
    shutil.copytree(archive.outbox, tmp_path / "outbox")
    (tmp_path / "inbox").mkdir()
    assistants = "\n".join(f'"{name}" = "{address}"' for name, address in addresses.items()
                           if name != "kierownik")
    settings = {"serwer": "127.0.0.1", "port": port, "szyfrowanie": "brak",
                "nadawca": "asysta <asysta@ops.test>", "ponowienie_min": 0, "limit_czasu_s": 5,
                **poczta}
    lines = "\n".join(f"{k} = {json.dumps(str(v) if isinstance(v, Path) else v)}"
                      for k, v in settings.items())
    config = tmp_path / "asysta.toml"
    config.write_text(f'[poczta]\n{lines}\n\n[powiadomienia]\nkierownik = '
                      f'"{addresses.get("kierownik", "")}"\n\n[powiadomienia.asystenci]\n'
                      f'{assistants}\n', encoding="utf-8")
    return config


def _run(config: Path, *args: str, day: date = DAY) -> int:
    return main(["-k", str(config), "powiadomienia", "--na-dzien", day.isoformat(), *args])


def _checklists(settings: Settings, day: date) -> dict[str, dict[str, Any]]:
    """The checklists as `asysta checklista --json` gives them."""
    out = subprocess.run([sys.executable, "-m", "pipeline.app.cli", "--outbox",
                          str(settings.outbox), "checklista", "--json", "--na-dzien",
                          day.isoformat()], capture_output=True, text=True, check=False)
    return {c["rodzina"]: c for c in json.loads(out.stdout)}


def _expected_todo(checklist: dict[str, Any], day: date, days: int = 14) -> set[tuple[int, str]]:
    """(attachment, deadline DD.MM.RRRR) of every item the „do zrobienia” list must give."""
    out = set()
    for item in checklist["pozycje"]:
        termin = date.fromisoformat(item["termin"]) if item["termin"] else None
        due_soon = (item["status"] == "oczekuje" and termin is not None
                    and day <= termin <= day + timedelta(days=days))
        if item["status"] in ("brak", "po_terminie", "niepodpisany") or due_soon:
            out.add((item["zalacznik"], termin.strftime("%d.%m.%Y") if termin else ""))
    return out


LINE = re.compile(r"^- (?:.* – termin|do) (\d\d\.\d\d\.\d{4}): (?:zał\. (\d+) )?")


def _listed(text: str) -> dict[str, set[tuple[int, str]]]:
    """Family → (attachment, deadline) of every line of a digest's text part."""
    out: dict[str, set[tuple[int, str]]] = {}
    family = ""
    for row in text.splitlines():
        if row.startswith("Sprawa "):
            family = row.removeprefix("Sprawa ")
            out[family] = set()
        elif family and (m := LINE.match(row)):
            out[family].add((int(m.group(2) or 0), m.group(1)))
    return out


def _text_and_html(msg: EmailMessage) -> tuple[str, str]:
    plain = msg.get_body(("plain",))
    rich = msg.get_body(("html",))
    assert plain is not None and rich is not None
    return plain.get_content(), rich.get_content()


def _values_of(dane: Any, key: str = "") -> set[str]:
    """Every value of a form a person could be told by: names, addresses, PESEL, birth dates,
    free text (staff names and the documents' own dates left out: no family's data)."""
    if isinstance(dane, dict):
        return {v for k, sub in dane.items() if k not in STAFF_FIELDS
                for v in _values_of(sub, k)}
    if isinstance(dane, list):
        return {v for sub in dane for v in _values_of(sub, key)}
    if "urodzenia" in key and isinstance(dane, str):
        return {dane, date.fromisoformat(dane).strftime("%d.%m.%Y")}
    if isinstance(dane, str) and len(dane) >= 4 and not re.fullmatch(
            r"\d{4}-\d\d(-\d\d)?|K-\d{4}-\d{3}", dane):
        return {dane}
    return set()


def _personal_values(settings: Settings) -> set[str]:
    """Every personal value of the filed forms, read from the families' registers."""
    values: set[str] = set()
    for register in (settings.outbox / "rodziny").glob("*/rejestr.json"):
        for entry in json.loads(register.read_text(encoding="utf-8"))["dokumenty"]:
            values |= _values_of(entry["dane"])
    return values


# -- the digests ----------------------------------------------------------------------------


def test_each_person_gets_their_digest_with_the_checklists_items(
        tmp_path: Path, archive: Settings, server: Server) -> None:
    server.start()
    config = _centre(tmp_path, archive, port=server.port)
    assert _run(config) == 0
    mails = server.box.by_recipient()
    assert sorted(mails) == sorted(ADDRESSES.values())
    assert all(len(m) == 1 for m in mails.values())
    settings = load_settings(config)
    checklists = _checklists(settings, DAY)
    for name, case in ((ZAK, "K-2025-014"), (SLEZAK, "K-2025-099")):
        msg = mails[ADDRESSES[name]][0]
        assert msg["Subject"] == "asysta: do zrobienia 10.06.2025 – 1 rodzina"
        assert msg["From"] == "asysta <asysta@ops.test>"
        assert msg["Message-ID"] and msg["Auto-Submitted"] == "auto-generated"
        text, page = _text_and_html(msg)
        expected = _expected_todo(checklists[case], DAY)
        assert expected  # the examples' family is behind on its paperwork in June
        assert _listed(text) == {case: expected}  # exactly the checklist's items, own case only
        assert f"Sprawa {case}" in page and page.count("<li") == len(expected)
    boss = mails[ADDRESSES["kierownik"]][0]
    assert re.fullmatch(r"asysta: ośrodek na dzień 10\.06\.2025 – BRAK: \d+", boss["Subject"])
    text, page = _text_and_html(boss)
    assert f"{ZAK}: 1 rodzina w toku (limit 15)" in text and SLEZAK in page
    late = {(c, n, d) for c in checklists for n, d in _expected_todo(checklists[c], DAY)
            if any(i["status"] == "brak" and i["zalacznik"] == n
                   and date.fromisoformat(i["termin"]).strftime("%d.%m.%Y") == d
                   for i in checklists[c]["pozycje"] if i["termin"])}
    listed = set()
    for case, items in re.findall(r"^- Sprawa (\S+) \([^)]*\): (.*)$", text, re.M):
        for item in items.strip().split("; "):
            m = re.fullmatch(r"(?:zał\. (\d+)|[^(–]+?)(?: \(\S+\))? – (\S+)", item)
            assert m, item
            listed.add((case, int(m.group(1) or 0), m.group(2)))
    assert listed == late
    assert boss["Subject"].endswith(f"BRAK: {len(late)}")


def test_no_personal_data_in_mail_calendar_or_journal(tmp_path: Path, archive: Settings,
                                                       server: Server) -> None:
    server.start()
    config = _centre(tmp_path, archive, port=server.port)
    assert _run(config) == 0
    settings = load_settings(config)
    values = _personal_values(archive)
    assert len(values) > 30 and "91031412362" in values  # the scan sees the families' PESELs
    seen = []
    for msg in server.box.parsed():
        seen.append(str(msg))  # every header, as sent
        seen += [part.get_content() for part in msg.walk()  # every part, decoded
                 if part.get_content_maintype() == "text"]
    seen += [p.read_text(encoding="utf-8") for p in (settings.outbox / "kalendarze").glob("*.ics")]
    seen += [json.dumps(e, ensure_ascii=False) for e in journal.read(settings.outbox)
             if str(e.get("akcja", "")).startswith("powiadomieni")]
    blob = "\n".join(seen)
    leaked = sum(1 for v in values if v in blob)  # a count: no value in the test's output
    assert leaked == 0, f"{leaked} wartości pól w wiadomościach, kalendarzach lub dzienniku"


def test_preview_sends_nothing(tmp_path: Path, archive: Settings, server: Server,
                               capsys: pytest.CaptureFixture[str]) -> None:
    server.start()
    config = _centre(tmp_path, archive, port=server.port,
                     addresses={"kierownik": ADDRESSES["kierownik"], ZAK: ADDRESSES[ZAK]})
    assert _run(config, "--podglad") == 0
    out = capsys.readouterr().out
    assert server.box.messages == []
    assert f"pominięto: {SLEZAK} – brak adresu w [powiadomienia.asystenci]" in out
    assert "Do: k.zak@ops.test" in out and "(podgląd: 2 wiadomości, nic nie wysłano)" in out
    assert not any(str(e.get("akcja")).startswith("powiadomieni")
                   for e in journal.read(tmp_path / "outbox"))


def test_sprawdz_lists_assistants_without_an_address(tmp_path: Path, archive: Settings) -> None:
    from rich.console import Console

    from pipeline.app.checks import run_checks

    config = _centre(tmp_path, archive, port=1, addresses={ZAK: ADDRESSES[ZAK],
                                                           "Katarzyna Zak": "kz@ops.test"})
    console = Console(record=True, width=300)
    run_checks(load_settings(config), console)
    text = console.export_text()
    assert f"asystent rodziny {SLEZAK} nie ma adresu w [powiadomienia.asystenci]" in text
    assert f"asystent rodziny {ZAK} nie ma" not in text
    assert "[powiadomienia.asystenci] Katarzyna Zak: nikt o tym imieniu i nazwisku" in text


def test_nothing_due_nothing_sent_unless_asked(tmp_path: Path, archive: Settings,
                                               server: Server) -> None:
    server.start()
    before = date(2025, 3, 1)  # before the first assignment: nothing is due
    config = _centre(tmp_path, archive, port=server.port)
    assert _run(config, day=before) == 0
    assert server.box.messages == []
    text = config.read_text(encoding="utf-8").replace("[powiadomienia]\n",
                                                      "[powiadomienia]\nnic_zaleglego = true\n")
    config.write_text(text, encoding="utf-8")
    assert _run(config, day=before) == 0
    subjects = sorted(str(m["Subject"]) for m in server.box.parsed())
    assert subjects == ["asysta: nic zaległego 01.03.2025"] * 2 + [
        "asysta: nic zaległego w ośrodku 01.03.2025"]


def _demo_archive(root: Path, today: date) -> tuple[Path, set[str]]:
    """The demo centre's 30 families (`asysta demo`'s forms, validated) as registers, written
    straight into an archive (the checklists read only the registers; the full demo takes
    minutes through LibreOffice), and every personal value of its forms."""
    from pipeline.demo import centre as demo
    from pipeline.stages.parse import parse_text
    from pipeline.stages.validate import validate_mapping

    registers: dict[str, list[dict[str, Any]]] = {}
    values: set[str] = set()
    for f in demo.build_centre(today).files:
        if f.odrzucony:
            continue
        _, form = validate_mapping(parse_text(f.text, ".yaml"))
        dane = json.loads(json.dumps(form, default=str))
        kind = {"rodzaj": dane["rodzaj"]} if "rodzaj" in dane else {}
        registers.setdefault(f.rodzina, []).append({
            "zalacznik": f.zalacznik, **kind, "data": dane["data"], "wersja": 1,
            "pdf": f"{f.name}.pdf", "dane": dane})
        values |= _values_of(dane)
    for rodzina, entries in registers.items():
        folder = root / "outbox" / "rodziny" / rodzina
        folder.mkdir(parents=True)
        (folder / "rejestr.json").write_text(json.dumps({"rodzina": rodzina, "dokumenty": entries},
                                                        ensure_ascii=False), encoding="utf-8")
    return root / "outbox", values


def _undated(message: Any) -> Any:
    """The message without its Date header: the time it was sent (10:30) is not a value of
    the forms even when a visit's hour is the same."""
    del message["Date"]
    return message


def test_demo_centre_digests_and_calendars_hold_no_personal_data(tmp_path: Path,
                                                                  server: Server) -> None:
    from pipeline.demo.people import ASYSTENCI

    server.start()
    today = date.today()
    outbox, values = _demo_archive(tmp_path / "demo", today)
    assert len(values) > 500
    people = {"kierownik": "kierownik@ops.test",
              **{name: f"asystent{n}@ops.test" for n, name in enumerate(ASYSTENCI)}}
    (outbox / "skany").mkdir()  # the centre scans: documents with no signed scan show
    (outbox / "skany" / "partia.pdf").write_bytes(b"%PDF-1.7\n")
    shutil.copytree(outbox, tmp_path / "kopia")  # _centre copies the archive it is given
    config = _centre(tmp_path, Settings().with_folders(outbox=tmp_path / "kopia"),
                     port=server.port, addresses=people)
    assert _run(config, day=today) == 0
    mails = server.box.by_recipient()
    assert sorted(mails) == sorted(people.values())  # the demo gives each of them work
    assert all(len(m) == 1 for m in mails.values())
    boss, _ = _text_and_html(mails["kierownik@ops.test"][0])
    unsigned = {c: sum(1 for i in checklist["pozycje"] if i["status"] == "niepodpisany")
                for c, checklist in _checklists(load_settings(config), today).items()}
    listed = dict(re.findall(r"^- Sprawa (\S+) \([^)]*\): (\d+) dokument", boss, re.M))
    assert {c: int(n) for c, n in listed.items()} == {c: n for c, n in unsigned.items() if n}
    blob = "\n".join([*(str(_undated(m)) for m in server.box.parsed()),
                      *(part.get_content() for m in server.box.parsed() for part in m.walk()
                        if part.get_content_maintype() == "text"),
                      *(p.read_text(encoding="utf-8")
                        for p in (tmp_path / "outbox" / "kalendarze").glob("*.ics"))])
    # the assistants are staff: named to the kierownik (also in the forms' lists of
    # participants and of who does what); no other value of the forms may be there
    # a birth date that is also some deadline (DD.MM.RRRR) is that deadline, not a leak
    deadlines = {date.fromisoformat(i["termin"]).strftime("%d.%m.%Y")
                 for c in _checklists(load_settings(config), today).values()
                 for i in c["pozycje"] if i["termin"]}
    leaked = sum(1 for v in values - set(ASYSTENCI) - deadlines if v in blob)  # a count only
    assert leaked == 0, f"{leaked} wartości pól w wiadomościach lub kalendarzach"


# -- once a day: outages and crashes ------------------------------------------------------------


def test_rerun_the_same_day_sends_nothing_more(tmp_path: Path, archive: Settings,
                                               server: Server) -> None:
    server.start()
    config = _centre(tmp_path, archive, port=server.port)
    assert _run(config) == 0
    assert _run(config) == 0
    assert len(server.box.messages) == 3
    assert _run(config, day=DAY + timedelta(days=1)) == 0  # a new day, a new digest
    assert len(server.box.messages) == 6


def test_a_refused_address_does_not_stop_the_others(tmp_path: Path, archive: Settings,
                                                     server: Server,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    server.box.refuse.add(ADDRESSES[SLEZAK])
    server.start()
    config = _centre(tmp_path, archive, port=server.port)
    assert _run(config) == 1
    assert "odrzucił adres t.slezak@ops.test – sprawdź go w [powiadomienia]" in \
        capsys.readouterr().err
    assert sorted(server.box.by_recipient()) == sorted([ADDRESSES["kierownik"], ADDRESSES[ZAK]])
    server.box.refuse.clear()  # the address fixed at the server: the rerun sends only it
    assert _run(config) == 0
    mails = server.box.by_recipient()
    assert sorted(mails) == sorted(ADDRESSES.values())
    assert all(len(m) == 1 for m in mails.values())


def test_one_sender_at_a_time(tmp_path: Path, archive: Settings, server: Server,
                              capsys: pytest.CaptureFixture[str]) -> None:
    from pipeline.notify.sent import sending_lock

    server.start()
    config = _centre(tmp_path, archive, port=server.port)
    with sending_lock(tmp_path / "outbox") as mine:  # another run is sending right now
        assert mine
        assert _run(config) == 0
    assert "wysyła teraz inne uruchomienie" in capsys.readouterr().out
    assert server.box.messages == []
    assert _run(config) == 0
    assert len(server.box.messages) == 3


def test_server_down_then_back(tmp_path: Path, archive: Settings, server: Server,
                               capsys: pytest.CaptureFixture[str]) -> None:
    config = _centre(tmp_path, archive, port=server.port)
    assert _run(config) == 2  # nobody listens yet
    assert (f"[poczta] serwer, port: serwer poczty 127.0.0.1:{server.port} nie odpowiada "
            "(połączenie odrzucone") in capsys.readouterr().err
    entries = journal.read(tmp_path / "outbox")
    assert not any(e["akcja"] == "powiadomienie_wyslane" for e in entries)
    assert [e["wynik"] for e in entries if e["akcja"] == "powiadomienia_blad"] == ["niewyslane"]
    server.start()
    assert _run(config) == 0
    assert sorted(server.box.by_recipient()) == sorted(ADDRESSES.values())
    assert len(server.box.messages) == 3


def test_back_off_after_a_failure(tmp_path: Path, archive: Settings, server: Server,
                                  capsys: pytest.CaptureFixture[str]) -> None:
    config = _centre(tmp_path, archive, port=server.port, ponowienie_min=60)
    assert _run(config) == 2
    server.start()
    assert _run(config) == 1  # within the hour after the failure: it waits
    assert "następna po" in capsys.readouterr().out
    assert server.box.messages == []


def test_sigkill_between_two_sends_and_a_rerun(tmp_path: Path, archive: Settings,
                                               server: Server) -> None:
    server.start()
    config = _centre(tmp_path, archive, port=server.port)
    command = [sys.executable, "-m", "pipeline.app.cli", "-k", str(config), "powiadomienia",
               "--na-dzien", DAY.isoformat()]
    env = {**__import__("os").environ, "ASYSTA_TEST_AWARIA": "powiadomienia_wyslano:1"}
    killed = subprocess.run(command, env=env, capture_output=True, check=False, timeout=120)
    assert killed.returncode == -9  # SIGKILL right after the first digest was recorded
    assert len(server.box.messages) == 1
    assert _run(config) == 0
    mails = server.box.by_recipient()
    assert sorted(mails) == sorted(ADDRESSES.values())
    assert all(len(m) == 1 for m in mails.values())  # each person exactly one that day
    sent = [e for e in journal.read(tmp_path / "outbox") if e["akcja"] == "powiadomienie_wyslane"]
    assert sorted(e["message_id"] for e in sent) == sorted(str(m[0]["Message-ID"])
                                                          for m in mails.values())


def test_sigkill_after_the_server_took_it_resends_the_same_message(
        tmp_path: Path, archive: Settings, server: Server) -> None:
    """The one window no journal can close: the server took the message, the journal had
    not recorded it yet. The rerun sends it again with the same Message-ID (mail programs
    show one message), and nobody else twice."""
    server.start()
    config = _centre(tmp_path, archive, port=server.port)
    command = [sys.executable, "-m", "pipeline.app.cli", "-k", str(config), "powiadomienia",
               "--na-dzien", DAY.isoformat()]
    env = {**__import__("os").environ, "ASYSTA_TEST_AWARIA": "powiadomienia_przekazano:1"}
    killed = subprocess.run(command, env=env, capture_output=True, check=False, timeout=120)
    assert killed.returncode == -9
    assert _run(config) == 0
    mails = server.box.by_recipient()
    assert sorted(mails) == sorted(ADDRESSES.values())
    twice = [m for m in mails.values() if len(m) == 2]
    assert len(twice) == 1 and len(server.box.messages) == 4
    assert twice[0][0]["Message-ID"] == twice[0][1]["Message-ID"]


# -- STARTTLS, login and what goes wrong -----------------------------------------------------


def test_starttls_login_and_own_ca(tmp_path: Path, archive: Settings, server: Server,
                                   pki: Pki, monkeypatch: pytest.MonkeyPatch) -> None:
    server.start(pki)
    secret = tmp_path / "haslo"
    secret.write_text(PASSWORD + "\n", encoding="utf-8")
    secret.chmod(0o600)
    config = _centre(tmp_path, archive, port=server.port, serwer="localhost",
                     szyfrowanie="starttls", ca_plik=pki.ca, uzytkownik=LOGIN, haslo_plik=secret)
    monkeypatch.delenv("ASYSTA_POCZTA_HASLO", raising=False)
    assert _run(config) == 0
    assert len(server.box.messages) == 3


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
def test_implicit_tls(tmp_path: Path, archive: Settings, server: Server, pki: Pki,
                      monkeypatch: pytest.MonkeyPatch) -> None:
    server.start(pki, implicit=True)
    config = _centre(tmp_path, archive, port=server.port, serwer="localhost", szyfrowanie="ssl",
                     ca_plik=pki.ca, uzytkownik=LOGIN)
    monkeypatch.setenv("ASYSTA_POCZTA_HASLO", PASSWORD)
    assert _run(config) == 0
    assert len(server.box.messages) == 3


def _refused(tmp_path: Path, capsys: pytest.CaptureFixture[str], setting: str) -> None:
    assert _run(tmp_path / "asysta.toml") == 2
    err = capsys.readouterr().err
    assert setting in err, err
    entries = journal.read(tmp_path / "outbox")
    assert not any(e["akcja"] == "powiadomienie_wyslane" for e in entries)


def test_wrong_password(tmp_path: Path, archive: Settings, server: Server, pki: Pki,
                        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    server.start(pki)
    _centre(tmp_path, archive, port=server.port, serwer="localhost", szyfrowanie="starttls",
            ca_plik=pki.ca, uzytkownik=LOGIN)
    monkeypatch.setenv("ASYSTA_POCZTA_HASLO", "złe hasło")
    _refused(tmp_path, capsys, "[poczta] uzytkownik / haslo_plik: serwer poczty localhost")
    assert server.box.messages == []


def test_certificate_that_does_not_verify(tmp_path: Path, archive: Settings, server: Server,
                                          pki: Pki, monkeypatch: pytest.MonkeyPatch,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    server.start(pki)
    _centre(tmp_path, archive, port=server.port, serwer="localhost", szyfrowanie="starttls",
            ca_plik=pki.other_ca, uzytkownik=LOGIN)
    monkeypatch.setenv("ASYSTA_POCZTA_HASLO", PASSWORD)
    _refused(tmp_path, capsys, "[poczta] ca_plik: certyfikat serwera poczty localhost:"
             f"{server.port} nie został zweryfikowany (nieznany wystawca certyfikatu)")
    assert server.box.messages == []


def test_unknown_host(tmp_path: Path, archive: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    _centre(tmp_path, archive, port=25, serwer="poczta.nie-ma-takiego.invalid")
    _refused(tmp_path, capsys, "[poczta] serwer: nie znaleziono serwera poczty")


def test_password_file_readable_by_others(tmp_path: Path, archive: Settings,
                                          monkeypatch: pytest.MonkeyPatch,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    secret = tmp_path / "haslo"
    secret.write_text(PASSWORD, encoding="utf-8")
    secret.chmod(0o644)
    monkeypatch.delenv("ASYSTA_POCZTA_HASLO", raising=False)
    _centre(tmp_path, archive, port=587, serwer="localhost", szyfrowanie="starttls",
            uzytkownik=LOGIN, haslo_plik=secret)
    _refused(tmp_path, capsys, "[poczta] haslo_plik: plik z hasłem")


def test_no_mail_server_set_up(tmp_path: Path, archive: Settings,
                               capsys: pytest.CaptureFixture[str]) -> None:
    config = _centre(tmp_path, archive, port=25)
    text = config.read_text(encoding="utf-8").replace('serwer = "127.0.0.1"\n', "")
    config.write_text(text, encoding="utf-8")
    _refused(tmp_path, capsys, "[poczta] serwer: nie ustawiono serwera poczty")
    assert _run(config, "--podglad") == 0  # the preview needs no server


def test_malformed_address_in_settings(tmp_path: Path, archive: Settings,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    _centre(tmp_path, archive, port=25, addresses={**ADDRESSES, ZAK: "k.zak(at)ops.test"})
    _refused(tmp_path, capsys, f"[powiadomienia.asystenci] {ZAK}: to nie jest poprawny adres")


def test_every_mail_setting_problem_at_once(tmp_path: Path) -> None:
    from pipeline.core.config import parse_config
    from pipeline.core.errors import ConfigError

    with pytest.raises(ConfigError) as caught:
        parse_config({"poczta": {"szyfrowanie": "tls", "nadawca": "asysta"},
                      "powiadomienia": {"kierownik": "kierownik.ops.test", "nic_zaleglego": "tak",
                                        "asystenci": {ZAK: "k.zak@"}}}, tmp_path)
    assert caught.value.problems == [
        f"[powiadomienia.asystenci] {ZAK}: to nie jest poprawny adres e-mail "
        '(np. "a.nowak@ops.example.pl")',
        "[powiadomienia] nic_zaleglego: oczekiwano true albo false",
        '[powiadomienia] kierownik: to nie jest poprawny adres e-mail (np. "kierownik@ops.example.pl")',
        '[poczta] nadawca: to nie jest poprawny adres e-mail (np. "asysta <asysta@ops.example.pl>")',
        "[poczta] szyfrowanie: podaj jedno z: starttls, ssl, brak"]


# -- calendars ------------------------------------------------------------------------------------


def _events(path: Path) -> dict[str, Any]:
    cal = Calendar.from_ical(path.read_bytes())
    return {str(e["uid"]): e for e in cal.walk("VEVENT")}


def test_calendars_match_the_checklists(tmp_path: Path, archive: Settings) -> None:
    config = _centre(tmp_path, archive, port=25)
    assert _run(config, "--podglad") == 0
    settings = load_settings(config)
    folder = settings.outbox / "kalendarze"
    assert sorted(p.name for p in folder.iterdir()) == [
        "katarzyna-zak.ics", CENTRE_FILE, "tomasz-slezak.ics"]
    assert all(p.stat().st_mode & 0o777 == 0o600 for p in folder.iterdir())
    checklists = _checklists(settings, DAY)
    every = {}
    for name, case in (("katarzyna-zak.ics", "K-2025-014"), ("tomasz-slezak.ics", "K-2025-099")):
        events = _events(folder / name)
        expected = sorted((i["zalacznik"], i["termin"]) for i in checklists[case]["pozycje"]
                          if i["status"] in ("brak", "oczekuje") and i["termin"])
        got = sorted((int(m.group(1)) if (m := re.search(r"zał\. (\d+) ", str(e["summary"])))
                      else 0, e.decoded("dtstart").isoformat()) for e in events.values())
        assert got == expected
        for e in events.values():
            assert case in str(e["summary"])
            assert e.decoded("dtend") - e.decoded("dtstart") == timedelta(days=1)
            alarm = e.walk("VALARM")[0]
            assert alarm.decoded("trigger") == timedelta(hours=-15)  # 9:00 the day before
        every.update(events)
    assert set(_events(folder / CENTRE_FILE)) == set(every)


def test_uids_stable_when_a_deadline_is_met(tmp_path: Path, archive: Settings,
                                           converter: Converter) -> None:
    config = _centre(tmp_path, archive, port=25)
    today = date.today()
    assert _run(config, "--podglad", day=today) == 0
    settings = load_settings(config)
    calendar = settings.outbox / "kalendarze" / "katarzyna-zak.ics"
    before = _events(calendar)
    card = [uid for uid, e in before.items() if "zał. 4 " in str(e["summary"])]
    assert len(card) == 1  # the information card (4) is due and missing
    assert _run(config, "--podglad", day=today) == 0
    assert set(_events(calendar)) == set(before)  # a second run: the very same UIDs
    outcome = run(settings, converter, *copy_examples(settings, [4]))
    assert outcome[0].status == "przyjety"
    after = _events(calendar)  # rewritten by the batch's after-batch steps
    new = [(str(after[u]["summary"]), after[u].decoded("dtstart")) for u in set(after) - set(before)]
    new += [(str(before[u]["summary"]), before[u].decoded("dtstart")) for u in set(before) - set(after)]
    assert set(after) == set(before) - set(card), new
    for uid, e in after.items():
        assert e.decoded("dtstart") == before[uid].decoded("dtstart")
