"""Custom fields on support cases and contracts (issue 15): the record's page loads a box with the
values its reader may read; those who may edit the record edit them on one form, checked like every
write (types, required fields, roles); outsiders get 404, readers who may not edit get 403."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from baton.core.customfields import services as cf
from baton.success.cases import services

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(world, alice):
    return services.open_case(
        actor=alice,
        account=world["account"],
        subject="ERP 로그인 불가",
        priority="high",
        now=dt.datetime(2026, 9, 23, 16, tzinfo=ZoneInfo("Asia/Seoul")),
    )


def test_case_custom_fields_box_and_form(client, case, personas, alice, charlie):
    root = personas["root"]
    cf.create_field(
        actor=root,
        object="case",
        key="erp_module",
        label_ko="ERP 모듈",
        label_en="ERP module",
        type="choice",
        choices=[{"value": "fi", "label_en": "Finance"}, {"value": "hr", "label_en": "HR"}],
    )
    cf.create_field(
        actor=root, object="case", key="affected_users", label_ko="영향 사용자", label_en="Affected users",
        type="number", min_value=0,
    )  # fmt: skip
    client.force_login(alice)
    page = client.get(f"/success/cases/{case.pk}/").content.decode()
    assert f"/custom-fields/case/{case.pk}/panel/" in page
    panel = client.get(f"/custom-fields/case/{case.pk}/panel/").content.decode()
    assert 'data-testid="custom-field-panel"' in panel and "No values yet." in panel
    url = f"/custom-fields/case/{case.pk}/"
    form = client.get(url).content.decode()
    assert 'name="cf_erp_module"' in form and 'name="cf_affected_users"' in form
    bad = client.post(url, {"version": case.version, "cf_erp_module": "fi", "cf_affected_users": "-3"})
    assert bad.status_code == 400 and 'data-testid="error-cf_affected_users"' in bad.content.decode()
    case.refresh_from_db()
    assert case.custom_field_data == {}
    saved = client.post(url, {"version": case.version, "cf_erp_module": "fi", "cf_affected_users": "40"})
    assert saved.status_code == 302 and saved["Location"] == f"/success/cases/{case.pk}/"
    case.refresh_from_db()
    assert case.custom_field_data == {"erp_module": "fi", "affected_users": 40}
    panel = client.get(f"/custom-fields/case/{case.pk}/panel/").content.decode()
    assert "Finance" in panel and "40" in panel
    # An outsider does not learn the case exists.
    client.force_login(charlie)
    assert client.get(f"/custom-fields/case/{case.pk}/panel/").status_code == 404
    assert client.post(url, {"version": case.version, "cf_erp_module": "hr"}).status_code == 404
    # A kind without such a page (or unknown) is a 404 too.
    client.force_login(alice)
    assert client.get(f"/custom-fields/lead/{case.pk}/").status_code == 404
    assert client.get(f"/custom-fields/nothing/{case.pk}/panel/").status_code == 404


def test_contract_box_on_its_page(client, personas, alice, won_deal):
    from baton.success.services.contracts import create_contract_from_opportunity

    cf.create_field(
        actor=personas["root"], object="contract", key="po_number", label_ko="발주번호", label_en="PO number",
        type="text",
    )  # fmt: skip
    contract = create_contract_from_opportunity(won_deal, actor=alice)
    client.force_login(alice)
    assert (
        f"/custom-fields/contract/{contract.pk}/panel/"
        in client.get(f"/success/contracts/{contract.pk}/").content.decode()
    )
    response = client.post(
        f"/custom-fields/contract/{contract.pk}/",
        {"version": contract.version, "cf_po_number": "PO-2026-118"},
    )
    assert response.status_code == 302 and response["Location"] == f"/success/contracts/{contract.pk}/"
    contract.refresh_from_db()
    assert contract.custom_field_data == {"po_number": "PO-2026-118"}
