"""The evidence rule of the qualification checklists lives in the one service every path calls."""

import pytest
from django.core.exceptions import ValidationError

from baton.leads.models import LeadInteraction
from baton.leads.services import create_lead, log_interaction
from baton.process.models import QualificationAnswer
from baton.process.services import set_qualification


@pytest.fixture
def lead(alice):
    lead = create_lead(actor=alice, name="이서연", company="새봄물산", email="s@saebom.kr")
    log_interaction(lead, actor=alice, kind=LeadInteraction.Kind.WEB_VISIT)
    return lead


@pytest.mark.django_db
def test_process_page_refuses_a_confirmed_answer_without_evidence(client, alice, lead):
    client.force_login(alice)
    for evidence in ("", "   "):
        response = client.post(
            f"/process/records/lead/{lead.pk}/qualify/",
            {"item": "budget", "answer": "1", "evidence": evidence},
            HTTP_HX_REQUEST="true",
        )
        assert response.status_code == 422
        assert "Say what confirms it" in response.content.decode()
    assert not QualificationAnswer.objects.filter(record_kind="lead", record_id=lead.pk).exists()


@pytest.mark.django_db
def test_process_service_refuses_a_confirmed_answer_without_evidence(alice, lead):
    with pytest.raises(ValidationError) as caught:
        set_qualification(lead, "budget", answer=True, evidence=" ", actor=alice)
    assert "evidence" in caught.value.message_dict
    # An unconfirmed answer needs no evidence; a confirmed one with evidence is kept.
    assert set_qualification(lead, "authority", answer=False, evidence="", actor=alice).answer is False
    row = set_qualification(lead, "budget", answer=True, evidence="CFO said 1억 by mail", actor=alice)
    assert row.answer is True and row.evidence == "CFO said 1억 by mail"
