"""Scoring hears of lead changes through ``core.events.lead_changed`` (subscribed in ``apps.py``), so
the leads app can announce them without importing scoring."""

from __future__ import annotations

import pytest

from baton.core import events
from baton.leads.services import create_lead
from baton.scoring.models import LeadScore
from baton.scoring.scores.services import rescore_on_lead_change

pytestmark = pytest.mark.django_db


def test_lead_changed_rescores_the_lead(alice):
    assert rescore_on_lead_change in events.lead_changed.subscribers
    lead = create_lead(actor=alice, name="리드", company="회사")
    LeadScore.objects.filter(lead=lead).delete()
    events.lead_changed.emit(events.LeadChange(lead, alice))
    assert LeadScore.objects.filter(lead=lead).exists()
