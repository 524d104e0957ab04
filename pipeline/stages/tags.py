"""A DOCX template's tags as a person sees them in Word.

What the tags use of the schema (a field the template never prints, a variable
the schema lacks, a misspelled column of a table), which values they print raw
(`2025-02-26`, `False`, `None` without the `pl` filter), and where each tag is:
the text of its paragraph, never a line of XML. Messages are Polish; they name
templates, tags and fields, never a form's values.

The template parts are compiled one paragraph a line (`numbered`), so a line
number from jinja is a paragraph.
"""

from __future__ import annotations

import difflib
import html
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from jinja2 import Environment, TemplateError, UndefinedError, nodes
from jinja2 import meta as jinja_meta
from jinja2.defaults import DEFAULT_FILTERS

_PARAGRAPH = re.compile(r"<w:p([ >])")
_NOT_TEXT = re.compile(r"<w:(instrText|delText)\b[^>]*>.*?</w:\1>", re.S)
_XML_TAG = re.compile(r"<\?xml[^>]*\?>|</?[A-Za-z][\w.-]*:[^>]*>")
_TAG = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.S)
_BLOCK = re.compile(r"\{%-?\s*(\w+)")
_OPENERS = {"if", "for", "with", "macro", "call", "filter", "block", "raw", "autoescape"}
_DICT_METHODS = {"items", "keys", "values", "get"}
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
    if not isinstance(exc, TemplateError):
        return "znacznik nie daje się wypełnić danymi tego formularza"
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
        if innermost:
            block = innermost[1]
            return (f"znacznik {{% {found[1]} %}} nie pasuje do otwartego bloku {{% {block} %}} "
                    f"(brakuje {{% {_END.get(block, 'end' + block)} %}}?)")
        if found[1].startswith("end"):
            return f"znacznik {{% {found[1]} %}} zamyka blok, którego nie otwarto"
        return f"nieznany znacznik {{% {found[1]} %}}"
    if "end of template" in message or "unexpected" in message or "expected" in message:
        which = f"znacznik „{tag}”" if tag else "znacznik"
        return (f"{which} jest niedomknięty albo uszkodzony – sprawdź nawiasy {{{{ }}}} i {{% %}} "
                "oraz cudzysłowy")
    return "błędny znacznik {{ }} / {% %}"


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

Path_ = tuple[str, ...]  # ("dokumenty", "[]", "data_dokumentu"); "[]" is a row of a list
_MISSING: dict[str, Any] = {}


def dotted(path: Path_) -> str:
    """As schemas.iter_fields spells it: dokumenty[].data_dokumentu."""
    out = ""
    for step in path:
        out += "[]" if step == "[]" else (f".{step}" if out else step)
    return out


@dataclass
class Use:
    path: Path_
    part: Part
    lineno: int | None


@dataclass
class Raw(Use):
    kind: str = ""  # date, boolean, list, float, empty


@dataclass
class Findings:
    used: set[Path_] = field(default_factory=set)
    whole: set[Path_] = field(default_factory=set)  # printed as a whole: every field inside
    unknown: list[Use] = field(default_factory=list)  # a field of a row/section the schema lacks
    undeclared: dict[str, Use] = field(default_factory=dict)  # a variable the schema lacks
    raw: list[Raw] = field(default_factory=list)


class _Walker:
    """One pass over a parsed part, resolving every reference to a schema path."""

    def __init__(self, top: dict[str, Any], formatting: set[str], findings: Findings,
                 part: Part) -> None:
        self.top = top
        self.formatting = formatting
        self.found = findings
        self.part = part

    def rules(self, path: Path_) -> dict[str, Any] | None:
        rules: dict[str, Any] = {"type": "dict", "schema": self.top}
        for step in path:
            inner = rules.get("schema")
            if not isinstance(inner, dict):
                return None
            if step == "[]":
                if rules.get("type") != "list":
                    return None
                rules = inner
            else:
                if rules.get("type") != "dict":
                    return None
                if step not in inner or not isinstance(inner[step], dict):
                    return _MISSING
                rules = inner[step]
        return rules

    def may_be_empty(self, path: Path_) -> bool:
        """Can this value be None once `render.complete` has filled the gaps?"""
        for depth in range(1, len(path) + 1):
            rules = self.rules(path[:depth]) or {}
            leaf = depth == len(path)
            if path[depth - 1] == "[]":  # a row of a list: None only where the schema allows it
                if leaf and rules.get("nullable"):
                    return True
                continue
            if not leaf and rules.get("type") != "dict":
                continue
            if rules.get("nullable") or (not rules.get("required") and "default" not in rules):
                return True
        return False

    def resolve(self, expr: nodes.Node, scope: dict[str, Path_]) -> Path_ | None:
        if isinstance(expr, nodes.Name):
            if expr.name in scope:
                path: Path_ | None = scope[expr.name]
            elif expr.name in self.top:
                path = (expr.name,)
            else:
                self.found.undeclared.setdefault(expr.name, Use((expr.name,), self.part, expr.lineno))
                return None
        elif isinstance(expr, nodes.Getattr | nodes.Getitem):
            if isinstance(expr, nodes.Getattr):
                key: str | None = expr.attr
            elif isinstance(expr.arg, nodes.Const) and isinstance(expr.arg.value, str):
                key = expr.arg.value
            elif isinstance(expr.arg, nodes.Const) and isinstance(expr.arg.value, int):
                key = "[]"
            else:
                self.refs(expr.arg, scope)
                key = None
            base = self.resolve(expr.node, scope)
            if base is None:
                return None
            path = self.step(base, key, expr.lineno)
        else:
            self.refs(expr, scope)
            return None
        if path is not None:
            self.found.used.add(path)
        return path

    def step(self, base: Path_, key: str | None, lineno: int | None) -> Path_ | None:
        rules = self.rules(base)
        if not rules:
            return None
        kind, inner = rules.get("type"), rules.get("schema")
        if key is None:  # an index or key computed by the template: all of it may print
            self.found.whole.add(base)
            return None
        if key == "[]":
            return base + ("[]",) if kind == "list" else None
        if kind == "dict" and isinstance(inner, dict):
            if key in inner:
                return base + (key,)
            if key in _DICT_METHODS:
                self.found.whole.add(base)
                return None
            self.found.unknown.append(Use(base + (key,), self.part, lineno))
        return None  # an attribute of a value (data.year): the template formats it itself

    def refs(self, expr: nodes.Node, scope: dict[str, Path_]) -> None:
        """Record every reference inside an expression that prints nothing by itself."""
        if isinstance(expr, nodes.Name | nodes.Getattr | nodes.Getitem):
            self.resolve(expr, scope)
            return
        for child in expr.iter_child_nodes():
            self.refs(child, scope)

    def tested(self, test: nodes.Node, scope: dict[str, Path_]) -> set[Path_]:
        self.refs(test, scope)
        found: set[Path_] = set()
        for node in [test, *test.find_all((nodes.Name, nodes.Getattr, nodes.Getitem))]:
            path = self._quiet(node, scope)
            if path:
                found.add(path)
        return found

    def _quiet(self, expr: nodes.Node, scope: dict[str, Path_]) -> Path_ | None:
        """The path of a reference without recording anything."""
        if isinstance(expr, nodes.Name):
            return scope.get(expr.name) or ((expr.name,) if expr.name in self.top else None)
        if isinstance(expr, nodes.Getattr):
            base = self._quiet(expr.node, scope)
            return base + (expr.attr,) if base else None
        if isinstance(expr, nodes.Getitem) and isinstance(expr.arg, nodes.Const):
            base = self._quiet(expr.node, scope)
            key = expr.arg.value if isinstance(expr.arg.value, str) else "[]"
            return base + (key,) if base else None
        return None

    def printed(self, expr: nodes.Expr, scope: dict[str, Path_], guarded: frozenset[Path_]) -> None:
        formatted = False
        core: nodes.Node = expr
        while isinstance(core, nodes.Filter) and core.node is not None:
            formatted = formatted or core.name in self.formatting
            for arg in [*core.args, *(k.value for k in core.kwargs)]:
                self.refs(arg, scope)
            core = core.node
        none_safe = False
        if isinstance(core, nodes.Or):  # {{ x or '' }}: never None
            self.refs(core.right, scope)
            core, none_safe = core.left, True
        elif isinstance(core, nodes.CondExpr):  # {{ x if x else '—' }}
            guarded = guarded | self.tested(core.test, scope)
            if core.expr2 is not None:
                self.refs(core.expr2, scope)
            core = core.expr1
        path = self.resolve(core, scope)
        rules = self.rules(path) if path else None
        if not rules:
            return
        kind = rules.get("type")
        if kind in ("list", "dict"):
            self.found.whole.add(path)  # type: ignore[arg-type]
        if formatted:
            return
        if kind in ("date", "boolean", "list", "dict", "float"):
            raw = "list" if kind == "dict" else str(kind)
        elif not none_safe and path not in guarded and self.may_be_empty(path):  # type: ignore[arg-type]
            raw = "empty"
        else:
            return
        self.found.raw.append(Raw(path, self.part, expr.lineno, raw))  # type: ignore[arg-type]

    def visit(self, node: nodes.Node, scope: dict[str, Path_], guarded: frozenset[Path_]) -> None:
        if isinstance(node, nodes.Output):
            for expr in node.nodes:
                if not isinstance(expr, nodes.TemplateData):
                    self.printed(expr, scope, guarded)
            return
        if isinstance(node, nodes.For):
            rows = self.resolve(node.iter, scope)
            inner = dict(scope)
            names = [n.name for n in node.target.find_all(nodes.Name)]
            if isinstance(node.target, nodes.Name) and rows is not None:
                inner[node.target.name] = rows + ("[]",)
            else:
                if rows is not None:
                    self.found.whole.add(rows)
                for name in names:
                    inner.pop(name, None)
            if node.test is not None:
                self.refs(node.test, inner)
            for child in node.body:
                self.visit(child, inner, guarded)
            for child in node.else_:
                self.visit(child, scope, guarded)
            return
        if isinstance(node, nodes.If):
            positive = not isinstance(node.test, nodes.Not)
            tested = frozenset(self.tested(node.test, scope))
            for child in node.body:
                self.visit(child, scope, guarded | tested if positive else guarded)
            for child in node.elif_:
                self.visit(child, scope, guarded)
            for child in node.else_:
                self.visit(child, scope, guarded if positive else guarded | tested)
            return
        if isinstance(node, nodes.Assign | nodes.AssignBlock | nodes.With | nodes.Macro):
            for own in node.find_all(nodes.Name):  # a name the template sets is its own
                if own.ctx in ("store", "param"):
                    scope = {k: v for k, v in scope.items() if k != own.name}
        for child in node.iter_child_nodes():
            if isinstance(child, nodes.Expr):
                self.refs(child, scope)
            else:
                self.visit(child, scope, guarded)


def analyse(parts: Iterable[Part], top: dict[str, Any], env: Environment) -> Findings:
    """Walk every part; `top` is the schema of what the context holds."""
    findings = Findings()
    formatting = set(env.filters) - set(DEFAULT_FILTERS)  # `pl` and any filter render.py adds
    declared_anywhere: set[str] = set()
    for part in parts:
        tree = env.parse(part.source)
        declared_anywhere |= jinja_meta.find_undeclared_variables(tree)
        _Walker(top, formatting, findings, part).visit(tree, {}, frozenset())
    # a name the template sets itself (`set`, loop targets) is not a variable it lacks
    findings.undeclared = {k: v for k, v in findings.undeclared.items() if k in declared_anywhere}
    return findings


def fields(pola: dict[str, Any], prefix: Path_ = ()) -> Iterator[Path_]:
    """Every field of a schema as a path (rows of a list as "[]")."""
    for key, rules in pola.items():
        path = (*prefix, key)
        yield path
        inner = rules.get("schema") if isinstance(rules, dict) else None
        if rules.get("type") == "list" and isinstance(inner, dict) and inner.get("type") == "dict":
            yield from fields(inner.get("schema", {}), (*path, "[]"))
        elif rules.get("type") == "dict" and isinstance(inner, dict):
            yield from fields(inner, path)


_RAW_TEXT = {
    "date": "data wydrukuje się jako 2025-02-26 zamiast 26.02.2025",
    "boolean": "wartość tak/nie wydrukuje się jako True/False",
    "list": "lista wydrukuje się w zapisie programu (z nawiasami [ ] i cudzysłowami)",
    "float": "liczba wydrukuje się z kropką zamiast przecinka",
    "empty": "pole nieobowiązkowe: gdy zostanie puste, wydrukuje się „None”",
}


def review(name: str, parts: list[Part], top: dict[str, Any], printable: Iterable[Path_],
           env: Environment) -> tuple[list[str], list[str]]:
    """(errors, warnings) of template `name` against the schema `top`: errors lose data or
    reject every valid form; warnings print a value raw."""
    found = analyse(parts, top, env)
    errors: list[str] = []
    for key, use in sorted(found.undeclared.items()):
        close = difflib.get_close_matches(key, list(top), n=1, cutoff=0.75)
        hint = f" – czy chodziło o „{close[0]}”?" if close else ""
        errors.append(f"{name}: szablon używa zmiennej „{key}”, której nie ma w schemacie"
                      f"{where(use.part, use.lineno, tag_in(use.part, use.lineno, key))}{hint}")
    seen: set[Path_] = set()
    for use in found.unknown:
        if use.path in seen:
            continue
        seen.add(use.path)
        siblings = [str(k) for k in (_rules_at(top, use.path[:-1]).get("schema") or {})]
        close = difflib.get_close_matches(use.path[-1], siblings, n=1, cutoff=0.75)
        hint = f" – czy chodziło o „{close[0]}”?" if close else ""
        errors.append(f"{name}: szablon używa pola „{dotted(use.path)}”, którego nie ma w schemacie"
                      f"{where(use.part, use.lineno, tag_in(use.part, use.lineno, use.path[-1]))}"
                      f"{hint}")
    used_top = {p[0] for p in found.used} | set(found.undeclared)
    missing: list[Path_] = []
    for path in printable:
        if any(path[:i] in missing for i in range(1, len(path))):
            continue  # its table or section is missing already: one message for all of it
        if len(path) == 1:
            printed = path[0] in used_top
        else:
            printed = path in found.used or any(path[:i] in found.whole for i in range(1, len(path)))
        if not printed:
            missing.append(path)
            errors.append(f"{name}: pole „{dotted(path)}” ze schematu nie jest drukowane w szablonie "
                          f"– dane z formularza by przepadły; dopisz {{{{ {_expression(path)}|pl }}}}")
    warnings: list[str] = []
    for raw in found.raw:
        name_ = next((p for p in reversed(raw.path) if p != "[]"), "")
        tag = tag_in(raw.part, raw.lineno, name_) or f"{{{{ {_expression(raw.path)} }}}}"
        text = (f"{name}: {tag}{where(raw.part, raw.lineno, tag)} – {_RAW_TEXT[raw.kind]}; "
                f"dopisz filtr |pl: {_with_pl(tag)}")
        if text not in warnings:
            warnings.append(text)
    return errors, warnings


def _rules_at(top: dict[str, Any], path: Path_) -> dict[str, Any]:
    rules: dict[str, Any] = {"type": "dict", "schema": top}
    for step in path:
        rules = (rules.get("schema") or {}) if step == "[]" else (rules.get("schema") or {}).get(step, {})
    return rules


def _expression(path: Path_) -> str:
    """How a template spells a path; a row field inside `{% for w in … %}` as w.field."""
    if "[]" in path:
        return "w." + ".".join(p for p in path[len(path) - path[::-1].index("[]"):])
    return ".".join(path)


def _with_pl(tag: str) -> str:
    inner = tag[2:-2].strip().strip("-").strip()
    if not re.fullmatch(r"[\w.\[\]'\"]+", inner):
        inner = f"({inner})"
    return f"{{{{ {inner}|pl }}}}"
