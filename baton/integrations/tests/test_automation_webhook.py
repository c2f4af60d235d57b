"""An automation rule's "call a webhook" action: the record goes, signed, to the endpoint the rule names."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import ValidationError

from baton.automation.models import Run
from baton.automation.tests.helpers import drain, make_rule
from baton.integrations import sending, webhooks
from baton.integrations.models import Delivery
from baton.leads.services import create_lead


@pytest.fixture(autouse=True)
def _dummy_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


def test_a_rule_calls_the_webhook_it_names(
    personas, root, alice, receiver, django_capture_on_commit_callbacks
):
    # The endpoint subscribes to nothing: only the rule sends to it.
    endpoint = webhooks.save_endpoint(
        None, actor=root, values={"name": "ERP", "url": receiver.url, "events": ["lead.changed"]}
    )
    rule = make_rule(
        root,
        name="새 리드 → ERP",
        object_kind="lead",
        trigger="created",
        actions=[{"type": "webhook", "endpoint": endpoint.pk}],
    )
    with django_capture_on_commit_callbacks(execute=True):
        lead = create_lead(actor=alice, name="박하늘", company="누리소프트")
    assert drain(django_capture_on_commit_callbacks) == 1
    run = Run.objects.get(rule=rule)
    assert run.status == Run.Status.DONE
    delivery = Delivery.objects.get(endpoint=endpoint)
    assert delivery.event == "automation.rule"
    assert run.actions_done[0]["result"] == {"delivery": delivery.pk}

    assert sending.send(delivery.pk) == Delivery.Status.DELIVERED
    body = json.loads(receiver.requests[0]["body"])
    assert body["event"] == "automation.rule"
    assert body["data"]["rule"] == "새 리드 → ERP"
    assert (body["data"]["record"]["kind"], body["data"]["record"]["id"]) == ("lead", lead.pk)


def test_the_action_needs_an_active_endpoint(personas, root, alice, django_capture_on_commit_callbacks):
    rule = make_rule(
        root, object_kind="lead", trigger="created", actions=[{"type": "webhook", "endpoint": 999_999}]
    )
    with django_capture_on_commit_callbacks(execute=True):
        create_lead(actor=alice, name="박하늘", company="누리소프트")
    drain(django_capture_on_commit_callbacks)
    run = Run.objects.get(rule=rule)
    assert run.status != Run.Status.DONE
    assert "webhook endpoint" in run.error
    assert not Delivery.objects.exists()


def test_an_endpoint_cannot_subscribe_to_rule_calls(root):
    with pytest.raises(ValidationError):
        webhooks.save_endpoint(
            None,
            actor=root,
            values={"name": "X", "url": "https://example.com/h", "events": ["automation.rule"]},
        )
