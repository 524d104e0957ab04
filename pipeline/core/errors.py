"""The one small exception tree. Messages are Polish: the CLI shows them to staff.

Never put a field's value into a message: values are personal data.
Case numbers, field keys and labels are fine.
"""

from __future__ import annotations

import errno
from dataclasses import dataclass


class AsystaError(Exception):
    """Base of every error the product reports to a person."""


class ConfigError(AsystaError):
    """The configuration file is wrong; carries every problem at once."""

    def __init__(self, problems: list[str], source: str = "") -> None:
        self.problems = problems
        self.source = source
        where = f" ({source})" if source else ""
        lines = "\n".join(f"  - {p}" for p in problems)
        super().__init__(f"Błędy w konfiguracji{where}:\n{lines}")


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a form: where (key path and label) and why."""

    reason: str
    key: str = ""  # e.g. "czlonkowie[2].pesel"; empty for whole-file problems
    label: str = ""  # e.g. "Członkowie rodziny › poz. 2 › PESEL"
    line: int | None = None  # for syntax errors

    def __str__(self) -> str:
        where = ""
        if self.label and self.key:
            where = f"Pole „{self.label}” ({self.key}): "
        elif self.key:
            where = f"Pole {self.key}: "
        if self.line is not None:
            where = f"Wiersz {self.line}: " + where
        return where + self.reason


class FormError(AsystaError):
    """A form was rejected; carries every problem found."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("; ".join(str(p) for p in problems))


class RenderError(AsystaError):
    """A template could not be rendered (a template problem, not the form's)."""


class ConversionError(AsystaError):
    """LibreOffice failed to turn a DOCX into a PDF. `reason`: "hang", "crash", "start" or
    "closed" when the machine failed, not the document (`pipeline.stages.machine`)."""

    def __init__(self, message: str = "", reason: str = "") -> None:
        self.reason = reason
        super().__init__(message)


# What the operating system says when the machine, not the form, is at fault.
RESOURCE_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EIO, errno.EROFS})
_OS_REASONS = {errno.ENOSPC: "brak miejsca na dysku", errno.EDQUOT: "przekroczony przydział dysku",
               errno.EIO: "błąd wejścia-wyjścia dysku", errno.EROFS: "dysk tylko do odczytu",
               errno.EACCES: "brak uprawnień do zapisu"}


def os_reason(code: int | None) -> str:
    """A Polish phrase for an errno (no path, no value: safe for logs and messages)."""
    return _OS_REASONS.get(code or 0, f"błąd systemu plików {errno.errorcode.get(code or 0, '')}"
                           .rstrip())


class ResourceError(AsystaError):
    """The machine, not the form, failed (disk full, quota, I/O error): the input stays in
    the inbox and is taken again later; it is never set aside as the form's fault."""

    def __init__(self, message: str, code: int | None = None) -> None:
        self.code = code
        super().__init__(message)


def resource_failure(exc: BaseException) -> int | None:
    """The errno behind a resource failure anywhere in the exception's chain, or None.
    (A ResourceError without an errno, e.g. a full disk seen by LibreOffice, gives ENOSPC.)"""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, ResourceError):
            return current.code or errno.ENOSPC
        if isinstance(current, OSError) and current.errno in RESOURCE_ERRNOS:
            return current.errno
        current = current.__cause__ or current.__context__
    return None


class RegisterError(AsystaError):
    """A family's register (rejestr.json) cannot be read: damaged, or edited by hand."""

    def __init__(self, rodzina: str) -> None:
        self.rodzina = rodzina
        super().__init__(
            f"rejestr dokumentów rodziny {rodzina} (rejestr.json) jest uszkodzony i nie można go "
            "odczytać – dokumenty rodziny leżą nienaruszone w jej folderze archiwum; zgłoś to "
            "administratorowi (kopię rejestru można odtworzyć z kopii zapasowej)")


class FilingError(ResourceError):
    """The archive could not be written (disk full, permissions…)."""


class TemplateFault(RenderError):
    """The centre's template is wrong, not the form: the form is set aside for the
    administrator and taken again once the template changes."""

    def __init__(self, template: str, problems: list[str]) -> None:
        self.template = template
        self.problems = problems
        super().__init__(f"błąd szablonu {template} — nie Twojego pliku: " + "; ".join(problems))


class TemplateCheckError(AsystaError):
    """Templates that do not fit their schemas: nothing is processed until they are fixed."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        lines = "\n".join(f"  ✗ {p}" for p in problems)
        super().__init__(
            "szablony dokumentów nie pasują do schematów, więc formularze nie będą przyjmowane "
            f"(dane by przepadły albo każdy formularz zostałby odrzucony):\n{lines}\n"
            "Popraw szablony (folder [foldery] szablony w asysta.toml) i sprawdź: asysta sprawdz")


class BackupError(AsystaError):
    """A backup, a restore drill or a restore failed (restic, its repository or password):
    the archive itself is untouched."""


class ServiceError(AsystaError):
    """The service could not be installed or removed (not root, no systemd…)."""


class MailError(AsystaError):
    """The mail server could not be reached, refused the login or the certificate did not
    verify: the message names the [poczta] setting to look at; nothing was marked as sent."""

    def __init__(self, message: str, setting: str = "") -> None:
        self.setting = setting  # e.g. "[poczta] serwer"
        super().__init__(message)
