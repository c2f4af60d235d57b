"""Inbound addresses other apps answer for (a support address that opens cases, say): an app registers
a route in its ``ready()``; the SMTP receiver accepts mail for any address a route claims and hands
the parsed message to it. Mail for a user's ``log+<secret>`` address is never routed here."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class InboundMail:
    """A received message, parsed once by ``incoming`` (subject and file names already cleaned)."""

    sender: str
    to_addrs: list[str]
    cc_addrs: list[str]
    subject: str
    message_id: str
    references: list[str]  # In-Reply-To and References, oldest first
    text: str
    html: str
    files: list[tuple[str, bytes]] = field(default_factory=list)  # the kept attachments
    attachments_skipped: bool = False


# (does the address belong to the route?, deliver the message) — deliver returns the stored
# ``EmailMessage`` (the receiver reports its status to the sending server).
Route = tuple[Callable[[str], bool], Callable[[InboundMail], Any]]
_ROUTES: list[Route] = []


def register_inbound_route(accepts: Callable[[str], bool], deliver: Callable[[InboundMail], Any]) -> None:
    if (accepts, deliver) not in _ROUTES:
        _ROUTES.append((accepts, deliver))


def route_for(address: str) -> Callable[[InboundMail], Any] | None:
    clean = address.strip().strip("<>").lower()
    for accepts, deliver in _ROUTES:
        if accepts(clean):
            return deliver
    return None
