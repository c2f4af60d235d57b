"""Page layouts (issue 15): per record type and role, which sections and fields the detail page and the
edit form show, in what order, which are read-only, and the compact layout of narrow screens. A layout
only narrows what field protection and the custom field roles already allow."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from baton.core.customfields import services as cf_services
from baton.core.customfields.models import Requirement
from baton.core.layouts.models import PageLayout
from baton.core.layouts.services import reset_layout, save_layout
from baton.core.models import ChangeLog, Role
from baton.core.services import ConflictError
from baton.core.testing import audit_rows
from baton.leads.forms import LeadForm
from baton.leads.models import Lead
from baton.leads.services import update_lead
from baton.leads.views import LeadDetailView
from baton.security.field_protection import set_field_protection

pytestmark = pytest.mark.django_db


def _verbose(model, *names: str) -> list[str]:
    return [str(model._meta.get_field(n).verbose_name) for n in names]


def _lead_labels(*names: str) -> list[str]:
    return _verbose(Lead, *names)


def _fields(*names: str, readonly: tuple[str, ...] = (), compact: tuple[str, ...] = ()) -> list[dict]:
    return [{"name": n, "readonly": n in readonly, "compact": n in compact} for n in names]


def _section(title: str, *names: str, **flags) -> dict:
    return {"title_ko": title, "title_en": title, "fields": _fields(*names, **flags)}


def _labels(response) -> list[str]:
    return [str(row.label) for row in response.context["rows"]]


def _rep_layout(root, *sections, kind="lead", role=Role.FIELD_SALES) -> PageLayout:
    return save_layout(actor=root, object=kind, role=role, sections=list(sections))


def _lead_post(lead, owner, **changes) -> dict:
    data = {
        "name": lead.name,
        "company": lead.company,
        "email": lead.email,
        "phone": lead.phone,
        "source": lead.source,
        "status": lead.status,
        "owner": owner.pk,
        "version": lead.version,
    }
    data.update(changes)
    return data


# --- no layout: the page as it comes --------------------------------------------------------------------


def test_without_a_layout_pages_and_forms_are_unchanged(client, alice, world):
    lead = world["lead"]
    client.force_login(alice)
    detail = client.get(f"/leads/{lead.pk}/")
    assert "layout_sections" not in detail.context
    assert _labels(detail) == _lead_labels(*LeadDetailView.fields)  # every row, in the view's order
    assert b'data-testid="layout-sections"' not in detail.content
    form = client.get(f"/leads/{lead.pk}/edit/").context["form"]
    assert list(form.fields) == [*LeadForm.Meta.fields, "version"]
    assert form.layout_sections == []
    assert not any(f.disabled for f in form.fields.values())


def test_layouts_cost_pages_no_query_once_loaded(client, alice, root, world):
    _rep_layout(root, _section("Basics", "name", "owner"), role=Role.SALES_MANAGER)
    client.force_login(alice)
    client.get(f"/leads/{world['lead'].pk}/")  # loads the layouts into the process's copy
    with CaptureQueriesContext(connection) as queries:
        client.get(f"/leads/{world['lead'].pk}/")
    assert not [q for q in queries.captured_queries if "core_pagelayout" in q["sql"]]


# --- a layout narrows, orders, and makes fields read-only -----------------------------------------------


def test_layout_narrows_and_orders_the_detail_page_for_its_role_only(client, alice, mina, root, world):
    lead = world["lead"]
    _rep_layout(
        root,
        _section("Contact", "email", "name", "owner"),
        _section("Company", "company", "status"),
    )
    client.force_login(alice)  # field sales: the layout
    response = client.get(f"/leads/{lead.pk}/")
    assert _labels(response) == _lead_labels("email", "name", "owner", "company", "status")
    assert [s.title for s in response.context["layout_sections"]] == ["Contact", "Company"]
    html = response.content.decode()
    assert "seoyeon@saebom.kr" in html and "010-1234-5678" not in html  # the phone is left off
    assert 'data-testid="layout-section">Contact<' in html

    client.force_login(mina)  # a manager: no layout for her role, the page as it comes
    assert _labels(client.get(f"/leads/{lead.pk}/")) == _lead_labels(*LeadDetailView.fields)


def test_layout_orders_and_narrows_the_form(client, alice, root, world):
    _rep_layout(root, _section("Basics", "owner", "company", "name"), _section("More", "email"))
    client.force_login(alice)
    form = client.get(f"/leads/{world['lead'].pk}/edit/").context["form"]
    assert list(form.fields) == ["version", "owner", "company", "name", "email"]
    assert [(g["title"], [f.name for f in g["fields"]]) for g in form.layout_groups()] == [
        ("Basics", ["owner", "company", "name"]),
        ("More", ["email"]),
    ]


def test_every_role_layout_applies_where_a_role_has_none(client, alice, mina, root, world):
    _rep_layout(root, _section("All", "name", "owner"), role="")
    _rep_layout(root, _section("Reps", "company", "name", "owner"))
    client.force_login(mina)
    assert _labels(client.get(f"/leads/{world['lead'].pk}/")) == _lead_labels("name", "owner")
    client.force_login(alice)
    assert _labels(client.get(f"/leads/{world['lead'].pk}/")) == _lead_labels("company", "name", "owner")


@pytest.mark.parametrize(
    ("kind", "url", "names"),
    [
        ("account", "/accounts/{pk}/", ("website", "name", "owner")),
        ("contact", "/contacts/{pk}/", ("email", "name", "account", "owner")),
        ("opportunity", "/deals/{pk}/", ("stage", "name", "account", "owner")),
    ],
)
def test_the_other_customer_records_take_layouts(client, alice, root, world, kind, url, names):
    _rep_layout(root, _section("Main", *names), kind=kind)
    client.force_login(alice)
    record = world[kind]
    response = client.get(url.format(pk=record.pk))
    assert _labels(response) == _verbose(type(record), *names)
    edit = client.get(url.format(pk=record.pk) + "edit/")
    shown = [n for n in edit.context["form"].fields if n != "version"]
    assert shown == [n for n in names if n in edit.context["form"].fields]
    assert set(shown) <= set(names)


def test_read_only_is_enforced_on_post(client, alice, bob, root, world):
    lead = world["lead"]
    _rep_layout(root, _section("Basics", "name", "company", "title", "owner", readonly=("company", "owner")))
    client.force_login(alice)
    page = client.get(f"/leads/{lead.pk}/edit/")
    assert page.context["form"].fields["company"].disabled
    assert " disabled" in str(page.context["form"]["company"])

    # A crafted post changes the read-only company and owner, and the title the layout allows.
    data = _lead_post(lead, bob, company="바뀐회사", title="과장", email="other@x.kr", phone="")
    response = client.post(f"/leads/{lead.pk}/edit/", data)
    assert response.status_code == 302, response.content
    lead.refresh_from_db()
    assert lead.company == "새봄물산 주식회사" and lead.owner_id == alice.pk  # read-only: kept
    assert lead.title == "과장"  # editable: saved
    assert lead.email == "seoyeon@saebom.kr" and lead.phone  # off the layout: ignored, kept


def test_a_required_read_only_field_is_editable_on_a_new_record_only(client, alice, root, world):
    _rep_layout(root, _section("Basics", "name", "company", "owner", readonly=("name", "company")))
    client.force_login(alice)
    new = client.get("/leads/new/").context["form"]
    assert not new.fields["name"].disabled and new.fields["company"].disabled
    response = client.post("/leads/new/", {"name": "박지훈", "company": "무시됨", "owner": alice.pk})
    assert response.status_code == 302, response.content
    created = Lead.objects.get(name="박지훈")
    assert created.company == ""  # read-only on the layout: the posted value is ignored
    assert client.get(f"/leads/{created.pk}/edit/").context["form"].fields["name"].disabled


# --- a layout never widens access --------------------------------------------------------------------------


def test_a_layout_cannot_reveal_a_protected_field(client, alice, root, world):
    lead = world["lead"]
    set_field_protection(
        actor=root, model="leads.lead", field="phone", protected=True, roles=[Role.SALES_MANAGER]
    )
    hidden = cf_services.create_field(
        actor=root,
        object="lead",
        key="margin_note",
        label_ko="마진 메모",
        label_en="Margin note",
        type="text",
        read_roles=[Role.SALES_MANAGER],
    )
    readonly_cf = cf_services.create_field(
        actor=root,
        object="lead",
        key="tier",
        label_ko="등급",
        label_en="Tier",
        type="text",
        edit_roles=[Role.SALES_MANAGER],
    )
    update_lead(
        lead,
        actor=root,
        changes={"custom_field_data": {"margin_note": "비밀메모", "tier": "A"}},
        expected_version=lead.version,
    )
    lead.refresh_from_db()
    # The rep's layout places every one of them, editable.
    _rep_layout(root, _section("All", "name", "phone", "owner", "cf_margin_note", "cf_tier"))
    client.force_login(alice)
    detail = client.get(f"/leads/{lead.pk}/")
    assert _labels(detail) == [*_lead_labels("name", "owner"), "Tier"]
    html = detail.content.decode()
    assert "010-1234-5678" not in html and "비밀메모" not in html
    form = client.get(f"/leads/{lead.pk}/edit/").context["form"]
    assert "phone" not in form.fields and "cf_margin_note" not in form.fields
    assert form.fields["cf_tier"].disabled  # the field's edit roles: still read-only
    response = client.post(
        f"/leads/{lead.pk}/edit/",
        {**_lead_post(lead, alice), "phone": "01099998888", "cf_tier": "B", "cf_margin_note": "x"},
    )
    assert response.status_code == 400  # a protected field posted is refused, as without a layout
    lead.refresh_from_db()
    assert lead.custom_field_data == {"margin_note": "비밀메모", "tier": "A"}
    assert hidden.pk and readonly_cf.pk


# --- saving layouts: required fields, versions, audit, administrators ---------------------------------


def test_a_layout_that_leaves_off_a_required_field_is_refused(root):
    with pytest.raises(ValidationError) as refused:
        save_layout(
            actor=root, object="lead", role=Role.FIELD_SALES, sections=[_section("S", "company", "owner")]
        )
    assert "cannot be left off the layout: Name" in " ".join(refused.value.messages)
    cf_services.create_field(
        actor=root,
        object="lead",
        key="budget_code",
        label_ko="예산 코드",
        label_en="Budget code",
        type="text",
        requirement=Requirement.ALWAYS,
    )
    with pytest.raises(ValidationError) as refused:
        save_layout(
            actor=root, object="lead", role=Role.FIELD_SALES, sections=[_section("S", "name", "owner")]
        )
    assert "Budget code" in " ".join(refused.value.messages)
    assert not PageLayout.objects.exists()


@pytest.mark.parametrize(
    ("sections", "message"),
    [
        ([], "at least one section"),
        ([_section("S", "name", "owner", "no_such_field")], "Unknown fields: no_such_field"),
        ([_section("S", "name", "owner"), _section("T", "name")], "A field may appear once: name"),
        ("not a list", "at least one section"),
    ],
)
def test_bad_layouts_are_refused_with_a_message(root, sections, message):
    with pytest.raises(ValidationError) as refused:
        save_layout(actor=root, object="lead", role=Role.FIELD_SALES, sections=sections)
    assert message in " ".join(refused.value.messages)
    assert not PageLayout.objects.exists()


def test_a_field_made_required_after_the_layout_stays_on_the_form(client, alice, root, world):
    _rep_layout(root, _section("Basics", "name", "owner"))
    cf_services.create_field(
        actor=root,
        object="lead",
        key="budget_code",
        label_ko="예산 코드",
        label_en="Budget code",
        type="text",
        requirement=Requirement.ALWAYS,
    )
    client.force_login(alice)
    form = client.get("/leads/new/").context["form"]
    assert list(form.fields) == ["name", "owner", "cf_budget_code"]
    assert form.layout_groups()[-1]["title"] == "Other required fields"


def test_layouts_are_versioned_audited_and_admin_only(alice, root):
    layout = _rep_layout(root, _section("S", "name", "owner"))
    assert layout.version == 1
    assert audit_rows(layout, ChangeLog.Action.CREATE).get().actor == root
    layout = save_layout(
        actor=root,
        object="lead",
        role=Role.FIELD_SALES,
        sections=[_section("S", "owner", "name")],
        expected_version=1,
    )
    assert layout.version == 2
    row = audit_rows(layout, ChangeLog.Action.UPDATE).get()
    assert [f["name"] for f in row.before["sections"][0]["fields"]] == ["name", "owner"]
    assert [f["name"] for f in row.after["sections"][0]["fields"]] == ["owner", "name"]
    with pytest.raises(ConflictError):
        save_layout(
            actor=root,
            object="lead",
            role=Role.FIELD_SALES,
            sections=[_section("S", "name", "owner")],
            expected_version=1,
        )
    with pytest.raises(PermissionDenied):
        save_layout(
            actor=alice, object="lead", role=Role.FIELD_SALES, sections=[_section("S", "name", "owner")]
        )
    with pytest.raises(ValidationError):
        save_layout(actor=root, object="lead", role="no_such_role", sections=[_section("S", "name", "owner")])
    reset_layout(layout, actor=root, expected_version=2)
    assert not PageLayout.objects.exists()
    assert audit_rows(layout, ChangeLog.Action.DELETE).count() == 1


# --- the compact layout ---------------------------------------------------------------------------------


def test_compact_layout_marks_the_other_rows_for_narrow_screens(client, alice, root, world):
    _rep_layout(root, _section("Basics", "name", "company", "email", "owner", compact=("name", "email")))
    client.force_login(alice)
    response = client.get(f"/leads/{world['lead'].pk}/")
    assert [(str(r.label), r.extra) for r in response.context["rows"]] == list(
        zip(_lead_labels("name", "company", "email", "owner"), [False, True, False, True], strict=True)
    )
    html = response.content.decode()
    assert 'data-testid="layout-more"' in html and html.count("layout-extra") == 4  # dt and dd of two rows


# --- the settings pages ------------------------------------------------------------------------------------


def test_settings_pages_are_for_administrators(client, alice, root):
    client.force_login(alice)
    assert client.get("/settings/page-layouts/").status_code == 403
    assert client.get("/settings/page-layouts/lead/field_sales/").status_code == 403
    assert client.post("/settings/page-layouts/lead/field_sales/", {}).status_code == 403
    client.force_login(root)
    assert client.get("/settings/page-layouts/").status_code == 200
    assert client.get("/settings/page-layouts/case/field_sales/").status_code == 404
    assert client.get("/settings/page-layouts/lead/nobody/").status_code == 404
    page = client.get("/settings/page-layouts/lead/all/")
    assert page.status_code == 200
    # A new layout starts from the page as it comes: every field in one section, in order.
    rows = page.context["editor"]["fields"]
    assert [r["name"] for r in rows][:3] == ["name", "company", "title"]
    assert all(r["section"] == "0" for r in rows)


def test_the_editor_saves_rows_in_their_order_without_script(client, root):
    client.force_login(root)
    data = {
        "version": "",
        "s0-order": "2",
        "s0-title_ko": "연락처",
        "s0-title_en": "Contact",
        "s1-order": "1",
        "s1-title_ko": "기본",
        "s1-title_en": "Basics",
        "f-email-section": "0",
        "f-email-order": "1",
        "f-phone-section": "0",
        "f-phone-order": "0",
        "f-phone-compact": "1",
        "f-name-section": "1",
        "f-name-order": "5",
        "f-owner-section": "1",
        "f-owner-order": "3",
        "f-owner-readonly": "1",
        "f-company-section": "",
    }
    response = client.post("/settings/page-layouts/lead/field_sales/", data)
    assert response.status_code == 302
    layout = PageLayout.objects.get(object="lead", role=Role.FIELD_SALES)
    assert layout.sections == [
        {
            "title_ko": "기본",
            "title_en": "Basics",
            "fields": [
                {"name": "owner", "readonly": True, "compact": False},
                {"name": "name", "readonly": False, "compact": False},
            ],
        },
        {
            "title_ko": "연락처",
            "title_en": "Contact",
            "fields": [
                {"name": "phone", "readonly": False, "compact": True},
                {"name": "email", "readonly": False, "compact": False},
            ],
        },
    ]
    # Leaving the name off is refused with the message, and nothing changes.
    refused = client.post(
        "/settings/page-layouts/lead/field_sales/", {**data, "f-name-section": "", "version": "1"}
    )
    assert refused.status_code == 400
    assert "cannot be left off the layout: Name" in refused.content.decode()
    layout.refresh_from_db()
    assert layout.version == 1
    # Removing it gives the role the page as it comes again.
    assert client.post("/settings/page-layouts/lead/field_sales/reset/", {"version": "1"}).status_code == 302
    assert not PageLayout.objects.exists()


# --- the API ------------------------------------------------------------------------------------------------


def test_the_api_sets_lists_and_removes_layouts_with_the_same_rules(personas):
    from baton.core.tests.test_api_support import ApiClient

    admin, rep = ApiClient(personas["root"]), ApiClient(personas["alice"])
    body = {
        "sections": [
            {"title_en": "Basics", "fields": [{"name": "name"}, {"name": "owner", "readonly": True}]}
        ]
    }
    assert rep._send("put", "/page-layouts/lead/field_sales", body).status_code == 403
    created = admin._send("put", "/page-layouts/lead/all", body)
    assert created.status_code == 200, created.content
    assert created.json()["role"] == "all" and created.json()["version"] == 1
    assert created.json()["sections"][0]["fields"][1] == {"name": "owner", "readonly": True, "compact": False}
    assert PageLayout.objects.get().role == ""
    # Leaving the name off: 422 with the message; a stale version: 409; unknown keys: 422.
    refused = admin._send("put", "/page-layouts/lead/all", {"sections": [{"fields": [{"name": "owner"}]}]})
    assert refused.status_code == 422 and "cannot be left off the layout" in refused.content.decode()
    assert admin._send("put", "/page-layouts/lead/all", {**body, "version": 7}).status_code == 409
    assert admin._send("put", "/page-layouts/lead/all", {**body, "colour": "red"}).status_code == 422
    assert admin._send("put", "/page-layouts/case/all", body).status_code == 422
    assert [row["object"] for row in admin.get("/page-layouts").json()] == ["lead"]
    assert rep.get("/page-layouts").status_code == 403
    assert admin.delete("/page-layouts/lead/all", "?version=1").status_code == 204
    assert admin.delete("/page-layouts/lead/all").status_code == 404
    assert not PageLayout.objects.exists()
