"""Email headers we encode ourselves, so that they decode to exactly what we meant.

Python 3.11's header folding puts the space between two encoded words outside them, where
every decoder drops it (``Последний деньобжалования``), and it refolds encoded words a
sender put in a name (CVE-2024-6923). So Subject, From, To and Reply-To are built here:

- a value is first made safe: control characters (C0, DEL, C1, Unicode line and paragraph
  separators) become spaces, runs of whitespace one space, and ``=?`` (the start of an
  encoded word) is broken up, so text from a config file or a web page can neither start a
  header line nor be decoded into one;
- plain ASCII words stay as they are, folded at spaces; anything else is written as
  ``=?utf-8?b?...?=`` words, each no longer than 75 characters, each holding whole
  characters and its own spaces, so that nothing between two encoded words carries meaning;
- ``mime`` writes the result as is; nothing refolds it.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Sequence

_UNSAFE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u0085]")
_ENCODED_WORD_START = re.compile(r"=(?=\?)")
_ATEXT = re.compile(r"^[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~ ]+$")
_ADDR_SPEC = re.compile(r"^[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~.]+@[A-Za-z0-9.\-]+$")
# 75 characters per encoded word (RFC 2047 section 2): "=?utf-8?b?" + text + "?=" leaves 63
# for base64, that is 45 bytes of UTF-8 (60 characters of base64).
_WORD_BYTES = 45
_LINE = 76


def clean(value: str) -> str:
    """One line of text that no mail reader can take for more than text."""
    text = " ".join(_UNSAFE.sub(" ", value).split())
    return _ENCODED_WORD_START.sub("= ", text)


def unsafe_reason(value: str) -> str | None:
    """Why ``value`` cannot go into a header as written (``config check`` refuses it), or None."""
    if _UNSAFE.search(value):
        return "holds a control character or line break"
    if "=?" in value:
        return 'holds "=?", the start of an encoded word'
    return None


def _encoded_words(text: str, first_bytes: int = _WORD_BYTES) -> list[str]:
    """Whole characters per word, and a word ends after a space where one is near: a strict
    decoder joins the words exactly, and a lax one (Python's own phrase parser keeps the
    whitespace between encoded words) at worst doubles a space rather than splitting a word."""
    chunks: list[str] = []
    chunk = ""
    for char in text:
        limit = first_bytes if not chunks else _WORD_BYTES
        if len((chunk + char).encode()) > limit and chunk:
            cut = chunk.rfind(" ") + 1
            if 0 < cut < len(chunk) and len((chunk[cut:] + char).encode()) <= _WORD_BYTES:
                chunks.append(chunk[:cut])
                chunk = chunk[cut:]
            else:
                chunks.append(chunk)
                chunk = ""
        chunk += char
    if chunk:
        chunks.append(chunk)
    return [f"=?utf-8?b?{base64.b64encode(c.encode()).decode()}?=" for c in chunks]


def _needs_encoding(text: str) -> bool:
    return not text.isascii() or any(len(word) > _LINE - 2 for word in text.split(" "))


def _first_bytes(name: str) -> int:
    """How many bytes the first encoded word after ``Name: `` may hold within 76 characters."""
    room = _LINE - len(name) - 2 - len("=?utf-8?b??=")
    return max(3, min(_WORD_BYTES, room // 4 * 3))


def _text_tokens(name: str, text: str) -> tuple[list[str], str]:
    """Tokens and the joiner that puts them back together."""
    if _needs_encoding(text):
        # Encoded words are joined by folding whitespace only, which decoders drop.
        return _encoded_words(text, _first_bytes(name)), ""
    return text.split(" "), " "


def unstructured(name: str, value: str, linesep: str = "\n") -> str:
    tokens, joiner = _text_tokens(name, clean(value))
    prefix = f"{name}:"
    lines = [prefix]
    for index, token in enumerate(tokens):
        sep = " " if index == 0 else joiner
        candidate = f"{lines[-1]}{sep}{token}"
        if len(candidate) <= _LINE or index == 0:
            lines[-1] = candidate
        else:
            lines.append(f" {token}")
    return linesep.join(lines)


def _phrase_tokens(name: str, first_bytes: int) -> list[str]:
    if not name:
        return []
    if _ATEXT.match(name) and not _needs_encoding(name):
        return name.split(" ")
    if name.isascii() and not _needs_encoding(name):
        quoted = name.replace("\\", "\\\\").replace('"', '\\"')
        return [f'"{quoted}"']
    return _encoded_words(name, first_bytes)


def address_list(name: str, addresses: Sequence[tuple[str, str]], linesep: str = "\n") -> str:
    """``To: Name <a@b>, ...`` with each display name encoded on its own."""
    lines = [f"{name}:"]
    for position, (display, email) in enumerate(addresses):
        tokens = _phrase_tokens(
            clean(display), _first_bytes(name) if position == 0 else _WORD_BYTES
        )
        angle = f"<{email}>" if tokens else email
        last = position == len(addresses) - 1
        parts = [*tokens, angle + ("" if last else ",")]
        encoded = bool(tokens) and tokens[0].startswith("=?")
        for index, token in enumerate(parts):
            # Between encoded words only folding whitespace; before the address a real space.
            glue = "" if encoded and 0 < index < len(parts) - 1 else " "
            candidate = f"{lines[-1]}{glue}{token}"
            if len(candidate) <= _LINE or lines[-1] == f"{name}:":
                lines[-1] = candidate
            else:
                lines.append(f" {token}")
    return linesep.join(lines)


def check_address(email: str) -> str | None:
    """Why ``email`` is not an address we put in a header, or None."""
    if not _ADDR_SPEC.match(email) or ".." in email or email.startswith("."):
        return f"{email!r} is not an email address (plain ASCII name@domain expected)"
    return None


def _safe_addresses(addresses: Sequence[tuple[str, str]]) -> list[tuple[str, str]]:
    safe: list[tuple[str, str]] = []
    for display, email in addresses:
        email = clean(email).replace(" ", "")
        problem = check_address(email)
        if problem:
            raise ValueError(problem)
        safe.append((clean(display), email))
    return safe


def folded_addresses(name: str, addresses: Sequence[tuple[str, str]]) -> str:
    """``Name: Display <a@b>, ...`` encoded and folded, each address checked (a bad one is
    a ValueError: it never reaches a header)."""
    return address_list(name, _safe_addresses(addresses))
