"""Creating a record that matches an existing one: a warning on the form, a 409 in the API, and no
names of records the creator may not read."""

from __future__ import annotations

import pytest

from baton.accounts.models import Account, Contact
from baton.accounts.services import create_account, create_contact
from baton.core.models import ChangeLog
from baton.core.services import DuplicateError
from baton.core.tests.test_api_support import make_api
from baton.leads.models import Lead
from baton.leads.services import create_lead


@pytest.fixture
def api(personas):
    return make_api(personas)


@pytest.mark.parametrize(
    ("payload", "reason"),
    [
        ({"name": "전혀 다른 이름", "brn": "2208162517"}, "brn"),
        ({"name": "한빛소프트 주식회사"}, "name"),
        ({"name": "다른 회사", "website": "http://hanbit.co.kr/en"}, "domain"),
    ],
)
def test_api_refuses_a_matching_account_with_409_and_the_matches(api, world, payload, reason):
    response = api("bob").post("/accounts", payload)
    assert response.status_code == 409, response.content
    body = response.json()
    match = body["matches"][0]
    assert match["id"] == world["account"].pk and match["name"] == "(주)한빛소프트"
    assert match["url"] == f"/accounts/{world['account'].pk}/" and match["visible"] is True
    assert reason in match["reasons"]
    assert Account.objects.count() == 1


def test_allow_duplicate_creates_and_the_audit_says_it_was_confirmed(api, world, bob):
    response = api("bob").post("/accounts", {"name": "한빛소프트", "allow_duplicate": True})
    assert response.status_code == 201, response.content
    row = ChangeLog.objects.get(
        action="create", object_id=response.json()["id"], content_type__model="account"
    )
    assert f"#{world['account'].pk}" in row.note and row.actor == bob


def test_matches_the_caller_cannot_read_are_told_without_name_or_id(api, world):
    response = api("charlie").post("/accounts", {"name": "다른 회사", "brn": "220-81-62517"})
    assert response.status_code == 409
    (match,) = response.json()["matches"]
    assert match == {
        "kind": "account",
        "visible": False,
        "id": None,
        "name": None,
        "url": None,
        "owner": None,
        "team": "Field Sales 1",
        "score": 100,
        "reasons": ["brn"],
        "reason_labels": ["same business registration number"],
    }
    assert "한빛" not in response.content.decode()


def test_contact_matches_by_email_and_by_phone_typed_another_way(api, world, alice):
    create_contact(actor=alice, name="박지훈", phone="02-123-4567", mobile="010-5555-6666")
    client = api("alice")
    by_email = client.post("/contacts", {"name": "Minjun Kim", "email": "MINJUN@hanbit.co.kr"})
    assert by_email.status_code == 409 and by_email.json()["matches"][0]["reasons"] == ["email"]
    by_mobile = client.post("/contacts", {"name": "J. Park", "phone": "+82 10 5555 6666"})
    assert by_mobile.status_code == 409 and by_mobile.json()["matches"][0]["reasons"] == ["phone"]
    assert client.post("/contacts", {"name": "새 사람", "email": "new@hanbit.co.kr"}).status_code == 201
    assert Contact.objects.count() == 3


def test_lead_matches_open_leads_and_contacts(api, world):
    client = api("bob")
    same_lead = client.post("/leads", {"name": "Seoyeon Lee", "phone": "010 1234 5678"})
    assert same_lead.status_code == 409
    assert same_lead.json()["matches"][0]["kind"] == "lead"
    known_contact = client.post("/leads", {"name": "김민준", "email": "minjun@hanbit.co.kr"})
    assert known_contact.status_code == 409
    assert known_contact.json()["matches"][0]["kind"] == "contact"
    hidden = api("charlie").post("/leads", {"name": "X", "email": "seoyeon@saebom.kr"})
    assert hidden.status_code == 409 and hidden.json()["matches"][0]["name"] is None
    assert Lead.objects.count() == 1


def test_system_callers_skip_the_check_and_people_are_refused(world, alice):
    create_account(actor=alice, name="한빛소프트")  # imports and the demo: allow_duplicate=None
    with pytest.raises(DuplicateError):
        create_account(actor=alice, name="한빛 소프트", allow_duplicate=False)
    with pytest.raises(DuplicateError):
        create_lead(actor=alice, name="이서연", company="(주)새봄물산", allow_duplicate=False)


def test_the_check_costs_the_same_few_queries_however_many_records_match(
    world, alice, django_assert_max_num_queries
):
    for i in range(30):
        create_account(actor=alice, name=f"한빛소프트 {i}호", phone=f"02-123-{4000 + i}")
    # Five queries (owner and team checks, the candidates, the teams, which are visible) and the
    # savepoints of the two atomic blocks: the same with 1 or 30 look-alikes.
    with django_assert_max_num_queries(11), pytest.raises(DuplicateError) as refused:
        create_account(actor=alice, name="한빛소프트", allow_duplicate=False)
    assert len(refused.value.matches) == 10


def test_form_shows_the_matches_and_creates_only_when_confirmed(client, world, alice, bob, charlie):
    data = {"name": "한빛소프트 주식회사", "owner": bob.pk}
    client.force_login(bob)
    warned = client.post("/accounts/new/", data)
    assert warned.status_code == 409
    page = warned.content.decode()
    assert 'data-testid="duplicate-warning"' in page and 'data-testid="create-anyway"' in page
    assert f'href="/accounts/{world["account"].pk}/"' in page
    assert Account.objects.count() == 1
    created = client.post("/accounts/new/", {**data, "allow_duplicate": "1"})
    assert created.status_code == 302
    assert Account.objects.count() == 2

    client.force_login(charlie)
    hidden = client.post("/accounts/new/", {"name": "(주)한빛소프트", "owner": charlie.pk})
    assert hidden.status_code == 409
    body = hidden.content.decode()
    assert "A matching record owned by another team (Field Sales 1)" in body
    assert f"/accounts/{world['account'].pk}/" not in body


def test_contact_and_lead_forms_warn_too(client, world, alice):
    client.force_login(alice)
    contact = client.post(
        "/contacts/new/", {"name": "Kim", "email": "minjun@hanbit.co.kr", "owner": alice.pk}
    )
    assert contact.status_code == 409 and contact.context["duplicates"][0]["kind"] == "contact"
    lead = client.post(
        "/leads/new/",
        {
            "name": "Lee",
            "email": "seoyeon@saebom.kr",
            "source": "web_form",
            "status": "new",
            "owner": alice.pk,
        },
    )
    assert lead.status_code == 409 and lead.context["duplicates"][0]["kind"] == "lead"
