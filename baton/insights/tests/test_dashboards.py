"""The marketing and inside-sales dashboards: every number against values worked out by hand below,
their drill-down, visibility, CSV/XLSX and the campaign cost marketing enters."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from baton.accounts.services import create_account
from baton.activities import touches
from baton.activities.models import Activity
from baton.core.models import ChangeLog
from baton.core.services import create_api_token
from baton.deals.models import Opportunity, Stage
from baton.deals.services import create_opportunity
from baton.insights import funnel
from baton.leads.models import Campaign, Lead, LeadInteraction, LeadSource, LeadStatus
from baton.leads.services import create_campaign, create_lead
from baton.scoring.models import Assignment, LeadScore, RepCapacity

M = 1_000_000
NOW = timezone.make_aware(dt.datetime(2026, 11, 18, 10, 0))  # a Wednesday


def stage(key: str) -> Stage:
    return Stage.objects.get(pipeline__is_default=True, key=key)


def lead(actor, name, *, created, source=LeadSource.WEB_FORM, campaign=None, status=None, mql=False):
    obj = create_lead(actor=actor, name=name, company=f"{name} 주식회사", source=source, campaign=campaign)
    changes = {"created_at": created}
    if status:
        changes["status"] = status
    Lead.objects.filter(pk=obj.pk).update(**changes)
    # The score decides MQL by its qualified_at: set it by hand (set-up, not under test).
    LeadScore.objects.update_or_create(
        lead=obj, defaults={"total": 0, "computed_at": NOW, "qualified_at": NOW if mql else None}
    )
    obj.refresh_from_db()
    return obj


def won_from(lead_obj, actor, account, amount, *, closed):
    opp = create_opportunity(actor=actor, name=f"{lead_obj.name} 건", account=account, amount=Decimal(amount))
    Opportunity.objects.filter(pk=opp.pk).update(stage=stage("won"), closed_at=closed)
    Lead.objects.filter(pk=lead_obj.pk).update(
        status=LeadStatus.CONVERTED, converted_opportunity=opp, converted_at=closed
    )
    return opp


@pytest.fixture
def marketing_world(cast):
    mark = cast["mark"]
    alice = cast["alice"]
    account = create_account(actor=alice, name="한빛")
    a = create_campaign(actor=mark, name="봄 세미나", cost=Decimal(1 * M))
    b = create_campaign(actor=mark, name="웨비나")
    day = dt.timedelta(days=1)
    l1 = lead(alice, "가", created=NOW - 10 * day, campaign=a)
    l2 = lead(alice, "나", created=NOW - 20 * day, campaign=a, status=LeadStatus.QUALIFIED)
    l3 = lead(alice, "다", created=NOW - 30 * day, source=LeadSource.EVENT, campaign=a)
    l4 = lead(alice, "라", created=NOW - 40 * day, source=LeadSource.EVENT, mql=True)
    l5 = lead(alice, "마", created=NOW - 200 * day, source=LeadSource.REFERRAL, campaign=b)
    o1 = won_from(l3, alice, account, 10 * M, closed=NOW - 5 * day)
    o2 = won_from(l5, alice, account, 5 * M, closed=NOW - 100 * day)
    # l5 (campaign B's lead) also came to campaign A's seminar: A influenced its deal too.
    LeadInteraction.objects.create(lead=l5, kind=LeadInteraction.Kind.SEMINAR, occurred_at=NOW, campaign=a)
    return {"a": a, "b": b, "leads": [l1, l2, l3, l4, l5], "o1": o1, "o2": o2}


def test_marketing_numbers_by_hand(marketing_world, cast):
    data = funnel.marketing(cast["mark"], now=NOW, days=90)
    # In the window: 가, 나, 다, 라 (마 is 200 days old). MQL: 나 (qualified), 다 (converted), 라 (score).
    # SQL: 다 only. Conversion 1 ÷ 3.
    assert (data.total.leads, data.total.mql, data.total.sql) == (4, 3, 1)
    assert data.total.conversion == Decimal(1) / Decimal(3)
    by_source = {r.key: (r.leads, r.mql, r.sql) for r in data.by_source}
    assert by_source == {LeadSource.WEB_FORM: (2, 1, 0), LeadSource.EVENT: (2, 2, 1)}
    event = next(r for r in data.by_source if r.key == LeadSource.EVENT)
    assert event.conversion == Decimal("0.5")
    by_campaign = {r.key: (r.leads, r.mql, r.sql) for r in data.by_campaign}
    assert by_campaign == {marketing_world["a"].pk: (3, 2, 1), None: (1, 1, 0)}
    campaigns = {c.campaign.pk: c for c in data.campaigns}
    a = campaigns[marketing_world["a"].pk]
    b = campaigns[marketing_world["b"].pk]
    # A, lifetime: 3 leads, 1 opportunity (다's), cost 1,000,000 → 333,333.33… per lead, 1,000,000 per deal.
    assert (a.leads, a.opportunities) == (3, 1)
    assert a.cost_per_lead == Decimal(1 * M) / 3
    assert a.cost_per_opportunity == Decimal(1 * M)
    # Marketing cannot open alice's deals, so they count no won revenue for it (visibility holds)...
    assert (a.won_count, a.influenced_won) == (0, 0)
    # ... an administrator sees A influenced 다's 10M (its own lead) and 마's 5M (마 came to A's seminar).
    campaigns = {c.campaign.pk: c for c in funnel.marketing(cast["root"], now=NOW, days=90).campaigns}
    a = campaigns[marketing_world["a"].pk]
    b = campaigns[marketing_world["b"].pk]
    assert (a.won_count, a.influenced_won) == (2, Decimal(15 * M))
    # B: no cost entered, so no cost per lead; 마's 5M.
    assert (b.leads, b.opportunities, b.cost_per_lead, b.influenced_won) == (1, 1, None, Decimal(5 * M))


def test_marketing_respects_visibility(marketing_world, cast):
    # charlie (another field team) sees none of alice's leads or deals.
    data = funnel.marketing(cast["charlie"], now=NOW, days=90)
    assert data.total.leads == 0
    assert all(c.leads == 0 and c.influenced_won == 0 for c in data.campaigns)


def test_marketing_home_drill_csv_and_xlsx(client, marketing_world, cast, monkeypatch):
    monkeypatch.setattr(funnel.timezone, "now", lambda: NOW)
    client.force_login(cast["mark"])
    home = client.get("/")
    assert home.status_code == 200
    assert 'data-testid="marketing-dashboard"' in home.content.decode()
    assert home.context["marketing"].total.mql == 3
    page = client.get("/insights/dashboards/records/?what=leads&measure=mql&days=90")
    assert page.status_code == 200
    assert {cells[0] for _url, cells in page.context["rows"]} == {"나", "다", "라"}
    page = client.get(
        f"/insights/dashboards/records/?what=leads&measure=leads&campaign={marketing_world['a'].pk}"
    )
    assert {cells[0] for _url, cells in page.context["rows"]} == {"가", "나", "다"}
    csv = client.get("/insights/marketing/?format=csv").content.decode()
    assert "봄 세미나,1000000,3,1,333333,1000000,0,0" in csv
    client.force_login(cast["root"])
    page = client.get(f"/insights/dashboards/records/?what=campaign_won&campaign={marketing_world['a'].pk}")
    assert {cells[0] for _url, cells in page.context["rows"]} == {"다 건", "마 건"}
    csv = client.get("/insights/marketing/?format=csv").content.decode()
    assert "봄 세미나,1000000,3,1,333333,1000000,2,15000000" in csv
    xlsx = client.get("/insights/dashboards/records/?what=leads&measure=sql&format=xlsx")
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert next(c.value for c in sheet[2]) == "다"
    # The outsider's drill-down shows nothing of alice's.
    client.force_login(cast["charlie"])
    page = client.get("/insights/dashboards/records/?what=leads&measure=leads&days=90")
    assert page.context["rows"] == []


def test_campaign_cost_is_entered_by_marketing_audited_and_checked(client, marketing_world, cast):
    a = marketing_world["a"]
    client.force_login(cast["mark"])
    response = client.post(f"/insights/marketing/campaigns/{a.pk}/cost/", {"cost": "2,500,000"})
    assert response.status_code == 302
    a.refresh_from_db()
    assert a.cost == Decimal(2_500_000)
    assert ChangeLog.objects.filter(object_id=a.pk, action=ChangeLog.Action.UPDATE).exists()
    client.post(f"/insights/marketing/campaigns/{a.pk}/cost/", {"cost": "-5"})
    client.post(f"/insights/marketing/campaigns/{a.pk}/cost/", {"cost": "12.5"})
    client.post(f"/insights/marketing/campaigns/{a.pk}/cost/", {"cost": "NaN"})
    a.refresh_from_db()
    assert a.cost == Decimal(2_500_000)
    client.force_login(cast["alice"])
    assert client.post(f"/insights/marketing/campaigns/{a.pk}/cost/", {"cost": "1"}).status_code == 403
    assert Campaign.objects.get(pk=a.pk).cost == Decimal(2_500_000)


@pytest.fixture
def inside_world(cast):
    ines = cast["ines"]
    alice = cast["alice"]
    hour = dt.timedelta(hours=1)

    def touch(obj, kind, after, status=Activity.Status.DONE):
        Activity.objects.create(
            kind=kind,
            subject=f"{obj.name} {kind}",
            status=status,
            lead=obj,
            owner=ines,
            completed_at=obj.created_at + after if status == Activity.Status.DONE else None,
        )

    i1 = lead(ines, "일", created=NOW - 48 * hour)
    i2 = lead(ines, "이", created=NOW - 72 * hour)
    i3 = lead(ines, "삼", created=NOW - 30 * hour)
    i4 = lead(ines, "사", created=NOW - 5 * hour)
    touch(i1, Activity.Kind.CALL, 2 * hour)  # met: 2 h
    touch(i1, Activity.Kind.EMAIL, 3 * hour)  # later touches do not count
    touch(i2, Activity.Kind.EMAIL, 30 * hour)  # breached: 30 h
    touch(i2, Activity.Kind.NOTE, 1 * hour)  # a note is not a touch
    touch(i4, Activity.Kind.CALL, hour, status=Activity.Status.OPEN)  # planned, not done: still waiting
    # i3: untouched 30 h after creation: breached. i4: untouched after 5 h: waiting.
    Activity.objects.create(kind=Activity.Kind.EVENT, subject="미팅", lead=i1, owner=ines)
    Activity.objects.create(
        kind=Activity.Kind.EVENT, subject="취소", lead=i2, owner=ines, status=Activity.Status.CANCELLED
    )
    Activity.objects.create(
        kind=Activity.Kind.EVENT, subject="현장", lead=i1, owner=alice
    )  # not inside sales
    Activity.objects.filter(subject__in=["미팅", "취소", "현장"]).update(created_at=NOW - hour)
    touches.rebuild_all()  # the rows above were written around the services, which keep the first touch
    RepCapacity.objects.create(user=alice, weekly_capacity=5)
    RepCapacity.objects.create(user=cast["bob"], weekly_capacity=3)
    Assignment.objects.create(lead=i1, assignee=alice, via=Assignment.Via.SUPPLY, assigned_at=NOW - hour)
    Assignment.objects.create(  # last week
        lead=i2, assignee=alice, via=Assignment.Via.SUPPLY, assigned_at=NOW - dt.timedelta(days=7)
    )
    return {"leads": [i1, i2, i3, i4]}


def test_inside_sales_numbers_by_hand(inside_world, cast, monkeypatch):
    monkeypatch.setattr(funnel.timezone, "now", lambda: NOW)
    data = funnel.inside_sales(cast["ines"], now=NOW, days=90, sla_hours=24)
    t = data.total
    assert (t.leads, t.touched, t.met, t.breached, t.waiting) == (4, 2, 1, 2, 1)
    assert t.median_hours == Decimal(16) and t.mean_hours == Decimal(16)  # (2 + 30) ÷ 2
    assert t.compliance == Decimal(1) / Decimal(3)  # met ÷ (met + breached)
    assert t.meetings == 1
    assert [w.supplied for w in data.weeks][-2:] == [1, 1]
    assert data.this_week == 1
    assert (data.capacity, data.free) == (8, 7)  # 5 + 3; alice took one this week


def test_inside_sales_visibility_and_drill(client, inside_world, cast, monkeypatch):
    monkeypatch.setattr(funnel.timezone, "now", lambda: NOW)
    assert funnel.inside_sales(cast["charlie"], now=NOW, days=90).total.leads == 0
    client.force_login(cast["ines"])
    home = client.get("/")
    assert 'data-testid="inside-dashboard"' in home.content.decode()
    page = client.get("/insights/dashboards/records/?what=speed&state=breached")
    assert {cells[0] for _url, cells in page.context["rows"]} == {"이", "삼"}
    page = client.get("/insights/dashboards/records/?what=meetings")
    assert [cells[0] for _url, cells in page.context["rows"]] == ["미팅"]
    page = client.get("/insights/dashboards/records/?what=supplied&week=2026-11-16")
    assert [cells[0] for _url, cells in page.context["rows"]] == ["일"]
    csv = client.get("/insights/inside-sales/?format=csv").content.decode()
    assert "Ines,4,2,16.00,16.00,1,2,1,33.3,1,0" in csv
    assert client.get("/insights/dashboards/records/?what=bogus").status_code == 400
    assert client.get("/insights/dashboards/records/?what=campaign_won&campaign=999999").status_code == 404


def test_dashboard_api_same_numbers_and_visibility(client, marketing_world, inside_world, cast, monkeypatch):
    monkeypatch.setattr(funnel.timezone, "now", lambda: NOW)

    def get(user, url):
        _token, secret = create_api_token(user, name="test")
        return client.get(url, HTTP_AUTHORIZATION=f"Bearer {secret}")

    data = get(cast["root"], "/api/v1/insights/dashboards/marketing?days=90").json()
    # root sees the marketing world's 4 window leads plus the inside-sales world's 4 (all recent).
    assert data["total"]["leads"] == 8
    a = next(c for c in data["campaigns"] if c["id"] == marketing_world["a"].pk)
    assert (a["leads"], a["opportunities"], Decimal(a["influenced_won"])) == (3, 1, Decimal(15 * M))
    inside = get(cast["ines"], "/api/v1/insights/dashboards/inside-sales?days=90").json()
    assert inside["total"]["leads"] == 4 and inside["field_capacity_per_week"] == 8
    outsider = get(cast["charlie"], "/api/v1/insights/dashboards/inside-sales").json()
    assert outsider["total"]["leads"] == 0
    assert get(cast["ines"], "/api/v1/insights/dashboards/marketing?days=0").status_code == 422


def test_a_call_logged_on_the_lead_timeline_is_a_touch_a_web_visit_is_not(inside_world, cast, monkeypatch):
    """Inside sales often log the call on the lead itself (a timeline entry, not a task): it counts as
    the first touch; a web visit or a download (no colleague behind it) does not."""
    monkeypatch.setattr(funnel.timezone, "now", lambda: NOW)
    i1, _i2, i3, i4 = inside_world["leads"]
    hour = dt.timedelta(hours=1)
    # i3 (created 30 h ago, untouched): a call logged 20 h after creation -> met within the 24 h SLA.
    LeadInteraction.objects.create(
        lead=i3, kind="call", actor=cast["ines"], occurred_at=i3.created_at + 20 * hour
    )
    # i4 (5 h old): a web visit is the lead's own doing, not a touch -> still waiting.
    LeadInteraction.objects.create(lead=i4, kind="web_visit", actor=None, occurred_at=i4.created_at + hour)
    # i1: a logged meeting after its 2 h call changes nothing (the first touch counts).
    LeadInteraction.objects.create(
        lead=i1, kind="meeting", actor=cast["ines"], occurred_at=i1.created_at + 9 * hour
    )
    touches.rebuild_all()  # written around the services (test_first_touch covers the services' own upkeep)
    t = funnel.inside_sales(cast["ines"], now=NOW, days=90, sla_hours=24).total
    # touched: i1 (2 h), i2 (30 h), i3 (20 h); met: i1, i3; breached: i2; waiting: i4.
    assert (t.leads, t.touched, t.met, t.breached, t.waiting) == (4, 3, 2, 1, 1)
    assert t.median_hours == Decimal(20)  # 2, 20, 30
