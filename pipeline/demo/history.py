"""A demo family's case history written out as forms, in the order a real case runs: the
assignment and handover, the first meeting (consent or refusal), diagnosis and plan, weekly
visits and their logs, monthly reports, periodic assessments, task cards, an interdisciplinary
meeting, the end of support, monitoring and its closing or re-enrolment."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from pipeline.demo.forms import FamilyForms
from pipeline.demo.people import (
    LIMIT_ASSISTANT,
    ODMOWA,
    OSRODEK,
    SAD,
    W_GMINIE,
    ZA_ZYCIEM,
    ZGODA,
    pl_day,
    workday,
    workday_back,
)
from pipeline.sprawa.checklist import add_months, month_key


class Family(FamilyForms):
    """One family's case history: its cycles, visits, reports and closings, as forms."""

    # -- the case ---------------------------------------------------------------------

    def build(self) -> None:
        spec, today = self.spec, self.today
        a1 = workday_back(today - timedelta(days=spec.start))
        if spec.limit_attempt is not None:  # first sent to the assistant at the limit
            tried = workday_back(today - timedelta(days=spec.limit_attempt))
            self.add(tried, {**self.assignment(tried), "asystent": LIMIT_ASSISTANT},
                     "limit 15 rodzin")
            a1 = max(a1, tried + timedelta(days=1))
        if spec.ending is not None and spec.ending_day is not None:  # closed early
            closed = workday_back(today - timedelta(days=spec.ending_day))
            self.cycle(a1, closed, first=True, support_end=False)
            self.add(closed, self.closing(closed))
            return
        end = today - timedelta(days=spec.end_support) if spec.end_support else None
        self.cycle(a1, end, first=True)
        if (spec.reenrol is not None or spec.waiting) and end and spec.closing is not None:
            r13 = today - timedelta(days=spec.closing)
            self.monitoring(end, r13, close_with=13)
            if spec.reenrol is not None:  # else the family waits for a new assignment
                self.cycle(today - timedelta(days=spec.reenrol), None, first=False)
        elif end is not None:
            closing = today - timedelta(days=spec.closing) if spec.closing else None
            self.monitoring(end, closing, close_with=12 if closing else None)

    def cycle(self, a1: date, end: date | None, first: bool, support_end: bool = True) -> None:
        spec, rng, today = self.spec, self.rng, self.today
        a1, assignment = self.assigned(workday_back(a1), first)
        a2 = workday(a1 + timedelta(days=6 if spec.late_handover and first else 1))
        if spec.late_handover and first:
            self.problemy.add((2, None))
        start = self.handover(a1, a2, assignment)
        if start > today:  # still waiting for the first meeting
            return
        if not self.first_meeting(start):
            return
        d6 = self.diagnosis(start, first)
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

    def assigned(self, a1: date, first: bool) -> tuple[date, dict[str, Any]]:
        """The assignment (1) of a cycle, after a rejected one with a mistyped PESEL if the
        spec wants it: (its day, its values)."""
        assignment = self.assignment(a1)
        if self.spec.bad == "pesel" and first:  # the last digit of the first child's PESEL mistyped
            broken = [dict(m) for m in self.members]
            p = broken[-1]["pesel"]
            broken[-1]["pesel"] = p[:10] + str((int(p[10]) + 3) % 10)
            self.add(a1, {**assignment, "czlonkowie": broken}, "niepoprawny PESEL")
            a1 = workday(a1 + timedelta(days=1))
            assignment = self.assignment(a1)
        self.add(a1, assignment)
        return a1, assignment

    def handover(self, a1: date, a2: date, assignment: dict[str, Any]) -> date:
        """The handover of the documents (2); returns the day of the first meeting."""
        spec, rng, today = self.spec, self.rng, self.today
        court, zz = spec.podstawa == SAD, spec.podstawa == ZA_ZYCIEM
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
        start = workday(a2 + timedelta(days=3 if court else rng.randint(4, 8)))
        if spec.start <= 10:  # the fresh case: its first meeting is still ahead
            start = workday(today + timedelta(days=1))
        self.add(a2, {**self.head(2, a2), "pracownik_socjalny": self.pracownik,
                      "nazwa_rodziny": " i ".join(m["imie_nazwisko"] for m in self.parents),
                      "adres": self.adres, "data_przydzielenia": a1, "postanowienie_sadu": court,
                      "termin_pierwszego_spotkania": start, "dokumenty": docs,
                      "uwagi": "Rodzina została telefonicznie poinformowana o przydzieleniu asystenta."})
        return start

    def first_meeting(self, start: date) -> bool:
        """The first meeting (3): consent (True) or the family's refusal, which ends the cycle."""
        spec = self.spec
        short = [{"imie_nazwisko": m["imie_nazwisko"], "pokrewienstwo": m["pokrewienstwo"]}
                 for m in self.parents]
        if spec.refuse:  # the family says no at the first meeting: the cycle ends there
            self.add(start, {**self.head(3, start), "pracownik_socjalny": self.pracownik,
                             "adres": self.adres, "miejsce_spotkania": "mieszkanie rodziny",
                             "oswiadczenie": ODMOWA, "klauzula_informacyjna": True,
                             "uwagi_rodziny": "Rodzice uważają, że radzą sobie sami, i nie "
                                              "chcą wizyt asystenta.",
                             "czlonkowie": short})
            # telling the court of a refusal is the kierownik's decision: no problem (issue 19)
            return False
        self.add(start, {**self.head(3, start), "pracownik_socjalny": self.pracownik,
                         "adres": self.adres, "miejsce_spotkania": "mieszkanie rodziny",
                         "oswiadczenie": ZGODA,
                         "klauzula_informacyjna": True, "uwagi_rodziny": None,
                         "ustalenia": ["Wizyty w mieszkaniu rodziny co najmniej raz w tygodniu.",
                                       "Odwołanie wizyty rodzina zgłasza telefonicznie dzień wcześniej.",
                                       "Zmianę dochodów, pracy lub składu rodziny rodzina zgłasza "
                                       "pracownikowi socjalnemu w 7 dni."],
                         "czlonkowie": short})
        return True

    def diagnosis(self, start: date, first: bool) -> date:
        """The family card (4), assessment (5) and plan (6); returns the plan's day."""
        spec, rng, today = self.spec, self.rng, self.today
        d4 = workday(start + timedelta(days=2))
        self.add(d4, self.card(d4, start))
        d5 = workday(start + timedelta(days=rng.randint(18, 24)))
        self.add(d5, self.assessment(d5, start))
        d6 = workday(start + timedelta(days=40 if spec.late_plan and first else rng.randint(24, 27)))
        if d6 > add_months(start, 1):
            d6 = workday_back(add_months(start, 1)) if not (spec.late_plan and first) else d6
        if spec.late_plan and first and d6 <= today:
            self.problemy.add((6, None))
        plan = self.plan(d6, start)
        if spec.bad == "missing" and first:
            self.add(d6, {k: v for k, v in plan.items() if k != "cele"}, "brak wymaganego pola")
        if spec.start > 40:  # a case in its first weeks still waits for its plan
            self.add(d6, plan)
        return d6

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
            d15 = workday_back(add_months(last, 6) - timedelta(days=rng.randint(2, 5)))
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
            d7 = workday(d15 + timedelta(days=rng.randint(3, 8)))
            if d7 <= min(end, self.today):
                self.add(d7, {**self.head(7, d7), "pracownik_socjalny": self.pracownik,
                              "data_konsultacji": d7, "data_planu": plan,
                              "przyczyna_aktualizacji": "okresowa ocena sytuacji rodziny",
                              "data_oceny_okresowej": d15, "okres_od": d7, "okres_do": add_months(d7, 6),
                              "czestotliwosc_spotkan": "co najmniej raz w tygodniu w domu rodziny",
                              "zmiany_sytuacji": "Sytuacja rodziny zmieniła się zgodnie z okresową oceną "
                                                 f"z {pl_day(d15)}.",
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
        day = workday(day)
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
