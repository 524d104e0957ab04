"""The one-line banner index.html shows when the last health check (`asysta stan`) was
not ok. The check (`pipeline.ops.stan`) writes its verdict to `STATUS_FILE`; this module
only reads it, so the dashboard needs nothing above its own layer."""

from __future__ import annotations

import json
from html import escape
from pathlib import Path

STATE_DIR = ".stan"  # outbox/.stan/: the service's own state (heartbeat, guard, backups)
STATUS_FILE = "stan.json"

_WORDS = {"ostrzezenie": "Ostrzeżenie", "krytyczny": "Awaria"}


def status_path(outbox: Path) -> Path:
    return outbox / STATE_DIR / STATUS_FILE


def banner_html(outbox: Path) -> str:
    """`<p class="stan">…</p>` naming what is wrong, or "" when all is well (or unknown)."""
    try:
        state = json.loads(status_path(outbox).read_text(encoding="utf-8"))
        status = state["status"]
        bad = [c["opis"] for c in state["kontrole"] if c["status"] == status]
    except (OSError, ValueError, KeyError, TypeError):
        return ""
    if status not in _WORDS or not bad:
        return ""
    more = f" (i {len(bad) - 1} więcej)" if len(bad) > 1 else ""
    # on screen only: a printout is for the case files, not for the administrator
    return ("<style>@media print{p.stan{display:none}}</style>"
            f'<p class="stan stan-{status}" role="alert" style="padding:.5em 1em;'
            f'background:{"#fde2e1" if status == "krytyczny" else "#fff4ce"}">'
            f"<strong>{_WORDS[status]}:</strong> {escape(str(bad[0]))}{more} – "
            f"szczegóły: <code>asysta stan</code>, czas sprawdzenia {escape(str(state.get('czas', '')))}"
            "</p>")
