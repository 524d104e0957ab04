"""Fault injection for the crash-safety tests: `ASYSTA_AWARIA=<point>[:<n>]` kills this
process with SIGKILL the n-th time (default: first) execution reaches `point(<point>)`,
and `ASYSTA_AWARIA=enospc` makes archive writes fail as on a full disk.

It does nothing unless the variable is set; it exists so that the tests can stop
the real program at exact moments instead of imitating it.
"""

from __future__ import annotations

import errno
import os
import signal

_ENV = "ASYSTA_AWARIA"
_hits: dict[str, int] = {}


def point(name: str) -> None:
    spec = os.environ.get(_ENV)
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
    if os.environ.get(_ENV) == "enospc":
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
