"""`[podpis] wymagane`: which signatures each attachment needs, "<nr>=<rola>+<rola>, …"
(an attachment not listed needs one signature of anyone: `dowolny`)."""

from __future__ import annotations

SIGNER_ROLES = ("rodzina", "asystent", "pracownik", "kierownik", "pieczec", "dowolny")


def required_signers(text: str) -> dict[int, tuple[str, ...]]:
    """[podpis] wymagane as attachment → roles ("3=rodzina+asystent, 6=…"); bad parts skipped
    (`required_problems` names them when the config is read)."""
    out: dict[int, tuple[str, ...]] = {}
    for part in text.split(","):
        number, _, roles = part.partition("=")
        names = tuple(r.strip() for r in roles.split("+") if r.strip())
        if number.strip().isdigit() and names and all(r in SIGNER_ROLES for r in names):
            out[int(number)] = names
    return out


def required_problems(text: str) -> list[str]:
    parts = [p for p in text.split(",") if p.strip()]
    if len(required_signers(text)) == len(parts):
        return []
    return [f"[podpis] wymagane: zapisz „numer=rola+rola, …” (role: {', '.join(SIGNER_ROLES)}), "
            "np. „3=rodzina+asystent, 6=rodzina+asystent”"]
