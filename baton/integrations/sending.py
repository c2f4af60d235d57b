"""Sending a webhook delivery: claim it, POST the signed payload, log the attempt, then mark it
delivered, schedule the retry (exponential backoff) or park it after the last attempt."""

from __future__ import annotations

import datetime as dt
import json
import time
import urllib.error
import urllib.request
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from baton.integrations import signing
from baton.integrations.models import Attempt, Delivery
from baton.integrations.ssrf import check_target

STALE_CLAIM = dt.timedelta(minutes=10)
SWEEP_BATCH = 500


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect could lead past the SSRF guard: a 3xx answer counts as a failed attempt."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_opener = urllib.request.build_opener(_NoRedirects)


def body_of(delivery: Delivery) -> bytes:
    return json.dumps(delivery.payload, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode()


def backoff(attempts: int) -> dt.timedelta:
    """Wait after the ``attempts``-th failed attempt: RETRY_SECONDS × 2^(attempts-1)."""
    return dt.timedelta(seconds=settings.BATON_WEBHOOK_RETRY_SECONDS * 2 ** (attempts - 1))


def _post(delivery: Delivery) -> tuple[int | None, str, str]:
    """(response code or None, error, start of the response body)."""
    endpoint = delivery.endpoint
    try:
        check_target(endpoint.url)
    except ValidationError as exc:
        return None, "; ".join(exc.messages)[:500], ""
    body = body_of(delivery)
    timestamp = int(time.time())
    request = urllib.request.Request(  # noqa: S310 - the scheme is checked by check_target
        endpoint.url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": "Baton-Webhooks/1",
            signing.EVENT_HEADER: delivery.event,
            signing.DELIVERY_HEADER: str(delivery.uid),
            signing.TIMESTAMP_HEADER: str(timestamp),
            signing.SIGNATURE_HEADER: signing.sign(endpoint.secret, timestamp, body),
        },
    )
    try:
        with _opener.open(request, timeout=settings.BATON_WEBHOOK_TIMEOUT) as response:
            return response.status, "", response.read(500).decode(errors="replace")
    except urllib.error.HTTPError as exc:
        return exc.code, "", exc.read(500).decode(errors="replace")
    except (urllib.error.URLError, OSError, ValueError) as exc:
        return None, str(getattr(exc, "reason", exc))[:500], ""


def send(delivery_pk: int) -> str:
    now = timezone.now()
    claimed = Delivery.objects.filter(
        pk=delivery_pk, status=Delivery.Status.PENDING, next_attempt_at__lte=now
    ).update(status=Delivery.Status.SENDING, claimed_at=now)
    if not claimed:
        return "not due"
    delivery = Delivery.objects.select_related("endpoint").get(pk=delivery_pk)
    if delivery.endpoint.is_active:
        code, error, excerpt = _post(delivery)
    else:
        code, error, excerpt = None, "endpoint disabled", ""
    number = delivery.attempts + 1
    ok = code is not None and 200 <= code < 300
    with transaction.atomic():
        Attempt.objects.create(
            delivery=delivery, number=number, status_code=code, error=error, response_excerpt=excerpt[:500]
        )
        delivery.attempts = number
        delivery.last_status_code = code
        delivery.last_error = error if not ok else ""
        delivery.claimed_at = None
        if ok:
            delivery.status = Delivery.Status.DELIVERED
            delivery.delivered_at = timezone.now()
            delivery.next_attempt_at = None
        elif number >= settings.BATON_WEBHOOK_MAX_ATTEMPTS or not delivery.endpoint.is_active:
            delivery.status = Delivery.Status.PARKED
            delivery.next_attempt_at = None
        else:
            delivery.status = Delivery.Status.PENDING
            delivery.next_attempt_at = timezone.now() + backoff(number)
        delivery.save(
            update_fields=[
                "attempts",
                "last_status_code",
                "last_error",
                "claimed_at",
                "status",
                "delivered_at",
                "next_attempt_at",
            ]
        )
    return delivery.status


def sweep(now: dt.datetime | None = None) -> int:
    """Send what is due now; release claims a crashed worker left behind. Returns how many were sent."""
    now = now or timezone.now()
    Delivery.objects.filter(status=Delivery.Status.SENDING, claimed_at__lt=now - STALE_CLAIM).update(
        status=Delivery.Status.PENDING, claimed_at=None, next_attempt_at=now
    )
    due = list(
        Delivery.objects.filter(status=Delivery.Status.PENDING, next_attempt_at__lte=now)
        .order_by("next_attempt_at", "id")
        .values_list("pk", flat=True)[:SWEEP_BATCH]
    )
    return sum(1 for pk in due if send(pk) != "not due")
