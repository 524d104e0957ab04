"""The package's layering, read from the code itself (README, „Testy i narzędzia”).

Every module under pipeline/ is parsed with `ast`; its `pipeline.*` imports, the lazy ones
inside functions included (only TYPE_CHECKING blocks are left out: they never run), are
resolved to modules. Then: no import cycle, no import from a higher package, no private
name imported from another module, no module over 450 lines, a docstring for every
sub-package.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent / "pipeline"
MAX_LINES = 450

# Bottom to top; packages on one level may not import each other either (notify and ops are
# peers). A package that does not exist yet simply has no modules.
LAYERS: tuple[tuple[str, ...], ...] = (
    ("core",), ("pdf",), ("sprawa",), ("forms",), ("stages",), ("podpis",), ("scans",), ("documents",),
    ("notify", "ops"), ("flow",), ("demo",), ("app",),
)

# known offenders, each with its reason; empty: the package keeps every rule
ALLOWED: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Import:
    source: str  # the importing module
    target: str  # the imported module
    names: tuple[str, ...]  # the names taken with `from target import …`
    line: int


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES: dict[str, Path] = {_module_name(p): p for p in sorted(ROOT.rglob("*.py"))}


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _nodes(tree: ast.AST) -> list[ast.AST]:
    """Every node, except the bodies of `if TYPE_CHECKING:` (imports for annotations only)."""
    found: list[ast.AST] = []
    todo: list[ast.AST] = [tree]
    while todo:
        node = todo.pop()
        found.append(node)
        if isinstance(node, ast.If) and _is_type_checking(node):
            todo.extend(node.orelse)
            continue
        todo.extend(ast.iter_child_nodes(node))
    return found


def _package(module: str, path: Path) -> str:
    return module if path.name == "__init__.py" else module.rpartition(".")[0]


def _resolve(module: str, path: Path, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    base = _package(module, path).split(".")
    base = base[: len(base) - node.level + 1]
    return ".".join([*base, node.module] if node.module else base)


def _imports(module: str, path: Path) -> list[Import]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: list[Import] = []
    for node in _nodes(tree):
        if isinstance(node, ast.Import):
            found += [Import(module, a.name, (), node.lineno) for a in node.names
                      if a.name.startswith("pipeline.")]
        elif isinstance(node, ast.ImportFrom):
            target = _resolve(module, path, node)
            if target != "pipeline" and not target.startswith("pipeline."):
                continue
            plain: list[str] = []
            for alias in node.names:  # `from pipeline.x import y` may name the module x.y
                if f"{target}.{alias.name}" in MODULES:
                    found.append(Import(module, f"{target}.{alias.name}", (), node.lineno))
                else:
                    plain.append(alias.name)
            if plain:
                found.append(Import(module, target, tuple(plain), node.lineno))
    return [i for i in found if i.target in MODULES and i.target != module]


IMPORTS: list[Import] = [i for m, p in MODULES.items() for i in _imports(m, p)]


def _level(module: str) -> int | None:
    parts = module.split(".")
    if len(parts) < 3:
        return None  # pipeline itself, and modules at the top of it
    for level, packages in enumerate(LAYERS):
        if parts[1] in packages:
            return level
    return None


def _report(found: dict[str, str]) -> None:
    """Fail with one line per offence (the module and the import) not in ALLOWED."""
    unexpected = sorted(message for key, message in found.items() if key not in ALLOWED)
    assert not unexpected, "\n".join(unexpected)


def _cycles() -> dict[str, str]:
    """One entry per import cycle (found by a depth-first search over the import graph)."""
    graph: dict[str, dict[str, int]] = {m: {} for m in MODULES}
    for i in IMPORTS:
        graph[i.source].setdefault(i.target, i.line)
    found: dict[str, str] = {}
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        path.append(node)
        for target in sorted(graph[node]):
            if state.get(target) == 1:
                loop = path[path.index(target):]
                start = loop.index(min(loop))  # one spelling per cycle, whatever its entry
                loop = [*loop[start:], *loop[:start], loop[start]]
                key = "cycle: " + " -> ".join(loop)
                found[key] = key + " (" + ", ".join(
                    f"{a} line {graph[a][b]}" for a, b in zip(loop, loop[1:], strict=False)) + ")"
            elif target not in state:
                visit(target)
        path.pop()
        state[node] = 2

    for module in sorted(graph):
        if module not in state:
            visit(module)
    return found


def _upward() -> dict[str, str]:
    found = {}
    for i in IMPORTS:
        low, high = _level(i.source), _level(i.target)
        if low is None or high is None:
            continue
        peers = high == low and i.source.split(".")[1] != i.target.split(".")[1]
        if high > low or peers:
            key = f"upward: {i.source} imports {i.target}"
            found[key] = f"{key} (line {i.line}): a lower package may not use a higher one"
    return found


def _private() -> dict[str, str]:
    found = {}
    for i in IMPORTS:
        for name in i.names:
            if name.startswith("_") and not name.endswith("__"):  # __version__ is public
                key = f"private: {i.source} imports {name} from {i.target}"
                found[key] = f"{key} (line {i.line})"
    return found


def _sizes() -> dict[str, str]:
    found = {}
    for module, path in MODULES.items():
        lines = len(path.read_text(encoding="utf-8").splitlines())
        if lines > MAX_LINES:
            found[f"size: {module}"] = f"size: {module} has {lines} lines (at most {MAX_LINES})"
    return found


def _docstrings() -> dict[str, str]:
    return {f"docstring: {m}": f"docstring: {m} (its __init__.py) says nothing of what lives there"
            for m, path in MODULES.items()
            if path.name == "__init__.py" and not ast.get_docstring(ast.parse(path.read_text()))}


def test_the_modules_and_their_lazy_imports_are_found() -> None:
    assert "pipeline.app.cli" in MODULES and "pipeline.core.errors" in MODULES
    assert any(i.source.startswith("pipeline.app.") and i.target == "pipeline.flow.process"
               for i in IMPORTS), "the imports inside functions are read too"


def test_lazy_relative_and_private_imports_are_resolved(tmp_path: Path) -> None:
    """What the checks read from a module: imports inside functions and relative ones count,
    with the names they take; those only for type checking do not."""
    probe = tmp_path / "probe.py"
    probe.write_text("from typing import TYPE_CHECKING\n"
                     "if TYPE_CHECKING:\n    from pipeline.app import cli\n"
                     "def f():\n    from pipeline.flow.process import _safe_case\n"
                     "    from ..sprawa import register\n", encoding="utf-8")
    found = {(i.target, i.names) for i in _imports("pipeline.core.probe", probe)}
    assert found == {("pipeline.flow.process", ("_safe_case",)), ("pipeline.sprawa.register", ())}


def test_no_import_cycle() -> None:
    _report(_cycles())


def test_no_import_from_a_higher_package() -> None:
    _report(_upward())


def test_no_private_name_from_another_module() -> None:
    _report(_private())


def test_no_module_over_the_limit() -> None:
    _report(_sizes())


def test_every_package_says_what_lives_there() -> None:
    _report(_docstrings())


def test_the_allow_list_holds_only_current_offenders() -> None:
    """An entry whose offence is gone leaves the list, so the list can only shrink."""
    current = {**_cycles(), **_upward(), **_private(), **_sizes(), **_docstrings()}
    stale = sorted(ALLOWED - current.keys())
    assert not stale, "no longer offending, remove from ALLOWED:\n" + "\n".join(stale)
