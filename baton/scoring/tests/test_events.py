"""Scoring hears of lead changes through ``core.events.lead_changed`` (subscribed in ``apps.py``), so
the leads app can announce them without importing scoring. The rescore runs after the write commits
(issue 17): the write itself only enqueues it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from baton.core import events
from baton.leads.services import create_lead, log_interaction
from baton.scoring.models import LeadScore
from baton.scoring.scores import deferred
from baton.scoring.scores.deferred import rescore_after_commit, rescore_leads_later

pytestmark = pytest.mark.django_db


REAL_SCHEDULE = deferred.schedule_rescore  # read at import, before any test patches it


@pytest.fixture(autouse=True)
def _real_deferral(monkeypatch):
    """The root conftest rescores at once; here the write enqueues after the commit, as in production."""
    monkeypatch.setattr(deferred, "schedule_rescore", REAL_SCHEDULE)


def _rescore_batches(callbacks):
    return [c for c in callbacks if isinstance(c, deferred._Batch)]


IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def test_lead_changed_rescores_the_lead_after_the_commit(alice, settings, django_capture_on_commit_callbacks):
    settings.TASKS = IMMEDIATE
    assert rescore_after_commit in events.lead_changed.subscribers
    with django_capture_on_commit_callbacks(execute=False) as pending:
        lead = create_lead(actor=alice, name="리드", company="회사")
    assert not LeadScore.objects.filter(lead=lead).exists()  # nothing scored inside the write
    batches = _rescore_batches(pending)  # other apps (automation) add their own after-commit work
    assert len(batches) == 1
    batches[0]()  # the commit: the task runs (immediate backend)
    first = LeadScore.objects.get(lead=lead)
    with django_capture_on_commit_callbacks(execute=True):
        log_interaction(lead, actor=alice, kind="seminar", occurred_at=timezone.now() - dt.timedelta(hours=1))
    assert first.engagement == 0
    assert LeadScore.objects.get(lead=lead).engagement > 0  # the seminar counts once the write committed


def test_a_rolled_back_write_enqueues_nothing(alice, settings, django_capture_on_commit_callbacks):
    settings.TASKS = IMMEDIATE
    with (
        django_capture_on_commit_callbacks(execute=True) as pending,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        create_lead(actor=alice, name="취소", company="회사")
        raise RuntimeError("the caller fails after the lead was written")
    assert pending == []


def test_one_transaction_enqueues_one_batch(alice, settings, django_capture_on_commit_callbacks):
    settings.TASKS = IMMEDIATE
    with django_capture_on_commit_callbacks(execute=True) as pending, transaction.atomic():
        first = create_lead(actor=alice, name="하나", company="회사")
        second = create_lead(actor=alice, name="둘", company="회사")
        log_interaction(first, actor=alice, kind="call")
    assert len(_rescore_batches(pending)) == 1
    assert LeadScore.objects.filter(lead__in=[first, second]).count() == 2


def test_the_task_skips_a_lead_deleted_meanwhile(alice):
    kept = create_lead(actor=alice, name="남음", company="회사")
    gone = create_lead(actor=alice, name="지워짐", company="회사")
    gone_id = gone.pk
    gone.delete()
    assert rescore_leads_later.call([gone_id, kept.pk]) == 1


def test_the_lead_page_reads_its_writes_before_the_worker_ran(
    client, alice, django_capture_on_commit_callbacks
):
    """The queued rescore has not run (the callbacks are not executed): the score panel computes it."""
    with django_capture_on_commit_callbacks(execute=False):
        lead = create_lead(actor=alice, name="리드", company="회사")
    client.force_login(alice)
    response = client.get(reverse("scoring:lead_panel", args=[lead.pk]))
    assert response.status_code == 200
    first = response.context["score"]
    assert first.engagement == 0
    with django_capture_on_commit_callbacks(execute=False):
        log_interaction(lead, actor=alice, kind="seminar", occurred_at=timezone.now() - dt.timedelta(hours=1))
    again = client.get(reverse("scoring:lead_panel", args=[lead.pk])).context["score"]
    assert again.engagement > 0
