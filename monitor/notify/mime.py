"""The bytes of an email, written directly: headers we encoded ourselves, quoted-printable
text and HTML, base64 calendar attachments.

The email package builds a tree of header objects, parses every header it is given back into
tokens and refolds it on output; for the few shapes of message the monitor sends that costs
far more than the rest of composing. Here each header arrives encoded and folded (by
``headers``), bodies are encoded with ``binascii`` (C), and the tree is one of two fixed
shapes:

- ``multipart/alternative`` (text/plain, text/html), or
- ``multipart/mixed`` (that alternative, then one ``text/calendar`` part per attachment).

The result is parsed back by the email package only where a reader needs an object (previews,
the operators' web view, tests), never on the way to the SMTP server. Boundaries start with
``=_``, which neither quoted-printable nor base64 output can contain, so no body can end a
part early.
"""

from __future__ import annotations

import binascii
import email
import email.policy
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from email.message import EmailMessage
from functools import cached_property

CRLF = b"\r\n"
_BASE64_LINE = 57  # bytes per line: 76 characters of base64
# What RFC 2231 lets stand unescaped in an extended parameter value (a safe subset of it).
_ATTR_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")


@dataclass(frozen=True)
class Built:
    """One email as sent: its bytes (CRLF line ends) and its envelope."""

    raw: bytes
    sender: str
    recipients: tuple[str, ...]
    message_id: str
    headers: dict[str, str] = field(default_factory=dict, compare=False)

    def __bytes__(self) -> bytes:
        return self.raw

    def unix(self) -> bytes:
        """The bytes with LF line ends, as an .eml file on disk holds them. Every body is
        quoted-printable or base64, so no CR is lost that meant something."""
        return self.raw.replace(CRLF, b"\n")

    @cached_property
    def message(self) -> EmailMessage:
        """The email parsed back, for readers (previews, the web view, tests)."""
        parsed = email.message_from_bytes(self.unix(), policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        return parsed


def _lines(text: str) -> bytes:
    """Text with every line break a LF (as ``str.splitlines`` sees them) and a final one."""
    return ("\n".join(text.splitlines()) + "\n").encode("utf-8")


def quoted_printable(text: str) -> bytes:
    """UTF-8 text as quoted-printable with CRLF line ends, lines of at most 76 characters."""
    encoded = binascii.b2a_qp(_lines(text), quotetabs=False, istext=True, header=False)
    return encoded.replace(b"\n", CRLF)


def base64_lines(data: bytes) -> bytes:
    return b"".join(
        binascii.b2a_base64(data[i : i + _BASE64_LINE], newline=False) + CRLF
        for i in range(0, len(data), _BASE64_LINE)
    )


def _parameter(name: str, value: str) -> str:
    """``; name="value"`` for plain ASCII, RFC 2231 ``name*=utf-8''...`` for anything else."""
    if value.isascii() and value.isprintable() and len(value) < 60:
        quoted = value.replace("\\", "\\\\").replace('"', '\\"')
        return f'; {name}="{quoted}"'
    escaped = "".join(
        chr(byte) if chr(byte) in _ATTR_CHARS else f"%{byte:02X}" for byte in value.encode("utf-8")
    )
    return f"; {name}*=utf-8''{escaped}"


def _text_part(subtype: str, text: str) -> bytes:
    return (
        f'Content-Type: text/{subtype}; charset="utf-8"\r\n'
        "Content-Transfer-Encoding: quoted-printable\r\n\r\n"
    ).encode() + quoted_printable(text)


def _calendar_part(body: bytes, filename: str) -> bytes:
    return (
        'Content-Type: text/calendar; method="PUBLISH"\r\n'
        "Content-Transfer-Encoding: base64\r\n"
        f"Content-Disposition: attachment{_parameter('filename', filename)}\r\n\r\n"
    ).encode() + base64_lines(body)


def _multipart(subtype: str, parts: Sequence[bytes]) -> tuple[bytes, bytes]:
    """(content-type header line, body) of a multipart of ``parts``."""
    boundary = f"=_{secrets.token_hex(12)}"
    head = f'Content-Type: multipart/{subtype}; boundary="{boundary}"\r\n'.encode()
    delimiter = f"--{boundary}\r\n".encode()
    body = b"".join(delimiter + part + CRLF for part in parts) + f"--{boundary}--\r\n".encode()
    return head, body


def assemble(
    header_lines: Sequence[str],
    *,
    text: str,
    html: str,
    calendars: Sequence[tuple[bytes, str]] = (),
) -> bytes:
    """The whole message: ``header_lines`` (each already encoded and folded with LF), then
    MIME-Version and the body tree."""
    head = "".join(line.replace("\n", "\r\n") + "\r\n" for line in header_lines).encode("ascii")
    alternative_type, alternative = _multipart(
        "alternative", [_text_part("plain", text), _text_part("html", html)]
    )
    if calendars:
        inner = alternative_type + CRLF + alternative
        content_type, body = _multipart(
            "mixed", [inner, *(_calendar_part(data, name) for data, name in calendars)]
        )
    else:
        content_type, body = alternative_type, alternative
    return head + b"MIME-Version: 1.0\r\n" + content_type + CRLF + body
