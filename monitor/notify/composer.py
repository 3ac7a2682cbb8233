"""Composing emails in a process of its own, beside the one that sends them.

Composing an email (its templates, headers, calendar file and MIME bytes) is CPU work in the
interpreter; sending one is mostly waiting for the SMTP server and the database. In one
process the two share one interpreter lock, and a thread composing ahead of the sender
delays the sender each time an answer comes back. A second process composes on another
core while the first sends: a large batch (a catch-up, a mass of reminders falling due
together) goes out about twice as fast, with the same guarantees, because composing only
reads. The claim, renewal, send and mark stay in the worker's own process, in order.

It is a help, never a dependency: the worker starts it when a drain holds enough emails to
be worth it (``MIN_EMAILS``), composes in its own thread until it answers, and composes
there again for whatever remains of a batch when it dies, hangs (``ANSWER_SECONDS``) or
fails to read the database (and alone for ``REST_SECONDS`` after that). It stops after ``IDLE_SECONDS`` unused, and when the worker's
process ends in any way (its end of the pipe closes, and it leaves).

Protocol, over the child's stdin and stdout: length-prefixed pickles, between two processes
of the same program only. Requests: ``("init", database URL, links, json logs)`` then
``("compose", number, groups, sender, now)``. Answers: ``("ready",)``, then per request one
``("email", number, Email)`` or ``("unwritable", number, ids, why)`` per group, in order,
and ``("done", number)``, or ``("failed", number, why)`` when the database cannot be read.
"""

from __future__ import annotations

import itertools
import logging
import os
import pickle
import select
import signal
import struct
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Generator, Iterator, Sequence
from datetime import datetime
from typing import IO, Any

log = logging.getLogger(__name__)

MIN_EMAILS = 4  # fewer emails in a batch are composed in the worker's own thread
ANSWER_SECONDS = 20.0  # an answer later than this means the child hangs: it is stopped
IDLE_SECONDS = 600.0  # unused this long, the child stops (its memory goes back)
REST_SECONDS = 60.0  # after the child failed, the worker composes alone this long

_LENGTH = struct.Struct(">I")


class ChildGone(Exception):
    """The composing process ended, hung or answered something unexpected."""


class Interrupted(Exception):
    """The worker is stopping: the batch ends here, its rows not yet composed are given back."""


def _write(stream: IO[bytes], message: tuple[Any, ...]) -> None:
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(_LENGTH.pack(len(data)) + data)
    stream.flush()


def _read_exactly(
    fd: int, size: int, deadline: float | None, interrupted: Callable[[], bool]
) -> bytes:
    chunks: list[bytes] = []
    while size:
        if deadline is not None:
            # Waited for in short slices, so that a stop never waits for a slow child.
            while True:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise ChildGone("no answer in time")
                if select.select([fd], [], [], min(left, 0.25))[0]:
                    break
                if interrupted():
                    raise Interrupted
        chunk = os.read(fd, min(size, 1 << 20))
        if not chunk:
            raise ChildGone("the process ended")
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)


def _read(
    fd: int, timeout: float | None, interrupted: Callable[[], bool] = lambda: False
) -> tuple[Any, ...]:
    deadline = None if timeout is None else time.monotonic() + timeout
    (size,) = _LENGTH.unpack(_read_exactly(fd, _LENGTH.size, deadline, interrupted))
    message = pickle.loads(_read_exactly(fd, size, deadline, interrupted))
    if not isinstance(message, tuple) or not message:
        raise ChildGone(f"unexpected answer {message!r:.80}")
    return message


Fallback = Callable[[list[list[int]]], Iterator[Any]]


class Composer:
    """The worker's side: starts, feeds and stops the composing process."""

    def __init__(
        self,
        database_url: str,
        *,
        json_logs: bool = False,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.database_url = database_url
        self.json_logs = json_logs
        self.clock = clock
        self._process: subprocess.Popen[bytes] | None = None
        self._ready = False
        self._requests = itertools.count(1)
        self._last_used = clock()
        # A child that cannot start (or keeps dying) is not started again at every batch.
        self._resting_until = float("-inf")
        # Held while the dispatcher's thread starts, asks or reads the child; a stop from
        # another thread does not close pipes under it.
        self._lock = threading.RLock()
        self._closed = False  # the worker stopped: no child is started again

    # -- life ----------------------------------------------------------------------------

    def start(self) -> None:
        """Start the child (it answers "ready" once its imports are done)."""
        if self._process is not None or self._closed:
            return
        from monitor import links

        try:
            self._process = subprocess.Popen(
                [sys.executable, "-m", "monitor.notify.composer"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                close_fds=True,
                # Its own process group: Ctrl-C in a terminal reaches the worker alone, which
                # ends the child by closing its pipe when the email in hand is done.
                process_group=0,
            )
        except OSError as exc:  # no fork (process limit, memory), no interpreter
            log.warning("cannot start the composing process (%s); the worker composes", exc)
            self._resting_until = self.clock() + REST_SECONDS
            return
        self._ready = False
        self._last_used = self.clock()
        assert self._process.stdin is not None
        try:
            # The URL may hold a password: it goes through the pipe, never the command line.
            _write(
                self._process.stdin,
                ("init", self.database_url, links.current(), self.json_logs),
            )
        except OSError:
            self.stop()

    def ready(self) -> bool:
        """Whether the child has answered that it is ready, without waiting for it."""
        with self._lock:
            return self._answered_ready()

    def _answered_ready(self) -> bool:
        process = self._process
        if process is None or process.stdout is None:
            return False
        if not self._ready and select.select([process.stdout], [], [], 0)[0]:
            try:
                self._ready = _read(process.stdout.fileno(), ANSWER_SECONDS) == ("ready",)
            except (ChildGone, OSError, pickle.UnpicklingError):
                self._ready = False
            if not self._ready:
                log.warning(
                    "the composing process did not start; emails are composed in the worker"
                )
                self._rest()
        return self._ready

    def stop(self) -> None:
        """Close its pipe (it leaves at once) and reap it; kill it if it does not.

        From another thread while a batch is being read from the child, this does nothing:
        closing a pipe another thread reads could hand that thread a recycled descriptor. The
        worker's process ends right after its stop, and the child leaves with it."""
        if not self._lock.acquire(blocking=False):
            return
        try:
            self._stop()
        finally:
            self._lock.release()

    def _stop(self) -> None:
        process, self._process, self._ready = self._process, None, False
        if process is None:
            return
        for stream in (process.stdin, process.stdout):
            try:
                if stream is not None:
                    stream.close()
            except OSError:
                pass
        try:
            process.wait(timeout=2)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def close(self) -> None:
        """The worker's stop: stop the child, and never start another."""
        self._closed = True
        self.stop()

    def _rest(self) -> None:
        self.stop()
        self._resting_until = self.clock() + REST_SECONDS

    def stop_if_idle(self) -> None:
        if self._process is not None and self.clock() - self._last_used > IDLE_SECONDS:
            self.stop()

    # -- work ----------------------------------------------------------------------------

    def wanted(self, groups: Sequence[Sequence[int]]) -> bool:
        """Whether ``groups`` should be composed by the child: enough of them, and a child
        that is ready (one is started when there are enough; until it answers, no)."""
        if len(groups) < MIN_EMAILS or self.clock() < self._resting_until:
            return False
        with self._lock:
            if self._closed:
                return False
            self._last_used = self.clock()
            if self._process is None:
                self.start()
            return self._answered_ready()

    def emails(
        self,
        groups: list[list[int]],
        sender: str,
        now: datetime,
        fallback: Fallback,
        should_stop: Callable[[], bool] = lambda: False,
    ) -> Generator[Any, None, None]:
        """What the child composes of ``groups``, one item per group, in order: an ``Email``
        or, for a group that cannot be composed, what ``fallback`` yields for it. Whatever
        goes wrong with the child, ``fallback`` composes the groups not yet received. Ends
        early, without them, when ``should_stop`` says so while waiting for the child."""
        from monitor.notify.dispatch import _Unwritable

        with self._lock:
            try:
                yield from self._emails(groups, sender, now, fallback, _Unwritable, should_stop)
            except Interrupted:
                return
            finally:
                if self._closed:  # closed from another thread while this batch was read
                    self._stop()

    def _emails(
        self,
        groups: list[list[int]],
        sender: str,
        now: datetime,
        fallback: Fallback,
        unwritable: Callable[[list[int], Exception], Any],
        should_stop: Callable[[], bool],
    ) -> Generator[Any, None, None]:
        process = self._process
        assert process is not None and process.stdin is not None and process.stdout is not None
        number = next(self._requests)
        done = 0
        try:
            _write(process.stdin, ("compose", number, groups, sender, now))
            fd = process.stdout.fileno()
            while done < len(groups):
                answer = _read(fd, ANSWER_SECONDS, should_stop)
                if len(answer) < 2 or answer[1] != number:
                    continue  # the rest of a request the sender stopped reading
                if answer[0] == "email":
                    item: Any = answer[2]
                elif answer[0] == "unwritable":
                    item = unwritable(answer[2], RuntimeError(answer[3]))
                elif answer[0] == "failed":
                    raise ChildGone(answer[2])
                else:
                    raise ChildGone(f"unexpected answer {answer[0]!r}")
                done += 1
                yield item
        except (ChildGone, OSError, pickle.UnpicklingError, EOFError) as exc:
            log.warning(
                "the composing process failed (%s); the worker composes the rest itself", exc
            )
            self._rest()
            yield from fallback(groups[done:])


# ---------------------------------------------------------------------------- the child


def _serve(requests: IO[bytes], answers: IO[bytes]) -> None:
    from sqlalchemy.exc import DBAPIError

    from monitor import links
    from monitor.db import make_engine
    from monitor.notify.dispatch import compose_groups

    kind, url, link_state, json_logs = _read_message(requests)
    assert kind == "init"
    if json_logs:
        from monitor.worker import JsonFormatter

        logging.getLogger().handlers[0].setFormatter(JsonFormatter())
    if link_state is not None:
        links.configure(link_state.base_url, link_state.secret)
    engine = make_engine(url)
    _write(answers, ("ready",))
    while True:
        try:
            message = _read_message(requests)
        except ChildGone:
            return  # the worker is gone, or stopped us
        _, number, groups, sender, now = message
        try:
            for group, item in compose_groups(engine, groups, sender, now):
                if isinstance(item, Exception):
                    _write(answers, ("unwritable", number, group, str(item)))
                else:
                    _write(answers, ("email", number, item))
        except DBAPIError as exc:
            from monitor.db import one_line

            _write(answers, ("failed", number, f"database: {one_line(exc)}"))
            continue
        _write(answers, ("done", number))


def _read_message(stream: IO[bytes]) -> tuple[Any, ...]:
    return _read(stream.fileno(), None)


def main() -> None:
    # Answers go out on the real stdout only; anything else printed lands on stderr.
    answers = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    logging.basicConfig(
        stream=sys.stderr,
        level=logging.INFO,
        format="%(asctime)s %(levelname)s composer: %(message)s",
    )
    # Ctrl-C in a terminal reaches the whole process group: the worker decides when this
    # process ends (it closes the pipe), so that the email in hand is finished first.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        _serve(sys.stdin.buffer, answers)
    except BrokenPipeError:
        pass  # the worker left first
    except Exception as exc:
        # The worker composes alone and says so; here, one line on why.
        first = str(exc).strip().splitlines()
        log.error("cannot go on: %s: %s", type(exc).__name__, first[0] if first else "")
        sys.exit(1)


if __name__ == "__main__":
    main()
