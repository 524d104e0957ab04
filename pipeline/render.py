"""Render: a validated form into its attachment's DOCX, through docxtpl.

Autoescape is on and undefined variables are errors, so a value prints exactly
as it was typed (`<`, `&`, `{{ … }}` included) and a template that names a
field the form does not have fails loudly instead of printing nothing.
"""

from __future__ import annotations

import dataclasses
import functools
import re
from datetime import date
from pathlib import Path
from typing import Any

from docxtpl import DocxTemplate
from jinja2 import Environment, StrictUndefined, Template, TemplateError

from .config import Settings
from .errors import RenderError
from .models import FormData, RenderedDocument
from .schemas import package_data

EMPTY = "—"


def display(value: Any) -> str:
    """How a value reads in a Polish document."""
    if value is None or value == "" or value == []:
        return EMPTY
    if isinstance(value, bool):
        return "tak" if value else "nie"
    if isinstance(value, date):
        return value.strftime("%d.%m.%Y")
    if isinstance(value, float):
        return f"{value:g}".replace(".", ",")
    if isinstance(value, list):
        return ", ".join(display(v) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{k}: {display(v)}" for k, v in value.items())
    return str(value)


def pl_count(n: int, one: str, few: str, many: str) -> str:
    """`1 dokument`, `3 dokumenty`, `12 dokumentów`: Polish plural forms."""
    if n == 1:
        return f"{n} {one}"
    if n % 10 in (2, 3, 4) and n % 100 not in (12, 13, 14):
        return f"{n} {few}"
    return f"{n} {many}"


def complete(values: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    """Give every field the template may print a value: absent optional fields become empty."""
    out = dict(values)
    for key, rules in schema.items():
        kind = rules.get("type")
        inner = rules.get("schema")
        if key not in out or out[key] is None:
            out[key] = [] if kind == "list" else ({} if kind == "dict" else out.get(key))
        if kind == "dict" and isinstance(inner, dict) and isinstance(out[key], dict):
            out[key] = complete(out[key], inner)
        elif kind == "list" and isinstance(inner, dict) and inner.get("type") == "dict":
            row_schema = inner.get("schema", {})
            out[key] = [complete(row, row_schema) if isinstance(row, dict) else row
                        for row in out[key]]
    return out


class _Template(DocxTemplate):  # type: ignore[misc]
    """docxtpl turns `{_{` into `{{` after rendering (its escape for literal tags);
    our templates never use that escape, and doing it on rendered values would
    change what a person typed, so it is left out."""

    def render_xml_part(self, src_xml: str, part: Any, context: Any, jinja_env: Any = None) -> str:
        src_xml = re.sub(r"<w:p([ >])", r"\n<w:p\1", src_xml)
        self.current_rendering_part = part
        compiled = _compiled(src_xml) if jinja_env is _ENV else jinja_env.from_string(src_xml)
        dst_xml = compiled.render(context)
        dst_xml = re.sub(r"\n<w:p([ >])", r"<w:p\1", dst_xml)
        return str(self.resolve_listing(dst_xml))


_ENV: Environment | None = None


def jinja_env() -> Environment:
    """The one rendering environment: autoescape on, undefined variables are errors."""
    global _ENV
    if _ENV is None:
        _ENV = Environment(undefined=StrictUndefined, autoescape=True)
        _ENV.filters["pl"] = display
    return _ENV


@functools.lru_cache(maxsize=128)
def _compiled(src_xml: str) -> Template:
    """A template part compiled once: a batch renders the same template many times."""
    return jinja_env().from_string(src_xml)


def template_path(n: int, settings: Settings) -> Path:
    return named_template(f"zal{n:02d}.docx", settings)


def context_for(form: FormData, settings: Settings) -> dict[str, Any]:
    values = complete(dict(form.values), form.schema.cerberus)
    return {**values, "osrodek": dataclasses.asdict(settings.osrodek)}


def render_docx(template: Path, context: dict[str, Any], out: Path) -> None:
    """Fill a DOCX template; a template problem is a RenderError naming the template."""
    try:
        document = _Template(str(template))
        document.render(context, jinja_env=jinja_env(), autoescape=True)
        document.save(str(out))
    except TemplateError as exc:
        raise RenderError(
            f"szablon {template.name} nie pasuje do danych "
            f"({type(exc).__name__}: {_safe_message(exc)}) – uruchom „asysta sprawdz”"
        ) from None
    except (OSError, KeyError, ValueError) as exc:
        raise RenderError(f"nie można użyć szablonu {template.name} ({type(exc).__name__})") from None


def named_template(name: str, settings: Settings) -> Path:
    """A template by file name: the centre's own folder first, then the shipped one."""
    override = settings.foldery.szablony
    if override is not None and (override / name).is_file():
        return override / name
    return package_data("zalaczniki_templates") / name


def render(form: FormData, settings: Settings, out: Path) -> RenderedDocument:
    """Write the form's DOCX to `out`."""
    render_docx(template_path(form.zalacznik, settings), context_for(form, settings), out)
    return RenderedDocument(form, out)


def _safe_message(exc: TemplateError) -> str:
    # Jinja's messages name variables and tags, never values; keep them short anyway.
    return str(exc.message or "")[:200]
