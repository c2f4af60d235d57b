"""The inbound mail receiver's lockout (issue 16): a mail server that keeps trying logging addresses
that do not exist is guessing tokens, so it is counted and locked out like a wrong password
(``SignInThrottle`` kind *mail*, keyed by the client address; same limits, doubling lock, admin unlock).
The receiver (activities) announces through core events; this app answers."""

from __future__ import annotations

import ipaddress

from django.core.exceptions import PermissionDenied

from baton.core.events import InboundMail
from baton.security import throttle
from baton.security.models import SecurityEvent


def refuse_locked_client(mail: InboundMail) -> None:
    """``inbound_mail_arriving``: refuse a message from a locked-out client address."""
    if not throttle.mail_sender_allowed(mail.client):
        raise PermissionDenied("This address is locked out for repeated unknown logging addresses.")


def count_refused_address(mail: InboundMail) -> None:
    """``inbound_mail_refused``: count the client's guess; log the lockout when it begins."""
    if throttle.register_mail_rejection(mail.client):
        try:
            address: str | None = str(ipaddress.ip_address(mail.client))
        except ValueError:
            address = None
        SecurityEvent.objects.create(
            kind=SecurityEvent.Kind.LOCKOUT,
            address=address,
            username=mail.sender[:150],
            detail="inbound mail client locked (unknown logging addresses)",
        )
