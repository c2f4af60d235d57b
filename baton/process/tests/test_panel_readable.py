"""The process panel speaks the business (issue 9): criterion names with the facts and their values,
not CEL source; every stage in process order; outcomes never "met" on an open deal; on a deal page
one way to move the stage (the pipeline buttons), not a second form in the panel."""

from __future__ import annotations

import re

import pytest

from baton.leads.models import LeadInteraction
from baton.leads.services import create_lead, log_interaction
from baton.process.models import ProcessStage
from baton.process.services import load_design

pytestmark = pytest.mark.django_db


@pytest.fixture
def lead(alice):
    lead = create_lead(actor=alice, name="이서연", company="새봄물산", email="s@saebom.kr")
    for _ in range(2):
        log_interaction(lead, actor=alice, kind=LeadInteraction.Kind.WEB_VISIT)
    return lead


def panel(client, kind, pk, language="en"):
    response = client.get(
        f"/process/records/{kind}/{pk}/", HTTP_HX_REQUEST="true", HTTP_ACCEPT_LANGUAGE=language
    )
    assert response.status_code == 200
    return response.content.decode()


def test_criteria_read_as_names_and_facts_not_cel(client, alice, lead):
    client.force_login(alice)
    body = panel(client, "lead", lead.pk, "ko")
    assert "web_visit_30d" not in body and "&gt;=" not in body and "||" not in body
    assert "웹 방문 3회(30일)·세미나 참석·문의 중 하나" in body
    assert re.search(r"웹 방문 \(30일\)\s*<strong>2회</strong>", body)
    english = panel(client, "lead", lead.pk, "en")
    assert re.search(r"Web visit \(30 days\)\s*<strong>2 times</strong>", english)
    assert "web_visit_30d" not in english


def test_stages_in_process_order(client, alice, lead):
    client.force_login(alice)
    body = panel(client, "lead", lead.pk)
    shown = re.findall(r'data-testid="process-step" data-stage="([\w-]+)"', body)
    design = load_design()
    expected = [s.key for s in sorted(design.active("lead"), key=design.order)]
    assert shown == expected


def test_outcomes_are_not_met_on_an_open_deal_and_the_deal_page_has_one_move_control(client, alice, world):
    client.force_login(alice)
    deal = world["opportunity"]
    body = panel(client, "opportunity", deal.pk)
    steps = re.findall(r'<li [^>]*data-testid="process-step"[^>]*>.*?</li>', body, re.S)
    outcome_steps = [s for s in steps if 'data-outcome="won"' in s or 'data-outcome="lost"' in s]
    assert len(outcome_steps) == 2
    for step in outcome_steps:
        assert "Criteria met" not in step and "bi-check-circle-fill" not in step
    assert 'data-testid="move-form"' not in body  # the deal page's stage buttons move it
    page = client.get(f"/deals/{deal.pk}/").content.decode()
    assert 'data-testid="stage-actions"' in page
    # A lead keeps its move form in the panel: it has no other.
    lead = world["lead"]
    assert 'data-testid="move-form"' in panel(client, "lead", lead.pk)
    assert ProcessStage.objects.filter(record_kind="opportunity", outcome="won").exists()
