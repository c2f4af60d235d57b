"""The SMTP receiver for inbound logging (aiosmtpd), run by ``baton activities_worker``.

Only mail for an active user's ``log+<secret>@BATON_INBOUND_DOMAIN`` is accepted (unknown secrets are
refused at RCPT); unreadable or oversized mail is rejected at the SMTP level with a reason, so the
sending server bounces it instead of losing it. Senders and client addresses are rate-limited and the
review queue has a storage cap (see ``inbound_limits.py``).
"""

from __future__ import annotations

import asyncio
import logging

from aiosmtpd.controller import Controller
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import close_old_connections, connection

from baton.activities.inbound_limits import RateLimiter, ReviewQueueFull, user_for_token
from baton.activities.mail.incoming import InboundError, _token_of, log_inbound_email
from baton.activities.mail.routes import route_for
from baton.core import events
from baton.core.audit import audit_context, new_job_id

log = logging.getLogger(__name__)


def _log_sync(raw: bytes, rcpt_tos: list[str]):
    close_old_connections()
    try:
        with audit_context(job_id=new_job_id(), source="task"):
            return log_inbound_email(raw, rcpt_tos=rcpt_tos)
    finally:
        connection.close()


def _known_token(address: str) -> bool:
    close_old_connections()
    try:
        return user_for_token(_token_of(address)) is not None
    finally:
        connection.close()


def _arriving(client: str, sender: str) -> bool:
    """False while the client is locked out (the security app answers ``inbound_mail_arriving``)."""
    close_old_connections()
    try:
        events.inbound_mail_arriving.emit(events.InboundMail(client, sender))
        return True
    except PermissionDenied:
        return False
    finally:
        connection.close()


def _refused(client: str, sender: str) -> None:
    """Announce a refused logging address: repeated guesses lock the client out (security app)."""
    close_old_connections()
    try:
        events.inbound_mail_refused.emit(events.InboundMail(client, sender))
    except Exception:
        log.exception("a refused logging address could not be counted")
    finally:
        connection.close()


class LoggingHandler:
    def __init__(self) -> None:
        self.per_sender = RateLimiter(settings.BATON_INBOUND_RATE_PER_SENDER)
        self.per_client = RateLimiter(settings.BATON_INBOUND_RATE_PER_CLIENT)

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        client = str(session.peer[0]) if session.peer else "?"
        sender = address.strip().lower()[:254]
        # Check both before counting either, so a refused message uses up neither allowance.
        if not self.per_sender.allow(sender, dry_run=True):
            return "450 4.7.1 Too many messages from this sender, try again later"
        if not self.per_client.allow(client):
            return "450 4.7.1 Too many messages from this address, try again later"
        loop = asyncio.get_running_loop()
        try:
            allowed = await loop.run_in_executor(None, _arriving, client, sender)
        except Exception:
            log.exception("the inbound lockout could not be checked")
            return "451 4.3.0 Temporary failure, try again later"
        if not allowed:
            return "450 4.7.1 Too many unknown logging addresses from this address, try again later"
        self.per_sender.allow(sender)
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        loop = asyncio.get_running_loop()
        client = str(session.peer[0]) if session.peer else "?"
        sender = (envelope.mail_from or "").strip().lower()[:254]
        if _token_of(address) is None:
            if route_for(address) is not None:  # an address another app answers for (support)
                envelope.rcpt_tos.append(address)
                return "250 OK"
            await loop.run_in_executor(None, _refused, client, sender)
            return "550 5.1.1 Not a Baton logging address"
        try:
            known = await loop.run_in_executor(None, _known_token, address)
        except Exception:
            log.exception("logging address could not be checked")
            return "451 4.3.0 Temporary failure, try again later"
        if not known:
            await loop.run_in_executor(None, _refused, client, sender)
            return "550 5.1.1 No such logging address"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        raw = envelope.original_content or envelope.content or b""
        loop = asyncio.get_running_loop()
        try:
            stored = await loop.run_in_executor(None, _log_sync, raw, list(envelope.rcpt_tos))
        except InboundError as exc:
            return f"550 5.6.0 {exc}"
        except ReviewQueueFull:
            return "452 4.3.1 The review queue is full, try again later"
        except Exception:  # a bug or the database down: ask the sender to retry later
            log.exception("inbound mail could not be stored")
            return "451 4.3.0 Temporary failure, try again later"
        return f"250 2.0.0 Logged ({stored.get_status_display()})"


def start_receiver(host: str, port: int) -> Controller:
    controller = Controller(
        LoggingHandler(),
        hostname=host,
        port=port,
        data_size_limit=settings.BATON_INBOUND_MAX_BYTES,
        ready_timeout=10,
    )
    controller.start()
    return controller
