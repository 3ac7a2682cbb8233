"""Delivery backends: the only place that talks SMTP or writes .eml files.

A backend has one method, ``send(message) -> reply``, which succeeds or raises
``DeliveryError(permanent=...)``. Used as a context manager, the SMTP backend keeps one
connection for a whole batch.

Which SMTP failures are permanent (marked failed at once, operators told) and which are
transient (retried with backoff): a 5xx reply to MAIL, RCPT or DATA is permanent for that
message; a 4xx reply, a refused, dropped or timed-out connection, and an authentication
failure (a configuration problem the operator can fix) are transient.
"""

from __future__ import annotations

import hashlib
import smtplib
import ssl
import time
from email.message import EmailMessage
from email.utils import getaddresses, parseaddr
from pathlib import Path
from types import TracebackType
from typing import Any, Protocol, Self
from urllib.parse import parse_qs, unquote, urlsplit

from monitor.errors import DeliveryError
from monitor.notify.mime import Built
from monitor.settings import Settings

_LOOPBACK = ("127.0.0.1", "::1", "localhost")


Outgoing = EmailMessage | Built


def _envelope(message: Outgoing) -> tuple[str, list[str], str, bytes]:
    """(sender, recipients, Message-ID, bytes with CRLF line ends) of a message to send."""
    if isinstance(message, Built):
        return message.sender, list(message.recipients), message.message_id, message.raw
    sender = parseaddr(str(message["From"]))[1]
    recipients = [
        address for _, address in getaddresses([str(v) for v in message.get_all("To", [])])
    ]
    raw = message.as_bytes(policy=message.policy.clone(linesep="\r\n"))
    return sender, recipients, str(message["Message-ID"] or ""), raw


class Backend(Protocol):
    name: str

    def send(self, message: Outgoing) -> str: ...

    def __enter__(self) -> Self: ...

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None: ...


class FileBackend:
    """Writes each message as an .eml file: the embedded default, so a newcomer sees the mail."""

    name = "files"

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def __enter__(self) -> Self:
        return self

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        return None

    def send(self, message: Outgoing) -> str:
        self.directory.mkdir(parents=True, exist_ok=True)
        _, _, message_id, raw = _envelope(message)
        # Named by Message-ID: a resend after a crash overwrites the same file.
        digest = hashlib.sha256(message_id.encode()).hexdigest()[:16]
        path = self.directory / f"{digest}.eml"
        try:
            # LF line ends, as files on disk have them (SMTP gets CRLF).
            path.write_bytes(raw.replace(b"\r\n", b"\n"))
        except OSError as exc:
            raise DeliveryError(f"cannot write {path}: {exc}", permanent=False) from exc
        return f"written to {path}"


class SmtpBackend:
    """smtp://user@host:587 (STARTTLS) or smtps://user@host:465; password from the environment.

    ``smtp://`` without TLS is allowed only to a loopback address or with ``?tls=off``: a
    password or an advocate's mail never crosses a network in clear by accident.

    ``timeout`` bounds one whole send, connecting included (not each socket operation): the
    dispatcher's claim on a row must outlive the longest send, and a server that answers one
    byte at a time must not hold the worker.
    """

    name = "smtp"

    def __init__(self, url: str, password: str | None = None, timeout: float = 30.0) -> None:
        parts = urlsplit(url)
        self.implicit_tls = parts.scheme == "smtps"
        self.host = parts.hostname or "localhost"
        self.port = parts.port or (465 if self.implicit_tls else 587)
        self.username = unquote(parts.username) if parts.username else None
        self.password = password
        self.timeout = timeout
        options = parse_qs(parts.query)
        self.tls_off = options.get("tls", [""])[0] == "off"
        self._connection: smtplib.SMTP | None = None
        self._entered = 0

    def _left(self, deadline: float) -> float:
        """Seconds left for this send; the open connection's socket waits no longer."""
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError(f"no answer within {self.timeout:g} s")
        if self._connection is not None and self._connection.sock is not None:
            self._connection.sock.settimeout(left)
        return left

    def _connect(self, deadline: float) -> smtplib.SMTP:
        try:
            connection: smtplib.SMTP
            if self.implicit_tls:
                connection = smtplib.SMTP_SSL(
                    self.host,
                    self.port,
                    timeout=self._left(deadline),
                    context=ssl.create_default_context(),
                )
            else:
                connection = smtplib.SMTP(self.host, self.port, timeout=self._left(deadline))
                connection.ehlo()
                if connection.has_extn("starttls") and not self.tls_off:
                    connection.starttls(context=ssl.create_default_context())
                    if connection.sock is not None:
                        connection.sock.settimeout(self._left(deadline))
                    connection.ehlo()
                elif not self.tls_off and self.host not in _LOOPBACK:
                    connection.close()
                    raise DeliveryError(
                        f"{self.host}:{self.port} does not offer STARTTLS; refusing to send in clear"
                        " (add ?tls=off to the SMTP URL to allow it)",
                        permanent=False,
                    )
            if self.username:
                connection.login(self.username, self.password or "")
            return connection
        except smtplib.SMTPAuthenticationError as exc:
            raise DeliveryError(
                f"SMTP login refused: {exc.smtp_code} {_text(exc.smtp_error)}", permanent=False
            ) from exc
        except (OSError, smtplib.SMTPException) as exc:
            raise DeliveryError(
                f"cannot connect to {self.host}:{self.port}: {exc}", permanent=False
            ) from exc

    def __enter__(self) -> Self:
        self._entered += 1
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        # Nested uses share the connection: the worker holds one open across the batches of
        # a drain (each batch enters again), and only the outermost exit says goodbye.
        self._entered -= 1
        if self._entered <= 0:
            self._entered = 0
            self.close()

    def close(self) -> None:
        if self._connection is not None:
            try:
                self._connection.quit()
            except (OSError, smtplib.SMTPException):
                self._connection.close()
            self._connection = None

    def send(self, message: Outgoing) -> str:
        """Send one message over the open connection (opened on first use)."""
        sender, recipients, _, raw = _envelope(message)
        deadline = time.monotonic() + self.timeout
        if self._connection is None:
            self._connection = self._connect(deadline)
        connection = self._connection
        try:
            self._left(deadline)
            code, reply = connection.mail(sender)
            if code != 250:
                raise smtplib.SMTPSenderRefused(code, reply, sender)
            for recipient in recipients:
                self._left(deadline)
                code, reply = connection.rcpt(recipient)
                if code not in (250, 251):
                    raise smtplib.SMTPRecipientsRefused({recipient: (code, reply)})
            self._left(deadline)
            # SMTP lines end in CRLF; smtplib fixes line ends only for str, not for bytes.
            code, reply = connection.data(raw)
            if code != 250:
                raise smtplib.SMTPDataError(code, reply)
            return f"{code} {_text(reply)}"
        except smtplib.SMTPRecipientsRefused as exc:
            self._reset()
            (code, reply), *_ = exc.recipients.values()
            raise DeliveryError(
                f"recipient refused: {code} {_text(reply)}", permanent=code >= 500
            ) from exc
        except (smtplib.SMTPSenderRefused, smtplib.SMTPDataError) as exc:
            self._reset()
            raise DeliveryError(
                f"refused: {exc.smtp_code} {_text(exc.smtp_error)}", permanent=exc.smtp_code >= 500
            ) from exc
        except (
            TimeoutError,
            smtplib.SMTPServerDisconnected,
            OSError,
            smtplib.SMTPException,
        ) as exc:
            # The connection is in an unknown state: drop it, the next message reconnects.
            self._connection.close() if self._connection else None
            self._connection = None
            if isinstance(exc, TimeoutError) or time.monotonic() >= deadline:
                raise DeliveryError(
                    f"no answer from {self.host}:{self.port} within {self.timeout:g} s",
                    permanent=False,
                ) from exc
            raise DeliveryError(f"connection lost: {exc}", permanent=False) from exc

    def _reset(self) -> None:
        try:
            if self._connection is not None:
                self._connection.rset()
        except (OSError, smtplib.SMTPException):
            self._connection = None


def _text(reply: bytes | str) -> str:
    return reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)


def backend_for(settings: Settings) -> FileBackend | SmtpBackend:
    if settings.mail_backend == "smtp":
        assert settings.smtp_url is not None
        return SmtpBackend(
            settings.smtp_url, settings.smtp_password, timeout=settings.smtp_timeout_seconds
        )
    return FileBackend(settings.outbox_dir)
