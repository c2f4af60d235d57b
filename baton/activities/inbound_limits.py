"""Limits of inbound logging: which logging addresses exist, how fast one sender or one client may
send, and how much the review queue may hold.

- A logging address ``log+<token>@BATON_INBOUND_DOMAIN`` is accepted only when the token is an
  active user's (``PersonalKeys.mail_token``); anything else is refused at RCPT, so a guessed or
  mistyped address bounces instead of filling a queue.
- ``RateLimiter`` counts messages per envelope sender and per client address over a sliding hour
  (``BATON_INBOUND_RATE_PER_SENDER`` / ``BATON_INBOUND_RATE_PER_CLIENT``); over the limit the
  receiver answers 450 and well-behaved servers retry later. The counts live in the receiver's
  process (one receiver per deployment runs in the activities worker).
- Mail that lands in the review queue counts against ``BATON_INBOUND_REVIEW_MAX_MB`` (bodies and
  attachments of every message awaiting review); when full, new review mail is refused with a
  temporary 452 until someone works through the queue. Mail matched to a contact is not held back.
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict, deque

from django.conf import settings
from django.db.models import Sum
from django.db.models.functions import Length

from baton.activities.models import Attachment, EmailMessage, PersonalKeys
from baton.core.models import User

WINDOW_SECONDS = 3600


class ReviewQueueFull(Exception):
    """The review queue holds BATON_INBOUND_REVIEW_MAX_MB already; the sender should retry later."""


def user_for_token(token: str | None) -> User | None:
    """The active user whose logging address carries ``token``, or None."""
    if not token or len(token) > 64:
        return None
    keys = PersonalKeys.objects.select_related("user").filter(mail_token=token).first()
    if keys is None or not keys.user.is_active:
        return None
    return keys.user


def review_queue_bytes() -> int:
    """Bytes held by mail awaiting review: text and HTML bodies and attachment files."""
    waiting = EmailMessage.objects.filter(status=EmailMessage.Status.REVIEW)
    bodies = waiting.aggregate(n=Sum(Length("body_text")) + Sum(Length("body_html")))["n"] or 0
    files = Attachment.objects.filter(email__in=waiting).aggregate(n=Sum("size"))["n"] or 0
    return int(bodies) + int(files)


def check_review_room(incoming_bytes: int) -> None:
    limit = settings.BATON_INBOUND_REVIEW_MAX_MB * 1024 * 1024
    if review_queue_bytes() + incoming_bytes > limit:
        raise ReviewQueueFull("The review queue is full.")


class RateLimiter:
    """At most ``limit`` events per key in a sliding window (thread-safe; in memory)."""

    def __init__(self, limit: int, window: float = WINDOW_SECONDS):
        self.limit = limit
        self.window = window
        self._events: dict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def _current(self, key: str, now: float) -> deque[float]:
        events = self._events[key]
        while events and events[0] <= now - self.window:
            events.popleft()
        return events

    def allow(self, key: str, *, now: float | None = None, dry_run: bool = False) -> bool:
        """Count one event for ``key``; False (and nothing counted) when it is at its limit. With
        ``dry_run`` only say whether it would be allowed."""
        now = time.monotonic() if now is None else now
        with self._lock:
            if len(self._current(key, now)) >= self.limit:
                return False
            if not dry_run:
                self._events[key].append(now)
            if len(self._events) > 100_000:  # forget idle keys so the table cannot grow without bound
                for stale in [k for k, v in self._events.items() if not v or v[-1] <= now - self.window]:
                    del self._events[stale]
            return True
