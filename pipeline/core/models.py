"""Typed values passed between the stages of the pipeline."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pipeline.core.errors import Problem

if TYPE_CHECKING:  # only a type: the schemas live higher up, in sprawa
    from pipeline.sprawa.schemas import Schema


@dataclass(frozen=True)
class IncomingFile:
    """A file taken from the inbox, read once; its bytes are what gets archived."""

    path: Path
    content: bytes
    sha256: str

    @property
    def name(self) -> str:
        return self.path.name


@dataclass(frozen=True)
class FormData:
    """A validated form: the typed header and the normalised field values."""

    source: IncomingFile
    schema: Schema
    zalacznik: int
    rodzina: str
    data: date
    values: Mapping[str, Any]

    @property
    def rodzaj(self) -> str:
        """The kind of a document beyond the sixteen ("" for an attachment; zalacznik is 0)."""
        return self.schema.rodzaj

    def header_only(self) -> FormData:
        """This form without its bytes and values (case, attachment, date, schema and hash
        stay): what a batch of thousands keeps of each form once it is filed."""
        return replace(self, source=replace(self.source, content=b""), values={})


@dataclass(frozen=True)
class RenderedDocument:
    form: FormData
    docx: Path  # in the staging folder


@dataclass(frozen=True)
class FiledDocument:
    form: FormData
    folder: Path
    docx: Path
    pdf: Path
    original: Path
    version: int


# pozostawiony: left in the inbox for a later attempt (e.g. the disk was full)
Status = Literal["przyjety", "odrzucony", "duplikat", "pozostawiony"]


@dataclass(frozen=True)
class Outcome:
    """What happened to one input file."""

    name: str
    status: Status
    rodzina: str | None = None
    filed: FiledDocument | None = None
    rejected_to: Path | None = None
    problems: tuple[Problem, ...] = field(default_factory=tuple)
