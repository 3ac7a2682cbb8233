"""Fetching: the only module that imports ``requests``.

Polite and careful:
- a User-Agent naming the project; conditional GET (ETag, Last-Modified);
- a body larger than the source's limit is cut off and reported, never loaded whole;
- only http and https, on every redirect hop too (at most 5, followed here, not by requests);
- addresses in private, loopback, link-local and other non-public ranges are refused unless
  the source allows them, checked when the connection is made (after DNS), so that neither a
  redirect nor a DNS answer can turn the worker into a proxy into the operator's network;
- per host at most two requests at once and a minimum gap between them;
- charsets are detected from the bytes when the page lies about them;
- ``timeout`` bounds the whole fetch (connecting, headers, body and redirects together), not
  each read: a server that sends one byte a second is cut off at the deadline by a watchdog
  that shuts the fetch's sockets down, and ``Fetcher.abort()`` (a worker's stop) does the
  same to every fetch in progress.

Errors from requests/urllib3 become ``FetchError`` here and nowhere else. Retries are not made
by sleeping: a failed poll is tried again at the next poll, after a backoff the caller
computes (``FetchError.retry_after`` carries a server's Retry-After).
"""

from __future__ import annotations

import codecs
import ipaddress
import re
import socket
import ssl
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

import charset_normalizer
import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import NewConnectionError
from urllib3.util import connection as urllib3_connection

from monitor import __version__
from monitor.errors import FetchError

USER_AGENT = f"CourtDeadlineMonitor/{__version__} (watches published court decisions)"
DEFAULT_MAX_BYTES = 5 * 1024 * 1024
DEFAULT_TIMEOUT = 30.0
MAX_REDIRECTS = 5


@dataclass(frozen=True)
class FetchResult:
    url: str
    final_url: str
    status: int
    not_modified: bool
    body: bytes
    text: str
    content_type: str
    encoding: str
    etag: str | None
    last_modified: str | None
    truncated: bool
    elapsed_ms: int
    headers: dict[str, str] = field(default_factory=dict)


class BlockedAddress(NewConnectionError):
    """Raised at connect time for an address the source may not reach."""


def address_allowed(ip: str) -> bool:
    """Public unicast only: no private, loopback, link-local, multicast, reserved or unspecified."""
    address = ipaddress.ip_address(ip.split("%")[0])
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    return address.is_global and not address.is_multicast


class _Watch:
    """One fetch in progress: its deadline, the sockets it reads from, why it was cut."""

    def __init__(self, deadline: float, timeout: float) -> None:
        self.deadline = deadline
        self.timeout = timeout
        self.sockets: list[socket.socket] = []
        self.reason: str | None = None
        self._lock = threading.Lock()

    def add(self, sock: socket.socket) -> None:
        with self._lock:
            self.sockets.append(sock)
            cut = self.reason is not None
        if cut:
            _shut(sock)

    def cut(self, reason: str) -> None:
        with self._lock:
            if self.reason is not None:
                return
            self.reason = reason
            sockets = list(self.sockets)
        for sock in sockets:
            _shut(sock)


def _shut(sock: socket.socket) -> None:
    # shutdown(), not close(): it wakes a thread blocked in recv() on this socket at once.
    with suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)


# The fetch this thread is running, so that the connections it opens or reuses can be watched.
_current = threading.local()


def _watch_socket(sock: socket.socket | None) -> None:
    watch: _Watch | None = getattr(_current, "watch", None)
    if watch is not None and sock is not None:
        watch.add(sock)


class _Watchdog:
    """One thread per fetcher that cuts fetches past their deadline (or all, on abort)."""

    def __init__(self) -> None:
        self._watches: set[_Watch] = set()
        self._lock = threading.Lock()
        self._busy = threading.Event()
        self._thread: threading.Thread | None = None

    def add(self, watch: _Watch) -> None:
        with self._lock:
            self._watches.add(watch)
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="fetch-watchdog", daemon=True
                )
                self._thread.start()
        self._busy.set()

    def remove(self, watch: _Watch) -> None:
        with self._lock:
            self._watches.discard(watch)

    def abort(self, reason: str) -> None:
        with self._lock:
            watches = list(self._watches)
        for watch in watches:
            watch.cut(reason)

    def _run(self) -> None:
        while True:
            self._busy.wait()
            with self._lock:
                watches = list(self._watches)
                if not watches:
                    self._busy.clear()
                    continue
            now = time.monotonic()
            for watch in watches:
                if now >= watch.deadline:
                    watch.cut(f"took longer than {watch.timeout:g} s")
            time.sleep(0.05)


class _WatchedConnectionMixin:
    """Registers the connection's socket with the fetch in progress, new or reused."""

    sock: socket.socket | None

    def _new_conn(self) -> socket.socket:
        sock: socket.socket = super()._new_conn()  # type: ignore[misc]
        _watch_socket(sock)
        return sock

    def request(self, *args: Any, **kwargs: Any) -> Any:
        _watch_socket(self.sock)
        return super().request(*args, **kwargs)  # type: ignore[misc]


class _GuardedConnectionMixin:
    """Checks every address a hostname resolves to, then connects to a checked one."""

    _dns_host: str
    port: int
    timeout: Any
    source_address: Any
    socket_options: Any

    def _new_conn(self) -> socket.socket:
        try:
            infos = socket.getaddrinfo(self._dns_host, self.port, type=socket.SOCK_STREAM)
        except socket.gaierror as exc:
            raise NewConnectionError(self, f"cannot resolve {self._dns_host}: {exc}") from exc  # type: ignore[arg-type]
        addresses = [info[4][0] for info in infos]
        blocked = [a for a in addresses if not address_allowed(str(a))]
        if blocked:
            raise BlockedAddress(
                self,  # type: ignore[arg-type]
                f"{self._dns_host} resolves to {blocked[0]}, a private or local address: refused"
                " (set allow_private_addresses = true on the source to allow it)",
            )
        return urllib3_connection.create_connection(
            (str(addresses[0]), self.port),
            self.timeout,
            source_address=self.source_address,
            socket_options=self.socket_options,
        )


class _GuardedHTTPConnection(_WatchedConnectionMixin, _GuardedConnectionMixin, HTTPConnection):
    pass


class _GuardedHTTPSConnection(_WatchedConnectionMixin, _GuardedConnectionMixin, HTTPSConnection):
    pass


class _OpenHTTPConnection(_WatchedConnectionMixin, HTTPConnection):
    pass


class _OpenHTTPSConnection(_WatchedConnectionMixin, HTTPSConnection):
    pass


class _GuardedHTTPPool(HTTPConnectionPool):
    ConnectionCls = _GuardedHTTPConnection


class _GuardedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _GuardedHTTPSConnection


class _OpenHTTPPool(HTTPConnectionPool):
    ConnectionCls = _OpenHTTPConnection


class _OpenHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _OpenHTTPSConnection


class _WatchedAdapter(HTTPAdapter):
    def __init__(self, guarded: bool, **kwargs: Any) -> None:
        self.guarded = guarded
        super().__init__(**kwargs)

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = (
            {"http": _GuardedHTTPPool, "https": _GuardedHTTPSPool}
            if self.guarded
            else {"http": _OpenHTTPPool, "https": _OpenHTTPSPool}
        )


def _new_session(guarded: bool) -> requests.Session:
    session = requests.Session()
    # Proxies from the environment would bypass the address check: never use them.
    session.trust_env = False
    session.headers["User-Agent"] = USER_AGENT
    session.headers["Accept-Encoding"] = "gzip, deflate"
    adapter = _WatchedAdapter(guarded, pool_maxsize=4)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


_META_CHARSET = re.compile(
    rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE
)


def _codec(name: str | None) -> str | None:
    if not name:
        return None
    try:
        return codecs.lookup(name.strip().strip("\"'")).name
    except LookupError:
        return None


def decode_body(body: bytes, content_type: str) -> tuple[str, str]:
    """(text, encoding used). Survives pages that lie about their encoding.

    Order of trust: a byte-order mark; valid UTF-8 (bytes that decode as UTF-8 and are not
    plain ASCII almost never are anything else); the declared charset (HTTP header, then
    <meta>), if the bytes decode under it; detection from the bytes (charset-normalizer,
    which tells Windows-1251 from KOI8-R and Latin-1 on Russian text); UTF-8 with
    replacement characters as the last resort.
    """
    for bom, name in (
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if body.startswith(bom):
            return body.decode(name, errors="replace"), name
    try:
        text = body.decode("utf-8")
        return text, "utf-8"
    except UnicodeDecodeError:
        pass
    header = re.search(r"charset=([^;\s]+)", content_type or "", re.IGNORECASE)
    meta = _META_CHARSET.search(body[:4096])
    for declared in (
        _codec(header.group(1) if header else None),
        _codec(meta.group(1).decode("ascii", "ignore") if meta else None),
    ):
        if declared and declared not in ("utf-8", "ascii"):
            try:
                return body.decode(declared), declared
            except UnicodeDecodeError:
                continue
    replaced = body.decode("utf-8", errors="replace")
    if replaced.count("\ufffd") <= max(3, len(replaced) // 1000):
        # Mostly UTF-8 with a few broken bytes: keep the text, mark the damage.
        return replaced, "utf-8 (invalid bytes replaced)"
    cyrillic = _cyrillic_guess(body)
    if cyrillic is not None:
        return cyrillic
    best = charset_normalizer.from_bytes(body).best()
    if best is not None and best.encoding not in ("utf_8", "ascii"):
        return str(best), best.encoding
    return replaced, "utf-8 (invalid bytes replaced)"


_CYRILLIC_CODECS = ("cp1251", "koi8_r", "mac_cyrillic", "iso8859_5", "cp866")
_PLAIN = set(" \t\n\r.,;:!?-–—«»\"'()[]<>/=_%&#@*+№$")


def _cyrillic_score(text: str) -> float:
    """Real Russian text is mostly lowercase Cyrillic letters; a wrong single-byte codec gives
    uppercase runs (KOI8-R read as Windows-1251) or symbols and no-break spaces (Mac Cyrillic)."""
    lower = sum(1 for ch in text if "а" <= ch <= "я" or ch == "ё")
    cyrillic = sum(1 for ch in text if "а" <= ch.lower() <= "я" or ch in "ёЁ")
    latin = sum(1 for ch in text if ch.isascii() and ch.isalpha())
    if cyrillic < latin:
        return 0.0  # mostly Latin letters: a Western page, not a Russian one
    odd = sum(
        1
        for ch in text
        if not (ch.isascii() and (ch.isalnum() or ch in _PLAIN))
        and not ("а" <= ch.lower() <= "я" or ch in "ёЁ")
    )
    return (lower - 3 * odd) / max(len(text), 1)


def _cyrillic_guess(body: bytes) -> tuple[str, str] | None:
    """The single-byte Cyrillic codec that reads the bytes most like Russian, if any does."""
    high = sum(1 for b in body if b >= 0x80)
    if high < max(8, len(body) // 50):
        return None
    scored = []
    for codec in _CYRILLIC_CODECS:
        try:
            text = body.decode(codec)
        except UnicodeDecodeError:
            continue
        scored.append((_cyrillic_score(text), codec, text))
    if not scored:
        return None
    score, codec, text = max(scored, key=lambda item: item[0])
    return (text, codec) if score > 0.2 else None


def _retry_after(value: str | None, now: datetime) -> float | None:
    if not value:
        return None
    if value.strip().isdigit():
        return float(value.strip())
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max((when - now).total_seconds(), 0.0)


class HostGate:
    """At most ``concurrency`` requests to one host at once, and ``gap`` seconds between starts."""

    def __init__(self, concurrency: int = 2, gap: float = 1.0) -> None:
        self.concurrency = concurrency
        self.gap = gap
        self._lock = threading.Lock()
        self._semaphores: dict[str, threading.Semaphore] = {}
        self._next_start: dict[str, float] = {}

    @contextmanager
    def slot(self, host: str) -> Iterator[None]:
        with self._lock:
            semaphore = self._semaphores.setdefault(host, threading.Semaphore(self.concurrency))
        with semaphore:
            with self._lock:
                start = max(time.monotonic(), self._next_start.get(host, 0.0))
                self._next_start[host] = start + self.gap
            delay = start - time.monotonic()
            if delay > 0:
                time.sleep(delay)  # politeness towards the court's server, not a clock read
            yield


class Fetcher:
    """One per worker process; requests sessions are kept per thread (they are not thread-safe)."""

    def __init__(self, gate: HostGate | None = None) -> None:
        self.gate = gate or HostGate()
        self._local = threading.local()
        self._watchdog = _Watchdog()
        self.aborted = False

    def abort(self) -> None:
        """Cut every fetch in progress and refuse new ones (the worker is stopping)."""
        self.aborted = True
        self._watchdog.abort("stopped: the worker is shutting down")

    def _session(self, guarded: bool) -> requests.Session:
        name = "guarded" if guarded else "open"
        session = getattr(self._local, name, None)
        if session is None:
            session = _new_session(guarded)
            setattr(self._local, name, session)
        return session

    def fetch(
        self,
        url: str,
        now: datetime,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        max_bytes: int = DEFAULT_MAX_BYTES,
        allow_private: bool = False,
    ) -> FetchResult:
        """GET ``url`` following up to 5 redirects, all within ``timeout``; raises FetchError."""
        if self.aborted:
            raise FetchError(url, "stopped: the worker is shutting down")
        watch = _Watch(time.monotonic() + timeout, timeout)
        self._watchdog.add(watch)
        _current.watch = watch
        try:
            return self._fetch(url, now, etag, last_modified, timeout, max_bytes, allow_private)
        except FetchError as exc:
            if watch.reason is not None:
                raise FetchError(url, watch.reason) from exc
            raise
        finally:
            _current.watch = None
            self._watchdog.remove(watch)
            if watch.reason is not None:
                # A cut connection must not go back to the pool.
                for name in ("guarded", "open"):
                    old = getattr(self._local, name, None)
                    if old is not None:
                        old.close()
                    setattr(self._local, name, None)

    def _fetch(
        self,
        url: str,
        now: datetime,
        etag: str | None,
        last_modified: str | None,
        timeout: float,
        max_bytes: int,
        allow_private: bool,
    ) -> FetchResult:
        session = self._session(guarded=not allow_private)
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        current = url
        started = time.monotonic()
        for _ in range(MAX_REDIRECTS + 1):
            parts = urlsplit(current)
            if parts.scheme not in ("http", "https") or not parts.hostname:
                raise FetchError(
                    url, f"refused to follow {current!r}: only http and https addresses are fetched"
                )
            with self.gate.slot(parts.hostname.lower()):
                response = self._get(session, current, headers, timeout, url)
                try:
                    if response.is_redirect:
                        location = response.headers.get("Location", "")
                        current = urljoin(current, location)
                        continue
                    result = self._read(response, url, current, max_bytes, started, now)
                    watch: _Watch | None = getattr(_current, "watch", None)
                    if watch is not None and watch.reason is not None:
                        # A body cut at EOF by the watchdog reads as complete: it is not.
                        raise FetchError(url, watch.reason)
                    return result
                finally:
                    response.close()
        raise FetchError(url, f"more than {MAX_REDIRECTS} redirects")

    def _get(
        self,
        session: requests.Session,
        target: str,
        headers: dict[str, str],
        timeout: float,
        url: str,
    ) -> requests.Response:
        try:
            return session.get(
                target,
                headers=headers,
                timeout=(min(timeout, 10.0), timeout),
                stream=True,
                allow_redirects=False,
            )
        except requests.exceptions.ConnectionError as exc:
            blocked = _find_cause(exc, BlockedAddress)
            if blocked is not None:
                raise FetchError(url, str(blocked).split(": ", 1)[-1]) from exc
            raise FetchError(url, _connection_reason(exc, target)) from exc
        except requests.exceptions.Timeout as exc:
            raise FetchError(url, f"took longer than {timeout:g} s") from exc
        except requests.exceptions.RequestException as exc:
            raise FetchError(url, f"request failed: {_short(exc)}") from exc

    def _read(
        self,
        response: requests.Response,
        url: str,
        final: str,
        max_bytes: int,
        started: float,
        now: datetime,
    ) -> FetchResult:
        status = response.status_code
        if status in (429, 503) or status >= 500:
            error = FetchError(url, "the server is busy or failing", status)
            error.retry_after = _retry_after(response.headers.get("Retry-After"), now)
            raise error
        if status >= 400:
            raise FetchError(url, "the server refused", status)
        chunks: list[bytes] = []
        size = 0
        truncated = False
        try:
            for chunk in response.iter_content(chunk_size=65536):
                size += len(chunk)
                if size > max_bytes:
                    chunks.append(chunk[: max_bytes - (size - len(chunk))])
                    truncated = True
                    break
                chunks.append(chunk)
        except requests.exceptions.RequestException as exc:
            raise FetchError(url, f"reading the body failed: {_short(exc)}") from exc
        body = b"".join(chunks)
        content_type = response.headers.get("Content-Type", "")
        text, encoding = decode_body(body, content_type) if status != 304 else ("", "")
        return FetchResult(
            url=url,
            final_url=final,
            status=status,
            not_modified=status == 304,
            body=body,
            text=text,
            content_type=content_type,
            encoding=encoding,
            etag=response.headers.get("ETag"),
            last_modified=response.headers.get("Last-Modified"),
            truncated=truncated,
            elapsed_ms=int((time.monotonic() - started) * 1000),
            headers=dict(response.headers),
        )


def _find_cause(exc: BaseException, kind: type[BaseException]) -> BaseException | None:
    seen: set[int] = set()
    stack: list[BaseException | None] = [exc]
    while stack:
        current = stack.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, kind):
            return current
        stack.extend([current.__cause__, current.__context__, getattr(current, "reason", None)])
        stack.extend(a for a in current.args if isinstance(a, BaseException))
    return None


def _connection_reason(exc: BaseException, target: str) -> str:
    """What went wrong with a connection, in words an operator reads: never the library's
    class names or its retry bookkeeping."""
    parts = urlsplit(target)
    host = parts.hostname or target
    where = f"{host}:{parts.port}" if parts.port else host
    if _find_cause(exc, socket.gaierror) is not None or "cannot resolve" in str(exc):
        return f"cannot resolve {host} (no such host, or no DNS)"
    if _find_cause(exc, ConnectionRefusedError) is not None:
        return f"{where} refused the connection"
    if _find_cause(exc, TimeoutError) is not None:
        return f"no answer from {where}"
    if _find_cause(exc, ConnectionResetError) is not None:
        return f"{where} closed the connection"
    if _find_cause(exc, ssl.SSLError) is not None:
        return f"the TLS handshake with {where} failed (certificate or protocol)"
    return f"cannot connect to {where}"


def _short(value: object) -> str:
    text = str(value)
    return text if len(text) < 300 else text[:297] + "..."


def ping(url: str, timeout: float = 10.0) -> bool:
    """GET a dead man's switch URL (Healthchecks and the like). True when it answered 2xx.

    The URL is the operator's own setting, so private addresses are allowed; it carries a
    token, so it is never logged.
    """
    session = _new_session(guarded=False)
    try:
        response = session.get(url, timeout=timeout)
        return 200 <= response.status_code < 300
    except requests.exceptions.RequestException:
        return False
    finally:
        session.close()
