"""Signed links: what an email lets its reader do without logging in.

A link carries a token signed with the secret key (itsdangerous, HMAC-SHA1 over a compact
JSON payload). Each token names one action, one contact and, where it applies, one case,
decision and deadline, plus a random id and an expiry. The expiry is checked against ``now``
given by the caller (time is a parameter), not read from a clock here. Single use is kept in
the database (``LinkUse``, by the random id): the token itself is never stored or logged.

The calendar feed's token has no expiry and no random id: its address must stay the same for
as long as a calendar application polls it. It carries the contact's feed generation instead
(``Contact.calendar_generation``): `monitor calendar-url CONTACT --rotate` raises it, and the
old address is refused while every other link still works. Rotating ``MONITOR_SECRET_KEY``
revokes every link.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from itsdangerous import BadSignature, URLSafeSerializer

from monitor.errors import MonitorError

if TYPE_CHECKING:
    from monitor.models import Decision

EXECUTED = "executed"
APPEALED = "appealed"
ACK = "ack"
STOP_CASE = "stop_case"
MY_DEADLINES = "my_deadlines"
UNSUBSCRIBE = "unsubscribe"
CALENDAR = "calendar"
LOGIN = "login"
# Links that open a page with one button that records something.
ANSWERS = (EXECUTED, APPEALED, ACK, STOP_CASE)

LIFETIME: dict[str, timedelta | None] = {
    EXECUTED: timedelta(days=60),
    APPEALED: timedelta(days=60),
    ACK: timedelta(days=60),
    STOP_CASE: timedelta(days=180),
    MY_DEADLINES: timedelta(days=60),
    UNSUBSCRIBE: timedelta(days=180),
    CALENDAR: None,
    LOGIN: timedelta(minutes=15),
}
_PATHS = {
    **dict.fromkeys(ANSWERS, "/a/"),
    MY_DEADLINES: "/me/",
    UNSUBSCRIBE: "/u/",
    LOGIN: "/login/",
}


class LinkError(MonitorError):
    """A link that cannot be honoured. ``reason``: tampered, expired, wrong_scope or replaced
    (a calendar address given up by `monitor calendar-url --rotate`). ``contact_id`` is the
    contact a genuine token names (None when it is tampered), so that the refusal can be
    worded in their language."""

    def __init__(self, reason: str, contact_id: int | None = None) -> None:
        super().__init__(f"link refused: {reason}")
        self.reason = reason
        self.contact_id = contact_id


@dataclass(frozen=True)
class Claim:
    """What a verified token says."""

    action: str
    contact_id: int
    case_id: int | None = None
    decision_id: int | None = None
    deadline_kind: str | None = None
    nonce: str = ""
    expires: int | None = None  # Unix seconds
    # Calendar feeds only: the contact's feed generation the address was made for.
    generation: int = 0


@dataclass(frozen=True)
class Links:
    base_url: str
    secret: str = field(repr=False)

    def _serializer(self) -> URLSafeSerializer:
        return URLSafeSerializer(self.secret, salt="monitor-link")

    def token(
        self,
        action: str,
        contact_id: int,
        now: datetime,
        *,
        case_id: int | None = None,
        decision_id: int | None = None,
        deadline_kind: str | None = None,
        generation: int = 0,
    ) -> str:
        lifetime = LIFETIME[action]
        expires = int((now + lifetime).timestamp()) if lifetime is not None else None
        nonce = "" if action == CALENDAR else secrets.token_urlsafe(12)
        payload: list[Any] = [action, contact_id, case_id, decision_id, deadline_kind, nonce]
        payload.append(expires)
        if generation:
            # Only a rotated feed carries it: addresses made before rotation existed still work.
            payload.append(generation)
        token: str = self._serializer().dumps(payload)
        return token

    def url(self, action: str, contact_id: int, now: datetime, **scope: Any) -> str:
        token = self.token(action, contact_id, now, **scope)
        if action == CALENDAR:
            return f"{self.base_url}/calendar/{token}.ics"
        return f"{self.base_url}{_PATHS[action]}{token}"

    def verify(self, token: str, now: datetime, actions: tuple[str, ...]) -> Claim:
        """The claim of a genuine, unexpired token for one of ``actions``; else LinkError."""
        try:
            payload = self._serializer().loads(token)
            action, contact_id, case_id, decision_id, deadline_kind, nonce, expires = payload[:7]
            (generation,) = payload[7:] or [0]
            claim = Claim(
                action=str(action),
                contact_id=int(contact_id),
                case_id=case_id,
                decision_id=decision_id,
                deadline_kind=deadline_kind,
                nonce=str(nonce),
                expires=expires,
                generation=int(generation),
            )
        except (BadSignature, ValueError, TypeError):
            raise LinkError("tampered") from None
        if claim.action not in actions:
            raise LinkError("wrong_scope", claim.contact_id)
        if claim.expires is not None and now.timestamp() > claim.expires:
            raise LinkError("expired", claim.contact_id)
        return claim


_current: Links | None = None


def configure(base_url: str | None, secret: str | None) -> Links | None:
    """Set the links every email of this process carries; no base URL, no links."""
    global _current
    _current = Links(base_url.rstrip("/"), secret) if base_url and secret else None
    return _current


def current() -> Links | None:
    return _current


def unsubscribe_headers(url: str) -> dict[str, str]:
    """RFC 8058 one-click unsubscribe: mail clients POST to the URL, no page in between."""
    return {"List-Unsubscribe": f"<{url}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}


_WORDS: dict[str, dict[str, str]] = {
    EXECUTED: {"en": "It was carried out", "ru": "Решение исполнено"},
    APPEALED: {"en": "An appeal was lodged", "ru": "Подана жалоба"},
    ACK: {
        "en": "Got it, stop reminding me of this deadline",
        "ru": "Понятно, больше не напоминать об этом сроке",
    },
    STOP_CASE: {
        "en": "Stop all emails about this case",
        "ru": "Больше не присылать писем по этому делу",
    },
    MY_DEADLINES: {"en": "My deadlines", "ru": "Мои сроки"},
    CALENDAR: {
        "en": "Your deadlines in your own calendar (subscribe to this address)",
        "ru": "Ваши сроки в вашем календаре (подпишитесь на этот адрес)",
    },
    "heading": {"en": "Answer with one click", "ru": "Ответить одним нажатием"},
}

# Which answers each kind of email offers, besides "stop" and "my deadlines".
_OFFERS: dict[str, tuple[str, ...]] = {
    "in_force_reminder": (APPEALED, ACK),
    "appeal_reminder": (APPEALED, ACK),
    "confirm_execution": (EXECUTED, APPEALED),
    "execution_escalation": (EXECUTED, APPEALED),
}


def word(key: str, language: str) -> str:
    entry = _WORDS[key]
    return entry.get(language) or entry["en"]


@dataclass(frozen=True)
class EmailLinks:
    """The links of one email, for its templates (``as_context``) and its headers."""

    heading: str
    actions: list[dict[str, str]]
    calendar: dict[str, str]
    unsubscribe_url: str

    def as_context(self) -> dict[str, Any]:
        return {
            "heading": self.heading,
            "items": self.actions,
            "calendar": self.calendar,
            "unsubscribe": self.unsubscribe_url,
        }

    def headers(self) -> dict[str, str]:
        return unsubscribe_headers(self.unsubscribe_url)


def email_links(
    links: Links,
    *,
    contact_id: int,
    language: str,
    kind: str,
    now: datetime,
    case_id: int | None = None,
    decision_id: int | None = None,
    deadline_kind: str | None = None,
    executed: bool = False,
    appealed: bool = False,
    calendar_generation: int = 0,
) -> EmailLinks:
    """Each link scoped to this contact and this case, decision or deadline."""
    actions: list[dict[str, str]] = []
    for action in _OFFERS.get(kind, ()) if decision_id is not None else ():
        if (action == EXECUTED and executed) or (action == APPEALED and appealed):
            continue
        scope: dict[str, Any] = {"case_id": case_id, "decision_id": decision_id}
        if action == ACK:
            scope["deadline_kind"] = deadline_kind
        actions.append(
            {"label": word(action, language), "url": links.url(action, contact_id, now, **scope)}
        )
    if case_id is not None:
        actions.append(
            {
                "label": word(STOP_CASE, language),
                "url": links.url(STOP_CASE, contact_id, now, case_id=case_id),
            }
        )
    actions.append(
        {"label": word(MY_DEADLINES, language), "url": links.url(MY_DEADLINES, contact_id, now)}
    )
    return EmailLinks(
        heading=word("heading", language),
        actions=actions,
        calendar={
            "label": word(CALENDAR, language),
            "url": links.url(CALENDAR, contact_id, now, generation=calendar_generation),
        },
        unsubscribe_url=links.url(UNSUBSCRIBE, contact_id, now, case_id=case_id),
    )


def for_email(
    contact_id: int,
    language: str,
    kind: str,
    now: datetime,
    *,
    case_id: int | None = None,
    decision: Decision | None = None,
    deadline_kind: str | None = None,
    calendar_generation: int = 0,
) -> EmailLinks | None:
    """The links of one email, or None when no base URL is configured."""
    links = current()
    if links is None:
        return None
    return email_links(
        links,
        contact_id=contact_id,
        language=language,
        kind=kind,
        now=now,
        case_id=case_id,
        decision_id=decision.id if decision is not None else None,
        deadline_kind=deadline_kind,
        executed=decision is not None and decision.executed_on is not None,
        appealed=decision is not None and decision.appealed_on is not None,
        calendar_generation=calendar_generation,
    )
