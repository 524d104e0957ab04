"""The demo centre: a deterministic, fictional centre of four family assistants.

`build_centre(today, seed)` writes the forms a real centre would have dropped in its inbox
over about eighteen months up to `today` (every date is relative to it, so the demo never
ages): 30 families in every stage of the procedure, with on-time and late documents, gaps
in visits, a court-ordered and a „Za życiem” case, monitoring, a closed and a re-enrolled
case, cooperation ended early (`rodzaj: zakonczenie`: lack of cooperation, a written
resignation, moving out of the gmina) and a family refusing consent (3), one assistant at
the statutory limit of 15 families (a 16th assignment is rejected) and a few broken files.
Everything is invented: names from common Polish name lists, streets made up for the
fictional gmina, PESEL numbers with valid checksums on invented serials. No I/O here:
`generate()` returns (file name, YAML text) pairs in filing order.

Each family also carries what the generator meant its checklist to show: the items that
must be BRAK or „po terminie” on `today` (`DemoFamily.problemy`), so a test can compare
them with what the pipeline computes.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from itertools import groupby
from pathlib import Path
from typing import Any

import yaml

from pipeline.sprawa.checklist import add_months, month_key

SEED = 2026
GMINA = "Łęgowo Śląskie"
KOD = "66-210"

ASYSTENCI = ("Katarzyna Żak", "Paweł Wróbel", "Aleksandra Błaszczyk", "Michał Głowacki")
PRACOWNICY = ("Małgorzata Ćwiklińska", "Danuta Jóźwiak", "Ireneusz Pałka")
LIMIT_ASSISTANT = ASYSTENCI[0]

# Invented streets of the fictional gmina (none of them is meant to exist anywhere).
ULICE = ("Źródlana", "Jaśminowa", "Wrzosowa", "Łąkowa", "Kościelna", "Ogrodowa", "Słoneczna",
         "Żwirowa", "Pszenna", "Bukowa", "Młyńska", "Świerkowa", "Cicha", "Kręta",
         "Złotych Łanów", "Jarzębinowa", "Podgórna", "Ściegiennego", "Różana", "Żeglarska")
IMIONA_K = ("Agnieszka", "Anna", "Katarzyna", "Monika", "Joanna", "Ewelina", "Justyna", "Magdalena",
            "Paulina", "Marta", "Dorota", "Beata", "Sylwia", "Natalia", "Izabela", "Weronika")
IMIONA_M = ("Łukasz", "Tomasz", "Krzysztof", "Marcin", "Piotr", "Grzegorz", "Paweł", "Dariusz",
            "Sebastian", "Rafał", "Mariusz", "Bartłomiej", "Jarosław", "Przemysław")
DZIECI_K = ("Zofia", "Zuzanna", "Hanna", "Lena", "Maja", "Julia", "Oliwia", "Alicja", "Łucja",
            "Pola", "Gabriela", "Michalina")
DZIECI_M = ("Jędrzej", "Antoni", "Jakub", "Szymon", "Filip", "Kacper", "Mikołaj", "Stanisław",
            "Wojciech", "Igor", "Bartosz", "Franciszek")
# (masculine, feminine) forms of surnames
NAZWISKA = (("Kowalski", "Kowalska"), ("Wiśniewski", "Wiśniewska"), ("Dąbrowski", "Dąbrowska"),
            ("Lewandowski", "Lewandowska"), ("Zieliński", "Zielińska"), ("Szymański", "Szymańska"),
            ("Woźniak", "Woźniak"), ("Kozłowski", "Kozłowska"), ("Mazur", "Mazur"),
            ("Krawczyk", "Krawczyk"), ("Piątek", "Piątek"), ("Grabowski", "Grabowska"),
            ("Pawłowski", "Pawłowska"), ("Michalski", "Michalska"), ("Król", "Król"),
            ("Wieczorek", "Wieczorek"), ("Jabłoński", "Jabłońska"), ("Majewski", "Majewska"),
            ("Olszewski", "Olszewska"), ("Stępień", "Stępień"), ("Jaworski", "Jaworska"),
            ("Malinowski", "Malinowska"), ("Adamczyk", "Adamczyk"), ("Dudek", "Dudek"),
            ("Nowicki", "Nowicka"), ("Pietrzak", "Pietrzak"), ("Sikora", "Sikora"),
            ("Gołębiowski", "Gołębiowska"), ("Ślusarczyk", "Ślusarczyk"), ("Żurawski", "Żurawska"))

TRUDNOSCI = "trudności w wypełnianiu funkcji opiekuńczo-wychowawczych"
INSTYTUCJA = "wniosek instytucji zewnętrznej"
SAD = "postanowienie sądu"
ZA_ZYCIEM = "ustawa „Za życiem”"
ZGODA = "wyrażamy zgodę na współpracę z asystentem rodziny"
ODMOWA = "nie wyrażamy zgody na współpracę z asystentem rodziny"
BRAK_WSPOLPRACY = "brak współpracy rodziny"
REZYGNACJA = "rezygnacja rodziny złożona pisemnie"
WYPROWADZKA = "zmiana miejsca zamieszkania poza gminę"
# the checklist's item „court informed of the closing” (a kind's item: attachment 0)
COURT_ITEM = (0, None)

OSRODEK = f"Gminny Ośrodek Pomocy Społecznej w {GMINA.replace('Łęgowo', 'Łęgowie')}"
W_GMINIE = "w Łęgowie Śląskim"


@dataclass(frozen=True)
class Theme:
    """One problem of a family, with the words every document uses about it."""

    obszar: str
    problem: str
    potrzeba: str
    cel: str
    dzialania: str
    efekty: str
    zadanie: str
    wizyta: tuple[str, ...]
    instytucja: str


THEMES = (
    Theme("sytuacja mieszkaniowa", "Zaległości czynszowe i zapowiedź pozwu o zapłatę.",
          "Porozumienie z Zakładem Gospodarki Mieszkaniowej o spłacie zaległości w ratach.",
          "Spłata zaległości czynszowych i terminowe regulowanie bieżących opłat za mieszkanie.",
          "Pomoc w przygotowaniu wniosku o ugodę ratalną, wspólne układanie miesięcznego budżetu, "
          "towarzyszenie w rozmowie z ZGM.",
          "Ugoda ratalna zawarta, raty i bieżący czynsz płacone w terminie, bez nowych zaległości.",
          "Zapisywać wydatki w zeszycie i wpłacać ratę do ZGM do 10. dnia miesiąca.",
          ("Przegląd zeszytu wydatków i rachunków; ułożyliśmy budżet na kolejne tygodnie.",
           "Rozmowa o racie dla ZGM; rodzic pokazał potwierdzenie wpłaty z tego miesiąca.",
           "Wspólnie przygotowaliśmy pismo do ZGM z propozycją rozłożenia zaległości na raty."),
          "Zakład Gospodarki Mieszkaniowej " + W_GMINIE),
    Theme("sytuacja zawodowa", "Bezrobocie ojca i spadek dochodu rodziny.",
          "Podjęcie stałej pracy przez ojca.", "Podjęcie zatrudnienia przez ojca.",
          "Pomoc w przygotowaniu CV, wspólny przegląd ofert pracy, kontakt z doradcą zawodowym PUP.",
          "Ojciec podejmuje zatrudnienie lub staż, rodzina ma stały dochód z pracy.",
          "Odpowiedzieć na co najmniej trzy oferty pracy w tygodniu i zapisywać odpowiedzi.",
          ("Przegląd ofert pracy z ojcem; wysłał dwa zgłoszenia z poprawionym CV.",
           "Przygotowanie do rozmowy kwalifikacyjnej w zakładzie stolarskim.",
           "Rozmowa o spotkaniu z doradcą zawodowym w PUP i o kursie operatora wózka widłowego."),
          "Powiatowy Urząd Pracy " + W_GMINIE),
    Theme("edukacja dzieci", "Częste nieobecności najstarszego dziecka w szkole.",
          "Regularne uczęszczanie dziecka do szkoły i diagnoza w poradni.",
          "Regularne uczęszczanie dzieci do szkoły.",
          "Stały kontakt z wychowawcą, pomoc w zapisie do poradni, wspólne ustalenie planu dnia.",
          "Frekwencja co najmniej 90%, nieobecności usprawiedliwiane w ciągu 7 dni.",
          "Codziennie odprowadzać dziecko do szkoły i usprawiedliwiać nieobecności w ciągu 7 dni.",
          ("Sprawdziliśmy dziennik elektroniczny; frekwencja w tym tygodniu bez zastrzeżeń.",
           "Rozmowa z dzieckiem o szkole i o tym, co je zniechęca do chodzenia na lekcje.",
           "Wspólne odrabianie lekcji i ustalenie stałej pory nauki po obiedzie."),
          "Szkoła Podstawowa nr 2 " + W_GMINIE),
    Theme("stan zdrowia", "Nieleczone stany lękowe matki.",
          "Konsultacja psychiatryczna i wsparcie psychologiczne dla matki.",
          "Ograniczenie lęku matki i wzmocnienie jej samodzielności w sprawach urzędowych.",
          "Motywowanie do leczenia, pomoc w rejestracji do poradni, towarzyszenie przy pierwszej wizycie.",
          "Matka pozostaje pod opieką specjalisty i samodzielnie załatwia sprawy urzędowe.",
          "Zadzwonić do Poradni Zdrowia Psychicznego i umówić wizytę.",
          ("Rozmowa z matką o samopoczuciu; potwierdziła termin wizyty w poradni.",
           "Ćwiczyłyśmy rozmowę telefoniczną z urzędem; matka sama umówiła termin.",
           "Matka opowiedziała o pierwszej sesji terapii; ustaliłyśmy kolejne kroki."),
          "Poradnia Zdrowia Psychicznego " + W_GMINIE),
    Theme("uzależnienia i przemoc", "Nadużywanie alkoholu przez ojca.",
          "Podjęcie terapii uzależnień przez ojca.", "Utrzymanie abstynencji przez ojca.",
          "Motywowanie do terapii, kontakt z Gminną Komisją Rozwiązywania Problemów Alkoholowych.",
          "Ojciec uczestniczy w terapii, w rodzinie nie ma interwencji policji.",
          "Uczestniczyć w cotygodniowych spotkaniach grupy terapeutycznej.",
          ("Rozmowa z ojcem o terapii; przyniósł zaświadczenie o udziale w zajęciach grupy.",
           "Rozmowa z matką o bezpieczeństwie w domu; interwencji w tym miesiącu nie było.",
           "Omówiliśmy plan weekendu bez alkoholu i wspólne wyjście z dziećmi."),
          "Gminna Komisja Rozwiązywania Problemów Alkoholowych " + W_GMINIE),
    Theme("opieka i wychowanie dzieci", "Brak stałego planu dnia i niekonsekwencja wychowawcza.",
          "Ustalenie planu dnia i zasad obowiązujących dzieci.",
          "Wzmocnienie kompetencji wychowawczych rodziców.",
          "Rozmowy o zasadach i konsekwencjach, udział rodziców w warsztatach dla rodziców w PCPR.",
          "Rodzice stosują ustalone zasady, dzieci mają stały rytm dnia.",
          "Stosować wspólnie ustalony plan dnia i zaznaczać w tabeli wykonane obowiązki dzieci.",
          ("Omówienie tabeli obowiązków dzieci; najlepiej idzie wieczorne szykowanie plecaka.",
           "Rozmowa z rodzicami o konsekwencjach zamiast krzyku; ćwiczenie na przykładach z tygodnia.",
           "Rodzice opowiedzieli o warsztatach w PCPR; ustaliliśmy, co wprowadzą w domu."),
          "Powiatowe Centrum Pomocy Rodzinie " + W_GMINIE),
    Theme("prowadzenie gospodarstwa domowego", "Trudności w prowadzeniu domu i planowaniu posiłków.",
          "Nauka planowania zakupów i posiłków.", "Samodzielne prowadzenie gospodarstwa domowego.",
          "Wspólne planowanie jadłospisu i zakupów, porządkowanie mieszkania.",
          "Regularne posiłki, porządek w mieszkaniu, zakupy zgodne z planem.",
          "Przygotować jadłospis na tydzień i listę zakupów.",
          ("Wspólnie ułożyłyśmy jadłospis na tydzień i listę zakupów.",
           "Porządkowanie pokoju dzieci; matka sama zaplanowała kolejne kroki.",
           "Wyjście na zakupy z listą; rodzina zmieściła się w zaplanowanej kwocie."),
          "Ośrodek Pomocy Społecznej " + W_GMINIE),
    Theme("relacje w rodzinie", "Częste kłótnie rodziców przy dzieciach.",
          "Poprawa komunikacji między rodzicami.", "Poprawa relacji między rodzicami.",
          "Konsultacje w poradnictwie rodzinnym PCPR, rozmowy o sposobach rozwiązywania sporów.",
          "Rodzice rozmawiają o sporach bez dzieci, korzystają z poradnictwa rodzinnego.",
          "Uczestniczyć w konsultacjach rodzinnych w PCPR raz w miesiącu.",
          ("Rozmowa z rodzicami o ostatnim sporze i o tym, jak go rozwiązali.",
           "Omówienie konsultacji w PCPR; rodzice ustalili wspólne zasady wydatków.",
           "Spokojna atmosfera w domu; rodzice sami zauważają mniej kłótni."),
          "Powiatowe Centrum Pomocy Rodzinie " + W_GMINIE),
)
ZA_ZYCIEM_THEME = Theme(
    "stan zdrowia", "Opieka nad dzieckiem z orzeczeniem o ciężkim i nieodwracalnym upośledzeniu.",
    "Koordynacja rehabilitacji i wczesnego wspomagania rozwoju dziecka.",
    "Zapewnienie dziecku stałej rehabilitacji i wsparcia rodziców w opiece.",
    "Pomoc w uzyskaniu świadczeń z ustawy „Za życiem”, kontakt z ośrodkiem wczesnej interwencji, "
    "organizacja opieki wytchnieniowej.",
    "Dziecko ma rehabilitację co najmniej dwa razy w tygodniu, rodzice korzystają z opieki "
    "wytchnieniowej.",
    "Prowadzić zeszyt ćwiczeń zaleconych przez fizjoterapeutę i zapisywać postępy.",
    ("Rozmowa z matką o rehabilitacji; ćwiczenia z zeszytu wykonywane codziennie.",
     "Pomoc w wypełnieniu wniosku o świadczenie; omówienie terminu wizyty u neurologa.",
     "Matka opowiedziała o zajęciach wczesnego wspomagania; ustaliłyśmy dojazdy na kolejny miesiąc."),
    "Ośrodek Wczesnej Interwencji " + W_GMINIE)


@dataclass(frozen=True)
class DemoFile:
    name: str  # the file's name in the inbox; sorting by it is the order of filing
    text: str
    dzien: date
    rodzina: str
    zalacznik: int  # 0 for a kind beyond the sixteen (the closing)
    odrzucony: str | None = None  # why the pipeline must reject it (None: it is filed)

    @property
    def wave(self) -> str:
        return month_key(self.dzien)


@dataclass
class DemoFamily:
    rodzina: str
    asystent: str
    opis: str  # what the family shows in the demo, in Polish
    etap: str  # the stage its checklist must show on `today`
    problemy: set[tuple[int, str | None]] = field(default_factory=set)


@dataclass
class Centre:
    today: date
    files: list[DemoFile]
    families: list[DemoFamily]
    limit_case: tuple[str, str]  # (case number, assistant) of the rejected 16th assignment

    @property
    def rejected(self) -> list[DemoFile]:
        return [f for f in self.files if f.odrzucony]

    @property
    def teczka(self) -> str:
        """The family whose binder the demo builds: the re-enrolled one, two cycles long."""
        return next(f.rodzina for f in self.families if "ponowne" in f.opis)


@dataclass(frozen=True)
class _Spec:
    asystent: int
    start: int  # days before today of the assignment (1)
    opis: str
    podstawa: str = TRUDNOSCI
    late_handover: bool = False
    late_plan: bool = False
    missing_report: int | None = None  # months before today's month
    late_report: int | None = None
    visit_gap: bool = False
    no_recent_visit: bool = False
    end_support: int | None = None  # days before today of (10)
    closing: int | None = None  # days before today of (12) or, with reenrol, (13)
    reenrol: int | None = None  # days before today of the new assignment (1)
    meeting: bool = False  # an interdisciplinary meeting (16)
    bad: str | None = None  # a broken file on the way: pesel, date, missing, order, typo
    limit_attempt: int | None = None  # days before today of a rejected assignment to ASYSTENCI[0]
    ending: str | None = None  # `powod` of a closing (rodzaj: zakonczenie) during cooperation
    ending_day: int | None = None  # days before today of that closing
    court_told: bool = True  # the closing says the court was informed (if its reason needs it)
    refuse: bool = False  # the family refuses consent (3) at the first meeting


SPECS = (
    # Katarzyna Żak: 15 families, all in cooperation — the statutory limit
    _Spec(0, 530, "współpraca od ponad roku; wszystko w terminie"),
    _Spec(0, 500, "spóźnione przekazanie dokumentów (2)", late_handover=True),
    _Spec(0, 470, "brak raportu miesięcznego sprzed trzech miesięcy", missing_report=3),
    _Spec(0, 430, "przerwa w wizytach (ponad tydzień bez wizyty)", visit_gap=True, meeting=True),
    _Spec(0, 400, "raport miesięczny złożony po terminie", late_report=2),
    _Spec(0, 360, "wniosek instytucji (szkoła); spotkanie interdyscyplinarne",
          podstawa=INSTYTUCJA, meeting=True),
    _Spec(0, 330, "pierwszy plik z błędną datą odrzucony, poprawiony następnego dnia", bad="date"),
    _Spec(0, 290, "spóźniony plan pracy (6)", late_plan=True),
    _Spec(0, 250, "od 10 dni bez wizyty", no_recent_visit=True),
    _Spec(0, 210, "przydzielenie z błędnym numerem PESEL odrzucone, poprawione", bad="pesel"),
    _Spec(0, 180, "okresowa ocena i aktualizacja planu w terminie"),
    _Spec(0, 150, "plan bez celów odrzucony (brak wymaganego pola), poprawiony", bad="missing"),
    _Spec(0, 110, "współpraca od kilku miesięcy"),
    _Spec(0, 80, "karta pracy z literówką w nazwie pola odrzucona, poprawiona", bad="typo"),
    _Spec(0, 45, "niedawno rozpoczęta współpraca, plan w terminie"),
    # Paweł Wróbel
    _Spec(1, 200, "postanowienie sądu (pierwsze spotkanie do 5 dni)", podstawa=SAD),
    _Spec(1, 120, "ustawa „Za życiem” (bez wywiadu środowiskowego)", podstawa=ZA_ZYCIEM),
    _Spec(1, 29, "16. przydzielenie do Katarzyny Żak odrzucone (limit 15 rodzin), "
                 "dzień później przydzielono Pawła Wróbla; etap diagnozy", limit_attempt=30),
    _Spec(1, 8, "świeże przydzielenie: czeka na pierwsze spotkanie i zgodę rodziny"),
    _Spec(1, 310, "współpraca; spotkanie interdyscyplinarne", meeting=True),
    # Aleksandra Błaszczyk
    _Spec(2, 540, "sprawa zakończona: monitoring zamknięty wnioskiem (12)",
          end_support=250, closing=130),
    _Spec(2, 420, "monitoring w toku (po wniosku 10)", end_support=70),
    _Spec(2, 545, "ponowne objęcie wsparciem: wniosek (13), potem nowe przydzielenie (1)",
          end_support=330, closing=180, reenrol=170),
    _Spec(2, 260, "monitoring w toku; karta monitoringu z odwróconym okresem odrzucona, "
                  "poprawiona", bad="order", end_support=100),
    # Michał Głowacki
    _Spec(3, 380, "współpraca ponad rok; aktualizacje planu po ocenach okresowych"),
    _Spec(3, 140, "współpraca od kilku miesięcy"),
)
# Cases closed before their time; numbered after SPECS, so the families above keep their
# case numbers and details whatever is added here.
CLOSED_SPECS = (
    _Spec(3, 520, "współpraca zakończona: brak współpracy rodziny; sąd poinformowany",
          ending=BRAK_WSPOLPRACY, ending_day=400),
    _Spec(3, 505, "współpraca zakończona: pisemna rezygnacja rodziny; sądu nie poinformowano",
          ending=REZYGNACJA, ending_day=385, court_told=False),
    _Spec(1, 490, "współpraca zakończona: rodzina wyprowadziła się poza gminę",
          ending=WYPROWADZKA, ending_day=350),
    _Spec(1, 475, "rodzina nie wyraziła zgody na współpracę na pierwszym spotkaniu (3); "
                  "sądu nie poinformowano", refuse=True),
)


def pesel(birth: date, female: bool, serial: int) -> str:
    """A PESEL with a valid date and checksum; `serial` (0–999) makes it unique."""
    month = birth.month + {1800: 80, 1900: 0, 2000: 20, 2100: 40}[birth.year // 100 * 100]
    sex = (serial % 5) * 2 + (0 if female else 1)
    digits = f"{birth.year % 100:02d}{month:02d}{birth.day:02d}{serial // 5 % 1000:03d}{sex}"
    weights = (1, 3, 7, 9, 1, 3, 7, 9, 1, 3)
    check = (10 - sum(int(d) * w for d, w in zip(digits, weights, strict=True)) % 10) % 10
    return digits + str(check)


def _workday(day: date) -> date:
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def _workday_back(day: date) -> date:
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    return day


def _pl(day: date) -> str:
    return day.strftime("%d.%m.%Y")


class _Family:
    """One family's case history, written out as forms."""

    def __init__(self, spec: _Spec, rodzina: str, today: date, rng: random.Random,
                 serials: Iterator[int]) -> None:
        self.spec, self.rodzina, self.today, self.rng = spec, rodzina, today, rng
        self.asystent = ASYSTENCI[spec.asystent]
        self.pracownik = rng.choice(PRACOWNICY)
        self.forms: list[tuple[date, int, dict[str, Any], str | None]] = []
        self.problemy: set[tuple[int, str | None]] = set()
        male, female = rng.choice(NAZWISKA)
        self.adres = (f"ul. {rng.choice(ULICE)} {rng.randint(1, 48)}"
                      + (f" m. {rng.randint(1, 12)}" if rng.random() < 0.5 else "")
                      + f", {KOD} {GMINA}")
        a1 = today - timedelta(days=spec.start)
        mother_birth = date(a1.year - rng.randint(23, 41), rng.randint(1, 12), rng.randint(1, 28))
        self.members: list[dict[str, Any]] = [self._person(
            f"{rng.choice(IMIONA_K)} {female}", "matka", mother_birth, True, next(serials))]
        if spec.podstawa == ZA_ZYCIEM or rng.random() < 0.7:
            father_birth = date(mother_birth.year - rng.randint(0, 5), rng.randint(1, 12),
                                rng.randint(1, 28))
            self.members.append(self._person(f"{rng.choice(IMIONA_M)} {male}", "ojciec",
                                             father_birth, False, next(serials)))
        children = 1 if spec.podstawa == ZA_ZYCIEM else rng.randint(1, 3)
        for i in range(children):
            if spec.podstawa == ZA_ZYCIEM:
                birth = a1 - timedelta(days=rng.randint(60, 200))
            else:
                birth = date(min(a1.year - 1, mother_birth.year + 19 + 3 * i + rng.randint(0, 2)),
                             rng.randint(1, 12), rng.randint(1, 28))
            girl = rng.random() < 0.5
            self.members.append(self._person(
                f"{rng.choice(DZIECI_K if girl else DZIECI_M)} {female if girl else male}",
                "córka" if girl else "syn", birth, girl, next(serials)))
        self.parents = [m for m in self.members if m["pokrewienstwo"] in ("matka", "ojciec")]
        self.rodzice = ", ".join(m["imie_nazwisko"] for m in self.parents)
        self.telefon = f"{rng.choice((5, 6, 7))}{rng.randint(0, 99):02d} {rng.randint(100, 999)} " \
                       f"{rng.randint(100, 999)} ({self.parents[0]['imie_nazwisko']})"
        if spec.podstawa == ZA_ZYCIEM:
            self.themes = [ZA_ZYCIEM_THEME, THEMES[6]]
        else:
            pool = [t for t in THEMES if len(self.parents) > 1 or "ojc" not in t.problem]
            self.themes = rng.sample(pool, 3)

    @staticmethod
    def _person(name: str, relation: str, birth: date, female: bool, serial: int) -> dict[str, Any]:
        return {"imie_nazwisko": name, "pokrewienstwo": relation, "data_urodzenia": birth,
                "pesel": pesel(birth, female, serial)}

    # -- output -----------------------------------------------------------------------

    def add(self, day: date, values: dict[str, Any], bad: str | None = None) -> None:
        if day <= self.today:
            self.forms.append((day, values.get("zalacznik", 0), values, bad))

    def head(self, n: int, day: date) -> dict[str, Any]:
        return {"zalacznik": n, "rodzina": self.rodzina, "data": day, "asystent": self.asystent}

    # -- the case ---------------------------------------------------------------------

    def build(self) -> None:
        spec, today = self.spec, self.today
        a1 = _workday_back(today - timedelta(days=spec.start))
        if spec.limit_attempt is not None:  # first sent to the assistant at the limit
            tried = _workday_back(today - timedelta(days=spec.limit_attempt))
            self.add(tried, {**self.assignment(tried), "asystent": LIMIT_ASSISTANT},
                     "limit 15 rodzin")
            a1 = max(a1, tried + timedelta(days=1))
        if spec.ending is not None and spec.ending_day is not None:  # closed early
            closed = _workday_back(today - timedelta(days=spec.ending_day))
            self.cycle(a1, closed, first=True, support_end=False)
            self.add(closed, self.closing(closed))
            return
        end = today - timedelta(days=spec.end_support) if spec.end_support else None
        self.cycle(a1, end, first=True)
        if spec.reenrol is not None and end is not None and spec.closing is not None:
            r13 = today - timedelta(days=spec.closing)
            self.monitoring(end, r13, close_with=13)
            self.cycle(today - timedelta(days=spec.reenrol), None, first=False)
        elif end is not None:
            closing = today - timedelta(days=spec.closing) if spec.closing else None
            self.monitoring(end, closing, close_with=12 if closing else None)

    def assignment(self, day: date) -> dict[str, Any]:
        spec = self.spec
        court, zz = spec.podstawa == SAD, spec.podstawa == ZA_ZYCIEM
        why = {
            TRUDNOSCI: "Rodzina przeżywa trudności w wypełnianiu funkcji opiekuńczo-wychowawczych: "
                       + " ".join(t.problem.lower().rstrip(".") + "." for t in self.themes[:2]),
            INSTYTUCJA: "Szkoła Podstawowa nr 2 " + W_GMINIE + " zgłosiła potrzebę wsparcia rodziny. "
                        + self.themes[0].problem,
            SAD: "Sąd Rejonowy " + W_GMINIE + ", III Wydział Rodzinny i Nieletnich, zobowiązał "
                 "rodziców do współpracy z asystentem rodziny. " + self.themes[0].problem,
            ZA_ZYCIEM: "Rodzina dziecka z zaświadczeniem o ciężkim i nieodwracalnym upośledzeniu "
                       "(ustawa „Za życiem”); wywiad środowiskowy nie jest wymagany.",
        }[spec.podstawa]
        return {**self.head(1, day), "pracownik_socjalny": self.pracownik,
                "data_wniosku": day - timedelta(days=self.rng.randint(2, 6)),
                "podstawa": spec.podstawa, "postanowienie_sadu": court,
                "sygnatura_postanowienia": f"III Nsm {self.rng.randint(100, 480)}/{day.year % 100}"
                if court else None,
                "za_zyciem": zz, "adres": self.adres, "czlonkowie": self.members,
                "uzasadnienie": why}

    def cycle(self, a1: date, end: date | None, first: bool, support_end: bool = True) -> None:
        spec, rng, today = self.spec, self.rng, self.today
        court, zz = spec.podstawa == SAD, spec.podstawa == ZA_ZYCIEM
        a1 = _workday_back(a1)
        assignment = self.assignment(a1)
        bad_pesel = spec.bad == "pesel" and first
        if bad_pesel:  # the last digit of the first child's PESEL mistyped
            broken = [dict(m) for m in self.members]
            p = broken[-1]["pesel"]
            broken[-1]["pesel"] = p[:10] + str((int(p[10]) + 3) % 10)
            self.add(a1, {**assignment, "czlonkowie": broken}, "niepoprawny PESEL")
            a1 = _workday(a1 + timedelta(days=1))
            assignment = self.assignment(a1)
        self.add(a1, assignment)
        a2 = _workday(a1 + timedelta(days=6 if spec.late_handover and first else 1))
        if spec.late_handover and first:
            self.problemy.add((2, None))
        docs = [] if zz else [{"nazwa": "Rodzinny wywiad środowiskowy, cz. I–IV",
                               "data_dokumentu": a1 - timedelta(days=rng.randint(7, 14)),
                               "forma": "kopia potwierdzona za zgodność z oryginałem",
                               "uwagi": f"{rng.randint(6, 11)} stron."}]
        docs += [{"nazwa": "Przydzielenie asystenta rodziny (załącznik nr 1)", "data_dokumentu": a1,
                  "forma": "oryginał", "uwagi": "Podpisane przez Kierownika Ośrodka."}]
        if court:
            docs.append({"nazwa": f"Postanowienie sądu {assignment['sygnatura_postanowienia']}",
                         "data_dokumentu": a1 - timedelta(days=12), "forma": "kopia",
                         "uwagi": "Zobowiązanie rodziców do współpracy z asystentem rodziny."})
        if zz:
            docs.append({"nazwa": "Zaświadczenie lekarskie (art. 4 ust. 3 ustawy „Za życiem”)",
                         "data_dokumentu": a1 - timedelta(days=20), "forma": "kopia",
                         "uwagi": None})
        start = _workday(a2 + timedelta(days=3 if court else rng.randint(4, 8)))
        if spec.start <= 10:  # the fresh case: its first meeting is still ahead
            start = _workday(today + timedelta(days=1))
        self.add(a2, {**self.head(2, a2), "pracownik_socjalny": self.pracownik,
                      "nazwa_rodziny": " i ".join(m["imie_nazwisko"] for m in self.parents),
                      "adres": self.adres, "data_przydzielenia": a1, "postanowienie_sadu": court,
                      "termin_pierwszego_spotkania": start, "dokumenty": docs,
                      "uwagi": "Rodzina została telefonicznie poinformowana o przydzieleniu asystenta."})
        if start > today:  # still waiting for the first meeting
            return
        short = [{"imie_nazwisko": m["imie_nazwisko"], "pokrewienstwo": m["pokrewienstwo"]}
                 for m in self.parents]
        if spec.refuse:  # the family says no at the first meeting: the cycle ends there
            self.add(start, {**self.head(3, start), "pracownik_socjalny": self.pracownik,
                             "adres": self.adres, "miejsce_spotkania": "mieszkanie rodziny",
                             "oswiadczenie": ODMOWA, "klauzula_informacyjna": True,
                             "uwagi_rodziny": "Rodzice uważają, że radzą sobie sami, i nie "
                                              "chcą wizyt asystenta.",
                             "czlonkowie": short})
            self.problemy.add(COURT_ITEM)  # nobody told the court of the refusal
            return
        self.add(start, {**self.head(3, start), "pracownik_socjalny": self.pracownik,
                         "adres": self.adres, "miejsce_spotkania": "mieszkanie rodziny",
                         "oswiadczenie": ZGODA,
                         "klauzula_informacyjna": True, "uwagi_rodziny": None,
                         "ustalenia": ["Wizyty w mieszkaniu rodziny co najmniej raz w tygodniu.",
                                       "Odwołanie wizyty rodzina zgłasza telefonicznie dzień wcześniej.",
                                       "Zmianę dochodów, pracy lub składu rodziny rodzina zgłasza "
                                       "pracownikowi socjalnemu w 7 dni."],
                         "czlonkowie": short})
        d4 = _workday(start + timedelta(days=2))
        self.add(d4, self.card(d4, start))
        d5 = _workday(start + timedelta(days=rng.randint(18, 24)))
        self.add(d5, self.assessment(d5, start))
        d6 = _workday(start + timedelta(days=40 if spec.late_plan and first else rng.randint(24, 27)))
        if d6 > add_months(start, 1):
            d6 = _workday_back(add_months(start, 1)) if not (spec.late_plan and first) else d6
        if spec.late_plan and first and d6 <= today:
            self.problemy.add((6, None))
        plan = self.plan(d6, start)
        if spec.bad == "missing" and first:
            self.add(d6, {k: v for k, v in plan.items() if k != "cele"}, "brak wymaganego pola")
        if spec.start > 40:  # a case in its first weeks still waits for its plan
            self.add(d6, plan)
        last = end or today
        visits = self.visits(start, last)
        self.visit_logs(visits, first)
        self.reports(start, last, d6, visits, first)
        self.periodic(start, last, d6)
        if spec.meeting:
            self.meeting(start + timedelta(days=rng.randint(60, 120)), last)
        self.task_cards(start, last)
        if end is not None and support_end:
            self.add(end, self.end_support(end, start))

    # -- documents ------------------------------------------------------------------

    def card(self, day: date, start: date) -> dict[str, Any]:
        rng = self.rng
        rows = [{**m, "nauka_praca": ("uczeń Szkoły Podstawowej nr 2 " + W_GMINIE
                                      if m["pokrewienstwo"] in ("córka", "syn")
                                      and m["data_urodzenia"].year < day.year - 6
                                      else None)} for m in self.members]
        parent = self.parents[0]["imie_nazwisko"]
        return {**self.head(4, day), "pracownik_socjalny": self.pracownik,
                "data_rozpoczecia_wspolpracy": start, "adres": self.adres, "telefon": self.telefon,
                "typ_rodziny": "rodzina pełna" if len(self.parents) > 1 else "rodzina niepełna",
                "niebieska_karta": any(t.obszar == "uzależnienia i przemoc" for t in self.themes),
                "czlonkowie": rows,
                "zrodla_dochodu": [
                    {"zrodlo": "wynagrodzenie za pracę", "osoba": parent,
                     "kwota": float(rng.randrange(1800, 4200, 10))},
                    {"zrodlo": "świadczenie wychowawcze „800+”", "osoba": parent,
                     "kwota": 800.0 * sum(m["pokrewienstwo"] in ("córka", "syn")
                                          for m in self.members)}],
                "sytuacja_zawodowa": " ".join(t.problem for t in self.themes
                                              if t.obszar == "sytuacja zawodowa")
                or "Rodzice pracują; dochód wystarcza na bieżące potrzeby przy starannym planowaniu.",
                "tytul_prawny_lokalu": rng.choice(("najem lokalu komunalnego", "najem prywatny",
                                                   "zamieszkiwanie u krewnych")),
                "liczba_izb": rng.randint(1, 4), "powierzchnia_m2": float(rng.randint(28, 74)),
                "zadluzenie_mieszkaniowe": float(rng.randrange(1200, 6000, 20))
                if any(t.obszar == "sytuacja mieszkaniowa" for t in self.themes) else 0.0,
                "warunki_mieszkaniowe": "Mieszkanie czyste, wyposażone w podstawowe sprzęty; "
                                        "dzieci mają wspólny pokój.",
                "sytuacja_zdrowotna": next((t.problem for t in self.themes if t.obszar == "stan zdrowia"),
                                           "Członkowie rodziny zdrowi, bez orzeczeń "
                                           "o niepełnosprawności."),
                "edukacja_dzieci": next((t.problem for t in self.themes if t.obszar == "edukacja dzieci"),
                                        "Dzieci uczęszczają do szkoły i przedszkola regularnie."),
                "osoby_wspierajace": "Babcia dzieci mieszka w pobliżu i pomaga w opiece.",
                "postepowania_sadowe": "Postępowanie przed sądem rodzinnym (postanowienie o "
                                       "zobowiązaniu do współpracy z asystentem)."
                if self.spec.podstawa == SAD else "Brak postępowań przed sądem rodzinnym.",
                "instytucje": [{"instytucja": t.instytucja, "osoba_kontaktowa": None,
                                "zakres": t.potrzeba} for t in self.themes],
                "uwagi": None}

    def assessment(self, day: date, start: date) -> dict[str, Any]:
        rng = self.rng
        return {**self.head(5, day), "okres_od": start, "okres_do": day,
                "zrodla_informacji": ["Wizyty w miejscu zamieszkania rodziny.",
                                      "Rozmowy z rodzicami i dziećmi.",
                                      "Dokumenty przekazane przez pracownika socjalnego."],
                "obszary": [{"obszar": t.obszar, "opis": t.problem,
                             "nasilenie_trudnosci": rng.choice(("trudności umiarkowane",
                                                                "trudności poważne"))}
                            for t in self.themes],
                "problemy": [t.problem for t in self.themes],
                "potrzeby": [t.potrzeba for t in self.themes],
                "oczekiwania_rodziny": "Rodzice oczekują pomocy w sprawach, które ich przerastają.",
                "mocne_strony": ["Rodzice troszczą się o dzieci.",
                                 "Rodzina jest otwarta na współpracę."],
                "zasoby": [t.instytucja for t in self.themes],
                "motywacja_rodziny": rng.choice(("wysoka", "umiarkowana")),
                "zagrozenie_piecza": rng.choice(("brak", "niskie", "umiarkowane")),
                "wnioski": "Cele pracy: " + "; ".join(t.cel.lower().rstrip(".") for t in self.themes)
                           + ". Zostaną ujęte w planie pracy z rodziną."}

    def goals(self, day: date) -> list[dict[str, Any]]:
        return [{"cel": t.cel, "dzialania": t.dzialania, "termin": add_months(day, 6),
                 "osoba_odpowiedzialna": f"{self.parents[0]['imie_nazwisko']}, asystent rodziny",
                 "przewidywane_efekty": t.efekty} for t in self.themes]

    def plan(self, day: date, start: date) -> dict[str, Any]:
        return {**self.head(6, day), "pracownik_socjalny": self.pracownik, "data_konsultacji": day,
                "okres_od": day, "okres_do": add_months(day, 6),
                "czestotliwosc_spotkan": "co najmniej raz w tygodniu w domu rodziny",
                "cel_glowny": "Wzmocnienie rodziny tak, aby samodzielnie radziła sobie z "
                              "codziennymi sprawami i zapewniła dzieciom bezpieczeństwo.",
                "zasoby_rodziny": "Rodzice troszczą się o dzieci i dotrzymują ustaleń.",
                "cele": self.goals(day),
                "zobowiazania_rodziny": "Rodzina wykonuje zadania z karty pracy rodziny.",
                "czlonkowie": [{"imie_nazwisko": m["imie_nazwisko"],
                                "pokrewienstwo": m["pokrewienstwo"]} for m in self.parents]}

    def visits(self, start: date, end: date) -> list[date]:
        """Weekly visits on the weekday of the first meeting, some weeks a second one."""
        spec, rng = self.spec, self.rng
        out, day = [], start
        gap_at = start + timedelta(days=(end - start).days // 2) if spec.visit_gap else None
        stop = self.today - timedelta(days=10) if spec.no_recent_visit else end
        while day <= min(end, stop):
            out.append(day)
            extra = day + timedelta(days=2)
            if rng.random() < 0.3 and extra <= min(end, stop) and extra.weekday() < 5:
                out.append(extra)
            step = 7
            if gap_at and day >= gap_at:
                step, gap_at = 16, None
                self.problemy.add((8, month_key(day + timedelta(days=7))))
            day += timedelta(days=step)
        if spec.no_recent_visit and end == self.today:
            self.problemy.add((8, month_key(out[-1] + timedelta(days=7))))
        return out

    def visit_logs(self, visits: list[date], first: bool) -> None:
        rng = self.rng
        months: dict[str, list[date]] = {}
        for v in visits:
            months.setdefault(month_key(v), []).append(v)
        typo_month = sorted(months)[1] if self.spec.bad == "typo" and first and len(months) > 1 else None
        for key, days in months.items():
            rows = []
            for v in days:
                h = rng.choice((9, 10, 14, 15, 16))
                theme = rng.choice(self.themes)
                rows.append({"data": v, "godzina_od": f"{h:02d}:00",
                             "godzina_do": f"{h + rng.choice((1, 2, 3)):02d}:{rng.choice(('00', '30'))}",
                             "miejsce": "mieszkanie rodziny", "dzialania": rng.choice(theme.wizyta)})
            theme = rng.choice(self.themes)
            contact_day = days[len(days) // 2]
            values = {**self.head(8, days[-1]), "miesiac": key, "wizyty": rows,
                      "kontakty": [{"data": contact_day, "instytucja": theme.instytucja,
                                    "osoba_kontaktowa": None,
                                    "forma": rng.choice(("spotkanie", "rozmowa telefoniczna")),
                                    "cel": theme.potrzeba}],
                      "uwagi": None}
            if key == typo_month:
                broken = {("asytent" if k == "asystent" else k): v for k, v in values.items()}
                self.add(days[-1], broken, "nieznane pole")
            self.add(days[-1], values)

    def reports(self, start: date, end: date, plan_day: date, visits: list[date], first: bool) -> None:
        spec, rng = self.spec, self.rng
        this_month = date(self.today.year, self.today.month, 1)
        missing = add_months(this_month, -spec.missing_report) if spec.missing_report and first else None
        late = add_months(this_month, -spec.late_report) if spec.late_report and first else None
        bad_date = spec.bad == "date" and first
        month = date(start.year, start.month, 1)
        while month <= end:
            key = month_key(month)
            due = add_months(month, 1).replace(day=5)
            day = due.replace(day=rng.randint(1, 4))
            if late == month:
                day = due + timedelta(days=rng.randint(4, 9))
                self.problemy.add((14, key))
            in_month = [v for v in visits if month_key(v) == key]
            if missing == month:
                self.problemy.add((14, key))
            elif day <= self.today:
                stage = "diagnoza i plan pracy" if month_key(plan_day) >= key else "współpraca"
                values = {**self.head(14, day), "miesiac": key, "rodzice": self.rodzice,
                          "adres": self.adres, "etap": stage, "liczba_wizyt": len(in_month),
                          "liczba_godzin": float(2 * len(in_month)),
                          "liczba_kontaktow": 1,
                          "wspolpraca_rodziny": rng.choice(("bardzo dobra", "dobra", "zadowalająca")),
                          "przebieg_pracy": " ".join(rng.choice(t.wizyta) for t in self.themes[:2]),
                          "osiagniecia": [rng.choice(self.themes).efekty],
                          "trudnosci": [rng.choice(self.themes).problem],
                          "plan_na_nastepny_miesiac": [t.zadanie for t in self.themes[:2]],
                          "uwagi": None}
                if bad_date:  # the first report written with the 31st of a 30-day month
                    bad_date = False
                    wrong = {**values, "data": f"{day.year}-{day.month:02d}-31"} \
                        if day.month in (4, 6, 9, 11) else {**values, "data": f"{day.year}-02-30"}
                    self.add(day, wrong, "błędna data")
                self.add(day, values)
            month = add_months(month, 1)

    def periodic(self, start: date, end: date, plan_day: date) -> None:
        rng = self.rng
        last, plan = start, plan_day
        while True:
            d15 = _workday_back(add_months(last, 6) - timedelta(days=rng.randint(2, 5)))
            if d15 >= end or d15 > self.today:
                return
            goals = [{"cel": t.cel, "stopien_realizacji": rng.choice(("osiągnięty",
                                                                       "częściowo osiągnięty")),
                      "uwagi": None} for t in self.themes]
            self.add(d15, {**self.head(15, d15), "pracownik_socjalny": self.pracownik,
                           "rodzice": self.rodzice, "adres": self.adres, "okres_od": last,
                           "okres_do": d15, "data_planu": plan, "liczba_wizyt": rng.randint(24, 34),
                           "wspolpraca_rodziny": rng.choice(("bardzo dobra", "dobra")),
                           "obszary": [{"obszar": t.obszar, "zmiana": rng.choice(("poprawa", "bez zmian")),
                                        "opis": t.efekty} for t in self.themes],
                           "realizacja_celow": goals,
                           "zasoby_rodziny": "Rodzice dotrzymują ustaleń i dbają o dzieci.",
                           "trudnosci": self.themes[-1].problem,
                           "podsumowanie": "Sytuacja rodziny poprawia się, efekty wymagają utrwalenia.",
                           "wniosek": "kontynuacja współpracy",
                           "rekomendacje": "Utrzymać cele planu pracy i zaktualizować terminy."})
            d7 = _workday(d15 + timedelta(days=rng.randint(3, 8)))
            if d7 <= min(end, self.today):
                self.add(d7, {**self.head(7, d7), "pracownik_socjalny": self.pracownik,
                              "data_konsultacji": d7, "data_planu": plan,
                              "przyczyna_aktualizacji": "okresowa ocena sytuacji rodziny",
                              "data_oceny_okresowej": d15, "okres_od": d7, "okres_do": add_months(d7, 6),
                              "czestotliwosc_spotkan": "co najmniej raz w tygodniu w domu rodziny",
                              "zmiany_sytuacji": "Sytuacja rodziny zmieniła się zgodnie z okresową oceną "
                                                 f"z {_pl(d15)}.",
                              "realizacja_celow": goals,
                              "cel_glowny": "Utrwalenie zmian osiągniętych w pierwszym okresie "
                                            "współpracy.",
                              "cele": self.goals(d7), "zobowiazania_rodziny": None,
                              "czlonkowie": [{"imie_nazwisko": m["imie_nazwisko"],
                                              "pokrewienstwo": m["pokrewienstwo"]}
                                             for m in self.parents]})
                plan = d7
            last = d15

    def task_cards(self, start: date, end: date) -> None:
        """A family task card (9) every three months."""
        rng = self.rng
        od = start
        while True:
            do = add_months(od, 3) - timedelta(days=1)
            if do > min(end, self.today):
                return
            self.add(do, {**self.head(9, do), "okres_od": od, "okres_do": do,
                          "zadania": [{"zadanie": t.zadanie,
                                       "osoba_odpowiedzialna": self.parents[0]["imie_nazwisko"],
                                       "termin": do, "status": rng.choice(("zrealizowane", "w trakcie")),
                                       "efekt": t.efekty} for t in self.themes],
                          "zaangazowanie_rodziny": "Rodzina wykonuje większość zadań w terminie.",
                          "uwagi": None})
            od = do + timedelta(days=1)

    def meeting(self, day: date, end: date) -> None:
        day = _workday(day)
        if day > min(end, self.today):
            return
        theme = self.themes[0]
        self.add(day, {**self.head(16, day), "miejsce": "sala konferencyjna " + OSRODEK.replace(
            "Gminny Ośrodek", "Gminnego Ośrodka"),
            "godzina_od": "10:00", "godzina_do": "11:30", "rodzina_poinformowana": True,
            "cel_spotkania": "Uzgodnienie wspólnych działań instytucji wobec rodziny: "
                             + theme.problem.lower(),
            "uczestnicy": [
                {"imie_nazwisko": self.asystent, "instytucja": OSRODEK, "funkcja": "asystent rodziny"},
                {"imie_nazwisko": self.pracownik, "instytucja": OSRODEK,
                 "funkcja": "pracownik socjalny"},
                {"imie_nazwisko": "Beata Frączek", "instytucja": "Szkoła Podstawowa nr 2 " + W_GMINIE,
                 "funkcja": "pedagog szkolny"},
                {"imie_nazwisko": "st. asp. Paweł Główczyński",
                 "instytucja": "Komisariat Policji " + W_GMINIE, "funkcja": "dzielnicowy"}],
            "porzadek": ["Otwarcie spotkania – asystent rodziny.", "Informacje uczestników.",
                         "Ustalenie zadań."],
            "przebieg": "Uczestnicy przedstawili swoje informacje o rodzinie. " + theme.efekty,
            "ustalenia": "Ustalono wspólne działania; informacje zostaną uwzględnione w planie pracy.",
            "zadania": [{"osoba_odpowiedzialna": self.asystent, "termin": day + timedelta(days=14),
                         "zadanie": theme.zadanie}],
            "termin_kolejnego_spotkania": None})

    def closing(self, day: date) -> dict[str, Any]:
        """A closing (`rodzaj: zakonczenie`) during cooperation, for the spec's reason."""
        spec = self.spec
        opis = {
            BRAK_WSPOLPRACY: "Od kilku tygodni rodzina nie otwiera drzwi w umówionych terminach i "
                             "nie odbiera telefonów; nie wykonuje zadań z karty pracy rodziny.",
            REZYGNACJA: "Rodzice złożyli pisemną rezygnację ze współpracy z asystentem rodziny; "
                        "jako przyczynę podali brak czasu na spotkania.",
            WYPROWADZKA: "Rodzina wyprowadziła się do innej gminy; ośrodek w nowym miejscu "
                         "zamieszkania został poinformowany o sytuacji rodziny.",
        }[spec.ending or ""]
        told = spec.court_told and spec.ending in (BRAK_WSPOLPRACY, REZYGNACJA)
        if spec.ending in (BRAK_WSPOLPRACY, REZYGNACJA) and not told:
            self.problemy.add(COURT_ITEM)
        return {"rodzaj": "zakonczenie", "rodzina": self.rodzina, "data": day,
                "asystent": self.asystent, "powod": spec.ending, "opis": opis,
                "dalsza_praca": "Sprawę prowadzi dalej pracownik socjalny rejonu, "
                                f"{self.pracownik}.",
                "sad_poinformowany": told,
                "data_poinformowania_sadu": _workday(day + timedelta(days=5)) if told else None}

    def end_support(self, day: date, start: date) -> dict[str, Any]:
        return {**self.head(10, day), "pracownik_socjalny": self.pracownik, "rodzice": self.rodzice,
                "adres": self.adres, "data_rozpoczecia_wspolpracy": start,
                "data_zakonczenia_wsparcia": day, "monitoring_od": day, "okres_monitoringu": 6,
                "realizacja_celow": [{"cel": t.cel, "stopien_realizacji": "osiągnięty", "uwagi": None}
                                     for t in self.themes],
                "ocena": "Rodzina osiągnęła cele planu pracy i samodzielnie radzi sobie z codziennymi "
                         "sprawami.",
                "uzasadnienie": "Cele planu pracy zostały osiągnięte; rodzina wymaga jedynie "
                                "monitorowania sytuacji.",
                "zakres_monitoringu": [t.obszar for t in self.themes],
                "stanowisko_rodziny": "Rodzina zgadza się na monitoring.",
                "decyzja": {"rozstrzygniecie": "wyrażam zgodę", "data_decyzji": day, "uwagi": None}}

    def monitoring(self, m0: date, closing: date | None, close_with: int | None) -> None:
        rng = self.rng
        od, cards = m0, 0
        stop = closing or self.today
        while True:
            do = min(od + timedelta(days=rng.randint(26, 34)), stop)
            if do <= od or do > self.today:
                break
            wizyty = [{"data": od + timedelta(days=k), "forma": rng.choice(
                ("wizyta w domu rodziny", "rozmowa telefoniczna", "spotkanie w ośrodku")),
                "uczestnicy": self.parents[0]["imie_nazwisko"],
                "obserwacje": rng.choice(self.themes).efekty}
                for k in (3, 17) if od + timedelta(days=k) <= do]
            if not wizyty:
                break
            values = {**self.head(11, do), "rodzice": self.rodzice, "adres": self.adres,
                      "monitoring_od": m0, "monitoring_do": None, "okres_od": od, "okres_do": do,
                      "wizyty": wizyty, "kontakty": None,
                      "ocena_funkcjonowania": "Rodzina funkcjonuje samodzielnie; utrzymuje zmiany "
                                              "osiągnięte we współpracy z asystentem.",
                      "niepokojace_sygnaly": None, "dalsze_dzialania": None}
            if self.spec.bad == "order" and cards == 0:
                self.add(do, {**values, "okres_od": do, "okres_do": od}, "okres odwrócony")
            self.add(do, values)
            cards += 1
            od = do + timedelta(days=1)
            if do >= stop:
                break
        if closing is None or closing > self.today:
            return
        if close_with == 12:
            self.add(closing, {**self.head(12, closing), "pracownik_socjalny": self.pracownik,
                               "rodzice": self.rodzice, "adres": self.adres,
                               "data_zakonczenia_wsparcia": m0, "monitoring_od": m0,
                               "monitoring_do": closing, "liczba_wizyt": 2 * cards,
                               "liczba_kontaktow": cards, "ocena_monitoringu": "pozytywna",
                               "ocena": "Rodzina utrzymała zmiany przez cały okres monitoringu.",
                               "uzasadnienie": "Nie stwierdzono niepokojących sygnałów.",
                               "ponowne_objecie_wsparciem": False,
                               "decyzja": {"rozstrzygniecie": "wyrażam zgodę",
                                           "data_decyzji": closing, "uwagi": None}})
        else:
            self.add(closing, {**self.head(13, closing), "pracownik_socjalny": self.pracownik,
                               "adres": self.adres,
                               "czlonkowie": [{k: m[k] for k in ("imie_nazwisko", "pokrewienstwo",
                                                                 "data_urodzenia")}
                                              for m in self.members],
                               "data_zakonczenia_wsparcia": m0, "data_zakonczenia_monitoringu": closing,
                               "ocena": "W czasie monitoringu sytuacja rodziny znów się pogorszyła.",
                               "problemy": [t.problem for t in self.themes[:2]],
                               "uzasadnienie": "Rodzina nie radzi sobie samodzielnie; ocena "
                                               "monitoringu jest negatywna.",
                               "proponowane_wsparcie": "Ponowna współpraca z asystentem rodziny.",
                               "gotowosc_rodziny": True,
                               "decyzja": {"rozstrzygniecie": "potwierdzam zasadność wniosku",
                                           "data_decyzji": closing, "data_przekazania": closing,
                                           "uwagi": None}})


def _stage(spec: _Spec, today: date) -> str:
    if spec.ending is not None or spec.refuse:
        return "zakończona"
    if spec.reenrol is not None:
        return "współpraca"
    if spec.closing is not None:
        return "zakończona"
    if spec.end_support is not None:
        return "monitoring"
    if spec.start <= 10:
        return "start"
    if spec.start <= 40:
        return "diagnoza i plan"
    return "współpraca"


class _Dumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):  # type: ignore[misc]
    """LibYAML when there is one (30× faster); never anchors: each form is written out whole."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def _text(values: dict[str, Any], family: DemoFamily) -> str:
    what = f"dokument: {values['rodzaj']}" if "rodzaj" in values \
        else f"załącznik nr {values['zalacznik']}"
    title = f"# Pokaz asysta – fikcyjny ośrodek w gminie {GMINA}; sprawa {family.rodzina}, " \
            f"{what}\n"
    return title + yaml.dump(values, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100)


def build_centre(today: date, seed: int = SEED) -> Centre:
    """The whole demo centre as of `today`: the same `today` and `seed` give the same bytes."""
    specs = [*sorted(SPECS, key=lambda s: -s.start), *sorted(CLOSED_SPECS, key=lambda s: -s.start)]
    numbers: dict[int, int] = {}
    serials = iter(range(1, 5000))
    families, staged = [], []
    for index, spec in enumerate(specs):
        a1 = today - timedelta(days=spec.limit_attempt or spec.start)
        numbers[a1.year] = numbers.get(a1.year, 0) + 1
        rodzina = f"K-{a1.year}-{numbers[a1.year]:03d}"
        rng = random.Random(f"{seed}:{index}:{rodzina}")
        fam = _Family(spec, rodzina, today, rng, serials)
        fam.build()
        info = DemoFamily(rodzina, ASYSTENCI[spec.asystent], spec.opis, _stage(spec, today),
                          fam.problemy)
        families.append(info)
        staged += [(day, n, i, values, bad, info) for i, (day, n, values, bad) in enumerate(fam.forms)]
    staged.sort(key=lambda s: (s[0], s[5].rodzina, s[2]))
    files = []
    limit_case = ("", LIMIT_ASSISTANT)
    for seq, (day, n, _, values, bad, info) in enumerate(staged, start=1):
        name = f"{seq:04d}_{info.rodzina}_{values['rodzaj'] if n == 0 else f'zal{n:02d}'}.yaml"
        files.append(DemoFile(name, _text(values, info), day, info.rodzina, n, bad))
        if bad == "limit 15 rodzin":
            limit_case = (info.rodzina, LIMIT_ASSISTANT)
    families.sort(key=lambda f: f.rodzina)
    return Centre(today, files, families, limit_case)


def generate(today: date, seed: int = SEED) -> list[tuple[str, str]]:
    """(file name, YAML text) of every form of the demo centre, in the order of filing."""
    return [(f.name, f.text) for f in build_centre(today, seed).files]


def drop_in_waves(files: list[DemoFile], inbox: Path, taken: Callable[[], int],
                  on_wave: Callable[[str, int], None] | None = None,
                  timeout_s: float = 600.0) -> None:
    """Copy the files into a watched inbox a month of documents at a time, each month once
    the watcher has taken the previous one (`taken()` counts its outcomes), so versions,
    cycles and the assistants' limit see the documents in the order they were written.
    Each file appears whole (written aside, then renamed), as a copy from another folder."""
    dropped = taken()
    for wave, group in groupby(files, key=lambda f: f.wave):
        batch = list(group)
        for demo_file in batch:
            tmp = inbox / f".{demo_file.name}.kopiowanie"
            tmp.write_text(demo_file.text, encoding="utf-8")
            tmp.rename(inbox / demo_file.name)
        dropped += len(batch)
        deadline = time.monotonic() + timeout_s
        while taken() < dropped:
            if time.monotonic() > deadline:
                raise TimeoutError(wave)
            time.sleep(0.05)
        if on_wave:
            on_wave(wave, len(batch))
