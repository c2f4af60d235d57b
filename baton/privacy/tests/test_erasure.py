"""Data-subject requests: everything about a person is found, exported, and erased so thoroughly
that a scan of every table of the database finds none of their personal values."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test import Client

from baton.accounts.services import create_contact, update_contact
from baton.activities import mail
from baton.activities import services as activity_services
from baton.activities.models import Activity, Attachment, EmailMessage, FeedEntry, Notification
from baton.core.models import ChangeLog
from baton.core.textsearch import search_filter
from baton.leads.models import Lead
from baton.leads.services import create_lead, log_interaction, update_lead
from baton.privacy import consent, subjects
from baton.privacy.models import ErasureLog, ExportLog

NAME = "홍지수"
EMAIL = "jisoo.hong@privacy-test.kr"
OLD_EMAIL = "hong.old@privacy-test.kr"
PHONE = "010-9876-5432"
MOBILE = "010-2468-1357"


def _tables() -> list[str]:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        else:
            cursor.execute(
                "SELECT table_name FROM information_schema.tables "
                "WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'"
            )
        return sorted(row[0] for row in cursor.fetchall())


def _cell(value) -> str:
    if isinstance(value, memoryview):
        value = value.tobytes()
    if isinstance(value, bytes):
        return value.decode("utf-8", "ignore")
    return str(value)


def scan(values: list[str]) -> list[tuple[str, str]]:
    """(table, value) for every value found in any row of any table, as text or JSON-escaped."""
    forms = {v: {v.lower(), json.dumps(v)[1:-1].lower()} for v in values}
    hits = set()
    with connection.cursor() as cursor:
        for table in _tables():
            cursor.execute(f'SELECT * FROM "{table}"')
            for row in cursor.fetchall():
                text = " ".join(_cell(c) for c in row).lower()
                for value, variants in forms.items():
                    if any(v in text for v in variants):
                        hits.add((table, value))
    return sorted(hits)


@pytest.fixture
def person(personas, world, settings, tmp_path):
    """A person known as a lead and as a contact, with something of every kind about them."""
    settings.MEDIA_ROOT = tmp_path
    alice, bob = personas["alice"], personas["bob"]
    lead = create_lead(actor=alice, name=NAME, company="개인정보상사", email=OLD_EMAIL, phone=PHONE)
    lead = update_lead(lead, actor=alice, changes={"email": EMAIL, "title": "구매 담당"}, expected_version=1)
    log_interaction(lead, actor=alice, kind="call", note=f"{NAME} 님과 통화, {PHONE}")
    contact = create_contact(
        actor=alice, account=world["account"], name=NAME, email=EMAIL, phone=PHONE, mobile=MOBILE, notes="VIP"
    )
    contact = update_contact(contact, actor=alice, changes={"title": "팀장"}, expected_version=1)
    activity = activity_services.create_activity(
        actor=alice, record=contact, kind="call", subject=f"{NAME} 통화", body=f"메일 {EMAIL}"
    )
    Attachment.objects.create(
        activity=activity, name=f"{NAME}_명함.png", file=ContentFile(b"png", name="card.png"), size=3
    )
    activity_services.post_comment(contact, actor=alice, text=f"@bob {NAME} 님 연락 부탁해요 {MOBILE}")
    consent.record_consent(contact, actor=alice, purpose="marketing_email", granted=True, channel="web_form")
    mail.send_record_email(
        contact, actor=alice, to=EMAIL, subject=f"{NAME} 님께", body=f"{NAME} 님 안녕하세요"
    )
    # The deal keeps its figures; the person's address in its text goes.
    opp = world["opportunity"]
    type(opp).objects.filter(pk=opp.pk).update(description=f"담당 {EMAIL}")
    return {"lead": lead, "contact": contact, "alice": alice, "bob": bob}


VALUES = [
    NAME,
    EMAIL,
    OLD_EMAIL,
    "+821098765432",
    "01098765432",
    PHONE,
    "+821024681357",
    "01024681357",
    MOBILE,
]


def test_the_subject_page_finds_everything_and_erasure_leaves_nothing_in_any_table(person, root):
    lead, contact = person["lead"], person["contact"]
    before = scan(VALUES)
    tables_before = {t for t, _v in before}
    # The scan works: the values are spread over the records, the change log, mail, feed, notifications.
    for table in ("leads_lead", "accounts_contact", "core_changelog", "activities_emailmessage"):
        assert table in tables_before, (table, before)
    assert Notification.objects.filter(text__contains=NAME).exists()
    assert search_filter(Lead.objects.all(), ["name__icontains"], "지수").exists()

    client = Client()
    client.force_login(root)
    found = client.get("/privacy/", {"q": EMAIL})
    assert found.status_code == 200
    assert f'value="{lead.pk}"' in found.content.decode()
    page = client.get("/privacy/subject/", {"leads": str(lead.pk), "contacts": str(contact.pk)})
    assert page.status_code == 200
    body = page.content.decode()
    for label in ("activities.activity", "activities.attachment", "activities.feedentry", "core.changelog"):
        assert label in body, label
    assert ExportLog.objects.filter(kind="subject_view", user=root).exists()

    archive = client.post("/privacy/subject/export/", {"leads": str(lead.pk), "contacts": str(contact.pk)})
    assert archive.status_code == 200
    assert archive["Content-Type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(archive.content)) as zf:
        data = json.loads(zf.read("subject.json"))
        names = zf.namelist()
    assert data["records"] == {"lead": [lead.pk], "contact": [contact.pk]}
    assert data["tables"]["leads.lead"][0]["email"] == EMAIL
    assert any(row["to_addrs"] == EMAIL for row in data["tables"]["activities.emailmessage"])
    assert any(n.startswith("attachments/") for n in names)
    log = ExportLog.objects.get(kind="subject_archive")
    assert log.user == root and NAME not in log.what and EMAIL not in log.what

    refused = client.post("/privacy/subject/erase/", {"leads": str(lead.pk), "contacts": str(contact.pk)})
    assert refused.status_code == 302
    assert Lead.objects.get(pk=lead.pk).name == NAME  # not confirmed: nothing erased
    erased = client.post(
        "/privacy/subject/erase/", {"leads": str(lead.pk), "contacts": str(contact.pk), "confirm": "on"}
    )
    assert erased.status_code == 302

    assert scan(VALUES) == []
    lead.refresh_from_db()
    contact.refresh_from_db()
    assert (lead.name, lead.email, lead.phone) == (subjects.ERASED, "", "")
    assert (contact.name, contact.email, contact.mobile, contact.notes) == (subjects.ERASED, "", "", "")
    assert "지수" not in lead.search_tokens and "지수" not in contact.search_tokens
    assert not search_filter(Lead.objects.all(), ["name__icontains"], "지수").exists()
    assert not search_filter(Lead.objects.all(), ["name__icontains"], "98765432").exists()
    assert not Activity.objects.filter(contact=contact).exists()
    assert not Attachment.objects.exists()
    assert not EmailMessage.objects.exists()
    assert not FeedEntry.objects.filter(contact=contact).exists()
    # The company and the deal stay.
    assert type(contact.account).objects.filter(pk=contact.account_id).exists()
    # The audit: who erased which records, when; nothing personal in it.
    entry = ErasureLog.objects.get()
    assert entry.actor == root and entry.trigger == "request"
    assert entry.subjects == {"lead": [lead.pk], "contact": [contact.pk]}
    assert entry.counts["activities.activity"] == 2  # the call and the e-mail
    assert ChangeLog.objects.filter(object_id=lead.pk, note="personal data erased", actor=root).exists()


def test_erasure_through_the_api_is_admin_only(person, root, personas):
    from baton.core.tests.test_api_support import ApiClient

    payload = {"lead_ids": [person["lead"].pk], "contact_ids": [person["contact"].pk]}
    assert ApiClient(personas["alice"]).post("/privacy/subjects/erase", payload).status_code == 403
    api = ApiClient(root)
    found = api.get("/privacy/subjects", {"q": "9876-5432"})
    assert found.status_code == 200
    assert {(r["kind"], r["id"]) for r in found.json()} >= {
        ("lead", person["lead"].pk),
        ("contact", person["contact"].pk),
    }
    assert api.get("/privacy/subjects", {"q": "x"}).status_code == 422
    assert api.post("/privacy/subjects/erase", {"lead_ids": [10**9]}).status_code == 404
    response = api.post("/privacy/subjects/erase", payload)
    assert response.status_code == 201, response.content
    assert response.json()["subjects"] == {"lead": [person["lead"].pk], "contact": [person["contact"].pk]}
    assert scan([NAME, EMAIL, PHONE, "01098765432"]) == []


def test_a_name_shared_by_someone_else_is_left_in_their_records(person, root, personas):
    other = create_lead(actor=personas["alice"], name=NAME, company="다른회사", email="other@example.kr")
    subjects.erase(subjects.subject_from_ids([person["lead"].pk], [person["contact"].pk]), actor=root)
    other.refresh_from_db()
    assert other.name == NAME and other.email == "other@example.kr"
