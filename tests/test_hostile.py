"""Property-based tests: random documents thrown at parsing and validation end either
accepted or rejected with a Polish explanation, never with another exception."""

from __future__ import annotations

import json

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.core.errors import FormError
from pipeline.core.models import IncomingFile
from pipeline.stages.parse import parse
from pipeline.stages.validate import validate

KEYS = st.sampled_from(["zalacznik", "rodzina", "data", "asystent", "czlonkowie", "wizyty",
                        "pesel", "miesiac", "adres", "uzasadnienie", "x"]) | st.text(max_size=12)
SCALARS = (st.none() | st.booleans() | st.integers(-10**20, 10**20) | st.floats(allow_nan=False)
           | st.text(max_size=80) | st.dates().map(str)
           | st.sampled_from(["2025-02-30", "2024-02-29", "91031412362", "tak", "nie", "../x",
                              "{{ 7*7 }}", "{% if %}", "\u0007", "\ud800"]))
TREES = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=5)
                     | st.dictionaries(KEYS, inner, max_size=6), max_leaves=40)
FORMS = st.fixed_dictionaries({"zalacznik": st.integers(0, 17) | SCALARS,
                               "rodzina": st.sampled_from(["K-1", "../x", "", "K 1"]) | SCALARS,
                               "data": st.sampled_from(["2025-01-31", "2025-02-30"]) | SCALARS},
                              optional={k: TREES for k in ("asystent", "czlonkowie", "wizyty",
                                                           "miesiac", "adres", "uzasadnienie")})


def _outcome(name: str, content: bytes) -> str:
    incoming = IncomingFile.__new__(IncomingFile)
    object.__setattr__(incoming, "path", __import__("pathlib").Path(name))
    object.__setattr__(incoming, "content", content)
    object.__setattr__(incoming, "sha256", "")
    try:
        validate(parse(incoming), incoming)
    except FormError as exc:
        assert exc.problems
        for problem in exc.problems:
            assert str(problem) and "Traceback" not in str(problem)
        return "odrzucony"
    return "przyjety"


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(FORMS | TREES)
def test_random_trees_as_json(tree: object) -> None:
    try:
        content = json.dumps(tree, ensure_ascii=False).encode("utf-8", "surrogatepass")
    except (ValueError, TypeError):
        return
    _outcome("f.json", content)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(FORMS | TREES)
def test_random_trees_as_yaml(tree: object) -> None:
    try:
        content = yaml.safe_dump(tree, allow_unicode=True).encode("utf-8", "surrogatepass")
    except (yaml.YAMLError, UnicodeEncodeError):
        return
    _outcome("f.yaml", content)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=400) | st.text(max_size=400).map(lambda t: t.encode("utf-8", "surrogatepass")))
def test_random_bytes(content: bytes) -> None:
    _outcome("f.yaml", content)
    _outcome("f.json", content)


@settings(max_examples=50, deadline=None)
@given(st.integers(1, 2000))
def test_deep_nesting_and_huge_strings(depth: int) -> None:
    _outcome("f.json", (b"[" * depth) + (b"]" * depth))
    _outcome("f.yaml", (b"- " * min(depth, 500)) + b"x")
    _outcome("f.yaml", b"zalacznik: 1\nrodzina: K-1\nasystent: " + b"a" * (depth * 400))
