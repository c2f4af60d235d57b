"""Failed-attempt throttling with exponential lockout, kept in a small table (``SignInThrottle``).

One row per (kind, key): a typed username, a client address, an address sending bad API tokens, or a
mail sender. ``BATON_LOGIN_MAX_FAILURES`` failures with less than ``BATON_LOGIN_WINDOW_MINUTES``
between them lock the key for ``BATON_LOGIN_LOCK_SECONDS``; every further failure doubles the lock
(capped at a day). Keys are what the client typed, never a user id, so the answers are the same
whether the account exists or not.

A table instead of django-axes: the rows live in the same database as everything else (no extra
cache to run), every web and worker process sees the same state, and the admin page and API read
them like any other record.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone

from baton.security.models import SignInThrottle

MAX_LOCK = dt.timedelta(days=1)
# A client address gets more tries than one account: offices share one address behind NAT.
ADDRESS_FACTOR = 4
MAX_KEY_LENGTH = 200


@dataclass(frozen=True)
class Outcome:
    """What a failure did: ``locked_now`` is true on the failure that started a lock (not on the ones
    that extend it)."""

    failures: int
    locked_now: bool


def limit_for(kind: str) -> int:
    base: int = settings.BATON_LOGIN_MAX_FAILURES
    if kind in (SignInThrottle.Kind.ADDRESS, SignInThrottle.Kind.TOKEN):
        return base * ADDRESS_FACTOR
    return base


def normalise_key(key: str) -> str:
    return (key or "").strip().lower()[:MAX_KEY_LENGTH]


def client_address(request: HttpRequest) -> str:
    """The client's address: REMOTE_ADDR, or with BATON_PROXY_COUNT trusted proxies the entry of
    X-Forwarded-For that the outermost trusted proxy appended (clients can forge the ones before it)."""
    remote = _valid_ip(request.META.get("REMOTE_ADDR", ""))
    hops: int = settings.BATON_PROXY_COUNT
    if hops:
        forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if a.strip()]
        if len(forwarded) >= hops:
            return _valid_ip(forwarded[-hops]) or remote
    return remote


def _valid_ip(value: str | None) -> str:
    """The address in canonical form, or '' for anything that is not one (it goes into an inet column)."""
    try:
        return str(ipaddress.ip_address((value or "").strip()))
    except ValueError:
        return ""


def locked_until(kind: str, key: str) -> dt.datetime | None:
    key = normalise_key(key)
    if not key:
        return None
    row = SignInThrottle.objects.filter(kind=kind, key=key, locked_until__gt=timezone.now()).first()
    return row.locked_until if row is not None else None


def is_locked(kind: str, key: str) -> bool:
    return locked_until(kind, key) is not None


def register_failure(kind: str, key: str) -> Outcome:
    """Count one failure for the key and lock it when it reaches the limit (then double per failure)."""
    key = normalise_key(key)
    if not key:
        return Outcome(0, False)
    now = timezone.now()
    window = dt.timedelta(minutes=settings.BATON_LOGIN_WINDOW_MINUTES)
    with transaction.atomic():
        row = SignInThrottle.objects.select_for_update().filter(kind=kind, key=key).first()
        if row is None:
            try:
                with transaction.atomic():
                    row = SignInThrottle.objects.create(
                        kind=kind, key=key, failures=0, window_started_at=now, last_failure_at=now
                    )
            except IntegrityError:  # a concurrent first failure made the row
                row = SignInThrottle.objects.select_for_update().get(kind=kind, key=key)
        still_locked = row.locked_until is not None and row.locked_until > now
        if not still_locked and now - row.last_failure_at > window:
            row.failures = 0
            row.window_started_at = now
        row.failures += 1
        row.last_failure_at = now
        limit = limit_for(kind)
        locked_now = False
        if row.failures >= limit:
            base = dt.timedelta(seconds=settings.BATON_LOGIN_LOCK_SECONDS)
            lock = min(base * 2 ** min(row.failures - limit, 20), MAX_LOCK)
            row.locked_until = now + lock
            locked_now = not still_locked
        row.save(update_fields=["failures", "window_started_at", "last_failure_at", "locked_until"])
    return Outcome(row.failures, locked_now)


def clear(kind: str, key: str) -> None:
    """Forget the failures of a key after a successful sign-in (never used for addresses)."""
    key = normalise_key(key)
    if key:
        SignInThrottle.objects.filter(kind=kind, key=key).delete()


# --- for the inbound mail receiver --------------------------------------------------------------


def mail_sender_allowed(sender: str) -> bool:
    """False while the sender (an e-mail address or a client address) is locked for repeated rejects."""
    return not is_locked(SignInThrottle.Kind.MAIL, sender)


def register_mail_rejection(sender: str) -> bool:
    """Count one rejected message (unknown logging address, bad token…); true once the sender is locked."""
    return register_failure(SignInThrottle.Kind.MAIL, sender).locked_now
