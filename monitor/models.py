"""The data model: the vocabulary of DESIGN.md as SQLAlchemy 2 typed tables.

Instants are UTC and timezone-aware (``UTCDateTime`` refuses naive values, because SQLite
would silently drop the zone). Legal dates are ``Date``.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Dialect,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC instant in every database, SQLite included."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"naive datetime {value!r} refused: instants must be timezone-aware")
        value = value.astimezone(UTC)
        # SQLite stores text; keep it naive UTC there so that string comparison orders instants.
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UTCDateTime,
        date: Date,
        dict[str, Any]: JSON,
        list[Any]: JSON,
    }


class Case(Base):
    __tablename__ = "watched_case"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(100), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    # Short name for email subjects: "[Kozlov] Decision comes into force in 3 days".
    label: Mapped[str] = mapped_column(String(100), default="", server_default="")
    jurisdiction: Mapped[str] = mapped_column(String(20))
    people: Mapped[list[Any]] = mapped_column(default=list)
    aliases: Mapped[list[Any]] = mapped_column(default=list)
    case_numbers: Mapped[list[Any]] = mapped_column(default=list)
    match_terms: Mapped[list[Any]] = mapped_column(default=list)
    notes: Mapped[str] = mapped_column(Text, default="")
    archived_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime] = mapped_column(index=True)

    decisions: Mapped[list[Decision]] = relationship(
        back_populates="case", order_by="Decision.decided_on"
    )
    subscriptions: Mapped[list[Subscription]] = relationship(back_populates="case")


class Decision(Base):
    __tablename__ = "decision"
    __table_args__ = (UniqueConstraint("case_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("watched_case.id"), index=True)
    key: Mapped[str] = mapped_column(String(100))
    decided_on: Mapped[date]
    served_on: Mapped[date | None]
    court: Mapped[str] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(50))
    quote: Mapped[str] = mapped_column(Text, default="")
    rule: Mapped[str] = mapped_column(String(100))
    rule_options: Mapped[dict[str, Any]] = mapped_column(default=dict)
    in_force_explicit: Mapped[date | None]
    execution_grace_days: Mapped[int | None]
    # Facts recorded later, in config or with `monitor record`.
    appealed_on: Mapped[date | None]
    executed_on: Mapped[date | None]
    # Where the decision came from: "config", or "source" with the snapshot that reported it.
    origin: Mapped[str] = mapped_column(String(20), default="config")
    snapshot_id: Mapped[int | None] = mapped_column(ForeignKey("snapshot.id"))
    source_url: Mapped[str | None] = mapped_column(String(2000))
    archived_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    # Moves whenever the decision or its deadlines change: the plan job replans only those.
    updated_at: Mapped[datetime] = mapped_column(index=True)

    case: Mapped[Case] = relationship(back_populates="decisions")
    deadlines: Mapped[list[Deadline]] = relationship(
        back_populates="decision", cascade="all, delete-orphan", order_by="Deadline.due_on"
    )


class Deadline(Base):
    __tablename__ = "deadline"
    __table_args__ = (UniqueConstraint("decision_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    decision_id: Mapped[int] = mapped_column(ForeignKey("decision.id"))
    kind: Mapped[str] = mapped_column(String(30))
    due_on: Mapped[date] = mapped_column(index=True)
    rule: Mapped[str] = mapped_column(String(200))
    explanation: Mapped[str] = mapped_column(Text)
    uncertain: Mapped[bool] = mapped_column(Boolean, default=False)
    computed_at: Mapped[datetime]

    decision: Mapped[Decision] = relationship(back_populates="deadlines")


class Contact(Base):
    __tablename__ = "contact"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(100), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(320))
    language: Mapped[str] = mapped_column(String(10), default="en")
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    archived_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    # Raised by `monitor calendar-url --rotate`: feed addresses of a lower one are refused.
    calendar_generation: Mapped[int] = mapped_column(default=0, server_default="0")


class Subscription(Base):
    __tablename__ = "subscription"
    __table_args__ = (UniqueConstraint("case_id", "contact_id", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("watched_case.id"))
    contact_id: Mapped[int] = mapped_column(ForeignKey("contact.id"), index=True)
    role: Mapped[str] = mapped_column(String(20))
    offsets: Mapped[list[Any]] = mapped_column(default=list)
    appeal_offsets: Mapped[list[Any]] = mapped_column(default=list)
    digest: Mapped[str] = mapped_column(String(10), default="none")
    send_time: Mapped[str] = mapped_column(String(5), default="09:00")
    archived_at: Mapped[datetime | None]
    # Set when the contact unsubscribed (from an email link); config never clears it.
    unsubscribed_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime] = mapped_column(index=True)

    case: Mapped[Case] = relationship(back_populates="subscriptions")
    contact: Mapped[Contact] = relationship()


class Source(Base):
    __tablename__ = "source"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(100), unique=True)
    kind: Mapped[str] = mapped_column(String(10))
    url: Mapped[str] = mapped_column(String(2000))
    settings: Mapped[dict[str, Any]] = mapped_column(default=dict)
    interval_seconds: Mapped[int] = mapped_column(Integer, default=3600)
    # Polling state, kept here so that any worker can carry on where another stopped.
    next_poll_at: Mapped[datetime | None] = mapped_column(index=True)
    last_checked_at: Mapped[datetime | None]
    last_success_at: Mapped[datetime | None]
    consecutive_failures: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    health: Mapped[str] = mapped_column(String(20), default="unknown")
    etag: Mapped[str | None] = mapped_column(String(500))
    last_modified: Mapped[str | None] = mapped_column(String(100))
    content_sha256: Mapped[str | None] = mapped_column(String(64))
    claimed_by: Mapped[str | None] = mapped_column(String(200))
    claimed_until: Mapped[datetime | None]
    archived_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class Snapshot(Base):
    __tablename__ = "snapshot"
    __table_args__ = (Index(None, "source_id", "fetched_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("source.id"))
    fetched_at: Mapped[datetime]
    http_status: Mapped[int] = mapped_column(Integer)
    final_url: Mapped[str] = mapped_column(String(2000))
    etag: Mapped[str | None] = mapped_column(String(500))
    last_modified: Mapped[str | None] = mapped_column(String(100))
    sha256: Mapped[str] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(Text)
    truncated: Mapped[bool] = mapped_column(Boolean, default=False)


class DecisionProvenance(Base):
    """One place that reported a decision: the same decision seen in two sources has two."""

    __tablename__ = "decision_provenance"
    __table_args__ = (UniqueConstraint("decision_id", "snapshot_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    decision_id: Mapped[int] = mapped_column(ForeignKey("decision.id"), index=True)
    snapshot_id: Mapped[int] = mapped_column(ForeignKey("snapshot.id"), index=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("source.id"))
    url: Mapped[str] = mapped_column(String(2000))
    quote: Mapped[str] = mapped_column(Text)
    reported_date: Mapped[date | None]
    reported_period: Mapped[str | None] = mapped_column(String(10))
    seen_at: Mapped[datetime]


class SourceLink(Base):
    """An article link found on a news list page, fetched once when first seen."""

    __tablename__ = "source_link"
    __table_args__ = (UniqueConstraint("source_id", "url"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("source.id"))
    url: Mapped[str] = mapped_column(String(2000))
    first_seen_at: Mapped[datetime]
    fetched_at: Mapped[datetime | None]


class WorkerHeartbeat(Base):
    """One row per worker process: who runs, since when, and whether it is still alive."""

    __tablename__ = "worker_heartbeat"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    host: Mapped[str] = mapped_column(String(200))
    pid: Mapped[int] = mapped_column(Integer)
    started_at: Mapped[datetime]
    last_beat_at: Mapped[datetime] = mapped_column(index=True)
    jobs_run: Mapped[int] = mapped_column(Integer, default=0)
    last_job: Mapped[str | None] = mapped_column(String(100))
    stopped_at: Mapped[datetime | None]


NOTIFICATION_STATUSES = ("pending", "sending", "sent", "failed", "cancelled", "skipped")


class Notification(Base):
    """The outbox: one row per email to send. The dedup key makes planning idempotent."""

    __tablename__ = "notification"
    __table_args__ = (
        # The dispatcher only ever looks for unsent rows by time; a partial index keeps that
        # query flat however much sent history accumulates.
        Index(
            "ix_notification_due_unsent",
            "next_attempt_at",
            sqlite_where=text("status IN ('pending', 'sending')"),
            postgresql_where=text("status IN ('pending', 'sending')"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    dedup_key: Mapped[str] = mapped_column(String(400), unique=True)
    kind: Mapped[str] = mapped_column(String(40))
    contact_id: Mapped[int] = mapped_column(ForeignKey("contact.id"), index=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("watched_case.id"), index=True)
    decision_id: Mapped[int | None] = mapped_column(ForeignKey("decision.id"), index=True)
    deadline_kind: Mapped[str | None] = mapped_column(String(30))
    deadline_date: Mapped[date | None]
    offset_days: Mapped[int | None] = mapped_column(Integer)
    due_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(20), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime]
    last_error: Mapped[str | None] = mapped_column(Text)
    message_id: Mapped[str] = mapped_column(String(300), unique=True)
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    claimed_by: Mapped[str | None] = mapped_column(String(200))
    claimed_until: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class DeliveryAttempt(Base):
    __tablename__ = "delivery_attempt"

    id: Mapped[int] = mapped_column(primary_key=True)
    notification_id: Mapped[int] = mapped_column(ForeignKey("notification.id"), index=True)
    started_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]
    result: Mapped[str] = mapped_column(String(20), default="started")
    reply: Mapped[str | None] = mapped_column(Text)
    duration_ms: Mapped[int | None] = mapped_column(Integer)


class Event(Base):
    """The audit log: one line per thing that happened."""

    __tablename__ = "event"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(index=True)
    kind: Mapped[str] = mapped_column(String(40), index=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("watched_case.id"), index=True)
    decision_id: Mapped[int | None] = mapped_column(ForeignKey("decision.id"))
    source_id: Mapped[int | None] = mapped_column(ForeignKey("source.id"))
    message: Mapped[str] = mapped_column(Text)
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # Set once the alert emails this event calls for (if any) are in the outbox.
    alerted_at: Mapped[datetime | None] = mapped_column(index=True)


class LinkUse(Base):
    """A signed link that was used: each link acts once, and shows afterwards what it did."""

    __tablename__ = "link_use"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The link's own random id (never the token itself: tokens stay out of the database).
    nonce: Mapped[str] = mapped_column(String(64), unique=True)
    action: Mapped[str] = mapped_column(String(30))
    contact_id: Mapped[int] = mapped_column(ForeignKey("contact.id"), index=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("watched_case.id"))
    decision_id: Mapped[int | None] = mapped_column(ForeignKey("decision.id"))
    deadline_kind: Mapped[str | None] = mapped_column(String(30))
    used_at: Mapped[datetime]
    outcome: Mapped[str] = mapped_column(Text)


class DeadlineAck(Base):
    """A contact said "got it" to a deadline: no more reminders of it to that contact."""

    __tablename__ = "deadline_ack"
    __table_args__ = (UniqueConstraint("contact_id", "decision_id", "deadline_kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contact.id"))
    decision_id: Mapped[int] = mapped_column(ForeignKey("decision.id"), index=True)
    deadline_kind: Mapped[str] = mapped_column(String(30))
    acked_at: Mapped[datetime]


class LoginRequest(Base):
    """One request for an operator's login link, kept to rate-limit floods."""

    __tablename__ = "login_request"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(index=True)
    # Hashes, not addresses: the table only has to count.
    email_hash: Mapped[str] = mapped_column(String(64), index=True)
    client_hash: Mapped[str] = mapped_column(String(64), index=True)


class WebSession(Base):
    """An operator's login to the web view. The cookie carries only the random id; logging
    out ends the row, so a copy of the cookie taken before is refused from then on."""

    __tablename__ = "web_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    # A hash of the cookie's id: a copy of the database logs nobody in.
    sid_hash: Mapped[str] = mapped_column(String(64), unique=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contact.id"), index=True)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime] = mapped_column(index=True)
    ended_at: Mapped[datetime | None]
