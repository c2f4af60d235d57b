"""The web-forms API: administrators list, read, create, edit and delete forms with the pages' own
validation (the service's), audited; everyone else is refused."""

from __future__ import annotations

from django.test import Client

from baton.core.models import ChangeLog
from baton.core.tests.test_api_support import ApiClient
from baton.integrations.models import WebForm


def test_webforms_api_crud_with_the_pages_validation(personas):
    admin = ApiClient(personas["root"])
    created = admin.post(
        "/integrations/web-forms",
        {
            "name": "세미나 신청",
            "fields": ["company", "email"],
            "allowed_origins": ["https://www.nuri.co.kr"],
            "consent_text": "마케팅 정보 수신에 동의합니다.",
        },
    )
    assert created.status_code == 201, created.content
    body = created.json()
    form = WebForm.objects.get(pk=body["id"])
    assert body["fields"] == ["company", "email"] and body["source"] == "web_form"
    assert body["allowed_origins"] == ["https://www.nuri.co.kr"]
    assert body["public_url"].endswith(f"/f/{form.token}/")
    # The public form answers at the URL the API gave.
    assert Client().get(body["public_url"]).status_code == 200
    # The same validation as the page: an origin with a path is refused, nothing written.
    bad = admin.patch(f"/integrations/web-forms/{form.pk}", {"allowed_origins": ["https://x.kr/path"]})
    assert bad.status_code == 422 and "allowed_origins" in bad.content.decode()
    unknown = admin.post("/integrations/web-forms", {"name": "x", "fields": ["password"]})
    assert unknown.status_code == 422
    assert admin.post("/integrations/web-forms", {"name": "x", "campaign_id": 99999}).status_code == 422
    assert WebForm.objects.count() == 1
    edited = admin.patch(f"/integrations/web-forms/{form.pk}", {"name": "웨비나 신청", "is_active": False})
    assert edited.status_code == 200 and edited.json()["name"] == "웨비나 신청"
    assert not edited.json()["is_active"]
    assert [f["id"] for f in admin.get("/integrations/web-forms").json()] == [form.pk]
    assert admin.get(f"/integrations/web-forms/{form.pk}").json()["name"] == "웨비나 신청"
    assert ChangeLog.objects.filter(content_type__model="webform", object_id=form.pk).count() == 2
    # Others are refused.
    alice = ApiClient(personas["alice"])
    assert alice.get("/integrations/web-forms").status_code == 403
    assert alice.delete(f"/integrations/web-forms/{form.pk}").status_code == 403
    assert admin.delete(f"/integrations/web-forms/{form.pk}").status_code == 204
    assert not WebForm.objects.exists()
    assert admin.get(f"/integrations/web-forms/{form.pk}").status_code == 404
    assert ChangeLog.objects.filter(content_type__model="webform", action="delete").count() == 1
