"""The whole pipeline on one screen: intake → parse → validate → preflight → render →
convert → preflight → file, then the after-batch steps (checklists, their PDFs, index.html).

`process_files` takes a batch of inbox files. Each is read, parsed, validated
and rendered on its own; the DOCX files go to LibreOffice in small chunks while
the next files are rendered, and each converted chunk is filed, in input order,
and leaves the inbox. The preflight checks (`preflight.PREFLIGHT`: case-number
conflict, duplicate, the 15-family limit) decide whether a form may be filed; what follows
a batch is `derived.AFTER_BATCH`, run by `after_batch`. A file that fails at any stage is
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
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path

from pipeline.core import faults, journal
from pipeline.core.config import Settings
from pipeline.core.errors import (
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
from pipeline.core.fsutil import ensure_private_dir, work_dir
from pipeline.core.limits import Budget, total
from pipeline.core.models import FormData, Outcome, RenderedDocument
from pipeline.flow.derived import after_batch
from pipeline.flow.preflight import BEFORE_RENDER, preflight
from pipeline.sprawa.register import Entry
from pipeline.sprawa.schemas import is_case_number
from pipeline.stages import archive, holding, intake, machine, parse, render, validate
from pipeline.stages.convert import Converter

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
            failure = ConversionError(f"błąd konwersji ({type(exc).__name__})", "crash")
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


def _hold(path: Path, fault: TemplateFault, zalacznik: int | str, settings: Settings,
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


def _prepare(path: Path, settings: Settings, docx: Path) -> RenderedDocument | Outcome:
    """Everything before LibreOffice: a rendered DOCX, or the file's final outcome.
    A resource failure is raised (the caller leaves the file waiting), never rejected."""
    rodzina = None
    budget = Budget(settings.przetwarzanie.czas_na_plik_s)
    try:
        incoming = intake.read(path, settings)
        document = parse.parse(incoming, settings.foldery.formularze, budget)
        rodzina = document.get("rodzina") if isinstance(document.get("rodzina"), str) else None
        form = validate.validate(document, incoming, settings.foldery.formularze, budget)
        verdict = preflight(form, settings, BEFORE_RENDER)
        if isinstance(verdict, Entry):
            with archive.archive_lock(settings.outbox):
                return _duplicate(path, form, verdict, settings)
        if verdict is not None:
            raise FormError([verdict])
        rendered = render.render(form, settings, docx)  # described for its PDF/A too
        faults.point("po_renderowaniu")
        return rendered
    except TemplateFault as exc:  # the centre's template, not the form: held, not rejected
        return _hold(path, exc, form.schema.ident, settings, form.rodzina)
    except FormError as exc:
        if resource_failure(exc) is not None:  # e.g. an I/O error while reading the file
            raise
        return _reject(path, exc.problems, settings, _safe_case(rodzina))
    except AsystaError as exc:
        if resource_failure(exc) is not None:  # e.g. the DOCX could not be written: disk full
            raise
        return _reject(path, [Problem(str(exc))], settings, _safe_case(rodzina))


def _file(path: Path, item: RenderedDocument, pdf: Path, settings: Settings,
          generated: bool = False) -> Outcome:
    """Under the archive lock: the preflight checks once more, then the register entry (the
    commit), then the log; the input leaves the inbox last."""
    form = item.form
    verdict = preflight(form, settings)
    if isinstance(verdict, Entry):  # the same bytes were filed meanwhile (e.g. another run)
        return _duplicate(path, form, verdict, settings)
    if verdict is not None:
        return _reject(path, [verdict], settings, form.rodzina)
    filed = archive.file_document(form, item.docx, pdf, settings.outbox, generated)
    faults.point("po_rejestrze")
    _log_accepted(settings, path.name, form, (filed.docx.name, filed.pdf.name, filed.original.name),
                  konto=journal.owner(path))
    faults.point("po_dzienniku")
    _remove_input(path, form.source.sha256, settings)
    return Outcome(path.name, "przyjety", form.rodzina, filed=filed)


def _duplicate(path: Path, form: FormData, earlier: Entry, settings: Settings) -> Outcome:
    """These very bytes are filed already (called under the archive lock): logged once, and
    the input leaves the inbox."""
    konto = journal.owner(path)
    if not journal.accepted(settings.outbox, form.source.sha256):
        # filed by a run that stopped before it could log: log it now, once
        _log_accepted(settings, path.name, form, earlier.files, odtworzono=True, konto=konto)
    else:
        journal.log(settings.outbox, "duplikat", plik=path.name, rodzina=form.rodzina,
                    wynik="pominiety", konto=konto, jak=earlier.plik_zrodlowy)
    _remove_input(path, form.source.sha256, settings)
    return Outcome(path.name, "duplikat", form.rodzina)


def _log_accepted(settings: Settings, name: str, form: FormData, files: tuple[str, str, str],
                  konto: str | None = None, **extra: object) -> None:
    journal.log(settings.outbox, "przyjeto", plik=name, rodzina=form.rodzina, wynik="przyjety",
                konto=konto, zalacznik=form.zalacznik, sha256=form.source.sha256,
                archiwum=list(files), **({"rodzaj": form.rodzaj} if form.rodzaj else {}), **extra)


def _quick_sha(path: Path) -> str | None:
    """The file's hash, to spot a second copy in the same batch (None when unreadable or not
    a regular file: a FIFO is never opened, see intake.open_regular)."""
    return intake.sha256_of(path, 64 << 20)


def _safe_case(rodzina: str | None) -> str | None:
    """Only a well-formed case number may reach the log."""
    return rodzina if is_case_number(rodzina) else None


# -- the batch -----------------------------------------------------------------------------


class _Batch:
    """One run of `process_files`: its outcomes in the order they were decided, the chunks
    LibreOffice is converting, and the resource failures to tell once at the end."""

    def __init__(self, settings: Settings, converter: Converter, report: Report | None,
                 generated: bool = False) -> None:
        self.settings, self.converter, self.report = settings, converter, report
        self.generated = generated  # the program made these forms (`asysta raporty`)
        self.outcomes: list[Outcome] = []
        self.left: list[BaseException] = []  # resource failures: those files wait in the inbox
        self.converting: deque[_Conversion] = deque()
        self.chunk: list[RenderedDocument] = []
        self.staged = 0  # documents rendered into the staging folder, for their names
        # Filing (stamp, durable writes, register, journal) runs in one thread of its own, in
        # input order, while this one renders the next documents: its waits for the disk
        # (fsync) overlap with rendering and converting instead of adding to them.
        self.filing = ThreadPoolExecutor(1, thread_name_prefix="asysta-archiwum")
        self.filed: deque[Future[None]] = deque()
        self.lock = threading.Lock()

    def done(self, outcome: Outcome) -> None:
        if self.generated and outcome.filed is not None:  # the archive has the form's data
            outcome = replace(outcome, filed=replace(outcome.filed,
                                                     form=outcome.filed.form.header_only()))
        with self.lock:  # from this thread and the filing thread
            self.outcomes.append(outcome)
            if self.report:
                self.report(outcome)

    def leave(self, path: Path, rodzina: str | None, exc: BaseException) -> None:
        self.left.append(exc)
        self.done(_left(path, self.settings, rodzina, exc))

    def staging(self, paths: list[Path]) -> Path | None:
        """The batch's staging folder; None when there is no room even for it (then every
        file waits in the inbox)."""
        try:
            ensure_private_dir(self.settings.outbox)
            return work_dir(self.settings.outbox, "przetwarzanie")
        except OSError as exc:
            if resource_failure(exc) is None:
                raise
            for path in paths:
                self.leave(path, None, exc)
            return None

    def prepare(self, path: Path, staging: Path) -> RenderedDocument | None:
        docx = staging / f"{self.staged:04d}.docx"  # 0000.docx first (the tests' hang hook)
        self.staged += 1
        try:
            result = _prepare(path, self.settings, docx)
        except Exception as exc:  # a bug must not lose the file or stop the batch
            if resource_failure(exc) is not None:
                self.leave(path, None, exc)
                return None
            result = _unexpected(path, self.settings, exc)
        if isinstance(result, Outcome):
            self.done(result)
            return None
        return result

    def convert(self, item: RenderedDocument, staging: Path) -> None:
        """Queue a rendered document; LibreOffice starts on every CONVERT_CHUNK of them."""
        self.chunk.append(item)
        if len(self.chunk) >= CONVERT_CHUNK:
            self.converting.append(_Conversion(self.converter, self.chunk, staging))
            self.chunk = []

    def file_converted(self, staging: Path, everything: bool = False) -> None:
        """File what LibreOffice finished, oldest chunk first, in input order (versions
        depend on it), so it always has queued work; `everything`: wait for the rest too."""
        if everything and self.chunk:
            self.converting.append(_Conversion(self.converter, self.chunk, staging))
            self.chunk = []
        while self.converting and (everything or len(self.converting) > CHUNKS_AHEAD
                                   or self.converting[0].finished):
            conversion = self.converting.popleft()
            conversion.join()
            faults.point("po_konwersji")
            for item in conversion.chunk:
                self.filed.append(self.filing.submit(self.file, item, conversion.pdfs[item.docx]))
        self.collect(everything)

    def collect(self, everything: bool = False) -> None:
        """Wait for filed documents: all of them, or enough that at most a few chunks wait."""
        while self.filed and (everything or self.filed[0].done()
                              or len(self.filed) > CONVERT_CHUNK * CHUNKS_AHEAD):
            self.filed.popleft().result()

    def file(self, item: RenderedDocument, pdf: Path | ConversionError) -> None:
        path = item.form.source.path
        try:
            if isinstance(pdf, ConversionError) and machine.is_machine_fault(pdf):  # not the form's
                again = machine.handle(path, item, pdf, item.docx.parent, self.settings)
                if isinstance(again, Outcome):
                    return self.done(again)
                pdf = again
            if not isinstance(pdf, Path):
                if resource_failure(pdf) is not None:  # the disk was full, not the document bad
                    self.leave(path, item.form.rodzina, pdf)
                else:
                    self.done(_conversion_failed(path, item, str(pdf), self.settings))
                return
            with archive.archive_lock(self.settings.outbox):
                outcome = _file(path, item, pdf, self.settings, self.generated)
            machine.forget(self.settings, item.form.source.sha256)  # its machine faults are over
            self.done(outcome)
        except Exception as exc:
            if resource_failure(exc) is not None:  # the input stays: not the form's fault
                self.leave(path, item.form.rodzina, exc)
            else:
                self.done(_unexpected(path, self.settings, exc))

    def touched(self) -> list[str]:
        # duplicates too: a run killed before its refresh leaves their checklists behind
        return sorted({o.rodzina for o in self.outcomes
                       if o.status in ("przyjety", "duplikat") and o.rodzina})


def process_files(paths: Iterable[Path], settings: Settings, converter: Converter,
                  report: Report | None = None, refresh: bool = True,
                  generated: bool = False) -> list[Outcome]:
    """Run the pipeline over a batch of files; every file gets exactly one Outcome.
    `refresh=False` leaves the after-batch steps to the caller (a batch job runs them once);
    `generated`: the program made these forms, and their register entries say so (its
    outcomes keep each filed form's header only: a month of a large centre is thousands)."""
    batch = _Batch(settings, converter, report, generated)
    waiting = list(paths)
    staging = batch.staging(waiting)
    if staging is None:  # no room even for the staging folder: every file waits
        _tell_administrator(batch.left, settings)
        return batch.outcomes
    try:
        while waiting:
            twins: list[Path] = []  # the same bytes as an earlier file: taken once it is filed
            seen: set[str] = set()
            for path in waiting:
                if _quick_sha(path) in seen:
                    twins.append(path)
                    continue
                # intake → parse → validate → preflight → render
                item = batch.prepare(path, staging)
                if item is not None:
                    seen.add(item.form.source.sha256)
                    batch.convert(item, staging)  # → convert, in chunks, in the background
                batch.file_converted(staging)  # → preflight → file → log, in input order
            batch.file_converted(staging, everything=True)
            waiting = twins  # now duplicates of what was filed (or new, if their twin failed)
    finally:
        batch.filing.shutdown(wait=True)  # nothing still reads the staging folder
        shutil.rmtree(staging, ignore_errors=True)
    _tell_administrator(batch.left, settings)
    touched = batch.touched()
    if touched and refresh:  # → after the batch: checklists, their PDFs, index.html
        after_batch(settings, converter, touched)
    return batch.outcomes


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
