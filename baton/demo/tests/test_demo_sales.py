"""The demo shows a quote end to end: a catalogue, price lists and approval rules, one demo deal with a
quote waiting for the approver and one approved; its teams, tasks and notes are in Korean."""

import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import override_settings

from baton.activities.models import Activity, FeedEntry
from baton.core.models import Team, User
from baton.deals.models import ApprovalRule, ApprovalStep, PriceList, Product, ProductFamily, Quote

HANGUL = re.compile(r"[\uac00-\ud7a3]")


@pytest.fixture
def demo(db):
    with override_settings(DEMO_MODE=True):
        call_command("seed_demo", "--scale", "0.3", stdout=StringIO())


def test_demo_ships_catalogue_price_lists_and_rules_in_a_korean_world(demo):
    _teams_tasks_and_notes_are_korean()
    assert ProductFamily.objects.count() >= 4 and Product.objects.count() >= 6
    assert Product.objects.filter(vat_exempt=True).exists()
    defaults = PriceList.objects.filter(is_default=True, is_archived=False)
    assert set(defaults.values_list("currency", flat=True)) == {"KRW", "USD"}
    for price_list in defaults:
        assert price_list.entries.count() == Product.objects.count()
    rules = ApprovalRule.objects.filter(is_active=True).prefetch_related("rule_approvers")
    assert rules.count() >= 3 and all(rule.rule_approvers.exists() for rule in rules)


def _quotes_one_pending_one_approved(client):
    approver = User.objects.get(username="approver")
    pending = Quote.objects.get(status=Quote.Status.PENDING)
    approved = Quote.objects.get(status=Quote.Status.APPROVED)
    assert pending.opportunity.owner.username == approved.opportunity.owner.username == "ae1"
    assert pending.vat_total > 0 and pending.contact is not None
    assert ApprovalStep.objects.filter(
        approver=approver, status=ApprovalStep.Status.PENDING, request__quote=pending
    ).exists()
    assert not ApprovalStep.objects.filter(request__quote=approved).exclude(status="approved").exists()
    rep = User.objects.get(username="ae1")
    client.force_login(rep)
    for quote in (pending, approved):
        assert client.get(f"/deals/quotes/{quote.pk}/").status_code == 200
        assert client.get(f"/deals/quotes/{quote.pk}/print/").status_code == 200
        pdf = client.get(f"/deals/quotes/{quote.pk}/pdf/")
        assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    client.force_login(approver)
    assert pending.number in client.get("/deals/approvals/").content.decode()


def test_demo_quotes_one_pending_one_approved_also_after_reset(demo, client):
    """(One test: seeding the demo takes a minute on the CI machine.)"""
    _quotes_one_pending_one_approved(client)
    counts = (Product.objects.count(), PriceList.objects.count(), ApprovalRule.objects.count())
    with override_settings(DEMO_MODE=True):
        call_command("seed_demo", "--scale", "0.3", "--reset", stdout=StringIO())
    assert (Product.objects.count(), PriceList.objects.count(), ApprovalRule.objects.count()) == counts
    _quotes_one_pending_one_approved(client)


def _teams_tasks_and_notes_are_korean():
    names = list(Team.objects.values_list("name", flat=True))
    assert names and all(HANGUL.search(name) for name in names), names
    tasks = Activity.objects.filter(kind=Activity.Kind.TASK)
    assert tasks.exists()
    for subject in tasks.values_list("subject", flat=True):
        assert HANGUL.search(subject), subject
    for activity in Activity.objects.exclude(body=""):
        assert HANGUL.search(activity.body), activity.body
    for text in FeedEntry.objects.filter(kind=FeedEntry.Kind.COMMENT).values_list("text", flat=True):
        assert HANGUL.search(text), text
