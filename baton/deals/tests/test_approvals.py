"""Approval rules as data; routing in sequence and in parallel; reject, recall, the lock; audit."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from baton.activities.models import Notification
from baton.core.models import ChangeLog, Role, User
from baton.core.services import ServiceError
from baton.core.testing import audit_rows
from baton.deals import approvals, catalog, quoting
from baton.deals.models import ApprovalRequest, ApprovalRule, ApprovalStep, Quote
from baton.deals.tests.factories import add_lines, make_catalog


@pytest.fixture
def cat(db):
    return make_catalog()


@pytest.fixture
def approvers(personas):
    make = lambda name: User.objects.create_user(  # noqa: E731
        username=name, password="x", role=Role.APPROVER, display_name=name.capitalize()
    )
    return {"fin": make("fin"), "cfo": make("cfo"), "legal": make("legal")}


@pytest.fixture
def rules(root, approvers):
    discount = approvals.save_rule(
        actor=root,
        approvers=[approvers["fin"], approvers["cfo"]],
        name="할인 15% 초과",
        field="discount_percent",
        operator="gt",
        threshold=Decimal(15),
        mode="sequential",
    )
    clauses = approvals.save_rule(
        actor=root,
        approvers=[approvers["legal"], approvers["cfo"]],
        name="비표준 조항",
        field="nonstandard_clauses",
        operator="present",
        mode="parallel",
    )
    margin = approvals.save_rule(
        actor=root,
        approvers=[approvers["cfo"]],
        name="마진 20% 미만",
        field="margin_percent",
        operator="lt",
        threshold=Decimal(20),
    )
    terms = approvals.save_rule(
        actor=root,
        approvers=[approvers["fin"]],
        name="결제 60일 초과",
        field="payment_terms_days",
        operator="gt",
        threshold=Decimal(60),
    )
    return {"discount": discount, "clauses": clauses, "margin": margin, "terms": terms}


def _quote(world, alice, cat, discount="0", **terms):
    add_lines(world["opportunity"], alice, cat, discount=discount)
    return quoting.create_quote(world["opportunity"], actor=alice, **terms)


def test_rules_match_conditions(world, alice, cat, rules):
    quote = _quote(
        world, alice, cat, discount="20", payment_terms_days=90, nonstandard_clauses="무상 유지보수 3년"
    )
    names = {rule.name for rule, _ in approvals.triggered_rules(quote)}
    assert names == {"할인 15% 초과", "비표준 조항", "결제 60일 초과"}  # margin is ~47 %: fine
    plain = quoting.create_quote(world["opportunity"], actor=alice)
    assert {r.name for r, _ in approvals.triggered_rules(plain)} == {"할인 15% 초과"}


def test_no_rule_means_approved_at_once(world, alice, cat, rules):
    quote = _quote(world, alice, cat)
    approvals.submit_quote(quote, actor=alice)
    quote.refresh_from_db()
    assert quote.status == Quote.Status.APPROVED and not ApprovalRequest.objects.exists()


def test_sequential_routing(world, alice, cat, rules, approvers):
    fin, cfo = approvers["fin"], approvers["cfo"]
    quote = _quote(world, alice, cat, discount="20")
    approvals.submit_quote(quote, actor=alice)
    quote.refresh_from_db()
    assert quote.status == Quote.Status.PENDING
    assert list(approvals.queue_for(fin)) and not list(approvals.queue_for(cfo))  # cfo waits for fin
    assert Notification.objects.filter(recipient=fin, kind="request").count() == 1
    with pytest.raises(PermissionDenied):
        approvals.decide(approvals.queue_for(fin).get(), actor=cfo, approve=True)
    approvals.decide(approvals.queue_for(fin).get(), actor=fin, approve=True)
    quote.refresh_from_db()
    assert quote.status == Quote.Status.PENDING
    step = approvals.queue_for(cfo).get()
    assert Notification.objects.filter(recipient=cfo, kind="request").exists()
    approvals.decide(step, actor=cfo, approve=True, reason="OK")
    quote.refresh_from_db()
    assert quote.status == Quote.Status.APPROVED
    assert ApprovalRequest.objects.get().status == ApprovalRequest.Status.APPROVED
    assert Notification.objects.filter(recipient=alice, text__contains="approved").exists()
    with pytest.raises(ServiceError):  # decided already
        approvals.decide(step, actor=cfo, approve=True)
    history = ChangeLog.objects.filter(object_id=quote.pk, content_type__model="quote")
    assert history.filter(after__approval="approved").count() == 2


def test_parallel_routing_and_rejection(world, alice, cat, rules, approvers):
    legal, cfo = approvers["legal"], approvers["cfo"]
    quote = _quote(world, alice, cat, nonstandard_clauses="책임 한도 없음")
    approvals.submit_quote(quote, actor=alice)
    assert approvals.queue_for(legal).count() == 1 and approvals.queue_for(cfo).count() == 1  # both at once
    with pytest.raises(ValidationError):
        approvals.decide(approvals.queue_for(legal).get(), actor=legal, approve=False, reason=" ")
    approvals.decide(approvals.queue_for(legal).get(), actor=legal, approve=False, reason="무제한 책임 불가")
    quote.refresh_from_db()
    assert quote.status == Quote.Status.REJECTED
    assert not approvals.queue_for(cfo).exists()  # skipped
    assert ApprovalStep.objects.filter(status="skipped", approver=cfo).exists()
    assert audit_rows(quote).filter(note="무제한 책임 불가").exists()
    # Fix the terms and resubmit: a new round.
    quoting.update_quote(
        quote, actor=alice, changes={"nonstandard_clauses": ""}, expected_version=quote.version
    )
    approvals.submit_quote(quote, actor=alice)
    quote.refresh_from_db()
    assert quote.status == Quote.Status.APPROVED


def test_recall_and_lock(world, alice, bob, charlie, cat, rules, approvers):
    opp = world["opportunity"]
    quote = _quote(world, alice, cat, discount="20")
    approvals.submit_quote(quote, actor=alice)
    with pytest.raises(ServiceError):
        catalog.add_line_item(opp, actor=alice, product=cat["cloud"])
    with pytest.raises(ServiceError):
        quoting.update_quote(quote, actor=alice, changes={"notes": "x"}, expected_version=None)
    with pytest.raises(ServiceError):
        quoting.create_quote(opp, actor=alice)
    with pytest.raises(ServiceError):
        approvals.submit_quote(quote, actor=alice)
    # The deal itself is locked too, through its own services (pages and API alike).
    from baton.deals.models import Stage
    from baton.deals.services import move_opportunity, update_opportunity

    opp.refresh_from_db()
    with pytest.raises(ServiceError):
        update_opportunity(opp, actor=alice, changes={"amount": 1}, expected_version=opp.version)
    with pytest.raises(ServiceError):
        move_opportunity(opp, actor=alice, stage=Stage.objects.get(key="won"), expected_version=opp.version)
    with pytest.raises(PermissionDenied):
        approvals.recall(quote, actor=charlie)
    approvals.recall(quote, actor=bob, reason="가격 재협의")
    quote.refresh_from_db()
    assert quote.status == Quote.Status.DRAFT
    assert ApprovalRequest.objects.get().status == ApprovalRequest.Status.RECALLED
    assert not approvals.queue_for(approvers["fin"]).exists()
    assert Notification.objects.filter(recipient=approvers["fin"], text__contains="recalled").exists()
    catalog.add_line_item(opp, actor=alice, product=cat["cloud"])  # unlocked


def test_rules_are_admin_data(alice, approvers):
    with pytest.raises(PermissionDenied):
        approvals.save_rule(
            actor=alice, approvers=[approvers["fin"]], name="x", field="net_total", operator="gt", threshold=1
        )
    with pytest.raises(ValidationError):
        approvals.save_rule(
            actor=None,
            approvers=[approvers["fin"]],
            name="x",
            field="nonstandard_clauses",
            operator="gt",
            threshold=1,
        )
    assert not ApprovalRule.objects.exists()


def test_discount_rules_apply_per_line_or_per_quote_and_say_which(world, alice, cat, approvers, root):
    """A 20 % line inside a quote whose blended discount is small: a per-quote rule lets it through,
    a per-line rule catches it."""
    opp = world["opportunity"]
    catalog.add_line_item(opp, actor=alice, product=cat["erp"], quantity=1, discount_percent="0")
    catalog.add_line_item(opp, actor=alice, product=cat["seat"], quantity=7, discount_percent="20")
    quote = quoting.create_quote(opp, actor=alice)
    assert quote.discount_percent < 5
    per_quote = approvals.save_rule(
        actor=root,
        approvers=[approvers["fin"]],
        name="견적 할인 15% 초과",
        field="discount_percent",
        operator="gt",
        threshold=Decimal(15),
        scope="quote",
    )
    assert approvals.triggered_rules(quote) == []
    per_line = approvals.save_rule(
        actor=root,
        approvers=[approvers["cfo"]],
        name="품목 할인 15% 초과",
        field="discount_percent",
        operator="gt",
        threshold=Decimal(15),
        scope="line",
    )
    triggered = approvals.triggered_rules(quote)
    assert [rule for rule, _ in triggered] == [per_line]
    assert "any single line" in triggered[0][1] and "(20)" in triggered[0][1]
    assert "the whole quote" in per_quote.describe()
    approvals.submit_quote(quote, actor=alice)
    quote.refresh_from_db()
    assert quote.status == Quote.Status.PENDING
    assert approvals.queue_for(approvers["cfo"]).count() == 1


def test_only_discount_rules_apply_per_line(root, approvers):
    with pytest.raises(ValidationError) as exc:
        approvals.save_rule(
            actor=root,
            approvers=[approvers["fin"]],
            name="마진",
            field="margin_percent",
            operator="lt",
            threshold=Decimal(20),
            scope="line",
        )
    assert "scope" in exc.value.message_dict
