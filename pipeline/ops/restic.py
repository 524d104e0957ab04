"""restic, driven as a subprocess with `--json`. The repository and the password go in
through the environment (`RESTIC_REPOSITORY`, `RESTIC_PASSWORD_FILE` or `RESTIC_PASSWORD`),
never on the command line, where every user of the machine could read them. restic's
own messages may name files, so they are never shown: each known failure becomes a
Polish cause naming the setting to fix."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

from pipeline.core.config import Kopia
from pipeline.core.errors import BackupError
from pipeline.core.fsutil import make_private_dirs

PASSWORD_ENV = "ASYSTA_KOPIA_HASLO"
TAG = "asysta"
PASSED_TAG = "sprawdzona"  # the snapshot whose restore drill passed last: never forgotten

# (what restic says, the Polish cause)
_CAUSES = (
    ("wrong password", "złe hasło repozytorium kopii ([kopia] haslo_plik albo zmienna "
                       f"{PASSWORD_ENV}) – podaj hasło, z którym repozytorium utworzono"),
    ("no space left", "brak miejsca na dysku repozytorium kopii – zwolnij miejsce albo podłącz "
                      "większy dysk"),
    ("disk quota", "przekroczony przydział dysku repozytorium kopii"),
    ("read-only file system", "dysk repozytorium kopii jest tylko do odczytu"),
    ("permission denied", "brak uprawnień do repozytorium kopii albo do plików archiwum – "
                          "uruchom polecenie jako użytkownik usługi"),
    ("unable to open repository", "repozytorium kopii jest nieosiągalne ([kopia] repozytorium) "
                                  "– sprawdź połączenie sieciowe, adres i dane logowania"),
    ("connection refused", "serwer repozytorium kopii nie odpowiada ([kopia] repozytorium)"),
    ("no such host", "nieznany adres serwera repozytorium kopii ([kopia] repozytorium)"),
    ("unable to create lock", "repozytorium kopii jest zablokowane przez inne polecenie restic "
                              "– poczekaj na jego koniec"),
    ("repository is already locked", "repozytorium kopii jest zablokowane przez inne polecenie "
                                     "restic – poczekaj na jego koniec"),
    ("no snapshot", "w repozytorium nie ma jeszcze żadnej kopii (asysta kopia)"),
    ("no matching id", "nie ma kopii o takim identyfikatorze (asysta kopia lista)"),
)
MISSING = "Is there a repository at the following location?"
# what asysta sets itself, from its settings only (never inherited from the caller)
_OURS = frozenset({"RESTIC_REPOSITORY", "RESTIC_REPOSITORY_FILE", "RESTIC_PASSWORD",
                   "RESTIC_PASSWORD_FILE", "RESTIC_PASSWORD_COMMAND", PASSWORD_ENV})


class Restic:
    def __init__(self, cfg: Kopia) -> None:
        if not cfg.repozytorium:
            raise BackupError("kopie nie są skonfigurowane: podaj [kopia] repozytorium w asysta.toml "
                              "(folder, dysk USB, sftp:… albo rest:…)")
        self.cfg = cfg
        self.binary = self._binary(cfg.restic)
        self.env = self._environment(cfg)

    @staticmethod
    def _binary(configured: str) -> str:
        found = configured if configured and os.access(configured, os.X_OK) else (
            None if configured else shutil.which("restic"))
        if not found:
            raise BackupError("nie znaleziono programu restic ([kopia] restic) – zainstaluj pakiet "
                              "restic (apt install restic)")
        return found

    @staticmethod
    def _environment(cfg: Kopia) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k not in _OURS}  # RESTIC_CACHE_DIR stays
        env["RESTIC_REPOSITORY"] = cfg.repozytorium
        if cfg.haslo_plik is not None:
            try:
                with cfg.haslo_plik.open("rb") as handle:
                    if os.fstat(handle.fileno()).st_mode & 0o077:
                        raise BackupError(f"plik hasła kopii {cfg.haslo_plik} mogą czytać inni "
                                          "użytkownicy – ustaw: chmod 600 (właściciel: użytkownik "
                                          "usługi)")
                    if not handle.read().strip():
                        raise BackupError(f"plik hasła kopii {cfg.haslo_plik} jest pusty "
                                          "([kopia] haslo_plik)")
            except OSError:
                raise BackupError(f"nie można odczytać pliku hasła kopii {cfg.haslo_plik} "
                                  "([kopia] haslo_plik) – plik musi być czytelny dla użytkownika "
                                  "usługi") from None
            env["RESTIC_PASSWORD_FILE"] = str(cfg.haslo_plik)
        elif os.environ.get(PASSWORD_ENV):
            env["RESTIC_PASSWORD"] = os.environ[PASSWORD_ENV]
        else:
            raise BackupError(f"brak hasła repozytorium kopii: podaj [kopia] haslo_plik albo zmienną "
                              f"środowiskową {PASSWORD_ENV}")
        return env

    def run(self, *args: str, timeout: float | None = None) -> str:
        """restic's standard output; a BackupError with the Polish cause on failure."""
        try:
            done = subprocess.run([self.binary, *args],
                                  env=self.env, capture_output=True, text=True, timeout=timeout,
                                  stdin=subprocess.DEVNULL, check=False)
        except subprocess.TimeoutExpired:
            raise BackupError("restic nie odpowiedział w wyznaczonym czasie – repozytorium "
                              "kopii jest nieosiągalne albo bardzo wolne") from None
        except OSError as exc:
            raise BackupError(f"nie można uruchomić programu restic ({exc.strerror})") from None
        if done.returncode != 0:  # 3 from backup: some files unreadable, the snapshot incomplete
            raise BackupError(self.cause(done.stderr, done.returncode))
        return done.stdout

    @staticmethod
    def cause(stderr: str, code: int) -> str:
        lowered = stderr.lower()
        if MISSING.lower() in lowered:
            return "repozytorium kopii nie istnieje ([kopia] repozytorium)"
        for needle, cause in _CAUSES:
            if needle in lowered:
                return cause
        return f"restic zakończył się błędem (kod {code})"

    def json(self, *args: str, timeout: float | None = None) -> Any:
        return json.loads(self.run(*args, "--json", timeout=timeout) or "null")

    def ensure_repository(self) -> bool:
        """Open the repository, creating it on first use; True when it was created now."""
        try:
            self.run("cat", "config", timeout=120)
            return False
        except BackupError as exc:
            if "nie istnieje" not in str(exc):
                raise
        local = not any(self.cfg.repozytorium.startswith(p) for p in ("sftp:", "rest:", "s3:",
                                                                       "rclone:", "b2:", "azure:",
                                                                       "gs:", "swift:"))
        if local:
            make_private_dirs(Path(self.cfg.repozytorium).parent)
        self.run("init", timeout=300)
        return True

    def snapshots(self) -> list[dict[str, Any]]:
        found = self.json("snapshots", "--tag", TAG, timeout=300) or []
        return sorted(found, key=lambda s: str(s.get("time", "")))
