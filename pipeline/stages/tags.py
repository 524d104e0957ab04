"""What a DOCX template's tags use of the schema, as a person sees them in Word.

A field the template never prints, a variable the schema lacks, a misspelled column of a
table, and the values printed raw (`2025-02-26`, `False`, `None` without the `pl` filter),
each placed by the text of its paragraph (tag_places). Messages are Polish; they name
templates, tags and fields, never a form's values.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from jinja2 import Environment, nodes
from jinja2 import meta as jinja_meta
from jinja2.defaults import DEFAULT_FILTERS

from pipeline.stages.tag_places import Part, tag_in, where

_DICT_METHODS = {"items", "keys", "values", "get"}
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
            self.visit_for(node, scope, guarded)
            return
        if isinstance(node, nodes.If):
            self.visit_if(node, scope, guarded)
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

    def visit_for(self, node: nodes.For, scope: dict[str, Path_], guarded: frozenset[Path_]) -> None:
        """A loop: its name stands for a row of the list inside the body, not after it."""
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

    def visit_if(self, node: nodes.If, scope: dict[str, Path_], guarded: frozenset[Path_]) -> None:
        """A condition: what it tests is guarded (may be empty) in the branch it holds for."""
        positive = not isinstance(node.test, nodes.Not)
        tested = frozenset(self.tested(node.test, scope))
        for child in node.body:
            self.visit(child, scope, guarded | tested if positive else guarded)
        for child in node.elif_:
            self.visit(child, scope, guarded)
        for child in node.else_:
            self.visit(child, scope, guarded if positive else guarded | tested)


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
