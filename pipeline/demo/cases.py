"""What the demo centre is made of: its files and families (the answers a test compares with
the pipeline's), and the specification of each family's case history (`SPECS`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from pipeline.demo.people import (
    BRAK_WSPOLPRACY,
    INSTYTUCJA,
    REZYGNACJA,
    SAD,
    TRUDNOSCI,
    WYPROWADZKA,
    ZA_ZYCIEM,
)
from pipeline.sprawa.checklist import month_key


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
class Spec:
    """One family's history: what happened when (in days before today) and what is wrong."""

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
    waiting: bool = False  # `closing` is a re-enrolment request (13) with no new assignment yet


SPECS = (
    # Katarzyna Żak: 15 families, all in cooperation — the statutory limit
    Spec(0, 530, "współpraca od ponad roku; wszystko w terminie"),
    Spec(0, 500, "spóźnione przekazanie dokumentów (2)", late_handover=True),
    Spec(0, 470, "brak raportu miesięcznego sprzed trzech miesięcy", missing_report=3),
    Spec(0, 430, "przerwa w wizytach (ponad tydzień bez wizyty)", visit_gap=True, meeting=True),
    Spec(0, 400, "raport miesięczny złożony po terminie", late_report=2),
    Spec(0, 360, "wniosek instytucji (szkoła); spotkanie interdyscyplinarne",
          podstawa=INSTYTUCJA, meeting=True),
    Spec(0, 330, "pierwszy plik z błędną datą odrzucony, poprawiony następnego dnia", bad="date"),
    Spec(0, 290, "spóźniony plan pracy (6)", late_plan=True),
    Spec(0, 250, "od 10 dni bez wizyty", no_recent_visit=True),
    Spec(0, 210, "przydzielenie z błędnym numerem PESEL odrzucone, poprawione", bad="pesel"),
    Spec(0, 180, "okresowa ocena i aktualizacja planu w terminie"),
    Spec(0, 150, "plan bez celów odrzucony (brak wymaganego pola), poprawiony", bad="missing"),
    Spec(0, 110, "współpraca od kilku miesięcy"),
    Spec(0, 80, "karta pracy z literówką w nazwie pola odrzucona, poprawiona", bad="typo"),
    Spec(0, 45, "niedawno rozpoczęta współpraca, plan w terminie"),
    # Paweł Wróbel
    Spec(1, 200, "postanowienie sądu (pierwsze spotkanie do 5 dni)", podstawa=SAD),
    Spec(1, 120, "ustawa „Za życiem” (bez wywiadu środowiskowego)", podstawa=ZA_ZYCIEM),
    Spec(1, 29, "16. przydzielenie do Katarzyny Żak odrzucone (limit 15 rodzin), "
                 "dzień później przydzielono Pawła Wróbla; etap diagnozy", limit_attempt=30),
    Spec(1, 8, "świeże przydzielenie: czeka na pierwsze spotkanie i zgodę rodziny"),
    Spec(1, 310, "współpraca; spotkanie interdyscyplinarne", meeting=True),
    # Aleksandra Błaszczyk
    Spec(2, 540, "sprawa zakończona: monitoring zamknięty wnioskiem (12)",
          end_support=250, closing=130),
    Spec(2, 420, "monitoring w toku (po wniosku 10)", end_support=70),
    Spec(2, 545, "ponowne objęcie wsparciem: wniosek (13), potem nowe przydzielenie (1)",
          end_support=330, closing=180, reenrol=170),
    Spec(2, 260, "monitoring w toku; karta monitoringu z odwróconym okresem odrzucona, "
                  "poprawiona", bad="order", end_support=100),
    # Michał Głowacki
    Spec(3, 380, "współpraca ponad rok; aktualizacje planu po ocenach okresowych"),
    Spec(3, 140, "współpraca od kilku miesięcy"),
)
# Cases closed before their time, and one waiting for a new assistant; numbered after SPECS,
# so the families above keep their case numbers and details whatever is added here.
CLOSED_SPECS = (
    Spec(3, 520, "współpraca zakończona: brak współpracy rodziny; sąd poinformowany",
          ending=BRAK_WSPOLPRACY, ending_day=400),
    Spec(3, 505, "współpraca zakończona: pisemna rezygnacja rodziny; sądu nie poinformowano",
          ending=REZYGNACJA, ending_day=385, court_told=False),
    Spec(1, 490, "współpraca zakończona: rodzina wyprowadziła się poza gminę",
          ending=WYPROWADZKA, ending_day=350),
    Spec(1, 475, "rodzina nie wyraziła zgody na współpracę na pierwszym spotkaniu (3); "
                  "o poinformowaniu sądu decyduje kierownik", refuse=True),
    # after its monitoring the family asked to be supported again (13): it waits for a new
    # assistant (stage „kwalifikacja”, issue 19)
    Spec(2, 460, "po monitoringu wniosek (13) o wsparcie; rodzina czeka na nowego asystenta",
          end_support=200, closing=25, waiting=True),
)
