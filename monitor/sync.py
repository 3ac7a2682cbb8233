"""Apply the catalog to the database, in the caller's transaction.

- What config adds is added; what it changes is changed; what it no longer lists is archived
  (history kept, no more reminders), and restored if it comes back.
- A second run with the same config changes nothing.
- Facts (appealed_on, executed_on) written in config are applied; a fact recorded with
  `monitor record` is kept when config says nothing about it.
- Decisions found by polling sources (origin "source") are never archived by sync.
Deadlines are recomputed for every watched decision, and reminders replanned.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from monitor import events
from monitor.catalog import CaseSpec, Catalog, DecisionSpec
from monitor.decisions import safe_refresh
from monitor.models import Base, Case, Contact, Decision, Source, Subscription
from monitor.notify.plan import plan_reminders


@dataclass
class SyncReport:
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    archived: list[str] = field(default_factory=list)
    restored: list[str] = field(default_factory=list)
    deadlines: list[str] = field(default_factory=list)
    reminders_planned: int = 0
    reminders_skipped: int = 0
    reminders_cancelled: int = 0
    reminders_restored: int = 0

    @property
    def unchanged(self) -> bool:
        return not (
            self.added
            or self.changed
            or self.archived
            or self.restored
            or self.deadlines
            or self.reminders_planned
            or self.reminders_skipped
            or self.reminders_cancelled
            or self.reminders_restored
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "added": self.added,
            "changed": self.changed,
            "archived": self.archived,
            "restored": self.restored,
            "deadlines": self.deadlines,
            "reminders": {
                "planned": self.reminders_planned,
                "skipped": self.reminders_skipped,
                "cancelled": self.reminders_cancelled,
                "restored": self.reminders_restored,
            },
        }


M = TypeVar("M", bound=Base)


def _apply(row: Any, values: dict[str, Any]) -> list[str]:
    """Set attributes that differ; return the names of those that changed."""
    changed = []
    for name, value in values.items():
        if getattr(row, name) != value:
            setattr(row, name, value)
            changed.append(name)
    return changed


def _case_values(spec: CaseSpec) -> dict[str, Any]:
    return {
        "title": spec.title,
        "label": spec.label,
        "jurisdiction": spec.jurisdiction,
        "people": list(spec.people),
        "aliases": list(spec.aliases),
        "case_numbers": list(spec.case_numbers),
        "match_terms": list(spec.match_terms),
        "notes": spec.notes,
    }


def _decision_values(spec: DecisionSpec) -> dict[str, Any]:
    values: dict[str, Any] = {
        "decided_on": spec.decided_on,
        "served_on": spec.served_on,
        "court": spec.court,
        "kind": spec.kind,
        "quote": spec.quote,
        "rule": spec.rule,
        "rule_options": dict(spec.rule_options),
        "in_force_explicit": spec.in_force_explicit,
        "execution_grace_days": spec.execution_grace_days,
        "source_url": spec.source_url,
    }
    if spec.appealed_on is not None:
        values["appealed_on"] = spec.appealed_on
    if spec.executed_on is not None:
        values["executed_on"] = spec.executed_on
    return values


class _Sync:
    def __init__(self, session: Session, now: datetime, report: SyncReport) -> None:
        self.session = session
        self.now = now
        self.report = report

    def archive(self, row: Any, label: str, case: Case | None = None) -> None:
        if row.archived_at is None:
            row.archived_at = self.now
            row.updated_at = self.now
            self.report.archived.append(label)
            if isinstance(row, Case):
                events.record_event(
                    self.session,
                    self.now,
                    events.CASE_ARCHIVED,
                    f"{label}: no longer in config",
                    case=row,
                )

    def upsert(
        self, row: M | None, model: type[M], label: str, values: dict[str, Any], **identity: Any
    ) -> M:
        if row is None:
            row = model(**identity, **values, created_at=self.now, updated_at=self.now)
            self.session.add(row)
            self.report.added.append(label)
            return row
        changed = _apply(row, values)
        if getattr(row, "archived_at", None) is not None:
            row.archived_at = None  # type: ignore[attr-defined]
            self.report.restored.append(label)
            changed.append("restored")
        if changed:
            row.updated_at = self.now  # type: ignore[attr-defined]
            if "restored" not in changed or len(changed) > 1:
                self.report.changed.append(
                    f"{label} ({', '.join(c for c in changed if c != 'restored')})"
                )
        return row


def sync_catalog(session: Session, catalog: Catalog, now: datetime) -> SyncReport:
    """Make the database say what the catalog says. The caller commits (or rolls back)."""
    report = SyncReport()
    if session.get_bind().dialect.name == "postgresql":
        # Several workers starting at once each sync the catalog: one at a time, or two of them
        # would insert the same new contact and one would fail on the unique key.
        session.execute(text("SELECT pg_advisory_xact_lock(72120001)"))
    sync = _Sync(session, now, report)

    contacts = {c.key: c for c in session.scalars(select(Contact))}
    for key, contact_spec in catalog.contacts.items():
        values = {
            "name": contact_spec.name,
            "email": contact_spec.email,
            "language": contact_spec.language,
            "timezone": contact_spec.timezone,
        }
        contacts[key] = sync.upsert(contacts.get(key), Contact, f"contact {key}", values, key=key)
    for key, contact in contacts.items():
        if key not in catalog.contacts:
            sync.archive(contact, f"contact {key}")

    cases = {c.key: c for c in session.scalars(select(Case))}
    for key, spec in catalog.cases.items():
        is_new = key not in cases
        case = sync.upsert(cases.get(key), Case, f"case {key}", _case_values(spec), key=key)
        cases[key] = case
        session.flush()
        if is_new:
            events.record_event(
                session, now, events.CASE_ADDED, f"case {key} added from {spec.file}", case=case
            )
        _sync_decisions(sync, case, spec)
        _sync_subscriptions(sync, case, spec, contacts)
    for key, case in cases.items():
        if key not in catalog.cases:
            sync.archive(case, f"case {key}")

    sources = {s.key: s for s in session.scalars(select(Source))}
    for key, source_spec in catalog.sources.items():
        source_values: dict[str, Any] = {
            "kind": source_spec.kind,
            "url": source_spec.url,
            "interval_seconds": source_spec.interval_seconds,
            "settings": {**source_spec.settings, "case": source_spec.case},
        }
        sync.upsert(sources.get(key), Source, f"source {key}", source_values, key=key)
    for key, source in sources.items():
        if key not in catalog.sources:
            sync.archive(source, f"source {key}")
    session.flush()

    for case in cases.values():
        if case.archived_at is not None:
            continue
        for decision in case.decisions:
            if decision.archived_at is None:
                report.deadlines.extend(safe_refresh(session, decision, catalog.calendars, now))
    plan = plan_reminders(session, now)
    report.reminders_planned = plan.planned
    report.reminders_skipped = plan.skipped
    report.reminders_cancelled = plan.cancelled
    report.reminders_restored = plan.restored
    return report


def _sync_decisions(sync: _Sync, case: Case, spec: CaseSpec) -> None:
    existing = {d.key: d for d in case.decisions}
    for decision_spec in spec.decisions:
        label = f"decision {case.key}/{decision_spec.key}"
        row = existing.get(decision_spec.key)
        is_new = row is None
        changed_before = len(sync.report.changed)
        decision = sync.upsert(
            row,
            Decision,
            label,
            _decision_values(decision_spec),
            key=decision_spec.key,
            origin="config",
        )
        if is_new:
            case.decisions.append(decision)
            sync.session.flush()
            events.record_event(
                sync.session,
                sync.now,
                events.DECISION_ADDED,
                f"{label} added from {spec.file}",
                decision=decision,
            )
        elif len(sync.report.changed) > changed_before:
            events.record_event(
                sync.session,
                sync.now,
                events.DECISION_CHANGED,
                sync.report.changed[-1],
                decision=decision,
            )
    for key, decision in existing.items():
        wanted = {d.key for d in spec.decisions}
        if key not in wanted and decision.origin == "config":
            sync.archive(decision, f"decision {case.key}/{key}")


def _sync_subscriptions(
    sync: _Sync, case: Case, spec: CaseSpec, contacts: dict[str, Contact]
) -> None:
    existing = {(s.contact.key, s.role): s for s in case.subscriptions}
    for sub in spec.subscriptions:
        label = f"subscription {case.key}: {sub.contact} as {sub.role}"
        values = {
            "offsets": list(sub.offsets),
            "appeal_offsets": list(sub.appeal_offsets),
            "digest": sub.digest,
            "send_time": sub.send_time,
        }
        row = existing.get((sub.contact, sub.role))
        created = sync.upsert(
            row, Subscription, label, values, contact=contacts[sub.contact], role=sub.role
        )
        if row is None:
            case.subscriptions.append(created)
    wanted = {(s.contact, s.role) for s in spec.subscriptions}
    for (contact_key, role), row in existing.items():
        if (contact_key, role) not in wanted:
            sync.archive(row, f"subscription {case.key}: {contact_key} as {role}")
