"""`asysta usluga zainstaluj|usun`: the systemd units shipped in `pipeline/ops/units/`.

The watcher runs as a long-lived service restarted on failure, as an unprivileged system
user that owns the archive, with the config path fixed; a daily timer runs the morning
jobs (backup and restore drill). `--tylko-pliki FOLDER` writes the unit files for review
and enables nothing. Where systemd is not PID 1 (a container, CI) installing says so and
names the alternative.
"""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import sys
from importlib import resources
from pathlib import Path

from pipeline.core.config import Settings
from pipeline.core.errors import ServiceError
from pipeline.core.fsutil import ensure_private_dir, make_private_dirs, replace

UNITS = ("asysta-obserwator.service", "asysta-poranek.service", "asysta-poranek.timer")
ENABLE = ("asysta-obserwator.service", "asysta-poranek.timer")
SYSTEM_DIR = Path("/etc/systemd/system")
DEFAULT_USER = "asysta"
HOME = Path("/var/lib/asysta")
UNIT_MODE = 0o644

NO_SYSTEMD = (
    "systemd nie zarządza tu usługami (to nie jest proces nr 1 – np. kontener albo CI), więc "
    "usługi nie zainstalowano. Zamiast niej: uruchamiaj „asysta obserwuj” pod nadzorcą tego "
    "środowiska (np. restart: always kontenera), a kopię codziennie z crona: „asysta kopia && "
    "asysta kopia sprawdz”. Pliki jednostek do przejrzenia: asysta usluga zainstaluj "
    "--tylko-pliki FOLDER")


def executable() -> list[str]:
    """How the units start asysta: the installed `asysta` command, by its absolute path."""
    beside = Path(sys.executable).with_name("asysta")
    if beside.is_file():
        return [str(beside)]
    found = shutil.which("asysta")
    if found:
        return [str(Path(found).resolve())]
    return [sys.executable, "-m", "pipeline.app.cli"]


def _digests_line(settings: Settings, config: Path) -> str:
    """The morning digests (`asysta powiadomienia`) first, when the centre has a mail server:
    `-` so that a mail server that is down never keeps the backup from running (the digests
    retry by themselves on the next run)."""
    if not settings.poczta.serwer:
        return ""
    return f"ExecStart=-{' '.join(executable())} -k {config} powiadomienia\n"


def render_units(settings: Settings, user: str = DEFAULT_USER) -> dict[str, str]:
    if settings.source is None:
        raise ServiceError("usługa potrzebuje pliku konfiguracji: podaj go opcją -k (np. "
                           "asysta -k /etc/asysta/asysta.toml usluga zainstaluj)")
    config = settings.source.resolve()
    writable = {settings.outbox.resolve(), settings.inbox.resolve(), settings.scans.resolve()}
    if settings.kopia.repozytorium.startswith("/"):
        writable.add(Path(settings.kopia.repozytorium))
    values = {"user": user, "group": user, "workdir": str(config.parent), "config": str(config),
              "exe": " ".join(executable()),
              "writable": " ".join(f"-{p}" for p in sorted(writable)),
              "powiadomienia": _digests_line(settings, config)}
    folder = resources.files("pipeline.ops") / "units"
    return {name: (folder / name).read_text(encoding="utf-8").format(**values) for name in UNITS}


def write_units(folder: Path, settings: Settings, user: str = DEFAULT_USER) -> list[Path]:
    """The unit files in `folder`, nothing enabled. A new folder is 0700; the units are 0644,
    as systemd expects (they hold paths, no secrets: the backup password is in its own file)."""
    units = render_units(settings, user)
    make_private_dirs(folder)
    written = []
    for name, text in units.items():
        replace(folder / name, text.encode("utf-8"))
        os.chmod(folder / name, UNIT_MODE)
        written.append(folder / name)
    return written


def systemd_running() -> bool:
    return Path("/run/systemd/system").is_dir()


def _run(*command: str) -> None:
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise ServiceError(f"polecenie {' '.join(command[:3])} nie powiodło się (kod "
                           f"{done.returncode}): {done.stderr.strip()[:300]}")


def _ensure_user(user: str) -> None:
    try:
        pwd.getpwnam(user)
    except KeyError:
        _run("useradd", "--system", "--user-group", "--home-dir", str(HOME), "--create-home",
             "--shell", "/usr/sbin/nologin", user)


def _own(path: Path, user: str) -> None:
    """The archive and the inbox belong to the service user (0700/0600 stay as they are)."""
    entry = pwd.getpwnam(user)
    ensure_private_dir(path)
    for folder, _dirs, files in os.walk(path):
        os.chown(folder, entry.pw_uid, entry.pw_gid)
        for name in files:
            os.lchown(os.path.join(folder, name), entry.pw_uid, entry.pw_gid)


def _require_root() -> None:
    if os.geteuid() != 0:
        raise ServiceError("instalacja usługi wymaga uprawnień administratora: sudo asysta …")


def install(settings: Settings, user: str = DEFAULT_USER) -> list[str]:
    """Units written, service user made, archive handed over, units enabled and started."""
    render_units(settings, user)  # a missing config file is told before anything changes
    _require_root()
    if not systemd_running():
        raise ServiceError(NO_SYSTEMD)
    _ensure_user(user)
    for folder in (settings.outbox, settings.inbox, settings.scans):
        _own(folder, user)
    repository = Path(settings.kopia.repozytorium)
    if settings.kopia.repozytorium.startswith("/") and repository.is_dir():
        _own(repository, user)  # a local repository (a folder, a USB disk) is the service's
    secret = settings.kopia.haslo_plik
    if secret is not None and secret.is_file():  # readable by the service user alone
        entry = pwd.getpwnam(user)
        os.chown(secret, entry.pw_uid, entry.pw_gid)
        os.chmod(secret, 0o600)
    written = write_units(SYSTEM_DIR, settings, user)
    _run("systemctl", "daemon-reload")
    _run("systemctl", "enable", "--now", *ENABLE)
    return [str(p) for p in written]


def uninstall() -> list[str]:
    """Units stopped, disabled and removed; the archive, its user and backups stay."""
    _require_root()
    removed = []
    if systemd_running():
        subprocess.run(["systemctl", "disable", "--now", *ENABLE], capture_output=True, check=False)
    for name in UNITS:
        path = SYSTEM_DIR / name
        if path.exists():
            path.unlink()
            removed.append(str(path))
    if systemd_running():
        _run("systemctl", "daemon-reload")
    return removed
