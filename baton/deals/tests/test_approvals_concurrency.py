"""Two approvers of a parallel rule approving at the same moment: exactly one closes the request."""

import threading
import time
from decimal import Decimal

import pytest
from django.db import connection, connections

from baton.core.models import Role, User
from baton.deals import approvals, quoting
from baton.deals.models import ApprovalRequest, Quote
from baton.deals.tests.factories import add_lines, make_catalog

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
def test_parallel_approvals_at_once(personas, world, root, monkeypatch):
    cat = make_catalog()
    legal = User.objects.create_user(username="legal", password="x", role=Role.APPROVER)
    cfo = User.objects.create_user(username="cfo", password="x", role=Role.APPROVER)
    approvals.save_rule(
        actor=root,
        approvers=[legal, cfo],
        name="할인",
        field="discount_percent",
        operator="gt",
        threshold=Decimal(15),
        mode="parallel",
    )
    alice = personas["alice"]
    add_lines(world["opportunity"], alice, cat, discount="20")
    quote = quoting.create_quote(world["opportunity"], actor=alice)
    approvals.submit_quote(quote, actor=alice)
    steps = {u.pk: approvals.queue_for(u).get() for u in (legal, cfo)}
    # Widen the window between saving one's own step and checking the others: without the row locks
    # both approvers would see the other's step still pending and neither would close the request.
    real_log_change = approvals.log_change

    def slow_log_change(**kwargs):
        time.sleep(0.3)
        return real_log_change(**kwargs)

    monkeypatch.setattr(approvals, "log_change", slow_log_change)
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def approve(user):
        try:
            barrier.wait()
            approvals.decide(steps[user.pk], actor=user, approve=True)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=approve, args=(u,)) for u in (legal, cfo)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert not errors
    quote.refresh_from_db()
    assert quote.status == Quote.Status.APPROVED
    assert ApprovalRequest.objects.get().status == ApprovalRequest.Status.APPROVED
