"""`monitor preview`: every email the current config would send between two dates.

The catalog is synced into a scratch in-memory database and the emails are composed by the
same code the dispatcher uses, so the preview shows exactly what would be sent; the real
database and its outbox are not touched. ``--outbox`` instead composes the rows the real
outbox holds, pending, as the dispatcher will send them; ``monitor outbox show`` one of them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from email.message import EmailMessage
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session
from sqlalchemy.pool import StaticPool

from monitor.catalog import Catalog
from monitor.db import session_scope
from monitor.models import Base, Contact, Notification
from monitor.notify.compose import ALERT, Email, compose
from monitor.notify.dispatch import group_rows
from monitor.sync import sync_catalog


@dataclass(frozen=True)
class PreviewEmail:
    send_at: datetime
    local_time: str  # the send time on the contact's own clock, e.g. "09:00 Europe/Warsaw"
    to: str
    subject: str
    kind: str
    message: EmailMessage


def preview(catalog: Catalog, start: date, end: date, sender: str) -> list[PreviewEmail]:
    """Emails due from ``start`` 00:00 UTC to ``end`` 23:59 UTC, in sending order."""
    engine = create_engine("sqlite://", poolclass=StaticPool)
    Base.metadata.create_all(engine)
    # Planned as if it were just before the period, so nothing counts as already past.
    planned_at = datetime.combine(start, time(0, 0), tzinfo=UTC) - timedelta(days=1)
    window_end = datetime.combine(end, time(0, 0), tzinfo=UTC) + timedelta(days=1)
    out: list[PreviewEmail] = []
    with session_scope(engine) as session:
        sync_catalog(session, catalog, planned_at)
        rows = session.scalars(
            select(Notification)
            .where(
                Notification.due_at >= planned_at + timedelta(days=1),
                Notification.due_at < window_end,
            )
            .order_by(Notification.due_at, Notification.id)
        )
        by_time: dict[datetime, list[Notification]] = {}
        for row in rows:
            by_time.setdefault(row.due_at, []).append(row)
        for due_at, due in by_time.items():
            # Grouped and composed at their own send time, as the dispatcher would.
            for group in group_rows(due):
                contact = session.get(Contact, group[0].contact_id)
                assert contact is not None
                email = compose(session, group, sender, due_at)
                to = f"{contact.name} <{contact.email}>"
                local = f"{due_at.astimezone(ZoneInfo(contact.timezone)):%H:%M} {contact.timezone}"
                out.append(
                    PreviewEmail(
                        due_at, local, to, email.rendered.subject, group[0].kind, email.message
                    )
                )
    engine.dispose()
    return out


def write_eml(emails: list[PreviewEmail], directory: Path) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for number, email in enumerate(emails, start=1):
        path = directory / f"{number:03d}-{email.send_at:%Y%m%dT%H%M}Z-{email.kind}.eml"
        path.write_bytes(bytes(email.message))
        paths.append(path)
    return paths


UNSENT = ("pending", "sending")


def _group_of(session: Session, row: Notification, when: datetime) -> list[Notification]:
    """The rows that go (or went) out in one email with ``row``, as the dispatcher groups them."""
    grouped = row.kind == ALERT or bool(row.payload.get("digest"))
    if not grouped:
        return [row]
    query = select(Notification).where(
        Notification.contact_id == row.contact_id,
        Notification.kind == row.kind if row.kind == ALERT else Notification.kind != ALERT,
    )
    if row.sent_at is not None:
        query = query.where(Notification.sent_at == row.sent_at)
    else:
        query = query.where(Notification.status.in_(UNSENT), Notification.next_attempt_at <= when)
    rows = [
        r
        for r in session.scalars(query.order_by(Notification.due_at, Notification.id))
        if (r.kind == ALERT) == (row.kind == ALERT)
        and bool(r.payload.get("digest")) == bool(row.payload.get("digest"))
    ]
    return rows if row in rows else [row, *rows]


def outbox_email(session: Session, row: Notification, sender: str, now: datetime) -> Email:
    """The email a row went out in, or will go out in if it is sent now or when due."""
    when = row.sent_at or max(row.next_attempt_at, row.due_at, now)
    return compose(session, _group_of(session, row, when), sender, when)


def outbox_subject(session: Session, row: Notification, sender: str, now: datetime) -> str:
    try:
        return outbox_email(session, row, sender, now).rendered.subject
    except (LookupError, ValueError, AttributeError, StopIteration) as exc:
        # A row whose decision or event is gone still lists; it says why it has no subject.
        return f"(cannot compose: {type(exc).__name__})"


def outbox_preview(
    session: Session, start: date, end: date, sender: str, now: datetime
) -> list[PreviewEmail]:
    """What the real outbox will send from ``start`` to ``end`` (UTC days), as it will be sent."""
    window_start = datetime.combine(start, time(0, 0), tzinfo=UTC)
    window_end = datetime.combine(end, time(0, 0), tzinfo=UTC) + timedelta(days=1)
    rows = session.scalars(
        select(Notification)
        .where(Notification.status.in_(UNSENT), Notification.next_attempt_at < window_end)
        .order_by(Notification.next_attempt_at, Notification.id)
    )
    by_time: dict[datetime, list[Notification]] = {}
    for row in rows:
        send_at = max(row.next_attempt_at, now)
        if send_at >= window_start:
            by_time.setdefault(send_at, []).append(row)
    out: list[PreviewEmail] = []
    for send_at, due in by_time.items():
        for group in group_rows(due):
            contact = session.get(Contact, group[0].contact_id)
            assert contact is not None
            email = compose(session, group, sender, send_at)
            local = f"{send_at.astimezone(ZoneInfo(contact.timezone)):%H:%M} {contact.timezone}"
            out.append(
                PreviewEmail(
                    send_at,
                    local,
                    f"{contact.name} <{contact.email}>",
                    email.rendered.subject,
                    group[0].kind,
                    email.message,
                )
            )
    return out


_SHOWN = ("Subject", "From", "To", "Reply-To", "Date", "Message-ID", "Auto-Submitted")


def readable_email(message: EmailMessage) -> str:
    """Headers decoded, the text part, and the attachments named: what a reader sees."""
    lines = [f"{name}: {message[name]}" for name in _SHOWN if message[name] is not None]
    body = message.get_body(preferencelist=("plain",))
    lines.append("")
    lines.append(body.get_content().rstrip() if body is not None else "(no text part)")
    for part in message.iter_attachments():
        lines.append(f"[attached: {part.get_filename()} ({part.get_content_type()})]")
    return "\n".join(lines)
