"""Where a DOCX template's tag is, as a person sees it in Word, and what is wrong with it.

A tag is placed by the text of its paragraph, never a line of XML: the template parts are
compiled one paragraph a line (`numbered`), so a line number from jinja is a paragraph.
jinja's English errors are told in Polish (`reason`), naming tags and fields, never values.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from dataclasses import dataclass

from jinja2 import TemplateError, UndefinedError
from jinja2.defaults import DEFAULT_FILTERS

_PARAGRAPH = re.compile(r"<w:p([ >])")
_NOT_TEXT = re.compile(r"<w:(instrText|delText)\b[^>]*>.*?</w:\1>", re.S)
_XML_TAG = re.compile(r"<\?xml[^>]*\?>|</?[A-Za-z][\w.-]*:[^>]*>")
_TAG = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.S)
_BLOCK = re.compile(r"\{%-?\s*(\w+)")
_OPENERS = {"if", "for", "with", "macro", "call", "filter", "block", "raw", "autoescape"}
EXCERPT = 90  # characters of a paragraph shown around a tag


def numbered(src_xml: str) -> str:
    """The source as compiled: every paragraph on its own line."""
    return _PARAGRAPH.sub(r"\n<w:p\1", src_xml)


@dataclass(frozen=True)
class Part:
    """One part of a template that is rendered: the body, a header or a footer."""

    entry: str  # zip entry, e.g. "word/document.xml"
    source: str  # as compiled (numbered)

    @property
    def where(self) -> str:
        if "header" in self.entry:
            return " w nagłówku"
        if "footer" in self.entry:
            return " w stopce"
        return ""


def paragraph_text(source: str, lineno: int | None, whole: bool = False) -> str:
    """The text of paragraph `lineno` (tags included), as Word shows it; `whole` keeps the
    bare row and paragraph tags docxtpl left after it."""
    lines = source.split("\n")
    if not lineno or not 1 <= lineno <= len(lines):
        return ""
    line = lines[lineno - 1]
    end = line.rfind("</w:p>")
    if end >= 0 and not whole:  # what follows is structure, and the bare row or paragraph tags of docxtpl
        line = line[:end]
    text = _XML_TAG.sub("", _NOT_TEXT.sub("", line))
    return re.sub(r"\s+", " ", html.unescape(text)).strip()


def excerpt(text: str, needle: str = "") -> str:
    """A short piece of a paragraph around `needle` (or its first tag)."""
    if len(text) <= EXCERPT:
        return text
    at = text.find(needle) if needle else -1
    if at < 0:
        found = _TAG.search(text)
        at, needle = (found.start(), found.group()) if found else (0, "")
    start = max(0, min(at - (EXCERPT - len(needle)) // 2, len(text) - EXCERPT))
    end = start + max(EXCERPT, len(needle))
    return ("…" if start else "") + text[start:end].strip() + ("…" if end < len(text) else "")


def where(part: Part, lineno: int | None, needle: str = "", cut: bool = False) -> str:
    """` w stopce (akapit: „…”)`: where a tag is, for a message. A paragraph or row tag
    (`{%p if … %}`, `{%tr for … %}`) lost its paragraph to docxtpl: the one after it is
    shown. `cut`: after a broken tag docxtpl glued on what follows; show up to the tag."""
    lines = part.source.split("\n")
    line = lines[lineno - 1] if lineno and 1 <= lineno <= len(lines) else ""
    if needle and line.rfind(needle) > max(line.rfind("</w:p>"), line.rfind("</w:tr>")) >= 0:
        text = paragraph_text(part.source, (lineno or 0) + 1)
        before = f" (akapit lub wiersz tabeli ze znacznikiem, tuż przed „{excerpt(text)}”)"
        return part.where + (before if text else "")
    text = paragraph_text(part.source, lineno)
    at = text.find(needle) if needle and cut else -1
    if at >= 0:
        return part.where + f" (akapit: „{excerpt(text[:at + len(needle)], needle)}…”)"
    return part.where + (f" (akapit: „{excerpt(text, needle)}”)" if text else "")


def tag_in(part: Part, lineno: int | None, name: str) -> str:
    """The tag on paragraph `lineno` that mentions `name`, e.g. `{{ data_przydzielenia }}`."""
    for tag in _TAG.findall(paragraph_text(part.source, lineno, whole=True)):
        if re.search(rf"(?<![\w.]){re.escape(name)}(?!\w)", tag):
            return tag
    return ""


# -- errors from jinja, in Polish -------------------------------------------------------

_END = {"if": "endif", "for": "endfor", "with": "endwith", "macro": "endmacro"}


def reason(exc: BaseException, filters: Iterable[str] = (), tag: str = "") -> str:
    """What is wrong with a tag, in Polish (jinja's messages are English); `tag` is the
    tag found at fault, if any."""
    message = str(getattr(exc, "message", None) or exc)
    if isinstance(exc, UndefinedError):
        return _undefined(message)
    if not isinstance(exc, TemplateError):
        return "znacznik nie daje się wypełnić danymi tego formularza"
    return _syntax(message, filters, tag)


def _undefined(message: str) -> str:
    """A tag that reaches for something the form's data lacks."""
    if found := re.search(r"'([^']+)' is undefined", message):
        return f"zmiennej „{found[1]}” nie ma w danych formularza"
    if found := re.search(r"^'None' has no attribute '([^']+)'", message):
        return (f"wartość jest w tym formularzu pusta, a znacznik używa na niej „{found[1]}” "
                "– obejmij go warunkiem {% if … %} albo użyj filtra |pl")
    if found := re.search(r"has no attribute '([^']+)'", message):
        return f"pola „{found[1]}” nie ma w danych formularza"
    if found := re.search(r"has no element (\S+)", message):
        return f"wiersza {found[1]} nie ma w danych formularza"
    return "znacznik odwołuje się do czegoś, czego nie ma w danych formularza"


def _syntax(message: str, filters: Iterable[str], tag: str) -> str:
    """A tag jinja cannot compile: an unknown filter, test or tag, or an unclosed block."""
    if found := re.search(r"No filter named '([^']+)'", message):
        known = ", ".join(sorted(set(filters) - set(DEFAULT_FILTERS))) or "pl"
        return f"nieznany filtr „{found[1]}” (filtry programu: {known})"
    if found := re.search(r"No test named '([^']+)'", message):
        return f"nieznany test „{found[1]}”"
    innermost = re.search(r"innermost block that needs to be closed is '(\w+)'", message)
    if message.startswith("Unexpected end of template") and innermost:
        block = innermost[1]
        opener = f"„{tag}”" if tag else f"{{% {block} %}}"
        return f"blok {opener} nie jest zamknięty – brakuje {{% {_END.get(block, 'end' + block)} %}}"
    if found := re.search(r"Encountered unknown tag '(\w+)'", message):
        return _unknown_tag(found[1], innermost[1] if innermost else None)
    if "end of template" in message or "unexpected" in message or "expected" in message:
        which = f"znacznik „{tag}”" if tag else "znacznik"
        return (f"{which} jest niedomknięty albo uszkodzony – sprawdź nawiasy {{{{ }}}} i {{% %}} "
                "oraz cudzysłowy")
    return "błędny znacznik {{ }} / {% %}"


def _unknown_tag(name: str, block: str | None) -> str:
    """A {% tag %} jinja does not know where it stands: inside `block`, if one is open."""
    if block:
        return (f"znacznik {{% {name} %}} nie pasuje do otwartego bloku {{% {block} %}} "
                f"(brakuje {{% {_END.get(block, 'end' + block)} %}}?)")
    if name.startswith("end"):
        return f"znacznik {{% {name} %}} zamyka blok, którego nie otwarto"
    return f"nieznany znacznik {{% {name} %}}"


def unclosed_opener(source: str) -> tuple[int, str] | None:
    """The innermost block tag left open at the end: (paragraph, tag). jinja reports the end
    of the document, which says nothing to the person who forgot the `endif`."""
    stack: list[tuple[int, str]] = []
    for found in _TAG.finditer(source):
        name = _BLOCK.match(found.group())
        if not name:
            continue
        word = name[1]
        if word in _OPENERS:
            stack.append((source.count("\n", 0, found.start()) + 1, found.group()))
        elif word.startswith("end") and stack:
            stack.pop()
    return stack[-1] if stack else None


def syntax_error_at(part: Part, exc: TemplateError) -> tuple[int | None, str]:
    """Where a syntax error is: the paragraph and the tag to show."""
    message = str(getattr(exc, "message", "") or "")
    if message.startswith("Unexpected end of template"):
        opener = unclosed_opener(part.source)
        if opener:
            return opener
    lineno = getattr(exc, "lineno", None)
    return lineno, suspect(paragraph_text(part.source, lineno))


def suspect(text: str) -> str:
    """The first piece of a paragraph that is not a well-formed tag: `{{ x }`, `{{ x`, `x }}`."""
    good = [m.span() for m in re.finditer(
        r"\{\{(?:(?!\{\{|\{%|\}\}).)*\}\}|\{%(?:(?!\{\{|\{%|%\}).)*%\}", text)]
    for found in re.finditer(r"\{\{|\{%|\}\}|%\}", text):
        if not any(a <= found.start() < b for a, b in good):
            if found.group()[0] == "{":  # up to the first closing brace: `{{ x }`
                piece = text[found.start():found.start() + 60]
                close = re.search(r"\}+|%\}", piece[2:])
                return piece[:close.end() + 2] if close else piece[:40]
            return text[max(0, found.start() - 30):found.end()]
    return ""


def runtime_line(exc: BaseException) -> int | None:
    """The template line (paragraph) an error was raised at while rendering."""
    line = None
    tb = exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == "<template>":
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


# -- what the tags use of the schema -------------------------------------------------------
