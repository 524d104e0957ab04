"""`asysta sprawdz`: is this installation able to do its work?

Checks the config (already loaded by the CLI), that every schema loads, that
every template's variables match its schema both ways (tags.review; the same
check stops `obserwuj` and `przetworz` at start), warns where a template prints
a value raw, that each template renders its example, that the PDF forms for
staff build and read back, and that LibreOffice is found and converts.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

from rich.console import Console
from rich.markup import escape

from pipeline.core.config import Settings
from pipeline.core.errors import AsystaError, TemplateCheckError
from pipeline.core.models import IncomingFile
from pipeline.podpis.polecenie import check_lines
from pipeline.sprawa.schemas import ZALACZNIKI, file_stem, form_kinds, load_schema, package_data
from pipeline.stages import render
from pipeline.stages.convert import Converter
from pipeline.stages.parse import parse
from pipeline.stages.validate import validate


def template_review(n: int | str, settings: Settings) -> tuple[list[str], list[str]]:
    """(errors, warnings) of template zalNN.docx against schema zalNN.yaml, in Polish.
    Errors lose data or reject valid forms; warnings are values printed raw."""
    schema = load_schema(n, settings.foldery.formularze)
    path = render.template_path(n, settings)
    if not path.is_file():
        return [f"brak szablonu {path}"], []
    return render.review_template(path, schema)


def template_mismatch(n: int | str, settings: Settings) -> list[str]:
    """Differences between template zalNN.docx and schema zalNN.yaml, in Polish."""
    return template_review(n, settings)[0]


def require_templates(settings: Settings) -> None:
    """Before `obserwuj` or `przetworz` takes a form: every template fits its schema, with
    the same messages as `asysta sprawdz` (a schema that does not load is a ConfigError).
    The shipped templates and schemas fit each other (tests/test_examples.py); only a
    centre's own folder of either is checked, so a plain run starts at once."""
    if settings.foldery.szablony is None and settings.foldery.formularze is None:
        return
    problems = [p for n in documents(settings) for p in template_mismatch(n, settings)]
    if problems:
        raise TemplateCheckError(problems)


def documents(settings: Settings) -> list[int | str]:
    """Every schema/template pair: the sixteen attachments, then the document kinds."""
    return [*ZALACZNIKI, *form_kinds(settings.foldery.formularze)]


def example_path(n: int | str, settings: Settings | None = None) -> Path:
    """The shipped example form; for a centre's own kind, `przyklady/` in its schema folder."""
    name = f"{file_stem(n)}.yaml"
    shipped = package_data("formularze") / "przyklady" / name
    own = settings.foldery.formularze if settings is not None else None
    return own / "przyklady" / name if own is not None and not shipped.is_file() else shipped


def _name(n: int | str) -> str:
    return f"rodzaj „{n}”" if isinstance(n, str) else f"załącznik {n}"


def _unaddressed(settings: Settings, console: Console) -> None:
    """With e-mail set up: a warning for each assistant who would get no digest."""
    if not settings.poczta.serwer:
        return
    from pipeline.notify.digest import address_book

    missing, unmatched = address_book(settings, date.today())
    for name in missing:
        console.print("[yellow]![/] " + escape(f"powiadomienia: asystent rodziny {name} nie ma "
                                               "adresu w [powiadomienia.asystenci] – nie "
                                               "dostanie powiadomień"))
    for name in unmatched:
        console.print("[yellow]![/] " + escape(f"[powiadomienia.asystenci] {name}: nikt o tym "
                                               "imieniu i nazwisku nie prowadzi teraz sprawy – "
                                               "sprawdź pisownię (jak w przydzieleniu, zał. 1)"))


def run_checks(settings: Settings, console: Console) -> int:
    problems = 0

    def report(ok: bool, text: str) -> None:
        nonlocal problems
        problems += 0 if ok else 1
        mark = "[green]✓[/]" if ok else "[red]✗[/]"
        console.print(f"{mark} {escape(text)}")

    source = settings.source or "brak pliku – ustawienia domyślne"
    report(True, f"konfiguracja: {source}")
    if not settings.osrodek.adres:  # a warning: documents are still made, with a blank address
        console.print("[yellow]![/] uzupełnij dane ośrodka w asysta.toml "
                      "([osrodek] nazwa, adres, miejscowosc, kierownik)")
    for level, text in check_lines(settings):  # trust anchors and the seal (pipeline/podpis)
        if level == "uwaga":
            console.print(f"[yellow]![/] {escape(text)}")
        else:
            report(level == "ok", text)
    _unaddressed(settings, console)

    rendered: list[Path] = []
    work = Path(tempfile.mkdtemp(prefix="asysta-sprawdz-"))
    try:
        for n in documents(settings):
            try:
                mismatch, raw = template_review(n, settings)
            except AsystaError as exc:
                report(False, f"{_name(n)}: {exc}")
                continue
            for text in mismatch:
                report(False, text)
            for text in raw:  # a warning: the document is made, with a value printed raw
                console.print(f"[yellow]![/] {escape(text)}")
            if mismatch:
                continue
            example = example_path(n, settings)
            if not example.is_file():  # a centre's own kind without an example
                report(True, f"{_name(n)}: schemat i szablon są zgodne (bez przykładu)")
                continue
            try:
                incoming = IncomingFile(example, example.read_bytes(), "")
                form = validate(parse(incoming), incoming, settings.foldery.formularze)
                rendered.append(render.render(form, settings, work / f"{file_stem(n)}.docx").docx)
                report(True, f"{_name(n)}: schemat, szablon i przykład są zgodne")
            except AsystaError as exc:
                report(False, f"{_name(n)}: przykład nie przechodzi: {exc}")
        _check_pdf_forms(settings, report)
        _check_conversion(settings, rendered, work, report)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return problems


def _check_pdf_forms(settings: Settings, report: Callable[[bool, str], None]) -> None:
    """The PDF forms for staff: a font with Polish letters, each form read back."""
    try:
        from pipeline.forms import build_form, font_paths, read_form

        for n in ZALACZNIKI:
            read_form(build_form(n, settings), settings.foldery.formularze)
        report(True, f"formularze PDF: {len(ZALACZNIKI)} formularzy, czcionka "
                     f"{font_paths()[0].name}")
    except AsystaError as exc:
        report(False, f"formularze PDF: {exc}")


def _check_conversion(settings: Settings, rendered: list[Path], work: Path,
                      report: Callable[[bool, str], None]) -> None:
    """The examples' documents through LibreOffice, timed."""
    try:
        started = time.monotonic()
        with Converter.from_settings(settings.przetwarzanie) as converter:
            results = converter.convert(rendered, work)
        failed = [d.name for d, r in results.items() if not isinstance(r, Path)]
        elapsed = time.monotonic() - started
        report(not failed and bool(results),
               f"LibreOffice ({converter.soffice}): {len(results) - len(failed)} z "
               f"{len(results)} dokumentów przekonwertowano do PDF w {elapsed:.1f} s"
               + (f"; nie udało się: {', '.join(failed)}" if failed else ""))
    except AsystaError as exc:
        report(False, str(exc))
