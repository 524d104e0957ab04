"""The demo centre's invented world: its gmina, assistants and social workers, the names and
streets its families are made of, the wordings its forms use, PESEL numbers with valid
checksums on invented serials, and working days."""

from __future__ import annotations

from datetime import date, timedelta

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



def pesel(birth: date, female: bool, serial: int) -> str:
    """A PESEL with a valid date and checksum; `serial` (0–999) makes it unique."""
    month = birth.month + {1800: 80, 1900: 0, 2000: 20, 2100: 40}[birth.year // 100 * 100]
    sex = (serial % 5) * 2 + (0 if female else 1)
    digits = f"{birth.year % 100:02d}{month:02d}{birth.day:02d}{serial // 5 % 1000:03d}{sex}"
    weights = (1, 3, 7, 9, 1, 3, 7, 9, 1, 3)
    check = (10 - sum(int(d) * w for d, w in zip(digits, weights, strict=True)) % 10) % 10
    return digits + str(check)


def workday(day: date) -> date:
    """The day itself, or the Monday after it if it falls on a weekend."""
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def workday_back(day: date) -> date:
    """The day itself, or the Friday before it if it falls on a weekend."""
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    return day


def pl_day(day: date) -> str:
    """DD.MM.RRRR, as the forms write a date in their text."""
    return day.strftime("%d.%m.%Y")
