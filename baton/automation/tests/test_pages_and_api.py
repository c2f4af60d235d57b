"""Pages and API: only administrators manage rules and see the log; a record's runs are visible to
whoever sees the record (outsiders get 404)."""

from __future__ import annotations

import json

from django.urls import reverse

from baton.accounts.services import update_account
from baton.automation.models import Rule, Run
from baton.core.tests.test_api_support import ApiClient
from conftest import login

from .helpers import drain, make_rule

TASK = [{"type": "create_task", "subject": "확인", "assignee": "owner"}]


def _form(**values):
    data = {
        "name": "규칙",
        "object_kind": "account",
        "trigger": "field_changed",
        "trigger_field": "region",
        "trigger_value": "",
        "offset_days": "0",
        "condition": "",
        "actions": json.dumps(TASK),
        "sequence": "10",
    }
    return data | values


def test_only_admins_manage_rules_on_pages(client, personas, root, world):
    login(client, personas["alice"])
    assert client.get(reverse("automation:list")).status_code == 403
    assert client.post(reverse("automation:create"), _form()).status_code == 403
    assert client.get(reverse("automation:log")).status_code == 403
    login(client, root)
    assert client.get(reverse("automation:list")).status_code == 200
    bad = client.post(reverse("automation:create"), _form(condition="region == "))
    assert bad.status_code == 400
    assert "The expression cannot be parsed" in bad.content.decode()
    unknown = client.post(reverse("automation:create"), _form(condition="budget_size > 3"))
    assert "Unknown fact budget_size" in unknown.content.decode()
    assert not Rule.objects.exists()
    dry = client.post(reverse("automation:create"), _form(condition='industry == ""', dry_run="1"))
    assert dry.status_code == 200 and 'data-testid="dry-hit"' in dry.content.decode()
    assert not Rule.objects.exists()
    saved = client.post(reverse("automation:create"), _form(enabled="on"))
    rule = Rule.objects.get()
    assert saved.status_code == 302 and (rule.version, rule.enabled) == (1, True)
    assert client.get(reverse("automation:dry_run", args=[rule.pk])).status_code == 200
    assert client.post(reverse("automation:toggle", args=[rule.pk])).status_code == 302
    rule.refresh_from_db()
    assert rule.enabled is False


def test_runs_show_on_the_record_for_those_who_see_it(
    client, personas, root, world, django_capture_on_commit_callbacks
):
    account = world["account"]
    make_rule(
        root,
        name="지역 변경 알림",
        object_kind="account",
        trigger="field_changed",
        trigger_field="region",
        actions=TASK,
    )
    with django_capture_on_commit_callbacks(execute=True):
        update_account(account, actor=personas["alice"], changes={"region": "busan"}, expected_version=None)
    drain(django_capture_on_commit_callbacks)
    assert Run.objects.get().status == Run.Status.DONE
    login(client, personas["bob"])
    page = client.get(reverse("accounts:detail", args=[account.pk])).content.decode()
    assert 'data-testid="automation-runs"' in page and "지역 변경 알림" in page
    assert client.get(reverse("automation:record_runs", args=["account", account.pk])).status_code == 200
    login(client, personas["charlie"])
    assert client.get(reverse("automation:record_runs", args=["account", account.pk])).status_code == 404
    assert (
        ApiClient(personas["charlie"]).get(f"/automation/records/account/{account.pk}/runs").status_code
        == 404
    )
    body = ApiClient(personas["bob"]).get(f"/automation/records/account/{account.pk}/runs").json()
    assert [r["status"] for r in body] == ["done"] and body[0]["rule_version"] == 1


def test_rules_through_the_api(personas, root, world):
    api = ApiClient(root)
    payload = {
        "name": "API 규칙",
        "object_kind": "lead",
        "trigger": "created",
        "condition": "has_email",
        "actions": [{"type": "notify", "user": "owner", "text": "새 리드"}],
    }
    assert ApiClient(personas["alice"]).post("/automation/rules", payload).status_code == 403
    assert ApiClient(personas["alice"]).get("/automation/runs").status_code == 403
    bad = api.post("/automation/rules", payload | {"condition": "has_email +"})
    assert bad.status_code in (400, 422) and "condition" in bad.json()["errors"]
    assert api.post("/automation/rules", payload | {"colour": "red"}).status_code == 422
    created = api.post("/automation/rules", payload)
    assert created.status_code == 201, created.content
    rid = created.json()["id"]
    changed = api._send("put", f"/automation/rules/{rid}", payload | {"name": "API 규칙 2"})
    assert changed.json()["version"] == 2
    dry = api.get(f"/automation/rules/{rid}/dry-run").json()
    assert [h["record_id"] for h in dry["hits"]] == [world["lead"].pk]
    assert dry["hits"][0]["actions"][0]["plan"]["user"] == personas["alice"].pk
    assert api.post(f"/automation/rules/{rid}/enabled", {"enabled": True}).json()["enabled"] is True
    assert api.post("/automation/runs/999999/retry").status_code == 404


def test_lead_and_deal_pages_load_the_automation_box_for_those_who_see_the_record(
    client, personas, root, world, django_capture_on_commit_callbacks
):
    """The lead and deal pages load the automation box after the page (so the page's own queries
    stay pinned); the box lists the record's runs and answers 404 to whoever may not see the record."""
    from baton.deals.services import update_opportunity
    from baton.leads.services import update_lead

    lead, opp = world["lead"], world["opportunity"]
    make_rule(
        root,
        name="리드 지역 알림",
        object_kind="lead",
        trigger="field_changed",
        trigger_field="region",
        actions=TASK,
    )
    make_rule(
        root,
        name="다음 단계 알림",
        object_kind="opportunity",
        trigger="field_changed",
        trigger_field="next_step",
        actions=TASK,
    )
    with django_capture_on_commit_callbacks(execute=True):
        update_lead(lead, actor=personas["alice"], changes={"region": "busan"}, expected_version=None)
        update_opportunity(
            opp, actor=personas["alice"], changes={"next_step": "견적 발송"}, expected_version=None
        )
    drain(django_capture_on_commit_callbacks)
    assert Run.objects.filter(status=Run.Status.DONE).count() == 2

    login(client, personas["bob"])
    for kind, record, page, rule in (
        ("lead", lead, "leads:detail", "리드 지역 알림"),
        ("opportunity", opp, "deals:detail", "다음 단계 알림"),
    ):
        panel_url = reverse("automation:record_panel", args=[kind, record.pk])
        assert panel_url in client.get(reverse(page, args=[record.pk])).content.decode()
        panel = client.get(panel_url).content.decode()
        assert 'data-testid="automation-run"' in panel and rule in panel
        assert reverse("automation:record_runs", args=[kind, record.pk]) in panel
    login(client, personas["charlie"])
    assert client.get(reverse("automation:record_panel", args=["lead", lead.pk])).status_code == 404
    assert client.get(reverse("automation:record_panel", args=["opportunity", opp.pk])).status_code == 404
