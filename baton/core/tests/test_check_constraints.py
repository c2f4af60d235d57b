"""The database itself refuses rows the Python validation refuses: a bulk update, an import, a raw script or
a bug in a service cannot store them. Each case writes around the services on purpose (``update()``) and
expects the database to say no, on SQLite and on PostgreSQL."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from baton.activities.models import Activity
from baton.activities.services import create_activity
from baton.deals.models import LineItem, Opportunity, PriceListEntry, Product, Quote, Stage
from baton.deals.tests.factories import add_lines, make_catalog
from baton.process.models import StageHistory

pytestmark = pytest.mark.django_db


def refused(queryset, **values):
    """True when the database rejects the update (and nothing changed)."""
    try:
        with transaction.atomic():
            queryset.update(**values)
    except IntegrityError:
        return True
    return False


@pytest.fixture
def deal(world, alice):
    cat = make_catalog()
    add_lines(world["opportunity"], alice, cat)
    return world["opportunity"], cat


def test_money_and_percentages(deal):
    opp, cat = deal
    opps = Opportunity.objects.filter(pk=opp.pk)
    assert refused(opps, amount=Decimal("-1"))
    assert refused(opps, probability=101)
    assert not refused(opps, amount=Decimal(0), probability=100)  # the bounds themselves are allowed
    assert refused(Stage.objects.filter(key="considering"), probability=150)
    lines = LineItem.objects.filter(opportunity=opp)
    assert refused(lines, quantity=0)
    assert refused(lines, quantity=Decimal("-2"))
    assert refused(lines, discount_percent=Decimal("100.01"))
    assert refused(lines, discount_percent=Decimal("-5"))
    assert refused(lines, list_price=Decimal("-1"))
    assert refused(lines, unit_cost=Decimal("-1"))
    assert not refused(lines, discount_percent=Decimal(100))
    assert refused(Product.objects.filter(pk=cat["erp"].pk), unit_cost=Decimal("-1"))
    assert refused(PriceListEntry.objects.filter(product=cat["erp"]), unit_price=Decimal("-1"))
    assert LineItem.objects.filter(quantity__lte=0).count() == 0


def test_quote_totals(deal, alice):
    from baton.deals import quoting

    opp, _cat = deal
    quote = quoting.create_quote(opp, actor=alice)
    quotes = Quote.objects.filter(pk=quote.pk)
    for field in ("list_total", "net_total", "cost_total", "delivery_cost"):
        assert refused(quotes, **{field: Decimal("-1")}), field


def test_a_stay_cannot_end_before_it_began_and_a_record_has_one_open_stay(world):
    stay = StageHistory.objects.get(record_kind="opportunity", record_id=world["opportunity"].pk)
    stays = StageHistory.objects.filter(pk=stay.pk)
    assert refused(stays, left_at=stay.entered_at - dt.timedelta(seconds=1))
    assert not refused(stays, left_at=stay.entered_at)  # zero dwell is fine
    stays.update(left_at=None)
    stay.refresh_from_db()
    second = StageHistory(
        **{
            f.attname: getattr(stay, f.attname)
            for f in StageHistory._meta.concrete_fields
            if f.attname != "id"
        }
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        second.save()


def test_an_event_cannot_end_before_it_starts(world, alice):
    start = timezone.now().replace(microsecond=0)
    event = create_activity(
        actor=alice,
        record=world["account"],
        kind=Activity.Kind.EVENT,
        subject="킥오프",
        start_at=start,
        end_at=start + dt.timedelta(hours=1),
    )
    events = Activity.objects.filter(pk=event.pk)
    assert refused(events, end_at=start - dt.timedelta(minutes=1))
    assert not refused(events, end_at=start)
    assert not refused(events, end_at=None)  # a task has no end
