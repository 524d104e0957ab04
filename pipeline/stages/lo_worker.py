"""One warm LibreOffice converting from the inside: a pool worker of `pipeline.stages.convert`.

This file is copied into the instance's private profile (`user/Scripts/python/`) and started
as a Python macro from soffice's command line (`lo_instance.MACRO_URL`), so the conversion
loop runs on LibreOffice's main thread, as `soffice --convert-to` does: no UNO bridge between
processes, no second Python process. It runs under LibreOffice's embedded Python (pyuno,
Debian's libreoffice-script-provider-python), not under the application's virtualenv, so it
is standalone: it imports nothing from `pipeline` and keeps to Python 3.8 syntax.

It connects to the Unix socket named by ASYSTA_LO_SOCKET (the parent listens on it, in a
folder only the parent's user can enter) and exports with the PDF options in
ASYSTA_LO_FILTER (JSON in the form `soffice --convert-to` takes, so that the pool and the
fallback export alike: see `PDF_EXPORT` in soffice.py).

Protocol, one JSON object per line:

- first line out: {"ready": true};
- in: {"src": "/abs/a.docx", "dst": "/abs/a.pdf"} → out: {"ok": true} or
  {"ok": false, "error": "<exception type>", "fatal": <bool>}; the PDF is written to
  "<dst>.part" and renamed to "<dst>" only when complete; after a fatal error LibreOffice
  exits (it is unusable);
- in: {"quit": true}, or end of input → LibreOffice exits.

When the parent's end of the socket closes (it quit, or it was killed) and LibreOffice has
not finished — a document still converting, or quitting hangs — QUIT_WAIT_S later the
whole process group is killed: no LibreOffice outlives its asysta for long.

Replies carry exception type names only, never messages: a message could quote a
document's content or path.

Test hook (documented for tests/test_convert.py): when the environment variable
ASYSTA_TEST_LO_HANG is set and a document's file name contains its value, LibreOffice
stops itself (SIGSTOP) before loading the document, exactly as if the document made it hang.
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import signal
import socket
import threading
from typing import Any

SOCKET_ENV = "ASYSTA_LO_SOCKET"
FILTER_ENV = "ASYSTA_LO_FILTER"
HANG_HOOK_ENV = "ASYSTA_TEST_LO_HANG"  # pipeline.core.faults.LO_HANG_ENV
QUIT_WAIT_S = 5.0


def _props(**values):  # type: ignore[no-untyped-def]
    from com.sun.star.beans import PropertyValue  # type: ignore[import-not-found]

    result = []
    for name, value in values.items():
        prop = PropertyValue()
        prop.Name = name
        prop.Value = value
        result.append(prop)
    return tuple(result)


def filter_data(options: str):  # type: ignore[no-untyped-def]
    """PDF export options from LibreOffice's JSON form ({"Name": {"type": "long",
    "value": "2"}}, as `soffice --convert-to` takes them) as the filter's FilterData."""
    import uno  # type: ignore[import-not-found]

    kinds: dict[str, Any] = {"boolean": lambda v: v == "true", "long": int, "string": str}
    values = {name: kinds[spec["type"]](spec["value"])
              for name, spec in json.loads(options or "{}").items()}
    return uno.Any("[]com.sun.star.beans.PropertyValue", _props(**values))


def lock_file(path: str) -> str:
    """LibreOffice's lock file for a document it opens or writes."""
    folder, name = os.path.split(path)
    return os.path.join(folder, f".~lock.{name}#")


class Converter:
    def __init__(self, desktop, options: str) -> None:  # type: ignore[no-untyped-def]
        self.desktop = desktop
        self.hang_marker = os.environ.get(HANG_HOOK_ENV, "")
        # the UNO arguments, made once (a PropertyValue each costs)
        self.load_args = _props(Hidden=True, ReadOnly=True, MacroExecutionMode=0,
                                UpdateDocMode=0)
        self.store_args = _props(FilterName="writer_pdf_Export",
                                 FilterData=filter_data(options))

    def convert(self, src: str, dst: str) -> None:
        import uno

        if self.hang_marker and self.hang_marker in os.path.basename(src):
            os.kill(os.getpid(), signal.SIGSTOP)
        part = dst + ".part"
        # LibreOffice keeps a lock file beside what it writes; one left by an instance killed
        # mid-write would make this export abort (IOException "Abort"). The name is ours.
        with contextlib.suppress(OSError):
            os.unlink(lock_file(part))
        document = self.desktop.loadComponentFromURL(
            uno.systemPathToFileUrl(src), "_blank", 0, self.load_args)
        if document is None:
            raise OSError("load_failed")
        try:
            uno.invoke(document, "storeToURL", (uno.systemPathToFileUrl(part), self.store_args))
        finally:
            try:
                document.close(True)
            except Exception:
                document.dispose()
        os.replace(part, dst)


def _watch_parent(channel: socket.socket, done: threading.Event) -> None:
    """Kill this LibreOffice's process group when the parent's end closes and the main
    loop has not finished QUIT_WAIT_S later (stuck in a document, or quitting hangs)."""
    poller = select.poll()
    poller.register(channel.fileno(), select.POLLRDHUP)
    while not done.is_set():
        events = poller.poll(1000)
        if any(mask & (select.POLLRDHUP | select.POLLHUP | select.POLLERR | select.POLLNVAL)
               for _, mask in events):
            break
    if not done.wait(QUIT_WAIT_S):
        os.killpg(os.getpgrp(), signal.SIGKILL)


def _is_fatal(exc: BaseException) -> bool:
    from com.sun.star.uno import RuntimeException  # type: ignore[import-not-found]

    # A DisposedException is a RuntimeException; a bad document raises
    # IllegalArgumentException or IOException, or loads as None.
    return isinstance(exc, RuntimeException)


def serve(*_args: object) -> None:
    """The macro: convert what the parent asks until it says quit, then close LibreOffice."""
    desktop = XSCRIPTCONTEXT.getDesktop()  # type: ignore[name-defined]  # noqa: F821
    channel = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    done = threading.Event()
    try:
        channel.connect(os.environ[SOCKET_ENV])
        threading.Thread(target=_watch_parent, args=(channel, done), daemon=True).start()
        requests, replies = channel.makefile("r", encoding="utf-8"), channel.makefile("wb")

        def send(message: dict[str, object]) -> None:
            replies.write((json.dumps(message) + "\n").encode("utf-8"))
            replies.flush()

        converter = Converter(desktop, os.environ.get(FILTER_ENV, ""))
        send({"ready": True})
        for line in requests:
            try:
                request = json.loads(line)
            except ValueError:
                continue
            if request.get("quit"):
                break
            try:
                converter.convert(request["src"], request["dst"])
            except Exception as exc:
                fatal = _is_fatal(exc)
                with contextlib.suppress(OSError):
                    os.unlink(request["dst"] + ".part")
                send({"ok": False, "error": type(exc).__name__, "fatal": fatal})
                if fatal:
                    break
                continue
            send({"ok": True})
    finally:
        with contextlib.suppress(OSError):
            channel.close()
        desktop.terminate()
        done.set()  # not before: a LibreOffice that cannot quit is killed


g_exportedScripts = (serve,)
