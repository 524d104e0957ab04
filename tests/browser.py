"""Headless Chromium (Debian's `chromium`) driven over the DevTools protocol on a pipe: the
browser the page tests and the form tests load pages in, with no extra packages."""

from __future__ import annotations

import base64
import contextlib
import fcntl
import json
import os
import select
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run")


class Chromium:
    """Headless Chromium driven over the DevTools protocol on a pipe (no extra packages)."""

    def __init__(self, profile: Path) -> None:
        exe = shutil.which("chromium") or shutil.which("chromium-browser")
        if not exe:
            pytest.fail("brak przeglądarki chromium: apt install chromium (./run test)")
        cmd_r, self.cmd_w = os.pipe()
        self.out_r, out_w = os.pipe()
        # above 9, so that the shell's 3<& and 4>& cannot overwrite one with the other (bash:
        # dash takes one-digit descriptors only)
        cmd_r, out_w = (self._above_nine(fd) for fd in (cmd_r, out_w))
        self.proc = subprocess.Popen(  # Chromium reads commands on fd 3, answers on fd 4
            ["bash", "-c", f'exec "$0" "$@" 3<&{cmd_r} 4>&{out_w}', exe, *CHROMIUM_FLAGS,
             f"--user-data-dir={profile}", "--remote-debugging-pipe", "--window-size=1000,1300",
             "about:blank"], pass_fds=(cmd_r, out_w),
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(cmd_r)
        os.close(out_w)
        self.buffer = b""
        self.last_id = 0

    @staticmethod
    def _above_nine(fd: int) -> int:
        high = fcntl.fcntl(fd, fcntl.F_DUPFD, 10)
        os.close(fd)
        return high

    def send(self, method: str, params: dict[str, Any] | None = None,
             session: str | None = None, timeout: float = 90.0) -> dict[str, Any]:
        self.last_id += 1
        message: dict[str, Any] = {"id": self.last_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self.cmd_w, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + timeout
        while True:
            while b"\0" in self.buffer:
                raw, self.buffer = self.buffer.split(b"\0", 1)
                reply = json.loads(raw)
                if reply.get("id") == self.last_id:
                    if "error" in reply:
                        raise RuntimeError(f"{method}: {reply['error'].get('message')}")
                    return dict(reply["result"])
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self.out_r], [], [], left)[0]:
                raise TimeoutError(f"chromium nie odpowiada na {method}")
            chunk = os.read(self.out_r, 1 << 20)
            if not chunk:
                raise RuntimeError("chromium zakończył pracę")
            self.buffer += chunk

    def open(self, url: str) -> tuple[str, str]:
        """A new tab showing `url`: (its target id, its session id)."""
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})
        self.send("Emulation.setDeviceMetricsOverride", {  # room for a whole A4 page
            "width": 1000, "height": 1500, "deviceScaleFactor": 1, "mobile": False},
            session["sessionId"])
        self.send("Page.navigate", {"url": url}, session["sessionId"])
        return str(target), str(session["sessionId"])

    def wait_for(self, session: str, expression: str) -> Any:
        """The value of a global promise of the page, once the page has made it."""
        poll = (f"new Promise(r => {{ const t = () => window.{expression} ? "
                f"r(window.{expression}) : setTimeout(t, 50); t(); }})")
        for _ in range(100):
            try:
                reply = self.send("Runtime.evaluate", {"expression": poll, "awaitPromise": True,
                                                       "returnByValue": True}, session)
                return reply["result"]["value"]
            except RuntimeError as error:  # the page was still loading: ask the new one
                if "context" not in str(error):
                    raise
                time.sleep(0.1)
        raise TimeoutError(expression)

    def screenshot(self, session: str, clip: dict[str, float]) -> bytes:
        shot = self.send("Page.captureScreenshot", {"format": "png",
                                                    "clip": {**clip, "scale": 1}}, session)
        return base64.b64decode(shot["data"])

    def page(self, url: str, width: int, height: int = 900) -> Page:
        """A new tab showing `url` at a viewport of `width` × `height` CSS pixels, loaded."""
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = str(self.send("Target.attachToTarget", {"targetId": target,
                                                          "flatten": True})["sessionId"])
        self.send("Emulation.setDeviceMetricsOverride", {
            "width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 600},
            session)
        page = Page(self, str(target), session)
        page.navigate(url)
        return page

    def close(self) -> None:
        with contextlib.suppress(RuntimeError, TimeoutError, OSError):
            self.send("Browser.close", timeout=10)
        try:
            self.proc.wait(15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        os.close(self.cmd_w)
        os.close(self.out_r)


class Page:
    """One tab: evaluate script in it, print it, take its picture."""

    def __init__(self, browser: Chromium, target: str, session: str) -> None:
        self.browser, self.target, self.session = browser, target, session

    def navigate(self, url: str) -> None:
        self.browser.send("Page.navigate", {"url": url}, self.session)
        for _ in range(200):  # until the new document has loaded
            with contextlib.suppress(RuntimeError):
                if self.eval(f"document.readyState === 'complete' && location.href === "
                             f"{json.dumps(url)}"):
                    return
            time.sleep(0.05)
        raise TimeoutError(url)

    def eval(self, expression: str) -> Any:
        """The value of a JavaScript expression in the page (JSON-able values)."""
        reply = self.browser.send("Runtime.evaluate", {
            "expression": expression, "returnByValue": True, "awaitPromise": True}, self.session)
        if "exceptionDetails" in reply:
            raise RuntimeError(reply["exceptionDetails"].get("exception", {}).get("description"))
        return reply["result"].get("value")

    def print_pdf(self) -> bytes:
        """The page printed as Chromium prints it (the page's own @page size), no headers."""
        reply = self.browser.send("Page.printToPDF", {
            "printBackground": True, "preferCSSPageSize": True,
            "displayHeaderFooter": False}, self.session, timeout=120)
        return base64.b64decode(reply["data"])

    def screenshot(self, full_page: bool = True) -> bytes:
        """A PNG of the page, the whole of its height when `full_page`."""
        params: dict[str, Any] = {"format": "png"}
        if full_page:
            size = self.eval("[document.documentElement.scrollWidth, "
                             "document.documentElement.scrollHeight]")
            params.update(captureBeyondViewport=True,
                          clip={"x": 0, "y": 0, "width": size[0], "height": size[1], "scale": 1})
        shot = self.browser.send("Page.captureScreenshot", params, self.session)
        return base64.b64decode(shot["data"])

    def close(self) -> None:
        self.browser.send("Target.closeTarget", {"targetId": self.target})
