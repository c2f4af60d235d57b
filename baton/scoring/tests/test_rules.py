import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from baton.core.testing import assert_audited
from baton.leads.services import create_lead, log_interaction, update_lead
from baton.scoring.models import LeadScore, ScoringRule
from baton.scoring.scores.queries import rule_reasons
from baton.scoring.scores.rules import compile_rules, engagement_score, fit_score, lead_attributes
from baton.scoring.scores.services import save_rule, score_all_leads

NOW = dt.datetime(2026, 6, 1, tzinfo=dt.UTC)


def rule(pk, category, attribute, operator="eq", value="", points=10, hl=30, cap=0):
    return ScoringRule(
        pk=pk,
        category=category,
        label=f"r{pk}",
        attribute=attribute,
        operator=operator,
        value=value,
        points=points,
        half_life_days=hl,
        max_points=cap,
    )


def test_fit_rules_add_points_with_reasons():
    rules = compile_rules(
        [
            rule(1, "fit", "industry", "in", "manufacturing, finance", 15),
            rule(2, "fit", "size", "eq", "1000+", 20),
            rule(3, "fit", "title", "contains", "팀장,director", 15),
            rule(4, "fit", "has_phone", "true", "", 5),
            rule(5, "fit", "source", "ne", "referral", -3),
        ]
    )
    attrs = lead_attributes(
        {"industry": "finance", "size": "50-299", "title": "IT팀장", "phone": "", "source": "web_form"}
    )
    total, reasons = fit_score(rules, attrs)
    assert total == 15 + 15 - 3
    assert [r["rule"] for r in reasons] == [1, 3, 5]
    assert [r["points"] for r in reasons] == [15, 15, -3]


def test_engagement_decays_by_half_life_and_is_capped():
    rules = compile_rules(
        [
            rule(1, "engagement", "seminar", points=20, hl=30),
            rule(2, "engagement", "web_visit", points=10, hl=10, cap=15),
        ]
    )
    day = 86400.0
    now = NOW.timestamp()
    # A seminar today is worth 20, one 30 days ago 10, one 60 days ago 5: 35.
    seminars = [("seminar", now), ("seminar", now - 30 * day), ("seminar", now - 60 * day)]
    visits = [("web_visit", now)] * 3  # 30 points, capped at 15
    future = [("seminar", now + day)]  # not yet happened: ignored
    total, reasons = engagement_score(rules, seminars + visits + future, now)
    assert total == 35 + 15
    assert {r["rule"]: (r["points"], r["count"]) for r in reasons} == {1: (35, 3), 2: (15, 3)}


@pytest.mark.django_db
def test_score_recomputed_when_facts_change(alice):
    lead = create_lead(actor=alice, name="김하늘", company="하늘전자", industry="manufacturing", size="1000+")
    score = LeadScore.objects.get(lead=lead)
    # Default rules: target industry 15 + enterprise 20.
    assert (score.fit, score.engagement) == (35, 0)
    with translation.override("en"):
        labels = {r["label"] for r in rule_reasons(score)}
    assert labels == {"Target industry (manufacturing, finance, IT)", "Enterprise (1,000+ employees)"}
    with translation.override("ko"):
        labels = {r["label"] for r in rule_reasons(score)}
    assert labels == {"목표 업종 (제조, 금융, IT)", "대기업 (1,000명 이상)"}
    log_interaction(lead, actor=alice, kind="inbound_question", occurred_at=timezone.now())
    score.refresh_from_db()
    assert score.engagement == 20 and score.total == 55
    update_lead(lead, actor=alice, changes={"size": "1-9"}, expected_version=None)
    score.refresh_from_db()
    assert score.fit == 15 and score.total == 35
    assert score.probability is None  # no model trained: no predicted number


@pytest.mark.django_db
def test_bulk_scoring_matches_single_lead_scoring(alice):
    leads = [
        create_lead(
            actor=alice,
            name=f"리드{i}",
            company=f"회사{i}",
            industry="it" if i % 2 else "retail",
            title="팀장" if i % 3 == 0 else "",
        )
        for i in range(7)
    ]
    for lead in leads[:3]:
        log_interaction(lead, actor=alice, kind="seminar", occurred_at=timezone.now() - dt.timedelta(days=59))
    single = {s.lead_id: (s.fit, s.engagement) for s in LeadScore.objects.all()}
    LeadScore.objects.all().delete()
    assert score_all_leads(batch=3) == 7
    bulk = {s.lead_id: (s.fit, s.engagement) for s in LeadScore.objects.all()}
    assert bulk == single
    assert single[leads[0].pk] == (15, 8)  # 팀장 15; seminar 59 days ago (half-life 60): 7.6 -> 8


@pytest.mark.django_db
def test_rules_are_edited_by_admins_only_and_audited(alice, root):
    values = {
        "category": "fit",
        "label": "Seoul",
        "attribute": "region",
        "operator": "eq",
        "value": "seoul",
        "points": 7,
    }
    with pytest.raises(PermissionDenied):
        save_rule(None, actor=alice, values=values)
    r = save_rule(None, actor=root, values=values)
    assert_audited(r, "create", actor=root)
    with pytest.raises(ValidationError):
        save_rule(None, actor=root, values=values | {"attribute": "shoe_size"})
