"""A form table's geometry: each column's width and how many lines a row holds.

A column is at least as wide as the longest word of its header (a header wraps between
words only); fixed-size controls (dates, checkboxes, lists, numbers, times) get their
width, the free-text columns share the rest by their schema's `maxlength`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .embed import Font
from .spec import column_label, control_of, meta_of

CELL_SIZE = 8.0
NUMBER_W, SIGNATURE_W = 18.0, 70.0  # a table's "Lp." and "Podpis" columns
HEADER_SIZE, HEADER_PAD = 7.0, 2.0  # a table's column headers
MIN_TEXT_COLUMN = 60.0  # room for a word such as „niezrealizowane” in a free-text column


def column_widths(columns: Mapping[str, Any], signature: bool, regular: Font, bold: Font,
                  content_w: float) -> tuple[dict[str, float], dict[str, float]]:
    """Each column's width, and the weights of the free-text ones. A column is at least as
    wide as the longest word of its header, so a header wraps between words only."""
    fixed: dict[str, float] = {}
    weights: dict[str, float] = {}
    least: dict[str, float] = {}
    for col, col_rules in columns.items():
        control = control_of(col_rules)
        fmt = meta_of(col_rules).get("format")
        least[col] = max(bold.width(word, HEADER_SIZE)
                         for word in column_label(col, col_rules).split()) + 2 * HEADER_PAD
        if control == "date":
            fixed[col] = 58.0
        elif control == "check":
            fixed[col] = 26.0
        elif control == "choice":
            longest = max(regular.width(str(o), CELL_SIZE) for o in col_rules["allowed"])
            fixed[col] = min(longest + 18, 150.0)
        elif control == "number":
            fixed[col] = 52.0
        elif fmt == "GG:MM":
            fixed[col] = 42.0
        else:
            weights[col] = float(min(max(col_rules.get("maxlength") or 200, 60), 600))
            least[col] = max(least[col], MIN_TEXT_COLUMN)
        if col in fixed:
            fixed[col] = max(fixed[col], least[col])
    flexible = content_w - NUMBER_W - (SIGNATURE_W if signature else 0.0) - \
        sum(fixed.values())
    widths = dict(fixed)
    free = dict(weights)
    while free:  # a narrow column gets its header's width, the rest share what is left
        total = sum(free.values())
        share = {col: flexible * weight / total for col, weight in free.items()}
        narrow = [col for col in free if share[col] < least[col]]
        if not narrow:
            widths.update(share)
            break
        for col in narrow:
            widths[col] = least[col]
            flexible -= least[col]
            del free[col]
    return {col: widths[col] for col in columns}, weights


def row_lines(columns: Mapping[str, Any], widths: Mapping[str, float],
              weights: Mapping[str, float]) -> int:
    """Lines of text a row holds: as many as its longest text needs, by the schema's maxlength."""
    lines = 1
    for col in weights:
        maxlen = columns[col].get("maxlength") or 200
        need = 1 if maxlen <= 300 else 2 if maxlen <= 600 else 3 if maxlen <= 1000 else \
            4 if maxlen <= 1500 else 5
        if widths[col] < 100 and maxlen > 100:
            need += 1
        lines = max(lines, min(need, 5))
    return lines
