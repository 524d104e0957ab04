"""The centre's mail server: one SMTP session per run, through Python's smtplib and email.

`[poczta] szyfrowanie` is "starttls" (port 587), "ssl" (465) or "brak" (a relay on this
machine, no login); the server's certificate is always verified, against the system's
CAs or the centre's own `ca_plik`. The password comes from `haslo_plik` (a file only its
owner may read) or the environment variable ASYSTA_POCZTA_HASLO, never from asysta.toml.
Every failure is a MailError whose Polish message names the setting to look at.
"""

from __future__ import annotations

import base64
import os
import smtplib
import socket
import ssl
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from types import TracebackType

from pipeline.core.config import Poczta, is_address, sender_address
from pipeline.core.errors import MailError
from pipeline.notify.digest import Digest

PASSWORD_ENV = "ASYSTA_POCZTA_HASLO"


def password(poczta: Poczta) -> str | None:
    """The login password: $ASYSTA_POCZTA_HASLO, else the file `haslo_plik`."""
    if os.environ.get(PASSWORD_ENV):
        return os.environ[PASSWORD_ENV]
    path = poczta.haslo_plik
    if path is None:
        return None
    try:
        mode = path.stat().st_mode
        text = path.read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError):
        raise MailError(f"[poczta] haslo_plik: nie można odczytać pliku z hasłem {path}",
                        "[poczta] haslo_plik") from None
    if mode & 0o077:
        raise MailError(f"[poczta] haslo_plik: plik z hasłem {path} mogą czytać inni "
                        f"użytkownicy – ustaw chmod 600 {path.name}", "[poczta] haslo_plik")
    if not text:
        raise MailError(f"[poczta] haslo_plik: plik z hasłem {path} jest pusty",
                        "[poczta] haslo_plik")
    return text


def sender(poczta: Poczta) -> str:
    """The From: header: `nadawca`, else the login when it is an address."""
    if poczta.nadawca:
        return poczta.nadawca
    if is_address(poczta.uzytkownik):
        return poczta.uzytkownik
    raise MailError("[poczta] nadawca: podaj adres nadawcy powiadomień, np. "
                    "nadawca = \"asysta <asysta@ops.example.pl>\"", "[poczta] nadawca")


def message(digest: Digest, from_: str, message_id: str | None = None) -> EmailMessage:
    """The digest as a MIME message: plain text, and HTML as its alternative."""
    msg = EmailMessage()
    msg["From"] = from_
    msg["To"] = digest.recipient.address
    msg["Subject"] = digest.subject
    msg["Date"] = format_datetime(datetime.now().astimezone())
    domain = sender_address(from_).rpartition("@")[2] or None
    msg["Message-ID"] = message_id or make_msgid("asysta", domain)
    msg["Auto-Submitted"] = "auto-generated"  # RFC 3834: no vacation replies to it
    msg["Content-Language"] = "pl"
    msg.set_content(digest.text())
    msg.add_alternative(digest.html(), subtype="html")
    return msg


def _tls(poczta: Poczta) -> ssl.SSLContext:
    try:
        return ssl.create_default_context(cafile=str(poczta.ca_plik) if poczta.ca_plik else None)
    except (OSError, ssl.SSLError):
        raise MailError(f"[poczta] ca_plik: nie można odczytać certyfikatu CA z pliku "
                        f"{poczta.ca_plik} (oczekiwano pliku PEM)", "[poczta] ca_plik") from None


# OpenSSL's verification codes a centre meets, in Polish (others: OpenSSL's own words)
_CERT_REASONS = {
    10: "certyfikat wygasł",
    18: "certyfikat podpisany sam przez siebie",
    19: "certyfikat z nieznanego CA",
    20: "nieznany wystawca certyfikatu",
    21: "nieznany wystawca certyfikatu",
    62: "nazwa serwera nie zgadza się z certyfikatem",
}


def _cert_reason(exc: ssl.SSLCertVerificationError) -> str:
    return _CERT_REASONS.get(exc.verify_code or 0, exc.verify_message or "nieznany powód")


def _down_reason(exc: BaseException, poczta: Poczta) -> str:
    if isinstance(exc, ConnectionRefusedError):
        return "połączenie odrzucone – nic nie nasłuchuje na tym porcie"
    if isinstance(exc, TimeoutError):
        return f"brak odpowiedzi w ciągu {poczta.limit_czasu_s:g} s"
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return "serwer zamknął połączenie"
    return type(exc).__name__


def _where(poczta: Poczta) -> str:
    return f"{poczta.serwer}:{poczta.port_or_default}"


def failure(poczta: Poczta, exc: BaseException) -> MailError:
    """A Polish MailError naming the setting behind a failed connection, login or send."""
    where = _where(poczta)
    if isinstance(exc, ssl.SSLCertVerificationError):
        return MailError(
            f"[poczta] ca_plik: certyfikat serwera poczty {where} nie został zweryfikowany "
            f"({_cert_reason(exc)}) – wskaż plik CA ośrodka w ca_plik albo sprawdź nazwę serwera "
            "([poczta] serwer musi być nazwą z certyfikatu)", "[poczta] ca_plik")
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return MailError(f"[poczta] uzytkownik / haslo_plik: serwer poczty {where} odrzucił "
                         f"logowanie (kod {exc.smtp_code}) – sprawdź nazwę użytkownika i hasło "
                         f"(plik haslo_plik albo zmienna {PASSWORD_ENV})", "[poczta] haslo_plik")
    if isinstance(exc, smtplib.SMTPNotSupportedError):
        return MailError(f"[poczta] szyfrowanie: serwer poczty {where} nie obsługuje "
                         "STARTTLS albo logowania – sprawdź szyfrowanie i port",
                         "[poczta] szyfrowanie")
    if isinstance(exc, socket.gaierror):
        return MailError(f"[poczta] serwer: nie znaleziono serwera poczty „{poczta.serwer}” – "
                         "sprawdź jego nazwę", "[poczta] serwer")
    if isinstance(exc, ssl.SSLError):
        return MailError(f"[poczta] szyfrowanie: nie udało się nawiązać szyfrowanego połączenia "
                         f"z {where} ({exc.reason}) – sprawdź szyfrowanie (starttls czy ssl) "
                         "i port", "[poczta] szyfrowanie")
    if isinstance(exc, smtplib.SMTPResponseException):
        return MailError(f"[poczta] serwer: serwer poczty {where} odmówił (kod {exc.smtp_code}) "
                         "– ponowna próba przy następnym uruchomieniu", "[poczta] serwer")
    return MailError(f"[poczta] serwer, port: serwer poczty {where} nie odpowiada "
                     f"({_down_reason(exc, poczta)}) – ponowna próba przy następnym uruchomieniu",
                     "[poczta] serwer")


def _login(smtp: smtplib.SMTP, user: str, secret: str) -> None:
    """smtplib's login, which takes ASCII only; a Polish letter in the password goes by
    AUTH PLAIN in UTF-8 (RFC 4616), as mail servers expect it."""
    if (user + secret).isascii():
        smtp.login(user, secret)
        return
    smtp.ehlo_or_helo_if_needed()
    if "PLAIN" not in smtp.esmtp_features.get("auth", "").upper().split():
        raise smtplib.SMTPNotSupportedError("AUTH PLAIN")
    token = base64.b64encode(b"\0" + user.encode() + b"\0" + secret.encode()).decode("ascii")
    code, reply = smtp.docmd("AUTH", "PLAIN " + token)
    if code != 235:
        raise smtplib.SMTPAuthenticationError(code, reply)


class Mailbox:
    """One SMTP session: connected, encrypted and logged in on enter, closed on exit."""

    def __init__(self, poczta: Poczta) -> None:
        if not poczta.serwer:
            raise MailError("[poczta] serwer: nie ustawiono serwera poczty – uzupełnij sekcję "
                            "[poczta] w asysta.toml (albo użyj --podglad)", "[poczta] serwer")
        self.poczta = poczta
        self._password = password(poczta) if poczta.uzytkownik else None
        if poczta.uzytkownik and self._password is None:
            raise MailError(f"[poczta] haslo_plik: podaj plik z hasłem albo ustaw zmienną "
                            f"{PASSWORD_ENV}", "[poczta] haslo_plik")
        self._smtp: smtplib.SMTP | None = None

    def __enter__(self) -> Mailbox:
        p = self.poczta
        try:
            if p.szyfrowanie == "ssl":
                self._smtp = smtplib.SMTP_SSL(p.serwer, p.port_or_default,
                                              timeout=p.limit_czasu_s, context=_tls(p))
            else:
                self._smtp = smtplib.SMTP(p.serwer, p.port_or_default, timeout=p.limit_czasu_s)
                if p.szyfrowanie == "starttls":
                    self._smtp.starttls(context=_tls(p))
            if p.uzytkownik and self._password is not None:
                _login(self._smtp, p.uzytkownik, self._password)
        except MailError:
            self.close()
            raise
        except (OSError, smtplib.SMTPException) as exc:
            self.close()
            raise failure(p, exc) from None
        return self

    def send(self, msg: EmailMessage) -> None:
        """Hand one message over; refused recipients and a lost connection are MailErrors."""
        assert self._smtp is not None
        try:
            self._smtp.send_message(msg)
        except smtplib.SMTPRecipientsRefused:
            raise MailError(f"serwer poczty {_where(self.poczta)} odrzucił adres {msg['To']} – "
                            "sprawdź go w [powiadomienia]", "[powiadomienia]") from None
        except (OSError, smtplib.SMTPException) as exc:
            raise failure(self.poczta, exc) from None

    def close(self) -> None:
        if self._smtp is not None:
            try:
                self._smtp.quit()
            except (OSError, smtplib.SMTPException):
                self._smtp.close()
            self._smtp = None

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()
