"""The whole pipeline on one screen: intake → parse → validate → render → convert → file.

`process_files` takes a batch of inbox files. Each is read, parsed, validated
and rendered on its own; the batch's DOCX files go to LibreOffice together;
then each is filed and leaves the inbox. A file that fails at any stage is
moved to inbox/odrzucone/ with its explanation; one bad file never stops the
rest, and an unexpected error is reported, not raised.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterable
from datetime import date
from pathlib import Path

from . import archive, intake, journal, overview, parse, render, validate
from .config import Settings
from .convert import Converter
from .errors import AsystaError, FilingError, FormError, Problem
from .fsutil import ensure_private_dir
from .models import Outcome, RenderedDocument
from .schemas import CASE_NUMBER_RE

Report = Callable[[Outcome], None]


def _in_inbox(path: Path, settings: Settings) -> bool:
    """Only files in the inbox are moved or removed; a file named on the command line
    elsewhere stays where it is (the archive keeps its own copy)."""
    return path.parent.resolve() == settings.inbox.resolve()


def _reject(path: Path, problems: list[Problem], settings: Settings, rodzina: str | None) -> Outcome:
    target = archive.reject(path, problems, settings.inbox) if _in_inbox(path, settings) else None
    journal.log(settings.outbox, "odrzucono", plik=path.name, rodzina=rodzina, wynik="odrzucony",
                pola=sorted({p.key for p in problems if p.key}), problemy=len(problems))
    return Outcome(path.name, "odrzucony", rodzina, rejected_to=target, problems=tuple(problems))


def _remove_input(path: Path, sha256: str, settings: Settings) -> None:
    """Delete the input once it is safely archived, unless it was replaced meanwhile."""
    if not _in_inbox(path, settings):
        return
    try:
        if hashlib.sha256(path.read_bytes()).hexdigest() == sha256:
            path.unlink()
    except FileNotFoundError:
        pass


def _prepare(path: Path, settings: Settings, staging: Path, index: int) -> RenderedDocument | Outcome:
    """Everything before LibreOffice: a rendered DOCX, or the file's final outcome."""
    rodzina = None
    try:
        incoming = intake.read(path, settings)
        document = parse.parse(incoming)
        rodzina = document.get("rodzina") if isinstance(document.get("rodzina"), str) else None
        form = validate.validate(document, incoming, settings.foldery.formularze)
        duplicate = archive.find_duplicate(settings.outbox, form.rodzina, incoming.sha256)
        if duplicate:
            _remove_input(path, incoming.sha256, settings)
            journal.log(settings.outbox, "duplikat", plik=path.name, rodzina=form.rodzina,
                        wynik="pominiety", jak=duplicate.get("plik_zrodlowy"))
            return Outcome(path.name, "duplikat", form.rodzina)
        return render.render(form, settings, staging / f"{index:04d}.docx")
    except FormError as exc:
        return _reject(path, exc.problems, settings, _safe_case(rodzina))
    except AsystaError as exc:
        return _reject(path, [Problem(str(exc))], settings, _safe_case(rodzina))


def _safe_case(rodzina: str | None) -> str | None:
    """Only a well-formed case number may reach the log."""
    return rodzina if rodzina and re.match(CASE_NUMBER_RE, rodzina) else None


def process_files(paths: Iterable[Path], settings: Settings, converter: Converter,
                  report: Report | None = None, refresh: bool = True) -> list[Outcome]:
    """Run the pipeline over a batch of files; every file gets exactly one Outcome.
    `refresh=False` leaves the checklists to the caller (a batch job refreshes them once)."""
    outcomes: list[Outcome] = []

    def done(outcome: Outcome) -> None:
        outcomes.append(outcome)
        if report:
            report(outcome)

    ensure_private_dir(settings.outbox)
    staging = Path(tempfile.mkdtemp(prefix=".przetwarzanie-", dir=settings.outbox))
    try:
        rendered: list[RenderedDocument] = []
        for index, path in enumerate(paths):
            try:
                result = _prepare(path, settings, staging, index)
            except Exception as exc:  # a bug must not lose the file or stop the batch
                result = _unexpected(path, settings, exc)
            if isinstance(result, Outcome):
                done(result)
            else:
                rendered.append(result)
        pdfs = converter.convert([r.docx for r in rendered], staging)
        for item in rendered:
            path = item.form.source.path
            pdf = pdfs[item.docx]
            try:
                if not isinstance(pdf, Path):
                    done(_reject(path, [Problem(str(pdf))], settings, item.form.rodzina))
                    continue
                with archive.archive_lock(settings.outbox):
                    over_limit = _over_limit(item, settings)
                    if over_limit:  # checked under the lock: a batch may hold two assignments
                        done(_reject(path, [over_limit], settings, item.form.rodzina))
                        continue
                    filed = archive.file_document(item.form, item.docx, pdf, settings.outbox)
                    _remove_input(path, item.form.source.sha256, settings)
                journal.log(settings.outbox, "przyjeto", plik=path.name, rodzina=item.form.rodzina,
                            wynik="przyjety", zalacznik=item.form.zalacznik,
                            archiwum=[filed.docx.name, filed.pdf.name, filed.original.name])
                done(Outcome(path.name, "przyjety", item.form.rodzina, filed=filed))
            except FilingError as exc:
                # The input stays in the inbox: a full disk is not the form's fault.
                journal.log(settings.outbox, "blad_zapisu", plik=path.name,
                            rodzina=item.form.rodzina, wynik="pozostawiony")
                print(f"asysta: {exc}", file=sys.stderr)
                done(Outcome(path.name, "pozostawiony", item.form.rodzina,
                             problems=(Problem(str(exc)),)))
            except Exception as exc:
                done(_unexpected(path, settings, exc))
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    touched = sorted({o.rodzina for o in outcomes if o.status == "przyjety" and o.rodzina})
    if touched and refresh:
        refresh_checklists(settings, converter, touched)
    return outcomes


def _over_limit(item: RenderedDocument, settings: Settings) -> Problem | None:
    if item.form.zalacznik != 1:
        return None
    return overview.limit_problem(settings, str(item.form.values.get("asystent", "")),
                                  item.form.rodzina, item.form.data)


def refresh_checklists(settings: Settings, converter: Converter, rodziny: list[str],
                       only_changed: bool = False) -> None:
    """The checklists are derived data: a failure here is reported, never loses a form."""
    try:
        overview.write_checklists(settings, converter, rodziny, date.today(), only_changed)
    except Exception as exc:
        journal.log(settings.outbox, "blad_listy_kontrolnej", wynik=type(exc).__name__)
        print(f"asysta: nie udało się odświeżyć list kontrolnych ({type(exc).__name__})",
              file=sys.stderr)


def _unexpected(path: Path, settings: Settings, exc: Exception) -> Outcome:
    # Only the exception's type: its message could carry a value from the form.
    problem = Problem(f"nieoczekiwany błąd programu ({type(exc).__name__}); plik odłożono "
                      "bez zmian – zgłoś to administratorowi")
    print(f"asysta: nieoczekiwany błąd przy pliku {path.name}: {type(exc).__name__}",
          file=sys.stderr)
    try:
        return _reject(path, [problem], settings, None)
    except OSError:
        return Outcome(path.name, "odrzucony", problems=(problem,))
