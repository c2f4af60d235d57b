"""Lost and disqualification reasons through the API (issue 11: an API that can do what the pages do):
everyone signed in reads the active ones; administrators add, rename, archive and unarchive them, with
the pages' validation (a name another reason has is refused with a message) and an audit row each."""

from __future__ import annotations

import pytest
from django.urls import reverse

from baton.core.models import ChangeLog
from baton.core.tests.test_api_support import ApiClient
from baton.deals.models import LostReason
from baton.scoring.models import DisqualifyReason

pytestmark = pytest.mark.django_db

KINDS = [
    ("/lost-reasons", LostReason, "lostreason"),
    ("/scoring/disqualify-reasons", DisqualifyReason, "disqualifyreason"),
]


def _audit(model_name: str, pk: int) -> list[str]:
    return list(
        ChangeLog.objects.filter(content_type__model=model_name, object_id=pk)
        .order_by("id")
        .values_list("action", flat=True)
    )


@pytest.mark.parametrize(("path", "model", "model_name"), KINDS)
def test_administrator_adds_renames_archives_and_unarchives(root, alice, path, model, model_name):
    admin, rep = ApiClient(root), ApiClient(alice)
    created = admin.post(path, {"name": "납기 불가 API", "name_en": "Cannot deliver (API)"})
    assert created.status_code == 201, created.content
    body = created.json()
    pk = body["id"]
    assert body["name"] == "납기 불가 API" and body["is_archived"] is False and body["code"] == ""
    assert _audit(model_name, pk) == ["create"]
    assert any(r["id"] == pk for r in rep.get(path).json())  # everyone reads the active ones

    renamed = admin.patch(f"{path}/{pk}", {"name": "납기 지연 API"})
    assert renamed.status_code == 200 and renamed.json()["name"] == "납기 지연 API"
    assert renamed.json()["name_en"] == "Cannot deliver (API)"  # left alone: not sent

    archived = admin.post(f"{path}/{pk}/archive")
    assert archived.status_code == 200 and archived.json()["is_archived"] is True
    assert all(r["id"] != pk for r in rep.get(path).json())  # no longer offered
    listed = admin.get(path, {"include_archived": "true"}).json()
    assert any(r["id"] == pk and r["is_archived"] for r in listed)

    assert admin.post(f"{path}/{pk}/unarchive").json()["is_archived"] is False
    assert any(r["id"] == pk for r in rep.get(path).json())
    assert _audit(model_name, pk) == ["create", "update", "update", "update"]
    assert model.objects.get(pk=pk).name == "납기 지연 API"


@pytest.mark.parametrize(("path", "model", "model_name"), KINDS)
def test_only_administrators_write_and_see_archived_reasons(root, alice, path, model, model_name):
    rep = ApiClient(alice)
    reason = model.objects.create(name="기존 사유 API")
    count = model.objects.count()
    assert rep.post(path, {"name": "몰래 추가"}).status_code == 403
    assert rep.patch(f"{path}/{reason.pk}", {"name": "몰래 변경"}).status_code == 403
    assert rep.post(f"{path}/{reason.pk}/archive").status_code == 403
    assert rep.post(f"{path}/{reason.pk}/unarchive").status_code == 403
    assert rep.get(path, {"include_archived": "true"}).status_code == 403
    assert model.objects.count() == count
    reason.refresh_from_db()
    assert reason.name == "기존 사유 API" and not reason.is_archived
    assert ApiClient(root).patch(f"{path}/{10**9}", {"name": "없음"}).status_code == 404


@pytest.mark.parametrize(("path", "model", "model_name"), KINDS)
def test_duplicate_names_and_bad_input_are_refused_with_a_message(root, path, model, model_name):
    admin = ApiClient(root)
    first = model.objects.create(name="가격 경쟁 API", name_en="Price war")
    other = model.objects.create(name="다른 사유 API", is_archived=True)
    before = ChangeLog.objects.count()
    # The same name in any case or language, as another reason's Korean or English name, archived too.
    for body in (
        {"name": "가격 경쟁 API"},
        {"name": "price WAR"},
        {"name": "새 이름", "name_en": "다른 사유 api"},
    ):
        response = admin.post(path, body)
        assert response.status_code == 422, (body, response.content)
        errors = response.json()["errors"]
        assert any("already named" in m for messages in errors.values() for m in messages), errors
    response = admin.patch(f"{path}/{other.pk}", {"name": "가격 경쟁 API"})
    assert response.status_code == 422 and "already named" in response.json()["errors"]["name"][0]
    # Renaming a reason to its own name (or its own English name) is no clash.
    assert (
        admin.patch(f"{path}/{first.pk}", {"name": "가격 경쟁 API", "name_en": "Price War"}).status_code
        == 200
    )
    for body in ({"name": ""}, {"name": "   "}, {"name": "x" * 101}, {"name": "ok", "colour": "red"}):
        assert admin.post(path, body).status_code == 422, body
    assert admin.patch(f"{path}/{first.pk}", {"name": None}).status_code == 422
    assert model.objects.filter(name__in=["새 이름", "ok"]).count() == 0
    # Only the accepted rename was written.
    assert ChangeLog.objects.count() == before + 1


def test_disqualify_reason_recycle_days_are_bounded(root):
    admin = ApiClient(root)
    for days in (0, 3651, "90", 1.5):
        body = {"name": f"재활용 {days}", "recycle_days": days}
        assert admin.post("/scoring/disqualify-reasons", body).status_code == 422, days
    made = admin.post("/scoring/disqualify-reasons", {"name": "재활용 180", "recycle_days": 180})
    assert made.status_code == 201 and made.json()["recycle_days"] == 180


def test_the_pages_refuse_a_duplicate_name_too(client, root):
    from conftest import login

    LostReason.objects.create(name="중복 페이지 사유")
    DisqualifyReason.objects.create(name="중복 제외 사유")
    login(client, root)
    response = client.post(reverse("deals:lost_reasons"), {"new-name": "중복 페이지 사유"})
    assert response.status_code == 400 and "already named" in response.content.decode()
    assert LostReason.objects.filter(name="중복 페이지 사유").count() == 1
    response = client.post(
        reverse("scoring:rules"),
        {
            "kind": "reason",
            "reason-name": "중복 제외 사유",
            "reason-recycle_days": "90",
            "reason-sequence": "10",
        },
    )
    assert "already named" in response.content.decode()
    assert DisqualifyReason.objects.filter(name="중복 제외 사유").count() == 1


def test_reasons_are_documented_in_openapi(client):
    schema = client.get("/api/v1/openapi.json").json()
    for path in ("/api/v1/lost-reasons/{id}/archive", "/api/v1/scoring/disqualify-reasons/{id}/unarchive"):
        operation = schema["paths"][path]["post"]
        assert operation["summary"] and "403" in operation["responses"]
    post = schema["paths"]["/api/v1/lost-reasons"]["post"]
    assert "201" in post["responses"] and "422" in post["responses"]
