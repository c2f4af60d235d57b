"""Custom fields and validation rules through every write path: services, pages, the API and the
board move; reading them on pages and in the API; archive/restore; type changes."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from baton.core.customfields import services as cf
from baton.core.customfields.listing import apply_custom
from baton.core.customfields.models import CustomField, SchemaRevision, ValidationRule
from baton.core.customfields.schema import readable_custom_fields
from baton.core.models import ChangeLog, Role
from baton.core.testing import assert_audited
from baton.core.tests.test_api_support import ApiClient
from baton.deals.models import Stage
from baton.leads.models import Lead
from baton.leads.services import create_lead, update_lead

# key -> (type, extra settings, a good API value, its stored form, a bad API value)
TYPES = {
    "t_text": ("text", {"max_value": 5}, "abc", "abc", "abcdefg"),
    "t_long": ("long_text", {}, "line 1\nline 2", "line 1\nline 2", 12),
    "t_number": ("number", {"min_value": 0, "max_value": 100}, 42, 42, 101),
    "t_money": ("money", {}, {"amount": 1500, "currency": "USD"}, {"amount": 1500, "currency": "USD"},
                {"amount": 1, "currency": "XXX"}),
    "t_percent": ("percent", {}, 12.5, 12.5, 120),
    "t_date": ("date", {}, "2026-03-01", "2026-03-01", "2026-02-30"),
    "t_datetime": ("datetime", {}, "2026-03-01T09:00:00+09:00", "2026-03-01T09:00:00+09:00", "tomorrow"),
    "t_bool": ("boolean", {}, True, True, "yes"),
    "t_choice": ("choice", {"choices": [{"value": "gold"}, {"value": "silver"}]}, "gold", "gold", "bronze"),
    "t_multi": ("multi_choice", {"choices": [{"value": "a"}, {"value": "b"}]}, ["a", "b", "a"], ["a", "b"],
                ["a", "z"]),
    "t_url": ("url", {}, "hanbit.co.kr", "https://hanbit.co.kr", "javascript:alert(1)"),
    "t_email": ("email", {}, "Kim@Hanbit.co.kr", "kim@hanbit.co.kr", "not-an-email"),
    "t_phone": ("phone", {}, "010-1234-5678", "+821012345678", "12"),
    "t_regex": ("text", {"regex": r"[A-Z]{2}-\d{3}"}, "AB-123", "AB-123", "ab-123"),
}  # fmt: skip


def _define_all(root):
    for key, (kind, extra, *_rest) in TYPES.items():
        cf.create_field(actor=root, object="lead", key=key, label_ko=key, label_en=key, type=kind, **extra)
    cf.create_field(actor=root, object="lead", key="t_user", label_ko="담당", label_en="Buddy", type="user")
    cf.create_field(
        actor=root,
        object="lead",
        key="t_ref",
        label_ko="계정",
        label_en="Ref",
        type="reference",
        reference_kind="account",
    )


def test_every_type_through_the_api(personas, world):
    alice, root = personas["alice"], personas["root"]
    _define_all(root)
    api = ApiClient(alice)
    good = {key: spec[2] for key, spec in TYPES.items()}
    good |= {"t_user": personas["bob"].pk, "t_ref": world["account"].pk}
    response = api.post("/leads", {"name": "유형 시험", "custom_fields": good})
    assert response.status_code == 201, response.json()
    stored = Lead.objects.get(pk=response.json()["id"]).custom_field_data
    expected = {key: spec[3] for key, spec in TYPES.items()} | {
        "t_user": personas["bob"].pk,
        "t_ref": world["account"].pk,
    }
    assert stored == expected
    assert response.json()["custom_fields"] == expected
    # Each bad value is refused with its own error, and nothing is saved.
    count = Lead.objects.count()
    bad = {key: spec[4] for key, spec in TYPES.items()} | {"t_user": 10**9, "t_ref": 10**9, "nope": 1}
    response = api.post("/leads", {"name": "나쁜 값", "custom_fields": bad})
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert set(errors) == {f"cf_{key}" for key in bad}
    assert errors["cf_nope"] == ["Unknown custom field."]
    assert Lead.objects.count() == count
    # An outsider's record cannot be referenced.
    charlie_account = world["account"]
    response = ApiClient(personas["charlie"]).post(
        "/leads", {"name": "남의 계정", "custom_fields": {"t_ref": charlie_account.pk}}
    )
    assert response.status_code == 422 and "cf_t_ref" in response.json()["errors"]
    # PATCH changes only the keys sent; null clears.
    lead = Lead.objects.get(pk=stored and Lead.objects.get(name="유형 시험").pk)
    response = api.patch(f"/leads/{lead.pk}", {"version": lead.version, "custom_fields": {"t_text": None}})
    assert response.status_code == 200, response.json()
    lead.refresh_from_db()
    assert "t_text" not in lead.custom_field_data and lead.custom_field_data["t_number"] == 42


def test_page_form_shows_fields_and_errors_and_nothing_half_saves(client, personas, world):
    alice, root = personas["alice"], personas["root"]
    cf.create_field(
        actor=root,
        object="lead",
        key="tier",
        label_ko="등급",
        label_en="Tier",
        type="choice",
        choices=[{"value": "gold", "label_en": "Gold"}],
        requirement="always",
    )
    cf.create_field(
        actor=root, object="lead", key="seats", label_ko="좌석", label_en="Seats", type="number", min_value=1
    )
    client.force_login(alice)
    page = client.get("/leads/new/").content.decode()
    assert 'name="cf_tier"' in page and "Gold" in page and 'name="cf_seats"' in page
    count = Lead.objects.count()
    response = client.post(
        "/leads/new/",
        {"name": "폼 시험", "owner": alice.pk, "status": "new", "source": "web_form", "cf_seats": "0"},
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert 'data-testid="error-cf_tier"' in body and "Tier is required." in body
    assert 'data-testid="error-cf_seats"' in body and "at least 1" in body
    assert Lead.objects.count() == count
    response = client.post(
        "/leads/new/",
        {
            "name": "폼 시험",
            "owner": alice.pk,
            "status": "new",
            "source": "web_form",
            "cf_tier": "gold",
            "cf_seats": "3",
        },
    )
    assert response.status_code == 302
    lead = Lead.objects.get(name="폼 시험")
    assert lead.custom_field_data == {"tier": "gold", "seats": 3}
    detail = client.get(f"/leads/{lead.pk}/").content.decode()
    assert "Tier" in detail and "Gold" in detail
    # The edit writes only what changed, and the history names the field by its label.
    response = client.post(
        f"/leads/{lead.pk}/edit/",
        {
            "name": "폼 시험",
            "owner": alice.pk,
            "status": "new",
            "source": "web_form",
            "cf_tier": "gold",
            "cf_seats": "5",
            "version": lead.version,
        },
    )
    assert response.status_code == 302
    lead.refresh_from_db()
    assert lead.custom_field_data == {"tier": "gold", "seats": 5}
    row = ChangeLog.objects.filter(object_id=lead.pk, action="update").latest("id")
    assert row.before["custom_field_data"]["seats"] == 3 and row.after["custom_field_data"]["seats"] == 5
    detail = client.get(f"/leads/{lead.pk}/").content.decode()
    assert "Seats" in detail


def test_required_from_stage_blocks_the_board_move(client, personas, world):
    alice, root = personas["alice"], personas["root"]
    deal = world["opportunity"]
    cf.create_field(
        actor=root,
        object="opportunity",
        key="decision_maker",
        label_ko="결정권자",
        label_en="Decision maker",
        type="text",
        requirement="from_stage",
        required_from_stage="deciding",
    )
    evaluating = Stage.objects.get(pipeline=deal.pipeline, key="evaluating")
    deciding = Stage.objects.get(pipeline=deal.pipeline, key="deciding")
    client.force_login(alice)
    # Before the stage the field is optional.
    response = client.post(
        f"/deals/{deal.pk}/move/",
        {"stage": evaluating.pk, "version": deal.version},
        HTTP_ACCEPT="application/json",
    )
    assert response.status_code == 200, response.content
    deal.refresh_from_db()
    response = client.post(
        f"/deals/{deal.pk}/move/",
        {"stage": deciding.pk, "version": deal.version},
        HTTP_ACCEPT="application/json",
    )
    assert response.status_code == 400
    assert response.json() == {"ok": False, "error": "Decision maker is required."}
    deal.refresh_from_db()
    assert deal.stage_id == evaluating.pk
    # The API move says the same; once filled in, the move goes through.
    api = ApiClient(alice)
    response = api.post(f"/opportunities/{deal.pk}/move", {"stage_id": deciding.pk, "version": deal.version})
    assert response.status_code == 422 and response.json()["errors"] == {
        "cf_decision_maker": ["Decision maker is required."]
    }
    response = api.patch(
        f"/opportunities/{deal.pk}", {"version": deal.version, "custom_fields": {"decision_maker": "김 이사"}}
    )
    assert response.status_code == 200
    response = api.post(
        f"/opportunities/{deal.pk}/move", {"stage_id": deciding.pk, "version": deal.version + 1}
    )
    assert response.status_code == 200, response.json()


def test_validation_rule_on_page_api_and_board(client, personas, world):
    alice, root = personas["alice"], personas["root"]
    deal = world["opportunity"]
    cf.create_field(
        actor=root,
        object="opportunity",
        key="competitor",
        label_ko="경쟁사",
        label_en="Competitor",
        type="text",
    )
    rule = cf.create_rule(
        actor=root,
        object="opportunity",
        name="평가 단계는 경쟁사 필수",
        expression='stage_key != "evaluating" || cf_competitor != ""',
        message_ko="평가 단계에서는 경쟁사를 적어 주세요.",
        message_en="Name the competitor while evaluating.",
        error_field="competitor",
    )
    assert_audited(rule, ChangeLog.Action.CREATE)
    assert rule.is_active is False
    # Tested on the sample record before activation: the deal (still "considering") meets it.
    assert cf.try_rule("opportunity", rule.expression, deal).met is True
    evaluating = Stage.objects.get(pipeline=deal.pipeline, key="evaluating")
    client.force_login(root)
    response = client.post(f"/settings/validation-rules/{rule.pk}/test/", {"record_id": deal.pk})
    assert response.status_code == 200 and "could be saved" in response.content.decode()
    response = client.post(f"/settings/validation-rules/{rule.pk}/toggle/", {"active": "1"})
    assert response.status_code == 302
    rule.refresh_from_db()
    assert rule.is_active
    client.force_login(alice)
    response = client.post(
        f"/deals/{deal.pk}/move/",
        {"stage": evaluating.pk, "version": deal.version},
        HTTP_ACCEPT="application/json",
    )
    assert response.status_code == 400 and "Name the competitor while evaluating." in response.json()["error"]
    api = ApiClient(alice)
    response = api.post(
        f"/opportunities/{deal.pk}/move", {"stage_id": evaluating.pk, "version": deal.version}
    )
    assert response.status_code == 422
    assert response.json()["errors"] == {"cf_competitor": ["Name the competitor while evaluating."]}
    deal.refresh_from_db()
    assert deal.stage.key == "considering"
    # A page edit that would break it shows the message on the field.
    response = api.post(
        f"/opportunities/{deal.pk}/move", {"stage_id": evaluating.pk, "version": deal.version}
    )
    api.patch(
        f"/opportunities/{deal.pk}", {"version": deal.version, "custom_fields": {"competitor": "경쟁사A"}}
    )
    deal.refresh_from_db()
    response = api.post(
        f"/opportunities/{deal.pk}/move", {"stage_id": evaluating.pk, "version": deal.version}
    )
    assert response.status_code == 200
    # Korean message for a Korean reader.
    deal.refresh_from_db()
    response = ApiClient(alice).patch(
        f"/opportunities/{deal.pk}", {"version": deal.version, "custom_fields": {"competitor": None}}
    )
    assert response.status_code == 422


def test_rule_expression_is_checked_before_saving(personas):
    root = personas["root"]
    with pytest.raises(ValidationError) as exc:
        cf.create_rule(
            actor=root, object="lead", name="x", expression="cf_missing > 1", message_ko="x", message_en="x"
        )
    assert "Unknown fact cf_missing" in str(exc.value)
    with pytest.raises(ValidationError):
        cf.create_rule(
            actor=root, object="lead", name="x", expression="status", message_ko="x", message_en="x"
        )
    assert not ValidationRule.objects.exists()


def test_manager_only_field_never_shown_to_a_rep(client, personas, world):
    alice, dana, root = personas["alice"], personas["dana"], personas["root"]
    definition = cf.create_field(
        actor=root,
        object="lead",
        key="margin_note",
        label_ko="마진 메모",
        label_en="Margin note",
        type="text",
        read_roles=[Role.SALES_MANAGER],
    )
    lead = world["lead"]
    update_lead(
        lead,
        actor=dana,
        changes={"custom_field_data": {"margin_note": "비밀 마진 30%"}},
        expected_version=lead.version,
    )
    assert readable_custom_fields(alice, Lead) == []
    assert readable_custom_fields(dana, Lead) == [definition]
    client.force_login(alice)
    for url in (f"/leads/{lead.pk}/", f"/leads/{lead.pk}/edit/"):
        body = client.get(url).content.decode()
        assert "비밀 마진" not in body and "Margin note" not in body and "cf_margin_note" not in body
    api = ApiClient(alice)
    assert api.get(f"/leads/{lead.pk}").json()["custom_fields"] == {}
    assert all(item["custom_fields"] == {} for item in api.get("/leads").json()["items"])
    assert "margin_note" not in str(api.get("/custom-fields").json())
    # The rep cannot write it either (nor learn it exists beyond "not yours to change").
    response = api.patch(
        f"/leads/{lead.pk}", {"version": lead.version + 1, "custom_fields": {"margin_note": "x"}}
    )
    assert response.status_code == 422
    lead.refresh_from_db()
    assert lead.custom_field_data["margin_note"] == "비밀 마진 30%"
    # A rep's own edit keeps the hidden value.
    response = client.post(
        f"/leads/{lead.pk}/edit/",
        {
            "name": lead.name,
            "owner": alice.pk,
            "status": "new",
            "source": lead.source,
            "title": "팀장",
            "version": lead.version,
        },
    )
    assert response.status_code == 302
    lead.refresh_from_db()
    assert lead.custom_field_data["margin_note"] == "비밀 마진 30%"
    client.force_login(dana)
    assert "비밀 마진 30%" in client.get(f"/leads/{lead.pk}/").content.decode()
    assert ApiClient(dana).get(f"/leads/{lead.pk}").json()["custom_fields"] == {
        "margin_note": "비밀 마진 30%"
    }


def test_archive_and_restore_keep_values(personas, world):
    alice, root = personas["alice"], personas["root"]
    definition = cf.create_field(
        actor=root, object="lead", key="budget", label_ko="예산", label_en="Budget", type="number"
    )
    lead = create_lead(actor=alice, name="보관 시험", custom_field_data={"budget": 500})
    cf.archive_field(definition, actor=root)
    api = ApiClient(alice)
    assert api.get(f"/leads/{lead.pk}").json()["custom_fields"] == {}
    response = api.patch(f"/leads/{lead.pk}", {"version": lead.version, "custom_fields": {"budget": 1}})
    assert response.status_code == 422 and response.json()["errors"] == {
        "cf_budget": ["This field is archived."]
    }
    # Other edits keep the archived value.
    update_lead(lead, actor=alice, changes={"title": "과장"}, expected_version=lead.version)
    lead.refresh_from_db()
    assert lead.custom_field_data == {"budget": 500}
    cf.restore_field(definition, actor=root)
    assert api.get(f"/leads/{lead.pk}").json()["custom_fields"] == {"budget": 500}
    rows = ChangeLog.objects.filter(object_id=definition.pk, content_type__model="customfield")
    assert [r.after.get("archived_at") is None for r in rows.order_by("id")][1:] == [False, True]
    assert SchemaRevision.objects.count() == 3


def test_type_change_previews_values_that_cannot_convert(client, personas, world):
    alice, root = personas["alice"], personas["root"]
    definition = cf.create_field(
        actor=root, object="lead", key="size_note", label_ko="규모", label_en="Size", type="text"
    )
    ok = create_lead(actor=alice, name="숫자", custom_field_data={"size_note": "120"})
    bad = create_lead(actor=alice, name="글자", custom_field_data={"size_note": "백 명"})
    preview = cf.preview_type_change(definition, "number")
    assert (preview.converted, preview.failed) == (1, 1)
    assert preview.failures == [{"id": bad.pk, "value": "백 명", "error": "Enter a number."}]
    client.force_login(root)
    page = client.get(f"/settings/custom-fields/{definition.pk}/type/?type=number").content.decode()
    assert "1 values convert; 1 cannot." in page and "백 명" in page
    with pytest.raises(ValidationError):
        cf.change_type(definition, actor=root, new_type="number")
    definition.refresh_from_db()
    assert definition.type == "text"
    cf.change_type(definition, actor=root, new_type="number", drop_unconvertible=True)
    ok.refresh_from_db()
    bad.refresh_from_db()
    assert ok.custom_field_data == {"size_note": 120}
    assert bad.custom_field_data == {"size_note__before_text": "백 명"}  # kept aside, not lost
    definition.refresh_from_db()
    assert definition.type == "number"


def test_choices_in_use_are_archived_not_deleted(personas):
    alice, root = personas["alice"], personas["root"]
    definition = cf.create_field(
        actor=root,
        object="lead",
        key="tier",
        label_ko="등급",
        label_en="Tier",
        type="choice",
        choices=[{"value": "gold"}, {"value": "silver"}, {"value": "bronze"}],
    )
    lead = create_lead(actor=alice, name="선택지", custom_field_data={"tier": "silver"})
    definition = cf.update_field(definition, actor=root, changes={"choices": [{"value": "gold"}]})
    assert [(c["value"], c["archived"]) for c in definition.choices] == [("gold", False), ("silver", True)]
    # The record keeps its archived choice through other edits; new values must be active choices.
    update_lead(lead, actor=alice, changes={"title": "대리"}, expected_version=lead.version)
    lead.refresh_from_db()
    with pytest.raises(ValidationError):
        create_lead(actor=alice, name="새", custom_field_data={"tier": "silver"})
    assert lead.custom_field_data == {"tier": "silver"}


def test_unique_field(personas):
    alice, root = personas["alice"], personas["root"]
    cf.create_field(
        actor=root,
        object="lead",
        key="erp_code",
        label_ko="ERP 코드",
        label_en="ERP code",
        type="text",
        unique=True,
    )
    create_lead(actor=alice, name="하나", custom_field_data={"erp_code": "C-1"})
    with pytest.raises(ValidationError) as exc:
        create_lead(actor=alice, name="둘", custom_field_data={"erp_code": "C-1"})
    assert exc.value.message_dict == {"cf_erp_code": ["Another record already has this value."]}


def test_filter_and_sort_by_custom_field(client, personas):
    alice, root = personas["alice"], personas["root"]
    cf.create_field(
        actor=root,
        object="lead",
        key="seats",
        label_ko="좌석",
        label_en="Seats",
        type="number",
        filterable=True,
    )
    cf.create_field(
        actor=root,
        object="lead",
        key="tier",
        label_ko="등급",
        label_en="Tier",
        type="choice",
        choices=[{"value": "gold"}, {"value": "silver"}],
        filterable=True,
    )
    for name, seats, tier in (("가", 9, "gold"), ("나", 100, "gold"), ("다", 20, "silver")):
        create_lead(actor=alice, name=name, custom_field_data={"seats": seats, "tier": tier})
    qs, _state = apply_custom(Lead.objects.all(), alice, "lead", {"cf_tier": "gold", "cf_sort": "-seats"})
    assert [lead.name for lead in qs] == ["나", "가"]  # numeric order, not text ("100" < "9")
    qs, _state = apply_custom(Lead.objects.all(), alice, "lead", {"cf_sort": "seats"})
    assert [lead.name for lead in qs] == ["가", "다", "나"]
    with pytest.raises(ValidationError):
        apply_custom(Lead.objects.all(), alice, "lead", {"cf_seats": "many"})
    with pytest.raises(ValidationError):
        apply_custom(Lead.objects.all(), alice, "lead", {"cf_tier": "bronze"})
    client.force_login(alice)
    page = client.get("/leads/?cf_tier=silver").content.decode()
    assert "다" in page and ">가<" not in page
    response = client.get("/leads/?cf_seats=many")
    assert response.status_code == 200  # a page notes and ignores a bad filter


def test_definition_api_is_strict_and_admin_only(personas):
    root, alice = personas["root"], personas["alice"]
    api = ApiClient(root)
    body = {
        "object": "lead",
        "key": "region_code",
        "label_ko": "지역",
        "label_en": "Region",
        "type": "choice",
        "choices": [{"value": "seoul", "label_ko": "서울", "label_en": "Seoul"}],
    }
    assert ApiClient(alice).post("/custom-fields", body).status_code == 403
    response = api.post("/custom-fields", body)
    assert response.status_code == 201, response.json()
    field_id = response.json()["id"]
    assert api.post("/custom-fields", {**body, "surprise": 1}).status_code == 422
    assert api.post("/custom-fields", {**body, "key": "Bad Key"}).status_code == 422
    assert api.post("/custom-fields", body).status_code == 422  # the key exists
    response = api.patch(f"/custom-fields/{field_id}", {"version": 1, "label_en": "Sales region"})
    assert response.status_code == 200 and response.json()["version"] == 2
    definition = CustomField.objects.get(pk=field_id)
    assert_audited(definition, ChangeLog.Action.UPDATE)
    assert api.post(f"/custom-fields/{field_id}/archive").json()["archived"] is True
    assert api.post(f"/custom-fields/{field_id}/restore").json()["archived"] is False
    preview = api.get(f"/custom-fields/{field_id}/type-preview", {"type": "text"}).json()
    assert preview == {"converted": 0, "failed": 0, "failures": []}
