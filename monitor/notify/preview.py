"""`monitor preview`: every email the current config would send between two dates.

The catalog is synced into a scratch in-memory database and the emails are composed by the
same code the dispatcher uses, so the preview shows exactly what would be sent; the real
database and its outbox are not touched.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from email.message import EmailMessage
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import create_engine, select
from sqlalchemy.pool import StaticPool

from monitor.catalog import Catalog
from monitor.db import session_scope
from monitor.models import Base, Contact, Notification
from monitor.notify.compose import compose
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
