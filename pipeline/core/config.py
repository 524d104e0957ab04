"""Settings: defaults in one place, then `asysta.toml` (or $ASYSTA_CONFIG), then the CLI.

Every problem in a config file is collected and reported at once, in Polish.
Relative paths are resolved against the config file's folder (or the working
directory when there is no file).
"""

from __future__ import annotations

import dataclasses
import email.utils
import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.core.config_values import check_value, expected_type
from pipeline.core.errors import ConfigError
from pipeline.core.signers import required_problems

CONFIG_NAME = "asysta.toml"
CONFIG_ENV = "ASYSTA_CONFIG"


@dataclass(frozen=True)
class Osrodek:
    """The centre: printed in every document's header."""

    nazwa: str = "Ośrodek Pomocy Społecznej"
    adres: str = ""
    gmina: str = ""
    miejscowosc: str = ""
    kierownik: str = ""
    procedura: str = (
        "Procedury postępowania w przypadku objęcia rodziny wsparciem asystenta rodziny"
    )


@dataclass(frozen=True)
class Terminy:
    """Every deadline of the procedure; defaults from the published procedure of OPS Zbąszynek."""

    przekazanie_dokumentow_dni: int = 3  # (2) after the assignment (1)
    rozpoczecie_pracy_dni: int = 10  # start of work after the hand-over (2)
    rozpoczecie_pracy_sad_dni: int = 5  # … when a court ordered the assistance
    karta_informacyjna_dni: int = 14  # information card (4) after consent (3); no procedure sets it
    ocena_sytuacji_miesiace: int = 1  # assessment (5) after the start
    plan_pracy_miesiace: int = 1  # plan (6) after the start
    raport_miesieczny_dzien: int = 5  # monthly report (14) due on this day of next month
    ocena_okresowa_miesiace: int = 6  # periodic assessment (15) at least this often
    aktualizacja_planu_dni: int = 14  # plan update (7) after each assessment (15); no procedure sets it
    wspolpraca_lata: int = 2  # cooperation stage normally lasts up to…
    wspolpraca_max_lata: int = 3  # … and may be extended to
    monitoring_min_miesiace: int = 2
    monitoring_max_miesiace: int = 6
    dni_bez_wizyty: int = 7  # a week without a visit is flagged
    zmiana_sytuacji_dni: int = 7  # family reports a change to the social worker
    limit_rodzin: int = 15  # art. 15 ust. 4 of the act
    # the court is told of a closing for lack of cooperation or a written resignation (seed
    # 004 §14) within this many days of it; no procedure sets the figure
    poinformowanie_sadu_dni: int = 14
    przechowywanie_lat: int = 10  # a closed case's files are kept this long, then deleted
    do_zrobienia_dni: int = 14  # index.html's „do zrobienia” lists what falls due this soon


@dataclass(frozen=True)
class Foldery:
    inbox: Path = Path("inbox")
    outbox: Path = Path("outbox")
    formularze: Path | None = None  # a centre's own schemas (override the shipped ones)
    szablony: Path | None = None  # a centre's own DOCX templates
    skany: Path | None = None  # the copier's scan folder; inbox/skany when not set


@dataclass(frozen=True)
class Przetwarzanie:
    max_rozmiar_kb: int = 1024  # a form larger than this is rejected unread
    max_rozmiar_pdf_kb: int = 10240  # … a filled PDF form (embedded font; readers may add more)
    # Reading and checking one file may take this long; then it is set aside with that
    # reason (a safety net: lengths and nesting are bounded before validation). 0 = no limit.
    czas_na_plik_s: float = 10.0
    # A file must stop changing this long before it is read. With native events a file
    # being written is not taken before its writer closes it; a file moved into the inbox
    # (no close event ever comes) is taken once it has not changed for this long.
    stabilnosc_s: float = 0.2
    stabilnosc_polling_s: float = 2.0  # … on network shares (polling)
    polling_co_s: float = 1.0  # how often the polling observer looks
    przeglad_s: float = 60.0  # periodic full rescan of the inbox (safety net)
    konwersja_timeout_s: float = 120.0  # per `soffice --convert-to` call (fallback without UNO)
    konwersja_dokument_timeout_s: float = 60.0  # per document in a warm LibreOffice; then restart
    konwertery: int = 0  # warm LibreOffice instances; 0 = one per CPU core (at most 4)
    restart_po_dokumentach: int = 1000  # a fresh LibreOffice after this many (memory); 0 = never
    soffice: str = ""  # path to soffice; found on PATH when empty


@dataclass(frozen=True)
class Skany:
    """Scans of signed documents (`pipeline.scans.skany`)."""

    dni_na_podpis: int = 14  # a document without a complete signed scan this long after its date
    dpi: int = 200  # pages are read, and the signed copy kept, at this resolution
    max_rozmiar_mb: int = 500  # a scan batch larger than this is set aside unread
    max_stron: int = 500  # … and one with more pages


@dataclass(frozen=True)
class Podpis:
    """Electronic signatures (`pipeline.podpis`): trust anchors, required signers (`core.signers`),
    the kinds by issuer-name fragments or policy OIDs, and the centre's optional seal."""

    zaufane: Path | None = None  # folder of trust anchors (PEM/DER); unset: nothing is trusted
    wymagane: str = "3=rodzina+asystent, 6=rodzina+asystent, 7=rodzina+asystent"
    zaufany_wystawcy: str = "podpis zaufany, profil zaufany"
    zaufany_polityki: str = ""
    osobisty_wystawcy: str = "podpis osobisty, podpisu osobistego, e-dowód, dowód osobisty"
    osobisty_polityki: str = ""
    kwalifikowany_polityki: str = "0.4.0.194112.1.2, 0.4.0.194112.1.0, 0.4.0.1456.1.1"
    pieczec: Path | None = None  # PKCS#12; password: pieczec_haslo_plik or $ASYSTA_PIECZEC_HASLO
    pieczec_haslo_plik: Path | None = None
    tsa: str = ""  # a time-stamping authority's URL: the seal becomes PAdES B-T


@dataclass(frozen=True)
class Sprawozdanie:
    """The row labels of the half-yearly figures (`asysta sprawozdanie`). The official form's
    exact row list is not known to the program: a centre sets the wording of its form here."""

    asystenci: str = "Liczba asystentów rodziny"
    rodziny: str = "Liczba rodzin, z którymi pracował asystent rodziny"
    rodziny_sad: str = "w tym rodziny zobowiązane przez sąd do pracy z asystentem rodziny"
    rodziny_za_zyciem: str = "w tym rodziny objęte wsparciem na podstawie ustawy „Za życiem”"
    dzieci: str = "Liczba dzieci w rodzinach, z którymi pracował asystent rodziny"
    czas_wspolpracy: str = "Rodziny według czasu pracy z asystentem rodziny"
    czas_do_1_roku: str = "w tym: do 1 roku"
    czas_od_1_do_2_lat: str = "w tym: powyżej 1 roku do 2 lat"
    czas_powyzej_2_lat: str = "w tym: powyżej 2 lat"
    zakonczone: str = "Liczba rodzin, z którymi asystent zakończył pracę"
    cele_osiagniete: str = "w tym z powodu osiągnięcia celów planu pracy"
    brak_wspolpracy: str = "w tym z powodu braku współpracy rodziny"
    rezygnacja: str = "w tym z powodu rezygnacji rodziny złożonej pisemnie"
    zmiana_miejsca_zamieszkania: str = "w tym z powodu zmiany miejsca zamieszkania poza gminę"
    inne: str = "w tym z innych przyczyn"
    koszty: str = "Koszty zatrudnienia asystentów rodziny (zł)"


SZYFROWANIE = ("starttls", "ssl", "brak")  # [poczta] szyfrowanie


@dataclass(frozen=True)
class Poczta:
    """The centre's mail server for the daily digests (`asysta powiadomienia`). The password
    is never in this file: `haslo_plik` (readable by the service account only) or the
    environment variable ASYSTA_POCZTA_HASLO."""

    serwer: str = ""  # empty: e-mail is not set up
    port: int = 0  # 0: 587 for starttls, 465 for ssl, 25 for brak
    szyfrowanie: str = "starttls"  # starttls | ssl | brak (a relay on this machine, no login)
    ca_plik: Path | None = None  # the centre's own CA certificate (PEM); system CAs when not set
    uzytkownik: str = ""
    haslo_plik: Path | None = None
    nadawca: str = ""  # From: e.g. "asysta <asysta@ops.example.pl>"
    limit_czasu_s: float = 30.0  # waiting for the server, per step
    ponowienie_min: float = 15.0  # after a failed run, wait this long (doubling) before retrying

    @property
    def port_or_default(self) -> int:
        return self.port or {"ssl": 465, "brak": 25}.get(self.szyfrowanie, 587)


@dataclass(frozen=True)
class Powiadomienia:
    """Who gets the morning digest (`asysta powiadomienia`)."""

    kierownik: str = ""  # the kierownik's address; empty: no summary is sent
    nic_zaleglego: bool = False  # a short „nic zaległego” note when there is nothing to do
    # [powiadomienia.asystenci]: the assistant's name as in attachment 1 → address
    asystenci: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Kopia:
    """Backups with restic (`pipeline.ops.kopia`) and the mass-change guard (`pipeline.ops.straz`)."""

    repozytorium: str = ""  # restic's repository: a folder, sftp:…, rest:…; empty = no backups
    haslo_plik: Path | None = None  # the password file (else $ASYSTA_KOPIA_HASLO)
    restic: str = ""  # path to restic; found on PATH when empty
    zachowaj_dzienne: int = 7  # retention: daily snapshots kept …
    zachowaj_tygodniowe: int = 5
    zachowaj_miesieczne: int = 12
    max_wiek_h: float = 26.0  # `stan` warns when the newest backup is older (critical at 3x)
    # the guard: this share of archive files changed or gone between two scans stops filing
    prog_zmian_procent: float = 30.0


@dataclass(frozen=True)
class Stan:
    """Thresholds of the health check `asysta stan` (`pipeline.ops.stan`)."""

    obserwator_cisza_s: float = 180.0  # a heartbeat older than this: the watcher is dead
    dysk_ostrzezenie_mb: int = 2048  # free space on the archive's disk below this: warning
    dysk_krytyczny_mb: int = 500  # … below this: critical
    inbox_czeka_min: float = 15.0  # a form waiting in inbox/ longer than this: warning
    odrzucone_ostrzezenie: int = 20  # this many files in odrzucone/: warning
    libreoffice_timeout_s: float = 60.0  # the conversion probe's time limit
    # a form whose conversion failed alone on a fresh LibreOffice this many times is set
    # aside for the administrator (inbox/awaria-konwersji/); until then it is retried
    proby_konwersji: int = 3


@dataclass(frozen=True)
class Settings:
    osrodek: Osrodek = field(default_factory=Osrodek)
    terminy: Terminy = field(default_factory=Terminy)
    foldery: Foldery = field(default_factory=Foldery)
    przetwarzanie: Przetwarzanie = field(default_factory=Przetwarzanie)
    source: Path | None = None  # the config file read, if any
    skany: Skany = field(default_factory=Skany)

    @property
    def scans(self) -> Path:
        """The watched folder of the copier's scans."""
        return self.foldery.skany or self.foldery.inbox / "skany"
    sprawozdanie: Sprawozdanie = field(default_factory=Sprawozdanie)
    podpis: Podpis = field(default_factory=Podpis)
    # [asystenci]: assistant's name → form of employment (the figures by form of employment)
    asystenci: Mapping[str, str] = field(default_factory=dict)
    kopia: Kopia = field(default_factory=Kopia)
    stan: Stan = field(default_factory=Stan)
    poczta: Poczta = field(default_factory=Poczta)
    powiadomienia: Powiadomienia = field(default_factory=Powiadomienia)

    @property
    def inbox(self) -> Path:
        return self.foldery.inbox

    @property
    def outbox(self) -> Path:
        return self.foldery.outbox

    def with_folders(self, **changes: Any) -> Settings:
        return dataclasses.replace(self, foldery=dataclasses.replace(self.foldery, **changes))


_SECTIONS: dict[str, type] = {
    "osrodek": Osrodek,
    "terminy": Terminy,
    "foldery": Foldery,
    "przetwarzanie": Przetwarzanie,
    "skany": Skany,
    "sprawozdanie": Sprawozdanie,
    "podpis": Podpis,
    "kopia": Kopia,
    "stan": Stan,
    "poczta": Poczta,
    "powiadomienia": Powiadomienia,
}
MAIL_ASSISTANTS = "asystenci"  # the table [powiadomienia.asystenci]: name → address
ASSISTANTS_SECTION = "asystenci"  # free keys: an assistant's name → form of employment

def _section(section: str, value: dict[str, Any], base: Path, problems: list[str]) -> dict[str, Any]:
    """One section's keys, checked against its dataclass; relative paths are taken from `base`."""
    cls = _SECTIONS[section]
    names = {f.name for f in dataclasses.fields(cls)}
    kwargs: dict[str, Any] = {}
    if section == "powiadomienia":  # its one table: [powiadomienia.asystenci]
        value = dict(value)
        kwargs[MAIL_ASSISTANTS] = mail_assistants(value.pop(MAIL_ASSISTANTS, {}), problems)
    for key, raw in value.items():
        if key not in names:
            problems.append(
                f"[{section}] {key}: nieznany klucz (dozwolone: {', '.join(sorted(names))})"
            )
            continue
        expected = expected_type(cls, key)
        checked = check_value(section, key, raw, expected, problems)
        if checked is None:
            continue
        if expected is Path:
            checked = (base / checked) if checked else None
        kwargs[key] = checked
    return kwargs


def parse_config(data: dict[str, Any], base: Path, source: str = "") -> Settings:
    """Build Settings from a parsed TOML mapping; report every problem at once."""
    problems: list[str] = []
    built: dict[str, Any] = {}
    assistants = _assistants(data.get(ASSISTANTS_SECTION, {}), problems)
    for section, value in data.items():
        if section == ASSISTANTS_SECTION:
            continue
        if section not in _SECTIONS:
            known = ", ".join(f"[{s}]" for s in [*_SECTIONS, ASSISTANTS_SECTION])
            problems.append(f"nieznana sekcja [{section}] (dozwolone: {known})")
            continue
        if not isinstance(value, dict):
            problems.append(f"{section}: oczekiwano sekcji [{section}]")
            continue
        built[section] = _section(section, value, base, problems)

    terminy = built.get("terminy", {})
    _check_ranges(built, problems)
    problems += required_problems(built.get("podpis", {}).get("wymagane", Podpis.wymagane))
    problems += mail_problems(built.get("poczta", {}), built.get("powiadomienia", {}))
    if problems:
        raise ConfigError(problems, source)

    foldery = built.get("foldery", {})
    foldery.setdefault("inbox", base / "inbox")
    foldery.setdefault("outbox", base / "outbox")
    return Settings(
        osrodek=Osrodek(**built.get("osrodek", {})),
        terminy=Terminy(**terminy),
        foldery=Foldery(**foldery),
        przetwarzanie=Przetwarzanie(**built.get("przetwarzanie", {})),
        source=Path(source) if source else None,
        skany=Skany(**built.get("skany", {})),
        sprawozdanie=Sprawozdanie(**built.get("sprawozdanie", {})),
        asystenci=assistants,
        podpis=Podpis(**built.get("podpis", {})),
        kopia=Kopia(**built.get("kopia", {})),
        stan=Stan(**built.get("stan", {})),
        poczta=Poczta(**built.get("poczta", {})),
        powiadomienia=Powiadomienia(**built.get("powiadomienia", {})),
    )


def _check_ranges(built: dict[str, Any], problems: list[str]) -> None:
    """The values that must agree with each other or stay within a range."""
    terminy = built.get("terminy", {})
    lo = terminy.get("monitoring_min_miesiace", Terminy.monitoring_min_miesiace)
    hi = terminy.get("monitoring_max_miesiace", Terminy.monitoring_max_miesiace)
    if lo > hi:
        problems.append("[terminy] monitoring_min_miesiace jest większe niż monitoring_max_miesiace")
    day = terminy.get("raport_miesieczny_dzien", Terminy.raport_miesieczny_dzien)
    if not 1 <= day <= 28:
        problems.append("[terminy] raport_miesieczny_dzien: podaj dzień miesiąca od 1 do 28")
    if not 50 <= built.get("skany", {}).get("dpi", Skany.dpi) <= 600:
        problems.append("[skany] dpi: podaj rozdzielczość od 50 do 600")


def _assistants(value: Any, problems: list[str]) -> dict[str, str]:
    """[asystenci]: every key an assistant's name, every value a non-empty text."""
    if not isinstance(value, dict):
        problems.append(f"{ASSISTANTS_SECTION}: oczekiwano sekcji [{ASSISTANTS_SECTION}]")
        return {}
    out = {}
    for name, form in value.items():
        if not isinstance(form, str) or not form.strip():
            problems.append(f"[{ASSISTANTS_SECTION}] {name}: podaj formę zatrudnienia jako tekst, "
                            "np. „umowa o pracę”")
            continue
        out[" ".join(name.split())] = " ".join(form.split())
    return out


# an e-mail address as a centre writes it: no spaces, one @, a dot in the domain
_ADDRESS = re.compile(r"\A[^@\s<>(),;:\"\[\]]+@[A-Za-z0-9.-]+\.[A-Za-z0-9-]+\Z")


def is_address(text: str) -> bool:
    return _ADDRESS.match(text) is not None


def sender_address(nadawca: str) -> str:
    """The address in `nadawca`: "asysta <asysta@ops.pl>" or "asysta@ops.pl"."""
    return email.utils.parseaddr(nadawca)[1] if "<" in nadawca else nadawca.strip()


def mail_assistants(value: Any, problems: list[str]) -> dict[str, str]:
    """[powiadomienia.asystenci]: every key an assistant's name, every value an address."""
    where = f"[powiadomienia.{MAIL_ASSISTANTS}]"
    if not isinstance(value, dict):
        problems.append(f"{where}: oczekiwano tabeli „Imię Nazwisko” = \"adres\"")
        return {}
    out = {}
    for name, address in value.items():
        if not isinstance(address, str) or not is_address(address.strip()):
            problems.append(f"{where} {name}: to nie jest poprawny adres e-mail "
                            "(np. \"a.nowak@ops.example.pl\")")
            continue
        out[" ".join(name.split())] = address.strip()
    return out


def mail_problems(poczta: dict[str, Any], powiadomienia: dict[str, Any]) -> list[str]:
    """The [poczta] and [powiadomienia] values that cannot work together."""
    problems = []
    kierownik = powiadomienia.get("kierownik", "")
    if kierownik and not is_address(kierownik.strip()):
        problems.append("[powiadomienia] kierownik: to nie jest poprawny adres e-mail "
                        "(np. \"kierownik@ops.example.pl\")")
    nadawca = poczta.get("nadawca", "")
    if nadawca and not is_address(sender_address(nadawca)):
        problems.append("[poczta] nadawca: to nie jest poprawny adres e-mail "
                        "(np. \"asysta <asysta@ops.example.pl>\")")
    mode = poczta.get("szyfrowanie", Poczta.szyfrowanie)
    if mode not in SZYFROWANIE:
        problems.append(f"[poczta] szyfrowanie: podaj jedno z: {', '.join(SZYFROWANIE)}")
    elif mode == "brak" and poczta.get("uzytkownik"):
        problems.append("[poczta] szyfrowanie: logowanie (uzytkownik) wymaga szyfrowania "
                        "starttls albo ssl – hasło nie może iść otwartym tekstem")
    if poczta.get("port", 0) > 65535:
        problems.append("[poczta] port: podaj numer portu od 1 do 65535")
    return problems


def load_settings(path: Path | None = None, cwd: Path | None = None) -> Settings:
    """Read the config: an explicit path, else $ASYSTA_CONFIG, else ./asysta.toml, else defaults."""
    cwd = cwd or Path.cwd()
    if path is None and os.environ.get(CONFIG_ENV):
        path = Path(os.environ[CONFIG_ENV])
    if path is None and (cwd / CONFIG_NAME).is_file():
        path = cwd / CONFIG_NAME
    if path is None:
        return parse_config({}, cwd.resolve())
    path = (cwd / path).resolve()
    try:
        raw = path.read_bytes()
    except OSError:
        raise ConfigError([f"nie można odczytać pliku {path}"], str(path)) from None
    try:
        data = tomllib.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise ConfigError(["plik nie jest zapisany w kodowaniu UTF-8"], str(path)) from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError([f"błąd składni TOML: {exc}"], str(path)) from None
    return parse_config(data, path.parent, str(path))
