"""A demo family and the forms written about it: its members (with PESEL numbers), address and
themes, and one method per form that does not depend on the history around it (assignment,
family card, assessment, plan, end of support, closing)."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

from pipeline.demo.cases import Spec
from pipeline.demo.people import (
    ASYSTENCI,
    BRAK_WSPOLPRACY,
    COURT_ITEM,
    DZIECI_K,
    DZIECI_M,
    GMINA,
    IMIONA_K,
    IMIONA_M,
    INSTYTUCJA,
    KOD,
    NAZWISKA,
    PRACOWNICY,
    REZYGNACJA,
    SAD,
    TRUDNOSCI,
    ULICE,
    W_GMINIE,
    WYPROWADZKA,
    ZA_ZYCIEM,
    pesel,
    workday,
)
from pipeline.demo.themes import THEMES, ZA_ZYCIEM_THEME
from pipeline.sprawa.checklist import add_months


class FamilyForms:
    """One family (its people, address, themes) and the forms written about it."""

    def __init__(self, spec: Spec, rodzina: str, today: date, rng: random.Random,
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

    # -- documents ------------------------------------------------------------------

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
                "data_poinformowania_sadu": workday(day + timedelta(days=5)) if told else None}

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
