"""The executive's revenue trend answers a click with the won deals behind it, through visibility, as CSV."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from baton.accounts.services import create_account
from baton.core.choices import Industry
from baton.deals.models import Opportunity, Stage
from baton.deals.services import create_opportunity

URL = "/insights/dashboards/records/"


def won(owner, name, industry, day):
    account = create_account(actor=owner, name=f"{name} 상사", industry=industry)
    opp = create_opportunity(actor=owner, name=name, account=account, amount=Decimal(12_340_000))
    Opportunity.objects.filter(pk=opp.pk).update(
        stage=Stage.objects.get(pipeline__is_default=True, key="won"),
        closed_at=timezone.make_aware(dt.datetime.combine(day, dt.time(10))),
    )
    return opp


def test_a_month_bar_and_a_split_row_open_the_won_deals_each_reader_may_see(client, personas):
    today = timezone.localdate()
    won(personas["alice"], "알파 구축", Industry.IT, today)
    won(personas["charlie"], "찰리 구축", Industry.IT, today)
    won(personas["alice"], "작년 건", Industry.IT, today.replace(year=today.year - 1, day=1))
    bar = f"{URL}?what=won&year={today.year}&month={today.month}"
    client.force_login(personas["root"])
    body = client.get(bar).content.decode()
    assert "알파 구축" in body and "찰리 구축" in body and "작년 건" not in body
    home = client.get("/").content.decode()
    assert 'data-testid="trend-drill"' in home and "what=won&amp;part=this&amp;industry=it" in home
    last = client.get(f"{URL}?what=won&part=last&industry=it").content.decode()
    assert "작년 건" in last and "알파 구축" not in last
    client.force_login(personas["alice"])  # charlie's team is not hers
    body = client.get(bar).content.decode()
    assert "알파 구축" in body and "찰리 구축" not in body
    csv = client.get(bar + "&format=csv")
    assert csv.status_code == 200
    text = csv.content.decode("utf-8-sig")
    assert "알파 구축" in text and "찰리 구축" not in text


def test_bad_drill_parameters_are_not_a_500(client, personas):
    client.force_login(personas["root"])
    for query in ("year=1999&month=1", "year=2026&month=13", "part=sideways", "industry=<b>", "month=x"):
        assert client.get(f"{URL}?what=won&{query}").status_code < 500
