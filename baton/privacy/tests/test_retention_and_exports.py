"""Retention rules (preview, worker run once per period, log) and the export log."""

from __future__ import annotations

import datetime as dt

from django.test import Client
from django.utils import timezone

from baton.activities import periodic
from baton.activities import services as activity_services
from baton.leads.models import Lead
from baton.leads.services import create_lead
from baton.privacy import retention
from baton.privacy.models import ErasureLog, ExportLog, RetentionRule, RetentionRun
from baton.privacy.subjects import ERASED
from baton.privacy.tasks import apply_retention_rules


def _age(lead: Lead, days: int) -> None:
    Lead.objects.filter(pk=lead.pk).update(updated_at=timezone.now() - dt.timedelta(days=days))


def test_rule_previews_and_erases_only_old_inactive_disqualified_leads(personas, root):
    alice = personas["alice"]
    old = create_lead(actor=alice, name="오래된리드", email="old@lead.kr", status="disqualified")
    busy = create_lead(actor=alice, name="활동리드", email="busy@lead.kr", status="disqualified")
    fresh = create_lead(actor=alice, name="최근리드", email="fresh@lead.kr", status="disqualified")
    open_lead = create_lead(actor=alice, name="진행리드", email="open@lead.kr")
    for lead in (old, busy, open_lead):
        _age(lead, 4 * 365)
    _age(fresh, 100)
    activity_services.create_activity(actor=alice, record=busy, kind="call", subject="최근 통화")
    rule = retention.save_rule(
        actor=root,
        name="실격 3년",
        target="lead",
        lead_statuses=["disqualified"],
        inactive_days=3 * 365,
        include_archived=True,
        is_active=True,
    )
    assert list(retention.candidates(rule)) == [old]

    client = Client()
    client.force_login(root)
    preview = client.get(f"/privacy/retention/{rule.pk}/preview/")
    assert preview.status_code == 200 and "오래된리드" in preview.content.decode()
    assert Lead.objects.get(pk=old.pk).name == "오래된리드"  # a preview erases nothing

    # The worker's job: claimed once per period through the database, then run.
    assert periodic.claim("baton.privacy.tasks.apply_retention_rules", dt.timedelta(days=1), worker="w1")
    assert not periodic.claim("baton.privacy.tasks.apply_retention_rules", dt.timedelta(days=1), worker="w2")
    assert apply_retention_rules.call() == {"rules": 1, "erased": 1}
    assert Lead.objects.get(pk=old.pk).name == ERASED
    assert {Lead.objects.get(pk=p.pk).name for p in (busy, fresh, open_lead)} == {
        "활동리드",
        "최근리드",
        "진행리드",
    }
    run = RetentionRun.objects.get()
    assert (run.rule, run.erased, run.worker) == (rule, 1, "worker")
    assert run.erasure.trigger == ErasureLog.Trigger.RETENTION and run.erasure.subjects["lead"] == [old.pk]
    # A second run finds nothing more.
    assert apply_retention_rules.call() == {"rules": 1, "erased": 0}
    page = client.get("/privacy/retention/")
    assert page.status_code == 200 and "실격 3년" in page.content.decode()


def test_rule_form_refuses_bad_input(personas, root):
    client = Client()
    client.force_login(root)
    bad = client.post("/privacy/retention/", {"name": "", "target": "lead", "inactive_days": 5})
    assert bad.status_code == 400
    assert not RetentionRule.objects.exists()
    ok = client.post(
        "/privacy/retention/",
        {"name": "연락처 5년", "target": "contact", "inactive_days": 1825, "is_active": "on"},
    )
    assert ok.status_code == 302
    assert RetentionRule.objects.get().inactive_days == 1825
    assert Client().get("/privacy/retention/").status_code == 302
    alice = Client()
    alice.force_login(personas["alice"])
    assert alice.get("/privacy/retention/").status_code == 403


def test_csv_exports_are_logged_with_who_what_and_rows(world, alice):
    client = Client()
    client.force_login(alice)
    response = client.get("/insights/reports/new/", {"object": "leads", "col": "name", "format": "csv"})
    assert response.status_code == 200, response.status_code
    log = ExportLog.objects.get()
    assert (log.user, log.kind, log.rows) == (alice, "csv", 1)
    assert "leads" in log.what
    forecast = client.get("/insights/forecast/csv/")
    assert forecast.status_code == 200
    assert ExportLog.objects.filter(user=alice, what__startswith="forecast").exists()


def test_one_run_erases_many_people_at_once(personas, root):
    """Hundreds of values in one erasure go to the database in chunks (SQLite limits expression depth)."""
    alice = personas["alice"]
    leads = Lead.objects.bulk_create(
        Lead(
            name=f"대량{i:03d}",
            email=f"bulk{i:03d}@retention.kr",
            phone=f"+8210555{i:05d}",
            status="disqualified",
            owner=alice,
        )
        for i in range(120)
    )
    Lead.objects.filter(pk__in=[p.pk for p in leads]).update(
        updated_at=timezone.now() - dt.timedelta(days=2000)
    )
    rule = retention.save_rule(
        actor=root,
        name="대량",
        target="lead",
        lead_statuses=["disqualified"],
        inactive_days=365,
        include_archived=True,
        is_active=True,
    )
    run = retention.apply_rule(rule, actor=root)
    assert run.erased == 120
    assert not Lead.objects.filter(email__endswith="@retention.kr").exists()
    assert not Lead.objects.filter(name__startswith="대량").exists()
