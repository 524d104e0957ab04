"""The half-yearly figures' words and periods (`asysta sprawozdanie`): what each figure
counts (`DEFINITIONS`, printed with the figures and in the README) and the periods a
figure is asked for (`half_year`, `whole_year`)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from pipeline.core.errors import AsystaError
from pipeline.core.polish import pl_date

DEFINITIONS = {
    "asystenci": "Osoby wpisane jako asystent rodziny w przydzieleniu (zał. 1), które otwiera "
                 "cykl sprawy trwający choć jeden dzień okresu; to samo imię i nazwisko "
                 "zapisane inną wielkością liter lub odstępami to jedna osoba. Forma "
                 "zatrudnienia: sekcja [asystenci] pliku asysta.toml; kogo tam nie ma – „do "
                 "uzupełnienia”.",
    "rodziny": "Rodziny (numery spraw), których cykl – od przydzielenia asystenta (zał. 1) do "
               "jego końca: zakończenia współpracy (dokument „zakończenie”), odmowy zgody "
               "(zał. 3), zakończenia monitoringu (zał. 12), wniosku o ponowne objęcie "
               "wsparciem (zał. 13) albo nowego przydzielenia – obejmuje choć jeden dzień "
               "okresu. Rodzina z kilkoma cyklami liczy się raz.",
    "rodziny_sad": "Spośród rodzin z wiersza „rodziny”: te, których przydzielenie (zał. 1) "
                   "cyklu trwającego w okresie zaznacza postanowienie sądu.",
    "rodziny_za_zyciem": "Spośród rodzin z wiersza „rodziny”: te, których przydzielenie "
                         "(zał. 1) cyklu trwającego w okresie zaznacza ustawę „Za życiem”.",
    "dzieci": "Członkowie rodziny wymienieni w przydzieleniu (zał. 1) lub karcie informacyjnej "
              "(zał. 4) cykli trwających w okresie, którzy w ostatnim dniu okresu nie mieli "
              "ukończonych 18 lat (według daty urodzenia, bez względu na pokrewieństwo); "
              "członek bez daty urodzenia liczy się według pokrewieństwa (syn, córka, dziecko, "
              "pasierb, wnuk…), a jego sprawę podaje wykaz spraw do uzupełnienia. Każde dziecko "
              "liczy się w rodzinie raz, także przez kilka cykli (rozpoznawane po imieniu, "
              "nazwisku i dacie urodzenia, inaczej po numerze PESEL).",
    "czas_wspolpracy": "Rodziny z wiersza „rodziny” według czasu od przydzielenia (zał. 1) "
                       "ich ostatniego cyklu trwającego w okresie do końca tego cyklu albo, gdy "
                       "trwa dalej, do ostatniego dnia okresu: do 1 roku, powyżej 1 roku do "
                       "2 lat, powyżej 2 lat.",
    "zakonczone": "Rodziny, których cykl zakończył się w okresie (data dokumentu kończącego): "
                  "dokument „zakończenie” (powód z pola „powód”), zgoda (zał. 3) z odmową "
                  "współpracy (brak współpracy) albo wniosek o zakończenie monitoringu "
                  "(zał. 12; osiągnięcie celów). Wniosek o ponowne objęcie wsparciem (zał. 13) "
                  "nie kończy współpracy, chyba że po nim, przed nowym przydzieleniem, "
                  "sporządzono dokument „zakończenie” (liczą się wtedy jego data i powód). "
                  "Liczą się rodziny z wiersza „rodziny”, każda raz, z powodem ostatniego "
                  "zakończenia w okresie.",
    "koszty": "Archiwum nie zna kosztów – do uzupełnienia przez ośrodek.",
}
BAND_DEFINITIONS = {
    "do_1_roku": "Jak w wierszu 4: koniec najpóźniej w rocznicę przydzielenia.",
    "od_1_do_2_lat": "Jak w wierszu 4: po pierwszej, najpóźniej w drugą rocznicę przydzielenia.",
    "powyzej_2_lat": "Jak w wierszu 4: po drugiej rocznicy przydzielenia.",
}
REASON_DEFINITIONS = {
    "cele_osiagniete": "Jak w wierszu 5: „zakończenie” z powodem „osiągnięcie celów planu” "
                       "albo wniosek o zakończenie monitoringu (zał. 12).",
    "brak_wspolpracy": "Jak w wierszu 5: „zakończenie” z powodem „brak współpracy rodziny” "
                       "albo zgoda (zał. 3) z odmową współpracy.",
    "rezygnacja": "Jak w wierszu 5: „zakończenie” z powodem „rezygnacja rodziny złożona "
                  "pisemnie”.",
    "zmiana_miejsca_zamieszkania": "Jak w wierszu 5: „zakończenie” z powodem „zmiana miejsca "
                                   "zamieszkania poza gminę”.",
    "inne": "Jak w wierszu 5: „zakończenie” z powodem „inny powód” (lub bez znanego powodu).",
}


class PeriodError(AsystaError):
    """A period the command cannot read."""


@dataclass(frozen=True)
class Period:
    od: date
    do: date
    key: str  # 2026-H1, 2026

    @property
    def label(self) -> str:
        if self.key.endswith(("H1", "H2")):
            half = "I" if self.key.endswith("H1") else "II"
            return f"{half} półrocze {self.od.year} r. ({pl_date(self.od)} – {pl_date(self.do)})"
        return f"rok {self.od.year} ({pl_date(self.od)} – {pl_date(self.do)})"

    def overlaps(self, start: date, end: date | None) -> bool:
        return start <= self.do and (end is None or end >= self.od)

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.od <= day <= self.do


def half_year(text: str) -> Period:
    """`RRRR-H1` (1 January – 30 June) or `RRRR-H2` (1 July – 31 December)."""
    match = re.fullmatch(r"(\d{4})-[Hh]([12])", text.strip())
    if not match or int(match[1]) < 1900:
        raise PeriodError(f"niepoprawny okres „{text}” – podaj półrocze jako RRRR-H1 "
                          "(styczeń–czerwiec) albo RRRR-H2 (lipiec–grudzień), np. 2026-H1")
    year = int(match[1])
    if match[2] == "1":
        return Period(date(year, 1, 1), date(year, 6, 30), f"{year}-H1")
    return Period(date(year, 7, 1), date(year, 12, 31), f"{year}-H2")


def whole_year(text: str) -> Period:
    if not re.fullmatch(r"\d{4}", text.strip()) or int(text) < 1900:
        raise PeriodError(f"niepoprawny rok „{text}” – podaj rok jako RRRR, np. 2026")
    year = int(text)
    return Period(date(year, 1, 1), date(year, 12, 31), str(year))
