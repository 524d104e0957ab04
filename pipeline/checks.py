"""`asysta sprawdz`: is this installation able to do its work?

Checks the config (already loaded by the CLI), that every schema loads, that
every template's variables match its schema both ways, that each template
renders its example, that the PDF forms for staff build and read back, and that
LibreOffice is found and converts.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from pathlib import Path

from jinja2 import TemplateError
from rich.console import Console
from rich.markup import escape

from . import render
from .config import Settings
from .convert import Converter
from .errors import AsystaError
from .models import IncomingFile
from .parse import parse
from .schemas import HEADER_FIELDS, ZALACZNIKI, load_schema, package_data
from .validate import validate

CONTEXT_NAMES = {"osrodek"}  # what the pipeline adds besides the form's fields


def template_mismatch(n: int, settings: Settings) -> list[str]:
    """Differences between template zalNN.docx and schema zalNN.yaml, in Polish."""
    schema = load_schema(n, settings.foldery.formularze)
    path = render.template_path(n, settings)
    if not path.is_file():
        return [f"brak szablonu {path}"]
    try:
        used = render._Template(str(path)).get_undeclared_template_variables(render.jinja_env())
    except TemplateError as exc:
        line = f" (wiersz {exc.lineno})" if getattr(exc, "lineno", None) else ""
        return [f"szablon {path.name} ma błąd w znacznikach {{{{ }}}} / {{% %}}{line}: "
                f"{exc.message} – popraw go w Wordzie/LibreOffice albo zbuduj na nowo"]
    except Exception as exc:  # a damaged file: not a DOCX at all
        return [f"szablon {path.name} jest uszkodzony ({type(exc).__name__})"]
    fields = set(schema.pola) | set(HEADER_FIELDS)
    problems = [f"{path.name}: pole „{f}” ze schematu nie jest drukowane w szablonie"
                for f in sorted(fields - used - {"zalacznik"})]
    problems += [f"{path.name}: szablon używa zmiennej „{v}”, której nie ma w schemacie"
                 for v in sorted(used - fields - CONTEXT_NAMES)]
    return problems


def example_path(n: int) -> Path:
    return package_data("formularze") / "przyklady" / f"zal{n:02d}.yaml"


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

    rendered: list[Path] = []
    work = Path(tempfile.mkdtemp(prefix="asysta-sprawdz-"))
    try:
        for n in ZALACZNIKI:
            try:
                mismatch = template_mismatch(n, settings)
            except AsystaError as exc:
                report(False, f"załącznik {n}: {exc}")
                continue
            for text in mismatch:
                report(False, text)
            if mismatch:
                continue
            example = example_path(n)
            try:
                incoming = IncomingFile(example, example.read_bytes(), "")
                form = validate(parse(incoming), incoming, settings.foldery.formularze)
                rendered.append(render.render(form, settings, work / f"zal{n:02d}.docx").docx)
                report(True, f"załącznik {n}: schemat, szablon i przykład są zgodne")
            except AsystaError as exc:
                report(False, f"załącznik {n}: przykład nie przechodzi: {exc}")
        try:  # the PDF forms for staff: a font with Polish letters, each form read back
            from .pdfforms import build_form, font_paths, read_form

            for n in ZALACZNIKI:
                read_form(build_form(n, settings), settings.foldery.formularze)
            report(True, f"formularze PDF: {len(ZALACZNIKI)} formularzy, czcionka "
                         f"{font_paths()[0].name}")
        except AsystaError as exc:
            report(False, f"formularze PDF: {exc}")
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
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return problems
