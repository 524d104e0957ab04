"""Fault injection for the crash-safety tests, switched on only by test variables.

- `ASYSTA_TEST_AWARIA=<point>[:<n>]` kills this process with SIGKILL the n-th time
  (default: first) execution reaches `point(<point>)`;
- `ASYSTA_TEST_AWARIA=enospc` makes archive writes fail as on a full disk;
- `ASYSTA_TEST_LO_HANG=<text>` makes a LibreOffice pool worker (`lo_worker.py`) hang on a
  document whose file name contains the text.

They do nothing unless set; they exist so that the tests can stop the real program at
exact moments instead of imitating it. While one is set, the journal says so (`active`).
"""

from __future__ import annotations

import errno
import os
import signal

CRASH_ENV = "ASYSTA_TEST_AWARIA"
LO_HANG_ENV = "ASYSTA_TEST_LO_HANG"  # read by lo_worker.py, which imports nothing from pipeline
TEST_VARIABLES = (CRASH_ENV, LO_HANG_ENV)
_hits: dict[str, int] = {}


def active() -> list[str]:
    """The names of the test variables set in this process's environment."""
    return [name for name in TEST_VARIABLES if os.environ.get(name)]


def point(name: str) -> None:
    spec = os.environ.get(CRASH_ENV)
    if not spec:
        return
    target, _, count = spec.partition(":")
    if target != name:
        return
    _hits[name] = _hits.get(name, 0) + 1
    if _hits[name] >= int(count or 1):
        os.kill(os.getpid(), signal.SIGKILL)


def disk_full() -> None:
    """Raise ENOSPC where the archive writes, when the tests ask for a full disk."""
    if os.environ.get(CRASH_ENV) == "enospc":
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
