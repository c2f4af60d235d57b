"""In-process events: how a lower app announces something to the apps built on top of it.

Baton's apps depend in one direction (core ← accounts ← leads ← deals ← process, scoring,
activities, delivery, insights ← demo). A lower app never imports a higher one; when a higher app
must react to a lower app's write (follower notifications, process stays, rescoring), the lower app
*emits* an event declared here and the higher app *subscribes* to it in its ``AppConfig.ready()``.

Rules, kept small on purpose:

- Every event is declared in this module with a frozen dataclass payload, so a reader finds the
  whole list of cross-app announcements in one file and mypy checks both ends.
- ``emit`` calls the subscribers synchronously, in subscription order, inside the caller's
  transaction: a subscriber that raises rolls the whole write back. Work that must not slow the
  write (e-mail, rescoring) is deferred by the subscriber itself with ``transaction.on_commit``.
- A subscriber must not emit the event it handles (no re-entrant chains): ``emit`` refuses it.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

T = TypeVar("T")

_active = threading.local()
_held = threading.local()  # {(event name, handler): payloads held back by ``deferring``}


class Event(Generic[T]):
    """A named announcement with a typed payload and an ordered list of subscribers."""

    def __init__(self, name: str, doc: str) -> None:
        self.name = name
        self.__doc__ = doc
        self._subscribers: list[Callable[[T], None]] = []
        REGISTRY[name] = self

    def subscribe(self, handler: Callable[[T], None]) -> Callable[[T], None]:
        """Add ``handler`` (idempotent: ``ready()`` may run twice in tests). Usable as a decorator."""
        if handler not in self._subscribers:
            self._subscribers.append(handler)
        return handler

    def unsubscribe(self, handler: Callable[[T], None]) -> None:
        if handler in self._subscribers:
            self._subscribers.remove(handler)

    @property
    def subscribers(self) -> tuple[Callable[[T], None], ...]:
        return tuple(self._subscribers)

    def emit(self, payload: T) -> None:
        """Call every subscriber with ``payload``, inside the caller's transaction."""
        running: set[str] = getattr(_active, "names", None) or set()
        if self.name in running:
            raise RuntimeError(f"event {self.name!r} emitted again by one of its own subscribers")
        running.add(self.name)
        _active.names = running
        held: dict[tuple[str, Any], list[Any]] = getattr(_held, "table", None) or {}
        try:
            for handler in list(self._subscribers):
                kept = held.get((self.name, handler))
                if kept is not None:
                    kept.append(payload)
                    continue
                handler(payload)
        finally:
            running.discard(self.name)

    def __repr__(self) -> str:
        return f"<Event {self.name}: {len(self._subscribers)} subscriber(s)>"


REGISTRY: dict[str, Event[Any]] = {}


@contextlib.contextmanager
def deferring(event: Event[T], handler: Callable[[T], None]) -> Iterator[list[T]]:
    """Inside the block, ``handler`` is not called when ``event`` is emitted on this thread: the payloads
    are appended to the yielded list instead, for the caller to handle in one batch before its
    transaction commits (an import places a chunk's new leads in the process together). The caller
    owns the consequences: it must do the handler's work for every payload it keeps, and drop the
    payloads of work it rolled back."""
    table: dict[tuple[str, Any], list[Any]] | None = getattr(_held, "table", None)
    if table is None:
        table = _held.table = {}
    key = (event.name, handler)
    if key in table:
        raise RuntimeError(f"{handler!r} is already deferred for event {event.name!r}")
    kept: list[T] = []
    table[key] = kept
    try:
        yield kept
    finally:
        table.pop(key, None)


# --- Payloads and events. Add new ones below, each with its payload right above it. ---


@dataclass(frozen=True)
class RecordChange:
    """A lead, account, contact or opportunity was written; ``change`` is its ChangeLog row (or None)."""

    instance: Any
    change: Any = None


record_changed: Event[RecordChange] = Event(
    "record_changed",
    "A core CRM record was created or updated (followers are told after the commit).",
)


@dataclass(frozen=True)
class LeadChange:
    """A lead was created or updated, or an interaction was logged on it (its facts may have changed).

    Emitted by ``leads.services`` inside the write's transaction; scoring rescores the lead (and the
    process app may place, recycle or advance it). ``actor`` is the user who wrote, or None.
    """

    lead: Any
    actor: Any = None
    at: Any = None  # the time the write is recorded as (None: the subscriber's "now")
    created: bool = False  # the write created the lead


lead_changed: Event[LeadChange] = Event(
    "lead_changed",
    "A lead or its interactions changed; higher apps recompute what they derive from its facts.",
)


@dataclass(frozen=True)
class LeadConversion:
    """A lead was converted (``opportunity`` is None when none was created), inside the conversion's
    transaction; the process continues the lead's flow on the opportunity as of ``at``."""

    lead: Any
    opportunity: Any = None
    actor: Any = None
    at: Any = None


lead_converted: Event[LeadConversion] = Event(
    "lead_converted",
    "A lead became an account, a contact and maybe an opportunity; the process moves its flow over.",
)


@dataclass(frozen=True)
class Notice:
    """Tell ``user_ids`` something in their bell (the activities app stores and delivers it). ``text``
    is a ``core.i18n_text.Msg`` (rendered in each reader's language) or plain text."""

    user_ids: tuple[int, ...]
    kind: str
    text: Any
    actor: Any = None
    url: str = ""


notice: Event[Notice] = Event(
    "notice",
    "A lower app has something to tell people in their bell (approval steps, hand-offs, …).",
)


@dataclass(frozen=True)
class RequestAsked:
    """Someone asked a colleague for something on ``record`` (e.g. a deal-team request): the activities
    app turns it into a task on the assignee's list and a feed item, and stores that task on
    ``request.activity`` (``request`` is the asking app's row, with an ``activity`` foreign key)."""

    request: Any
    record: Any
    actor: Any
    assignee: Any
    subject: str
    body: str
    due_at: Any


request_asked: Event[RequestAsked] = Event(
    "request_asked",
    "A colleague was asked for something on a record; it becomes their task (same transaction).",
)


@dataclass(frozen=True)
class MailSending:
    """A mail about ``record`` to ``recipients`` is about to be queued; ``marketing`` says it is a
    marketing mail. A subscriber refuses it by raising ``ValidationError`` (nothing is written)."""

    record: Any
    recipients: tuple[str, ...]
    marketing: bool
    actor: Any = None


mail_sending: Event[MailSending] = Event(
    "mail_sending",
    "A mail to customers is about to be queued (the privacy app refuses marketing mail without consent).",
)


@dataclass(frozen=True)
class DataExport:
    """``user`` downloaded ``rows`` rows of ``what`` (a CSV of a report, the forecast's deals, …)."""

    user: Any
    what: str
    rows: int
    kind: str = "csv"


data_exported: Event[DataExport] = Event(
    "data_exported",
    "Records were exported (downloaded) by a user; the privacy app logs who took what, when.",
)


@dataclass(frozen=True)
class OpportunityStageChange:
    """An opportunity was created, edited or moved by ``deals.services`` (the one writer of its stage).

    ``previous_stage_id`` is None for a new opportunity and equals the current stage when an edit left
    the stage alone (the owner or team may have changed). ``at`` is the time the write is recorded as
    (None: the subscriber's "now"). ``move`` is what the caller passed to ``move_opportunity(...,
    move=...)`` untouched: a higher app that starts a move (the process) describes it there and reads
    it back in its subscriber, so both sides are written in the same function call and transaction.
    """

    opportunity: Any
    actor: Any
    previous_stage_id: int | None
    at: Any = None
    note: str = ""
    move: Any = None


opportunity_stage_changed: Event[OpportunityStageChange] = Event(
    "opportunity_stage_changed",
    "An opportunity was created, edited or moved; the process keeps its stays in step (same transaction).",
)


@dataclass(frozen=True)
class ActivityCreated:
    """An activity (task, event, call, e-mail, note, minutes) was created by ``activities.services``,
    including a logged inbound e-mail; emitted inside the write's transaction."""

    activity: Any
    actor: Any = None


activity_created: Event[ActivityCreated] = Event(
    "activity_created",
    "An activity was created (also a logged inbound e-mail); automation looks at its rules after the commit.",
)


@dataclass(frozen=True)
class InboundMail:
    """A mail server at ``client`` (its IP address) delivers mail from ``sender`` to a logging address."""

    client: str
    sender: str = ""


inbound_mail_arriving: Event[InboundMail] = Event(
    "inbound_mail_arriving",
    "A mail server starts a message for the inbound logging receiver; a subscriber refuses it by raising "
    "PermissionDenied (the security app, while the client address is locked out).",
)
inbound_mail_refused: Event[InboundMail] = Event(
    "inbound_mail_refused",
    "The inbound logging receiver refused an unknown logging address; the security app counts it per "
    "client address and locks a guesser out like a wrong password.",
)
