"""Two leads routed at the same moment to a rep with room for one: exactly one gets the rep."""

import threading
import time

import pytest
from django.db import connection, connections

from baton.leads.services import create_lead
from baton.scoring import routing
from baton.scoring.models import Assignment

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
def test_capacity_is_never_exceeded_by_concurrent_routing(personas, monkeypatch):
    root, alice, bob = personas["root"], personas["alice"], personas["bob"]
    routing.set_capacity(bob, actor=root, values={"weekly_capacity": 1})
    routing.save_routing_rule(None, actor=root, values={"name": "Bob"}, members=[bob])
    leads = [create_lead(actor=alice, name=f"동시{i}", company=f"동시{i}") for i in range(2)]
    # Widen the window between counting bob's load and committing: without the row lock on his
    # capacity both routings would count 0 of 1 and both would assign to him.
    real_log_change = routing.log_change

    def slow_log_change(**kwargs):
        time.sleep(0.3)
        return real_log_change(**kwargs)

    monkeypatch.setattr(routing, "log_change", slow_log_change)
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def route(lead):
        try:
            barrier.wait()
            routing.route_lead(lead, actor=root)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=route, args=(lead,)) for lead in leads]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert not errors
    assert Assignment.objects.filter(assignee=bob).count() == 1
    assert Assignment.objects.filter(assignee__isnull=True).count() == 1
