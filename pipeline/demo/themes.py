"""The problems a demo family has, each with the words every form uses about it (the area,
the need, the goal, the actions, the effects, the task, what a visit did, the institution)."""

from __future__ import annotations

from dataclasses import dataclass

from pipeline.demo.people import W_GMINIE


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
