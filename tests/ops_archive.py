"""A synthetic archive for the backup, drill and guard tests and the benchmark: family
folders with registers, files and journal entries written through the real register and
journal code (no LibreOffice: their documents are random bytes of realistic size)."""

from __future__ import annotations

import hashlib
import json
import os
import random
from datetime import date, timedelta
from pathlib import Path

from pipeline.app.cli import main
from pipeline.core import journal
from pipeline.core.config import Settings, parse_config
from pipeline.core.fsutil import ensure_private_dir, replace, write_new
from pipeline.sprawa.register import REGISTER_NAME, Entry, Register, family_dir

KINDS = ((1, "przydzielenie"), (6, "plan-pracy"), (14, "raport-miesieczny"))


def add_family(outbox: Path, rodzina: str, documents: int = 3, seed: int = 0,
               day: date = date(2026, 3, 2)) -> list[Path]:
    """A family with `documents` filed forms (original, DOCX, PDF each), journaled."""
    rng = random.Random(f"{rodzina}-{seed}")
    folder = family_dir(outbox, rodzina)
    ensure_private_dir(folder)
    register = Register.load(folder)
    written = []
    for i in range(documents):
        n, name = KINDS[i % len(KINDS)]
        when = day + timedelta(days=i + seed)
        stem = f"zal{n:02d}_{when.isoformat()}_{name}"
        original = f"rodzina: {rodzina}\ndata: {when.isoformat()}\nnr: {i}-{seed}\n".encode() \
            + rng.randbytes(1500)
        files = {f"{stem}.yaml": original, f"{stem}.docx": rng.randbytes(20_000),
                 f"{stem}.pdf": rng.randbytes(45_000)}
        for file_name, data in files.items():
            write_new(folder / file_name, data)
            written.append(folder / file_name)
        sha = hashlib.sha256(original).hexdigest()
        register = register.with_entry(Entry(n, when, 1, pdf=f"{stem}.pdf", docx=f"{stem}.docx",
                                             plik_zrodlowy=f"{stem}.yaml", sha256=sha))
        journal.log(outbox, "przyjeto", plik=f"f{i}.yaml", rodzina=rodzina, wynik="przyjety",
                    zalacznik=n, sha256=sha, archiwum=[f"{stem}.docx", f"{stem}.pdf", f"{stem}.yaml"])
    replace(folder / REGISTER_NAME, register.to_bytes())
    return written


def build(outbox: Path, families: int, documents: int = 3) -> list[Path]:
    written = []
    for i in range(families):
        written += add_family(outbox, f"S-{i:04d}", documents)
    return written


PASSWORD = "tajne-haslo-testowe"


def ops_settings(root: Path, **kopia_cfg: object) -> Settings:
    """Settings with a config file (backed up too) and a restic repository in root."""
    (root / "haslo").write_text(PASSWORD + "\n", encoding="utf-8")
    os.chmod(root / "haslo", 0o600)
    cfg = {"repozytorium": str(root / "repo"), "haslo_plik": "haslo", **kopia_cfg}
    lines = ["[kopia]", *(f"{k} = {json.dumps(v)}" for k, v in cfg.items())]
    (root / "asysta.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    data = {"kopia": {k: v for k, v in cfg.items()}}
    settings = parse_config(data, root, str(root / "asysta.toml"))
    settings.inbox.mkdir(parents=True, exist_ok=True)
    return settings


def cli(settings: Settings, *args: str) -> int:
    return main(["-k", str(settings.source), *args])
