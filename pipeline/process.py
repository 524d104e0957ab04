"""The whole pipeline on one screen: intake → parse → validate → render → convert → file.

`process_files` takes a batch of inbox files. Each is read, parsed, validated
and rendered on its own; the DOCX files go to LibreOffice in small chunks while
the next files are rendered, and each converted chunk is filed, in input order,
and leaves the inbox. A file that fails at any stage is
moved to inbox/odrzucone/ with its explanation; one bad file never stops the
rest, and an unexpected error is reported, not raised. A resource failure (disk full,
quota, I/O error) anywhere is never the form's fault: the file stays in the inbox
("pozostawiony") for the next run, and the administrator is told once per batch.
"""

from __future__ import annotations

import contextlib
import errno
import shutil
import sys
import threading
from collections import deque
from collections.abc import Callable, Iterable
from datetime import date
from pathlib import Path

from . import archive, faults, holding, intake, journal, overview, parse, pdfa, render, validate
from .config import Settings
from .convert import Converter
from .errors import (
    AsystaError,
    ConversionError,
    FilingError,
    FormError,
    Problem,
    ResourceError,
    TemplateFault,
    os_reason,
    resource_failure,
)
from .fsutil import ensure_private_dir, work_dir
from .limits import Budget, total
from .models import Outcome, RenderedDocument
from .schemas import is_case_number

Report = Callable[[Outcome], None]
CONVERT_CHUNK = 8  # documents rendered before LibreOffice starts on them
CHUNKS_AHEAD = 4  # chunks queued for LibreOffice before the oldest must be filed


class _Conversion:
    """One chunk of rendered documents converted in the background; the pool's shared
    queue takes several chunks at once, so no LibreOffice instance waits for the next."""

    def __init__(self, converter: Converter, chunk: list[RenderedDocument], outdir: Path) -> None:
        self.chunk = chunk
        self.pdfs: dict[Path, Path | ConversionError] = {}
        self._thread = threading.Thread(target=self._run, args=(converter, outdir), daemon=True)
        self._thread.start()

    def _run(self, converter: Converter, outdir: Path) -> None:
        try:
            self.pdfs = converter.convert([r.docx for r in self.chunk], outdir)
        except Exception as exc:  # reported per document when filed
            failure = ConversionError(f"błąd konwersji ({type(exc).__name__})")
            failure.__cause__ = exc  # a full disk below it keeps the forms waiting
            self.pdfs = {r.docx: failure for r in self.chunk}

    @property
    def finished(self) -> bool:
        return not self._thread.is_alive()

    def join(self) -> None:
        self._thread.join()


def _in_inbox(path: Path, settings: Settings) -> bool:
    """Only files in the inbox are moved or removed; a file named on the command line
    elsewhere stays where it is (the archive keeps its own copy)."""
    return path.parent.resolve() == settings.inbox.resolve()


def _reject(path: Path, problems: list[Problem], settings: Settings, rodzina: str | None) -> Outcome:
    konto = journal.owner(path)
    target = archive.reject(path, problems, settings.inbox) if _in_inbox(path, settings) else None
    stored = {"zapisano_jako": target.name} if target is not None and target.name != path.name else {}
    try:
        journal.log(settings.outbox, "odrzucono", plik=path.name, rodzina=rodzina,
                    wynik="odrzucony", konto=konto,
                    pola=sorted({p.key for p in problems if p.key}), problemy=total(problems),
                    **stored)
    except ResourceError:
        if target is not None:  # unlogged, it must not stay rejected: it waits in the inbox
            archive.unreject(target, path)
        raise
    return Outcome(path.name, "odrzucony", rodzina, rejected_to=target, problems=tuple(problems))


def _hold(path: Path, fault: TemplateFault, zalacznik: int, settings: Settings,
          rodzina: str) -> Outcome:
    target = holding.hold(path, fault, zalacznik, settings) if _in_inbox(path, settings) else None
    journal.log(settings.outbox, "blad_szablonu", plik=path.name, rodzina=rodzina,
                wynik="odlozony", szablon=fault.template)
    return Outcome(path.name, "pozostawiony", rodzina, rejected_to=target,
                   problems=(Problem(str(fault)),))


def _remove_input(path: Path, sha256: str, settings: Settings) -> None:
    """Delete the input once it is safely archived, unless it was replaced meanwhile."""
    if not _in_inbox(path, settings):
        return
    try:
        if intake.sha256_of(path, 64 << 20) == sha256:
            path.unlink()
    except FileNotFoundError:
        pass


def _left(path: Path, settings: Settings, rodzina: str | None, exc: BaseException) -> Outcome:
    """A resource failure: the input stays in the inbox, untouched, for a later attempt."""
    code = resource_failure(exc) or errno.EIO
    message = str(exc) if isinstance(exc, FilingError) else (
        f"{os_reason(code)} ({settings.outbox}) – to nie jest błąd formularza; plik pozostaje "
        "w folderze inbox i zostanie przetworzony ponownie, gdy administrator zwolni miejsce "
        "na dysku albo usunie awarię dysku")
    with contextlib.suppress(ResourceError):  # the journal may sit on the same full disk
        journal.log(settings.outbox, "blad_zapisu", plik=path.name, rodzina=rodzina,
                    wynik="pozostawiony", konto=journal.owner(path),
                    przyczyna=errno.errorcode.get(code, str(code)))
    return Outcome(path.name, "pozostawiony", rodzina, problems=(Problem(message),))


def _prepare(path: Path, settings: Settings, staging: Path, index: int) -> RenderedDocument | Outcome:
    """Everything before LibreOffice: a rendered DOCX, or the file's final outcome.
    A resource failure is raised (the caller leaves the file waiting), never rejected."""
    rodzina = None
    budget = Budget(settings.przetwarzanie.czas_na_plik_s)
    try:
        incoming = intake.read(path, settings)
        document = parse.parse(incoming, settings.foldery.formularze, budget)
        rodzina = document.get("rodzina") if isinstance(document.get("rodzina"), str) else None
        form = validate.validate(document, incoming, settings.foldery.formularze, budget)
        conflict = archive.case_conflict(settings.outbox, form.rodzina)
        if conflict:
            raise FormError([Problem(
                f"numer sprawy różni się od istniejącego „{conflict}” tylko wielkością liter – "
                "na dyskach sieciowych Windows to byłby ten sam folder; użyj dokładnie "
                "istniejącego numeru albo innego", "rodzina", "Numer sprawy rodziny")])
        duplicate = archive.find_duplicate(settings.outbox, form.rodzina, incoming.sha256)
        if duplicate:
            with archive.archive_lock(settings.outbox):
                if not journal.accepted(settings.outbox, incoming.sha256):
                    # filed by a run that stopped before it could log: log it now, once
                    _log_accepted(settings, path.name, form.rodzina, form.zalacznik,
                                  incoming.sha256, duplicate, odtworzono=True,
                                  konto=journal.owner(path))
                else:
                    journal.log(settings.outbox, "duplikat", plik=path.name, rodzina=form.rodzina,
                                wynik="pominiety", konto=journal.owner(path),
                                jak=duplicate.get("plik_zrodlowy"))
                _remove_input(path, incoming.sha256, settings)
            return Outcome(path.name, "duplikat", form.rodzina)
        rendered = render.render(form, settings, staging / f"{index:04d}.docx")
        pdfa.describe_docx(rendered.docx, pdfa.document_meta(form, settings.osrodek))
        faults.point("po_renderowaniu")
        return rendered
    except TemplateFault as exc:  # the centre's template, not the form: held, not rejected
        return _hold(path, exc, form.zalacznik, settings, form.rodzina)
    except FormError as exc:
        if resource_failure(exc) is not None:  # e.g. an I/O error while reading the file
            raise
        return _reject(path, exc.problems, settings, _safe_case(rodzina))
    except AsystaError as exc:
        if resource_failure(exc) is not None:  # e.g. the DOCX could not be written: disk full
            raise
        return _reject(path, [Problem(str(exc))], settings, _safe_case(rodzina))


def _log_accepted(settings: Settings, name: str, rodzina: str, zalacznik: int, sha256: str,
                  entry: dict[str, object], konto: str | None = None, **extra: object) -> None:
    journal.log(settings.outbox, "przyjeto", plik=name, rodzina=rodzina, wynik="przyjety",
                konto=konto, zalacznik=zalacznik, sha256=sha256,
                archiwum=[entry["docx"], entry["pdf"], entry["plik_zrodlowy"]], **extra)


def _quick_sha(path: Path) -> str | None:
    """The file's hash, to spot a second copy in the same batch (None when unreadable or not
    a regular file: a FIFO is never opened, see intake.open_regular)."""
    return intake.sha256_of(path, 64 << 20)


def _safe_case(rodzina: str | None) -> str | None:
    """Only a well-formed case number may reach the log."""
    return rodzina if is_case_number(rodzina) else None


def process_files(paths: Iterable[Path], settings: Settings, converter: Converter,
                  report: Report | None = None, refresh: bool = True) -> list[Outcome]:
    """Run the pipeline over a batch of files; every file gets exactly one Outcome.
    `refresh=False` leaves the checklists to the caller (a batch job refreshes them once)."""
    outcomes: list[Outcome] = []
    paths = list(paths)
    left: list[BaseException] = []  # resource failures of this batch, told once at its end

    def done(outcome: Outcome) -> None:
        outcomes.append(outcome)
        if report:
            report(outcome)

    def leave(path: Path, rodzina: str | None, exc: BaseException) -> None:
        left.append(exc)
        done(_left(path, settings, rodzina, exc))

    try:
        ensure_private_dir(settings.outbox)
        staging = work_dir(settings.outbox, "przetwarzanie")
    except OSError as exc:  # no room even for the staging folder: every file waits
        if resource_failure(exc) is None:
            raise
        for path in paths:
            leave(path, None, exc)
        _tell_administrator(left, settings)
        return outcomes

    def prepare(index: int, path: Path) -> RenderedDocument | None:
        try:
            result = _prepare(path, settings, staging, index)
        except Exception as exc:  # a bug must not lose the file or stop the batch
            if resource_failure(exc) is not None:
                leave(path, None, exc)
                return None
            result = _unexpected(path, settings, exc)
        if isinstance(result, Outcome):
            done(result)
            return None
        return result

    def file(item: RenderedDocument, pdf: Path | ConversionError) -> None:
        path = item.form.source.path
        try:
            if not isinstance(pdf, Path):
                if resource_failure(pdf) is not None:  # the disk was full, not the document bad
                    leave(path, item.form.rodzina, pdf)
                else:
                    done(_conversion_failed(path, item, str(pdf), settings))
                return
            with archive.archive_lock(settings.outbox):
                earlier = archive.find_duplicate(settings.outbox, item.form.rodzina,
                                                 item.form.source.sha256)
                if earlier:  # the same bytes twice in one batch: the first one was filed
                    journal.log(settings.outbox, "duplikat", plik=path.name,
                                rodzina=item.form.rodzina, wynik="pominiety",
                                konto=journal.owner(path), jak=earlier.get("plik_zrodlowy"))
                    _remove_input(path, item.form.source.sha256, settings)
                    done(Outcome(path.name, "duplikat", item.form.rodzina))
                    return
                over_limit = _over_limit(item, settings)
                if over_limit:  # checked under the lock: a batch may hold two assignments
                    done(_reject(path, [over_limit], settings, item.form.rodzina))
                    return
                # the register entry is the commit; then the log; the input goes last
                filed = archive.file_document(item.form, item.docx, pdf, settings.outbox)
                faults.point("po_rejestrze")
                _log_accepted(settings, path.name, item.form.rodzina, item.form.zalacznik,
                              item.form.source.sha256, {
                                  "docx": filed.docx.name, "pdf": filed.pdf.name,
                                  "plik_zrodlowy": filed.original.name},
                              konto=journal.owner(path))
                faults.point("po_dzienniku")
                _remove_input(path, item.form.source.sha256, settings)
            done(Outcome(path.name, "przyjety", item.form.rodzina, filed=filed))
        except Exception as exc:
            if resource_failure(exc) is not None:  # the input stays: not the form's fault
                leave(path, item.form.rodzina, exc)
            else:
                done(_unexpected(path, settings, exc))

    try:
        converting: deque[_Conversion] = deque()

        def file_oldest() -> None:
            """File the oldest converting chunk, in input order (versions depend on it)."""
            conversion = converting.popleft()
            conversion.join()
            faults.point("po_konwersji")
            for item in conversion.chunk:
                file(item, conversion.pdfs[item.docx])

        again: list[Path] = []  # the same bytes as an earlier file of this batch
        seen: set[str] = set()
        chunk: list[RenderedDocument] = []
        for index, path in enumerate(paths):
            if _quick_sha(path) in seen:
                again.append(path)
                continue
            item = prepare(index, path)
            if item is not None:
                chunk.append(item)
                seen.add(item.form.source.sha256)
            if len(chunk) >= CONVERT_CHUNK:
                converting.append(_Conversion(converter, chunk, staging))
                chunk = []
            # LibreOffice always has queued work; what it has finished is filed meanwhile
            while converting and (len(converting) > CHUNKS_AHEAD or converting[0].finished):
                file_oldest()
        if chunk:
            converting.append(_Conversion(converter, chunk, staging))
        while converting:
            file_oldest()
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    _tell_administrator(left, settings)
    if again:  # now duplicates of what was just filed (or, if their twin failed, new again)
        outcomes += process_files(again, settings, converter, report, refresh=False)
    # duplicates too: a run killed before its refresh leaves their checklists behind
    touched = sorted({o.rodzina for o in outcomes
                      if o.status in ("przyjety", "duplikat") and o.rodzina})
    if touched and refresh:
        refresh_checklists(settings, converter, touched, only_changed=True)
    return outcomes


def _tell_administrator(left: list[BaseException], settings: Settings) -> None:
    """One line on stderr per batch, however many files had to wait."""
    if not left:
        return
    code = resource_failure(left[0])
    advice = ("zwolnij miejsce na dysku" if code in (errno.ENOSPC, errno.EDQUOT)
              else "sprawdź dysk")
    count = render.pl_count(len(left), "plik", "pliki", "plików")
    print(f"asysta: {os_reason(code)} ({settings.outbox}) – w folderze inbox pozostawiono {count} "
          "do ponownego przetworzenia przy następnym uruchomieniu (obserwator ponowi próbę "
          f"sam) – {advice}", file=sys.stderr)


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
        code = resource_failure(exc)
        with contextlib.suppress(ResourceError):  # a full disk must not stop the run here
            journal.log(settings.outbox, "blad_listy_kontrolnej", wynik=type(exc).__name__)
        why = os_reason(code) if code is not None else type(exc).__name__
        print(f"asysta: nie udało się odświeżyć list kontrolnych ({why}); zostaną odświeżone "
              "przy następnym uruchomieniu", file=sys.stderr)


def _conversion_failed(path: Path, item: RenderedDocument, reason: str,
                       settings: Settings) -> Outcome:
    """LibreOffice gave up on this document: set the form aside with its DOCX kept beside it."""
    # The stored name may differ from path.name (shortened, or " (2)"): name it generically.
    problem = Problem(f"{reason}. Dokument DOCX zapisano obok odłożonego pliku (ta sama nazwa "
                      "z dopiskiem „.docx”) – można go otworzyć w Wordzie; zgłoś problem "
                      "administratorowi")
    outcome = _reject(path, [problem], settings, item.form.rodzina)
    if outcome.rejected_to is not None:
        archive.keep_beside(outcome.rejected_to, ".docx", item.docx.read_bytes())
    return outcome


def _unexpected(path: Path, settings: Settings, exc: Exception) -> Outcome:
    # Only the exception's type: its message could carry a value from the form.
    problem = Problem(f"nieoczekiwany błąd programu ({type(exc).__name__}); plik odłożono "
                      "bez zmian – zgłoś to administratorowi")
    print(f"asysta: nieoczekiwany błąd przy pliku {path.name}: {type(exc).__name__}",
          file=sys.stderr)
    try:
        return _reject(path, [problem], settings, None)
    except (OSError, ResourceError) as failure:  # nothing was set aside: say so, not "odłożono"
        return Outcome(path.name, "pozostawiony", problems=(Problem(
            f"nieoczekiwany błąd programu ({type(exc).__name__}); nie udało się też odłożyć "
            f"pliku do folderu odrzucone ({type(failure).__name__}) – plik pozostaje w folderze "
            "inbox; zgłoś to administratorowi"),))
