"""Outbound webhooks against a real HTTP receiver on loopback: signed, retried with backoff, parked,
redelivered; one attempt row per request the receiver got; SSRF guard; pages and API by role."""

from __future__ import annotations

import datetime as dt
import json
import time

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from baton.core.testing import assert_audited
from baton.deals.models import Stage
from baton.deals.services import move_opportunity
from baton.integrations import sending, signing, webhooks
from baton.integrations.models import Attempt, Delivery, Endpoint
from baton.leads.services import create_lead, update_lead


def _endpoint(root, url, events):
    return webhooks.save_endpoint(None, actor=root, values={"name": "ERP", "url": url, "events": events})


def test_lead_created_is_sent_signed_and_logged(personas, receiver, django_capture_on_commit_callbacks):
    root, alice = personas["root"], personas["alice"]
    endpoint = _endpoint(root, receiver.url, ["lead.created"])
    assert_audited(endpoint, "create", actor=root, url=receiver.url)
    with django_capture_on_commit_callbacks() as callbacks:
        lead = create_lead(actor=alice, name="박하늘", company="누리소프트", email="sky@nuri.kr")
    assert len(callbacks) >= 1  # the send is queued after the commit
    delivery = Delivery.objects.get(endpoint=endpoint)
    assert delivery.event == "lead.created"

    assert sending.send(delivery.pk) == Delivery.Status.DELIVERED
    assert len(receiver.requests) == 1
    request = receiver.requests[0]
    headers = {k.lower(): v for k, v in request["headers"].items()}
    timestamp = int(headers["x-baton-timestamp"])
    assert abs(timestamp - int(time.time())) < 60
    assert signing.verify(
        endpoint.secret, timestamp, request["body"], headers["x-baton-signature"], now=int(time.time())
    )
    # A wrong secret or a changed body does not verify.
    assert not signing.verify(
        "whsec_other", timestamp, request["body"], headers["x-baton-signature"], now=timestamp
    )
    assert not signing.verify(
        endpoint.secret, timestamp, request["body"] + b" ", headers["x-baton-signature"], now=timestamp
    )
    # An old timestamp is refused (replay).
    assert not signing.verify(
        endpoint.secret, timestamp, request["body"], headers["x-baton-signature"], now=timestamp + 301
    )
    body = json.loads(request["body"])
    assert body["event"] == "lead.created"
    assert body["id"] == str(delivery.uid) == headers["x-baton-delivery"]
    assert body["data"]["id"] == lead.pk and body["data"]["name"] == "박하늘"
    delivery.refresh_from_db()
    assert (delivery.attempts, delivery.last_status_code) == (1, 200)
    assert list(Attempt.objects.filter(delivery=delivery).values_list("number", "status_code")) == [(1, 200)]
    # Sent once: a second task for the same delivery finds nothing to do.
    assert sending.send(delivery.pk) == "not due"
    assert len(receiver.requests) == 1


def test_only_subscribed_events_are_queued(personas, receiver):
    root, alice = personas["root"], personas["alice"]
    endpoint = _endpoint(root, receiver.url, ["lead.changed"])
    lead = create_lead(actor=alice, name="박하늘", company="누리소프트")
    assert not Delivery.objects.exists()
    update_lead(lead, actor=alice, changes={"title": "팀장"}, expected_version=None)
    assert list(Delivery.objects.values_list("endpoint", "event")) == [(endpoint.pk, "lead.changed")]
    webhooks.save_endpoint(endpoint, actor=root, values={"is_active": False})
    update_lead(lead, actor=alice, changes={"title": "부장"}, expected_version=None)
    assert Delivery.objects.count() == 1


def test_failures_back_off_then_park_and_redeliver_sends_again(personas, receiver, settings):
    settings.BATON_WEBHOOK_MAX_ATTEMPTS = 3
    settings.BATON_WEBHOOK_RETRY_SECONDS = 60
    root, alice = personas["root"], personas["alice"]
    endpoint = _endpoint(root, receiver.url, ["lead.created"])
    create_lead(actor=alice, name="박하늘", company="누리소프트")
    delivery = Delivery.objects.get(endpoint=endpoint)
    receiver.default = 500

    before = timezone.now()
    assert sending.send(delivery.pk) == Delivery.Status.PENDING
    delivery.refresh_from_db()
    assert (
        before + dt.timedelta(seconds=60)
        <= delivery.next_attempt_at
        <= timezone.now() + dt.timedelta(seconds=60)
    )
    assert sending.send(delivery.pk) == "not due"  # the backoff has not passed
    assert sending.sweep() == 0
    assert len(receiver.requests) == 1

    Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now() - dt.timedelta(seconds=1))
    before = timezone.now()
    assert sending.sweep() == 1
    delivery.refresh_from_db()
    assert delivery.attempts == 2
    assert delivery.next_attempt_at >= before + dt.timedelta(seconds=120)  # doubled

    Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now() - dt.timedelta(seconds=1))
    assert sending.sweep() == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.next_attempt_at) == (Delivery.Status.PARKED, 3, None)
    assert sending.sweep() == 0
    assert len(receiver.requests) == 3
    assert list(Attempt.objects.filter(delivery=delivery).values_list("number", "status_code")) == [
        (1, 500),
        (2, 500),
        (3, 500),
    ]

    receiver.default = 204
    with pytest.raises(PermissionDenied):
        webhooks.redeliver(delivery, actor=alice)
    webhooks.redeliver(delivery, actor=root)
    assert_audited(delivery, "update", actor=root, note="redeliver", status="pending")
    assert sending.send(delivery.pk) == Delivery.Status.DELIVERED
    delivery.refresh_from_db()
    assert (delivery.attempts, delivery.last_status_code) == (4, 204)
    assert len(receiver.requests) == 4 == Attempt.objects.filter(delivery=delivery).count()


def test_a_stale_claim_is_released_by_the_sweep(personas, receiver):
    endpoint = _endpoint(personas["root"], receiver.url, ["lead.created"])
    create_lead(actor=personas["alice"], name="박하늘", company="누리소프트")
    delivery = Delivery.objects.get(endpoint=endpoint)
    Delivery.objects.filter(pk=delivery.pk).update(
        status=Delivery.Status.SENDING, claimed_at=timezone.now() - dt.timedelta(minutes=11)
    )
    assert sending.sweep() == 1
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.DELIVERED and len(receiver.requests) == 1


def test_won_deal_sends_stage_changed_and_won(personas, world, receiver):
    root, alice = personas["root"], personas["alice"]
    endpoint = _endpoint(
        root, receiver.url, ["opportunity.stage_changed", "opportunity.won", "opportunity.lost"]
    )
    deal = world["opportunity"]
    won = Stage.objects.get(pipeline=deal.pipeline, outcome=Stage.Outcome.WON)
    move_opportunity(deal, actor=alice, stage=won, expected_version=deal.version)
    rows = list(Delivery.objects.filter(endpoint=endpoint).order_by("id"))
    assert [r.event for r in rows] == ["opportunity.stage_changed", "opportunity.won"]
    assert rows[1].payload["data"]["stage"]["outcome"] == "won"
    assert rows[1].payload["data"]["id"] == deal.pk


def test_ssrf_guard_refuses_private_targets(personas, receiver, settings):
    root = personas["root"]
    settings.BATON_WEBHOOK_ALLOW_PRIVATE = False
    for url in (
        receiver.url,
        "http://10.1.2.3/x",
        "http://169.254.169.254/latest",
        "http://[::1]:80/",
        "ftp://x.kr/",
    ):
        with pytest.raises(ValidationError) as exc:
            _endpoint(root, url, ["lead.created"])
        assert "url" in exc.value.message_dict, url
    assert not Endpoint.objects.exists()
    # Allowed when saved, refused when sent once the setting is off again: nothing reaches the target.
    settings.BATON_WEBHOOK_ALLOW_PRIVATE = True
    endpoint = _endpoint(root, receiver.url, ["lead.created"])
    create_lead(actor=personas["alice"], name="박하늘", company="누리소프트")
    settings.BATON_WEBHOOK_ALLOW_PRIVATE = False
    delivery = Delivery.objects.get(endpoint=endpoint)
    sending.send(delivery.pk)
    delivery.refresh_from_db()
    assert "private" in delivery.last_error and receiver.requests == []


def test_bad_events_are_refused(personas, receiver):
    with pytest.raises(ValidationError) as exc:
        _endpoint(personas["root"], receiver.url, ["lead.exploded"])
    assert "events" in exc.value.message_dict
    with pytest.raises(PermissionDenied):
        _endpoint(personas["alice"], receiver.url, ["lead.created"])


def test_pages(client, personas, receiver):
    root, alice = personas["root"], personas["alice"]
    client.force_login(alice)
    assert client.get(reverse("integrations:webhooks")).status_code == 403
    client.force_login(root)
    response = client.post(
        reverse("integrations:webhooks"),
        {"name": "ERP", "url": receiver.url, "events": ["lead.created", "lead.converted"], "is_active": "on"},
    )
    endpoint = Endpoint.objects.get()
    assert response.status_code == 302 and endpoint.events == ["lead.converted", "lead.created"]
    bad = client.post(
        reverse("integrations:webhooks"), {"name": "x", "url": "gopher://x", "events": ["lead.created"]}
    )
    assert bad.status_code == 200 and b"error-url" in bad.content
    create_lead(actor=alice, name="박하늘", company="누리소프트")
    delivery = Delivery.objects.get()
    receiver.default = 503
    sending.send(delivery.pk)
    page = client.get(reverse("integrations:endpoint", args=[endpoint.pk]))
    assert page.status_code == 200 and b"503" in page.content and endpoint.secret.encode() in page.content
    detail = client.get(reverse("integrations:delivery", args=[delivery.pk]))
    assert detail.status_code == 200 and "박하늘" in detail.content.decode()
    old_secret = endpoint.secret
    client.post(reverse("integrations:rotate", args=[endpoint.pk]))
    endpoint.refresh_from_db()
    assert endpoint.secret != old_secret
    client.post(reverse("integrations:redeliver", args=[delivery.pk]))
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.PENDING and delivery.next_attempt_at <= timezone.now()


def test_api(personas, receiver):
    from baton.core.tests.test_api_support import ApiClient

    root = ApiClient(personas["root"])
    created = root.post(
        "/integrations/webhooks", {"name": "ERP", "url": receiver.url, "events": ["lead.created"]}
    )
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    assert created.json()["secret"].startswith("whsec_")
    assert (
        root.post(
            "/integrations/webhooks", {"name": "x", "url": receiver.url, "events": ["nope"]}
        ).status_code
        == 422
    )
    create_lead(actor=personas["alice"], name="박하늘", company="누리소프트")
    log = root.get(f"/integrations/webhooks/{pk}/deliveries")
    assert [d["event"] for d in log.json()] == ["lead.created"]
    assert ApiClient(personas["alice"]).get("/integrations/webhooks").status_code == 403
    patched = root.patch(f"/integrations/webhooks/{pk}", {"is_active": False})
    assert patched.status_code == 200 and patched.json()["is_active"] is False
