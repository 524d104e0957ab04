"""One warm LibreOffice, driven over UNO: a pool worker of `pipeline.stages.convert`.

This script runs under a Python that can `import uno` (Debian's python3-uno, or
LibreOffice's own Python), not under the application's virtualenv, so it is
standalone: it imports nothing from `pipeline` and keeps to Python 3.8 syntax.

It starts its own `soffice --headless --accept=pipe,...` with a private profile,
connects to it and converts documents on request, with the PDF export options
given as `--filter-options` (JSON in the form `soffice --convert-to` takes, so
that the pool and the fallback export alike: see `PDF_EXPORT` in convert.py). The parent starts it in a new
process group, so killing that group takes LibreOffice down with it.

Protocol, one JSON object per line:

- first line out: {"ready": true} or {"ready": false, "error": "<reason>"};
- in: {"src": "/abs/a.docx", "dst": "/abs/a.pdf"} → out: {"ok": true} or
  {"ok": false, "error": "<exception type>", "fatal": <bool>}; the PDF is written
  to "<dst>.part" and renamed to "<dst>" only when complete; after a fatal error
  this worker exits (its LibreOffice is gone or unusable);
- in: {"quit": true}, or end of input → LibreOffice is closed and the worker exits.

Replies carry exception type names only, never messages: a message could quote
a document's content or path.

Test hook (documented for tests/test_convert.py): when the environment variable
ASYSTA_TEST_LO_HANG is set and a document's file name contains its value, this
worker stops its LibreOffice (SIGSTOP) before loading the document, so the load
blocks exactly as it would on a document that makes LibreOffice hang.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
from typing import Any

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
    import uno

    kinds: dict[str, Any] = {"boolean": lambda v: v == "true", "long": int, "string": str}
    values = {name: kinds[spec["type"]](spec["value"])
              for name, spec in json.loads(options or "{}").items()}
    return uno.Any("[]com.sun.star.beans.PropertyValue", _props(**values))


def _group_members() -> list[int]:
    """Other live processes of this worker's process group (LibreOffice's)."""
    own, group = os.getpid(), os.getpgrp()
    members = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == own:
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="utf-8", errors="replace") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if fields[0] != "Z" and int(fields[2]) == group:
            members.append(int(entry))
    return members


def lock_file(path: str) -> str:
    """LibreOffice's lock file for a document it opens or writes."""
    folder, name = os.path.split(path)
    return os.path.join(folder, f".~lock.{name}#")


class Worker:
    def __init__(self, soffice: str, profile: str, pipe: str, options: str = "") -> None:
        self.soffice = soffice
        self.options = options
        self.profile = profile
        self.pipe = pipe
        self.process: subprocess.Popen[bytes] | None = None
        self.desktop = None
        self.quitting = False
        self.hang_marker = os.environ.get(HANG_HOOK_ENV, "")
        self.load_args = None  # the UNO arguments, made once (a PropertyValue each costs)
        self.store_args = None

    def start(self, timeout: float) -> None:
        # LibreOffice first: it boots while pyuno is imported here
        self.process = subprocess.Popen(
            [self.soffice, "--headless", "--invisible", "--nologo", "--norestore",
             "--nolockcheck", "--nodefault", f"-env:UserInstallation={self.profile}",
             f"--accept=pipe,name={self.pipe};urp;StarOffice.ComponentContext"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        try:
            import uno  # type: ignore[import-not-found]
        except ImportError:
            self.process.kill()
            raise
        local = uno.getComponentContext()
        resolver = local.ServiceManager.createInstanceWithContext(
            "com.sun.star.bridge.UnoUrlResolver", local)
        deadline = time.monotonic() + timeout
        while True:
            try:
                context = resolver.resolve(
                    f"uno:pipe,name={self.pipe};urp;StarOffice.ComponentContext")
                break
            except Exception:  # NoConnectException until LibreOffice listens
                if self.process.poll() is not None:
                    raise RuntimeError("soffice_exited") from None
                if time.monotonic() > deadline:
                    raise TimeoutError("soffice_timeout") from None
                time.sleep(0.05)
        self.desktop = context.ServiceManager.createInstanceWithContext(
            "com.sun.star.frame.Desktop", context)

    def watch(self, parent: int) -> None:
        """Exit when LibreOffice dies (so the parent sees it) or the parent is gone."""
        while True:
            time.sleep(0.2)
            if os.getppid() != parent:
                for pid in _group_members():
                    with contextlib.suppress(ProcessLookupError):
                        os.kill(pid, signal.SIGKILL)
                os._exit(4)
            if self.process is not None and self.process.poll() is not None \
                    and not self.quitting:
                os._exit(3)

    def convert(self, src: str, dst: str) -> None:
        import uno

        if self.hang_marker and self.hang_marker in os.path.basename(src):
            for pid in _group_members():
                os.kill(pid, signal.SIGSTOP)
        part = dst + ".part"
        # LibreOffice keeps a lock file beside what it writes; one left by an instance killed
        # mid-write would make this export abort (IOException "Abort"). The name is ours.
        with contextlib.suppress(OSError):
            os.unlink(lock_file(part))
        if self.load_args is None:
            self.load_args = _props(Hidden=True, ReadOnly=True, MacroExecutionMode=0,
                                    UpdateDocMode=0)
            self.store_args = _props(FilterName="writer_pdf_Export",
                                     FilterData=filter_data(self.options))
        document = self.desktop.loadComponentFromURL(  # type: ignore[attr-defined]
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

    def quit(self) -> None:
        self.quitting = True
        try:
            if self.desktop is not None:
                self.desktop.terminate()
        except Exception:
            pass
        if self.process is not None:
            try:
                self.process.wait(QUIT_WAIT_S)
            except subprocess.TimeoutExpired:
                self.process.kill()  # the parent kills what is left of the group


def _is_fatal(exc: BaseException, worker: Worker) -> bool:
    from com.sun.star.uno import RuntimeException  # type: ignore[import-not-found]

    # DisposedException and a broken bridge are RuntimeExceptions; a bad document
    # raises IllegalArgumentException or IOException, or loads as None.
    dead = worker.process is None or worker.process.poll() is not None
    return dead or isinstance(exc, RuntimeException)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--soffice", required=True)
    parser.add_argument("--profile", required=True, help="file:// URI of the profile folder")
    parser.add_argument("--pipe", required=True)
    parser.add_argument("--start-timeout", type=float, default=60.0)
    parser.add_argument("--filter-options", default="",
                        help="writer_pdf_Export options, JSON as soffice --convert-to takes them")
    args = parser.parse_args()

    # Our stdout is the protocol channel: keep anything else (native code) off it.
    out = os.fdopen(os.dup(1), "w", encoding="utf-8")
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)

    def send(message: dict[str, object]) -> None:
        out.write(json.dumps(message) + "\n")
        out.flush()

    worker = Worker(args.soffice, args.profile, args.pipe, args.filter_options)
    threading.Thread(target=worker.watch, args=(os.getppid(),), daemon=True).start()
    try:
        worker.start(args.start_timeout)
    except Exception as exc:
        known = isinstance(exc, (RuntimeError, TimeoutError))  # noqa: UP038 (runs on 3.8+)
        send({"ready": False, "error": str(exc) if known else type(exc).__name__})
        worker.quit()
        return 1
    send({"ready": True})

    for line in sys.stdin:
        try:
            request = json.loads(line)
        except ValueError:
            continue
        if request.get("quit"):
            break
        try:
            worker.convert(request["src"], request["dst"])
        except Exception as exc:
            fatal = _is_fatal(exc, worker)
            with contextlib.suppress(OSError):
                os.unlink(request["dst"] + ".part")
            send({"ok": False, "error": type(exc).__name__, "fatal": fatal})
            if fatal:
                worker.quit()
                return 3
            continue
        send({"ok": True})
    worker.quit()
    return 0


if __name__ == "__main__":
    sys.exit(main())
