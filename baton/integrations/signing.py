"""Webhook signatures: ``X-Baton-Signature: sha256=<hex>``, the HMAC-SHA256 of ``"<timestamp>.<body>"``
with the endpoint's secret; the timestamp (Unix seconds) is sent in ``X-Baton-Timestamp`` so a receiver
can refuse replays. README's "Webhooks" section shows how to verify it."""

from __future__ import annotations

import hashlib
import hmac

SIGNATURE_HEADER = "X-Baton-Signature"
TIMESTAMP_HEADER = "X-Baton-Timestamp"
EVENT_HEADER = "X-Baton-Event"
DELIVERY_HEADER = "X-Baton-Delivery"


def sign(secret: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def verify(
    secret: str, timestamp: int, body: bytes, signature: str, *, now: int, tolerance: int = 300
) -> bool:
    """What a receiver does: the signature matches and the timestamp is recent."""
    if abs(now - timestamp) > tolerance:
        return False
    return hmac.compare_digest(sign(secret, timestamp, body), signature)
