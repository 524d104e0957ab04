"""Small helpers for reading PDFs with pypdf, shared by the forms and the case binder."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator


@contextlib.contextmanager
def quiet_pypdf() -> Iterator[None]:
    """pypdf logs its repairs of damaged files ("EOF marker not found"); staff get one Polish
    sentence instead, so those lines are kept off the console."""
    logger = logging.getLogger("pypdf")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)
