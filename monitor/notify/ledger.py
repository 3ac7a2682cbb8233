"""The send loop's bookkeeping in as few round trips as the database allows.

Before each email the dispatcher commits, in one unit: the previous email's sent mark and
the end of its delivery attempt, the renewal of this email's claim, and the start of its
attempt (see ``dispatch._Sender``). That unit is the delivery guarantee and stays whole; what
this module takes away is what it cost beyond the database's own work:

- One connection is held for a batch, instead of one taken from the pool (and, on
  PostgreSQL, pinged) for each email. Nothing is held open between emails: every unit
  commits before the send.
- The statements are written out once per dialect and run as the driver's own SQL, with the
  instants bound exactly as the models bind them. Building a statement with an expanding
  ``IN`` list cost several times more than running it.
- On PostgreSQL the whole unit is one statement (data-modifying ``WITH`` clauses, run in
  autocommit, so one round trip is one atomic commit): it was six round trips (ping, BEGIN,
  four statements, COMMIT... and the pool's reset) before. SQLite has no data-modifying
  ``WITH``; there the unit is one transaction of up to four statements on a local file.

Every write stays conditional on the claim token, as in ``dispatch``: a unit run again after
a lost connection changes nothing a first try committed, and a mark that such a try already
committed is counted by reading the rows (``_marked_by``).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar, cast

from sqlalchemy import Connection, Engine, Table

from monitor.db import retrying
from monitor.models import Notification

T = TypeVar("T")

_HELD_SQLITE = "id IN ({ids}) AND status = 'sending' AND claimed_by = :token"
_HELD_PG = "id = ANY(CAST(%(ids)s AS bigint[])) AND status = 'sending' AND claimed_by = %(token)s"

_SQLITE = {
    "mark": "UPDATE notification SET status = 'sent', sent_at = :at, attempts = attempts + 1,"
    " last_error = NULL, claimed_until = NULL, updated_at = :at WHERE " + _HELD_SQLITE,
    "finish": "UPDATE delivery_attempt SET result = :result, reply = :reply, finished_at = :at,"
    " duration_ms = :ms WHERE id = :attempt AND result = 'started'",
    "renew": "UPDATE notification SET claimed_until = :until, next_attempt_at = :until WHERE "
    + _HELD_SQLITE,
    "start": "INSERT INTO delivery_attempt (notification_id, started_at, result)"
    " VALUES (:row, :at, 'started') RETURNING id",
    "sent_by": "SELECT count(*) FROM notification WHERE id IN ({ids})"
    " AND status = 'sent' AND claimed_by = :token",
}

# One statement: the previous email's mark and attempt, this email's renewal and, only when
# the renewal held every row, its attempt. PostgreSQL runs every data-modifying WITH clause
# exactly once, whether the final SELECT reads it or not; the clauses touch different rows.
_PG_UNIT = (
    "WITH marked AS ("
    " UPDATE notification SET status = 'sent', sent_at = %(marked_at)s, attempts = attempts + 1,"
    " last_error = NULL, claimed_until = NULL, updated_at = %(marked_at)s"
    " WHERE id = ANY(CAST(%(sent)s AS bigint[])) AND status = 'sending'"
    " AND claimed_by = %(token)s RETURNING id),"
    " finished AS ("
    " UPDATE delivery_attempt SET result = 'sent', reply = %(reply)s,"
    " finished_at = %(marked_at)s, duration_ms = %(ms)s"
    " WHERE id = %(attempt)s AND result = 'started' RETURNING id),"
    " renewed AS ("
    " UPDATE notification SET claimed_until = %(until)s, next_attempt_at = %(until)s"
    " WHERE " + _HELD_PG + " RETURNING id),"
    " started AS ("
    " INSERT INTO delivery_attempt (notification_id, started_at, result)"
    " SELECT %(row)s, %(at)s, 'started' WHERE (SELECT count(*) FROM renewed) = %(wanted)s"
    " RETURNING id)"
    " SELECT (SELECT count(*) FROM marked), (SELECT id FROM started)"
)
_PG = {
    "mark": "UPDATE notification SET status = 'sent', sent_at = %(at)s, attempts = attempts + 1,"
    " last_error = NULL, claimed_until = NULL, updated_at = %(at)s WHERE " + _HELD_PG,
    "finish": "UPDATE delivery_attempt SET result = %(result)s, reply = %(reply)s,"
    " finished_at = %(at)s, duration_ms = %(ms)s WHERE id = %(attempt)s AND result = 'started'",
    "sent_by": "SELECT count(*) FROM notification WHERE id = ANY(CAST(%(ids)s AS bigint[]))"
    " AND status = 'sent' AND claimed_by = %(token)s",
}


@dataclass(frozen=True)
class Mark:
    """An email that went out and is not yet marked: its rows, its attempt, the reply."""

    ids: Sequence[int]
    attempt_id: int
    reply: str
    ms: int


class Ledger:
    """The bookkeeping of one batch (one claim token) on one connection held for it."""

    def __init__(self, engine: Engine, token: str) -> None:
        self.engine, self.token = engine, token
        self.postgres = engine.dialect.name == "postgresql"
        column = cast(Table, Notification.__table__).c.sent_at
        # The dialect's own form of the type: on SQLite that adds the conversion to the text
        # the models store ("2016-08-19 07:00:00.000000"), which the wrapper alone does not.
        processor = column.type.dialect_impl(engine.dialect).bind_processor(engine.dialect)
        self._instant: Callable[[datetime], Any] = processor or (lambda value: value)
        self._connection: Connection | None = None

    # -- the units -----------------------------------------------------------------------

    def mark_and_start(
        self,
        mark: Mark | None,
        ids: Sequence[int],
        until: datetime,
        clock: Callable[[], datetime],
        patience: float,
    ) -> tuple[int | None, int | None]:
        """Commit ``mark`` (when given) and renew the claim on ``ids`` and start an attempt
        for them, in one unit. Returns (rows of ``mark`` marked sent by this token, or None
        without a mark; the new attempt's id, or None when the token no longer holds every
        row of ``ids``, in which case no attempt is started)."""

        def unit(connection: Connection) -> tuple[int | None, int | None]:
            if self.postgres:
                return self._pg_unit(connection, mark, ids, until, clock())
            marked = self._mark(connection, mark, clock()) if mark is not None else None
            at = clock()
            renewed = self._run(connection, "renew", {"until": self._instant(until)}, ids)
            if renewed != len(ids):
                return marked, None
            started = connection.exec_driver_sql(
                _SQLITE["start"], {"row": ids[0], "at": self._instant(at)}
            )
            return marked, int(started.scalar_one())

        return self._retrying(unit, patience)

    def mark(self, mark: Mark, clock: Callable[[], datetime], patience: float) -> int:
        """Commit ``mark`` alone (the batch's last email). Returns the rows marked sent."""
        return self._retrying(lambda connection: self._mark(connection, mark, clock()), patience)

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    # -- the statements ------------------------------------------------------------------

    def _pg_unit(
        self,
        connection: Connection,
        mark: Mark | None,
        ids: Sequence[int],
        until: datetime,
        at: datetime,
    ) -> tuple[int | None, int | None]:
        params = {
            "token": self.token,
            "sent": list(mark.ids) if mark is not None else [],
            "attempt": mark.attempt_id if mark is not None else None,
            "reply": mark.reply if mark is not None else None,
            "ms": mark.ms if mark is not None else None,
            "marked_at": at,
            "ids": list(ids),
            "wanted": len(ids),
            "until": until,
            "row": ids[0],
            "at": at,
        }
        marked, attempt = connection.exec_driver_sql(_PG_UNIT, params).one()
        if mark is None:
            return None, attempt
        if marked != len(mark.ids):
            marked = self._marked_by(connection, mark.ids)
        return int(marked), attempt

    def _mark(self, connection: Connection, mark: Mark, at: datetime) -> int:
        marked = self._run(connection, "mark", {"at": self._instant(at)}, mark.ids)
        self._run(
            connection,
            "finish",
            {
                "attempt": mark.attempt_id,
                "result": "sent",
                "reply": mark.reply,
                "at": self._instant(at),
                "ms": mark.ms,
            },
        )
        # Fewer than expected: an earlier try of this unit may have committed the mark before
        # its connection was lost, or the claim was taken over. Count what this token marked.
        return marked if marked == len(mark.ids) else self._marked_by(connection, mark.ids)

    def _marked_by(self, connection: Connection, ids: Sequence[int]) -> int:
        result = self._execute(connection, "sent_by", {}, ids)
        return int(result.scalar_one() or 0)

    def _run(
        self,
        connection: Connection,
        name: str,
        params: dict[str, Any],
        ids: Sequence[int] | None = None,
    ) -> int:
        return int(self._execute(connection, name, params, ids).rowcount)

    def _execute(
        self,
        connection: Connection,
        name: str,
        params: dict[str, Any],
        ids: Sequence[int] | None = None,
    ) -> Any:
        params = {**params, "token": self.token}
        if self.postgres:
            if ids is not None:
                params["ids"] = list(ids)
            return connection.exec_driver_sql(_PG[name], params)
        sql = _SQLITE[name]
        if ids is not None:
            names = [f"i{n}" for n in range(len(ids))]
            sql = sql.format(ids=", ".join(f":{n}" for n in names))
            params.update(zip(names, ids, strict=True))
        return connection.exec_driver_sql(sql, params)

    # -- the connection ------------------------------------------------------------------

    def _retrying(self, unit: Callable[[Connection], T], patience: float) -> T:
        """Run ``unit`` as one commit on the held connection; a connection that failed is
        dropped and the unit runs again on a new one, as ``db.in_connection`` does."""

        def once() -> T:
            connection = self._held()
            try:
                if self.postgres:  # autocommit: the unit is one statement
                    return unit(connection)
                with connection.begin():
                    return unit(connection)
            except BaseException:
                # Whatever broke the unit, its connection is not reused half-way (a failed
                # statement leaves it wanting a rollback): the next unit takes a new one.
                self.close()
                raise

        return retrying(once, patience, time.sleep)

    def _held(self) -> Connection:
        if self._connection is None:
            connection = self.engine.connect()
            if self.postgres:
                connection = connection.execution_options(isolation_level="AUTOCOMMIT")
            self._connection = connection
        return self._connection
