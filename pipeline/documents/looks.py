"""How a checklist shows to people: its statuses' labels, colours and meanings, the stage in
words, the next step. One home for the page (dashboard.py), the PDF (overview.py) and the
terminal."""

from __future__ import annotations

from dataclasses import dataclass

from pipeline.core.polish import pl_date
from pipeline.sprawa.checklist import (
    DIAGNOZA,
    KWALIFIKACJA,
    MONITORING,
    START,
    WSPOLPRACA,
    ZAKONCZONA,
    Checklist,
    Item,
)

CHECKLIST_JSON = "checklista.json"  # in each family's folder
CHECKLIST_PDF = "checklista.pdf"


@dataclass(frozen=True)
class StatusLook:
    """How a checklist status shows: its Polish label, its CSS class on index.html, its cell
    colour on checklista.pdf and what it means (the legend)."""

    label: str
    css: str
    colour: str
    meaning: str


# THE mapping of checklist statuses to what people read, for the page, the PDF and the terminal
# ("niepodpisany": a document without its signed scan, once the checklist gives it).
STATUS_LOOK = {
    "brak": StatusLook("BRAK", "s-brak", "F4CCCC", "dokumentu nie ma, a termin minął"),
    "po_terminie": StatusLook("po terminie", "s-po_terminie", "FCE5CD",
                              "dokument jest, ale powstał po terminie"),
    "niepodpisany": StatusLook("niepodpisany", "s-niepodpisany", "FFF2CC",
                               "w archiwum nie ma jeszcze skanu podpisanego dokumentu"),
    "decyzja": StatusLook("decyzja kierownika", "s-decyzja", "DDEBF7",
                          "kierownik ośrodka decyduje, czy poinformować sąd (nie jest to brak)"),
    "oczekuje": StatusLook("oczekuje", "s-oczekuje", "FFFFFF",
                           "termin jeszcze nie minął albo dokument czeka na wcześniejszy"),
    "jest": StatusLook("jest", "s-jest", "D9EAD3", "dokument jest i powstał w terminie"),
    "podpisany_elektronicznie": StatusLook(
        "podpisany elektronicznie", "s-podpisany_elektronicznie", "CFE2F3",
        "dokument jest, w terminie, z zweryfikowanymi podpisami elektronicznymi"),
}
# the counts on the page, in order; `decyzja` (rare, never a problem) shows on its item only
SHOWN_STATUSES = tuple(s for s in STATUS_LOOK if s != "decyzja")
STATUS_LABELS = {s: v.label for s, v in STATUS_LOOK.items()}
STATUS_COLOURS = {s: v.colour for s, v in STATUS_LOOK.items()}


def status_look(status: str) -> StatusLook:
    """A status's look; one this version does not know shows its own name, uncoloured."""
    return STATUS_LOOK.get(status) or StatusLook(status.replace("_", " "), "s-inny", "FFFFFF", "")


STAGE_WORDS = {
    KWALIFIKACJA: "kwalifikacja – przed przydzieleniem asystenta",
    START: "start – przekazanie dokumentów i pierwsze spotkanie",
    DIAGNOZA: "diagnoza i plan pracy",
    WSPOLPRACA: "współpraca z rodziną",
    MONITORING: "monitoring po zakończeniu wsparcia",
    ZAKONCZONA: "sprawa zakończona",
}
REENROLMENT_WORDS = "oczekuje na ponowne przydzielenie asystenta (po wniosku 13)"



def is_reenrolment(c: Checklist) -> bool:
    """A case waiting for a new assignment after (13) (the case model says so)."""
    return c.ponowne


def stage_words(c: Checklist) -> str:
    if is_reenrolment(c):
        return REENROLMENT_WORDS
    if c.etap == ZAKONCZONA and c.zakonczono:
        return f"sprawa zakończona {pl_date(c.zakonczono)}"
    return STAGE_WORDS.get(c.etap, c.etap)


def waiting_for(item: Item) -> str:
    """What a dateless item waits for: the „czeka na …” part of its description."""
    at = item.opis.find("czeka na ")
    return item.opis[at:] if at >= 0 else "bez terminu"


def next_step(c: Checklist) -> str:
    """The family's next deadline, or what its case waits for: never an empty cell."""
    nxt = c.next_deadline
    if nxt is not None and nxt.termin is not None:
        return f"{pl_date(nxt.termin)} – {nxt.opis}"
    waiting = next((i for i in c.pozycje if i.status == "oczekuje"), None)
    if waiting is not None:
        return waiting_for(waiting)
    if c.etap == ZAKONCZONA:
        return "brak – sprawa zakończona"
    return "brak terminów w toku"
