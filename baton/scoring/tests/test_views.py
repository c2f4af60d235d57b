import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from baton.core.tests.i18n import ensure_compiled_messages
from baton.leads.services import create_lead, update_lead
from baton.scoring.models import Assignment, Disqualification, DisqualifyReason, RoutingRule, ScoringRule
from baton.scoring.routing import save_routing_rule, set_capacity
from baton.scoring.scores.services import train_model
from baton.scoring.scores.synthetic import generate_history


@pytest.mark.django_db
def test_lead_panel_shows_score_reasons_and_fallback(
    client, world, alice, charlie, django_assert_max_num_queries
):
    lead = world["lead"]
    client.force_login(alice)
    url = reverse("scoring:lead_panel", args=[lead.pk])
    with django_assert_max_num_queries(12):
        r = client.get(url)
    assert r.status_code == 200
    body = r.content.decode()
    assert 'data-testid="score-panel"' in body
    assert "Reachable by phone" in body  # the lead has a phone: +5
    assert "Not enough history for a predicted probability yet" in body
    client.force_login(charlie)
    assert client.get(url).status_code == 404
    assert client.get(reverse("scoring:lead", args=[lead.pk])).status_code == 404


@pytest.mark.django_db
def test_qualify_disqualify_and_route_through_the_page(client, world, alice, root):
    lead = world["lead"]
    client.force_login(alice)
    page = reverse("scoring:lead", args=[lead.pk])
    assert client.get(page).status_code == 200
    r = client.post(
        reverse("scoring:lead_qualify", args=[lead.pk]),
        {"item": "budget", "answer": "on", "evidence": "예산 2억 확정"},
    )
    assert r.status_code == 302
    assert "예산 2억 확정" in client.get(page).content.decode()
    r = client.get(reverse("scoring:lead_explanation", args=[lead.pk]) + "?lang=en")
    assert "Thank you for the time" in r.content.decode() and "budget" not in r.content.decode().lower()
    set_capacity(alice, actor=root, values={"weekly_capacity": 1})
    save_routing_rule(None, actor=root, values={"name": "All"}, members=[alice])
    client.post(reverse("scoring:lead_route", args=[lead.pk]))
    assert Assignment.objects.get(lead=lead).assignee == alice
    reason = DisqualifyReason.objects.first()
    day = timezone.localdate() + dt.timedelta(days=30)
    client.post(
        reverse("scoring:lead_disqualify", args=[lead.pk]),
        {"reason": reason.pk, "note": "n", "recycle_on": day.isoformat(), "explanation": "text"},
    )
    assert Disqualification.objects.get(lead=lead).recycle_on == day


@pytest.mark.django_db
def test_admin_pages_are_for_admins(client, alice, root):
    client.force_login(alice)
    for name in ("scoring:rules", "scoring:routing"):
        assert client.get(reverse(name)).status_code == 403
    # The supply queue is for the roles that supply leads (inside sales, sales managers, admins).
    assert client.get(reverse("scoring:supply")).status_code == 403
    for name in ("scoring:index", "scoring:evaluation", "scoring:win_loss"):
        assert client.get(reverse(name)).status_code == 200, name
    client.force_login(root)
    assert client.get(reverse("scoring:rules")).status_code == 200
    r = client.post(
        reverse("scoring:rules"),
        {
            "kind": "rule",
            "new-category": "fit",
            "new-label": "Seoul",
            "new-attribute": "region",
            "new-operator": "eq",
            "new-value": "seoul",
            "new-points": 5,
            "new-half_life_days": 30,
            "new-max_points": 0,
            "new-sequence": 99,
            "new-is_active": "on",
        },
    )
    assert r.status_code == 302
    assert ScoringRule.objects.filter(label="Seoul", points=5).exists()
    assert client.get(reverse("scoring:routing")).status_code == 200
    r = client.post(
        reverse("scoring:routing"),
        {
            "kind": "rule",
            "new-name": "Seoul",
            "new-sequence": 1,
            "new-strategy": "round_robin",
            "new-regions": ["seoul"],
            "new-members": [alice.pk],
            "new-is_active": "on",
        },
    )
    assert r.status_code == 302
    rule = RoutingRule.objects.get(name="Seoul")
    assert rule.regions == ["seoul"] and list(rule.members.all()) == [alice]
    r = client.post(
        reverse("scoring:routing"),
        {
            "kind": "capacity",
            "user": alice.pk,
            f"c{alice.pk}-weekly_capacity": 4,
            f"c{alice.pk}-products": "erp, crm",
        },
    )
    assert alice.capacity.weekly_capacity == 4 and alice.capacity.products == ["erp", "crm"]


@pytest.mark.django_db
def test_evaluation_page_shows_model_and_baseline(client, alice, root):
    generate_history(owner=alice, n=500, seed=5)
    train_model(actor=root)
    client.force_login(alice)
    body = client.get(reverse("scoring:evaluation")).content.decode()
    assert 'data-testid="auc-model"' in body and 'data-testid="auc-baseline"' in body
    assert "Lift by decile" in body and "Calibration" in body


@pytest.mark.django_db
def test_opportunity_meddpicc_and_competitor_pages(client, world, alice, charlie):
    opp = world["opportunity"]
    client.force_login(alice)
    client.post(
        reverse("scoring:opportunity_meddpicc", args=[opp.pk]),
        {"item": "metrics", "answer": "on", "evidence": "재고비용 20% 절감 목표"},
    )
    client.post(
        reverse("scoring:opportunity_competitor", args=[opp.pk]), {"name": "더존", "is_incumbent": "on"}
    )
    body = client.get(reverse("scoring:opportunity", args=[opp.pk])).content.decode()
    assert "재고비용 20% 절감 목표" in body and "더존" in body and "incumbent" in body
    panel = client.get(reverse("scoring:opportunity_panel", args=[opp.pk])).content.decode()
    assert "MEDDPICC · 12%" in panel
    client.force_login(charlie)
    assert client.get(reverse("scoring:opportunity", args=[opp.pk])).status_code == 404


@pytest.mark.django_db
def test_supply_and_win_loss_pages_have_bounded_queries(client, world, alice, mina, root):
    set_capacity(alice, actor=root, values={"weekly_capacity": 2})
    client.force_login(mina)  # a sales manager: the supply queue is theirs

    def count(url):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    def add(n):
        for i in range(n):
            lead = create_lead(actor=alice, name=f"q{i}", company=f"c{i}")
            update_lead(lead, actor=alice, changes={"status": "qualified"}, expected_version=None)

    add(2)
    supply_few, winloss_few = count(reverse("scoring:supply")), count(reverse("scoring:win_loss"))
    add(5)
    assert count(reverse("scoring:supply")) == supply_few  # no query per queued lead
    assert count(reverse("scoring:win_loss")) == winloss_few
    assert supply_few <= 14 and winloss_few <= 10


@pytest.mark.parametrize(
    ("lang", "texts"),
    [
        ("ko", ["리드 점수", "적합도", "전화 연락 가능", "예측 확률을 낼 만큼 이력이", "자격 검증 0%"]),
        ("en", ["Lead score", "Fit", "Reachable by phone", "Not enough history", "Qualification 0%"]),
    ],
)
def test_panel_renders_in_each_language(client, world, alice, lang, texts):
    ensure_compiled_messages()
    client.force_login(alice)
    body = client.get(reverse("scoring:lead_panel", args=[world["lead"].pk]), HTTP_ACCEPT_LANGUAGE=lang)
    body = body.content.decode()
    for text in texts:
        assert text in body, text
