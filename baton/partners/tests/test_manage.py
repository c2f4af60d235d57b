"""The channel team creates and edits partners and their agreements, on pages and through the API:
field errors instead of half-saved rows, an audit row for each write, and nobody else may."""

from __future__ import annotations

import pytest

from baton.core.models import ChangeLog
from baton.core.testing import assert_audited
from baton.core.tests.test_api_support import ApiClient
from baton.deals.models import ProductFamily
from baton.partners.models import Agreement, Partner

pytestmark = pytest.mark.django_db


def test_partner_and_agreement_screens(client, channel):
    pat, pdm = channel["pat"], channel["dana"]
    family = ProductFamily.objects.create(name="ERP 제품군")
    client.force_login(pat)
    assert 'href="/partners/new/"' in client.get("/partners/").content.decode()
    # a missing name and a wrong BRN are field errors; nothing is written
    bad = client.post("/partners/new/", {"name": "", "tier": "gold"})
    assert bad.status_code == 200 and "name" in bad.context["form"].errors
    bad = client.post("/partners/new/", {"name": "한결정보", "brn": "123-45-67890", "tier": "gold"})
    assert bad.status_code == 200 and bad.context["form"].errors
    assert not Partner.objects.filter(account__name="한결정보").exists()
    made = client.post(
        "/partners/new/",
        {
            "name": "한결정보",
            "tier": "silver",
            "manager": pat.pk,
            "product_families": [family.pk],
            "industries": ["finance"],
            "regions": ["seoul", "busan"],
        },
    )
    partner = Partner.objects.get(account__name="한결정보")
    assert made.url == f"/partners/{partner.pk}/"
    assert (partner.tier, partner.manager, partner.industries, partner.regions) == (
        "silver",
        pat,
        ["finance"],
        ["seoul", "busan"],
    )
    assert list(partner.product_families.all()) == [family]
    assert_audited(partner, "create", actor=pat)
    page = client.get(made.url).content.decode()
    assert "한결정보" in page and "No agreements yet." in page

    # edit: tier up, deactivated; the audit row says what changed
    client.post(f"/partners/{partner.pk}/edit/", {"tier": "gold", "manager": pdm.pk, "regions": ["seoul"]})
    partner.refresh_from_db()
    assert (partner.tier, partner.manager, partner.regions, partner.is_active) == (
        "gold",
        pdm,
        ["seoul"],
        False,
    )
    assert list(partner.product_families.all()) == []
    row = ChangeLog.objects.filter(object_id=partner.pk, action="update").order_by("id").first()
    assert row.before["tier"] == "silver" and row.after["tier"] == "gold"

    # agreements: the end before the start and a discount over 100 are field errors
    url = f"/partners/{partner.pk}/agreements/new/"
    values = {
        "kind": "reseller",
        "product_family": family.pk,
        "discount_pct": "15",
        "margin_pct": "0",
        "payment_terms_days": "90",
        "starts_on": "2026-01-01",
        "ends_on": "2025-12-31",
    }
    bad = client.post(url, values)
    assert bad.status_code == 200 and "ends_on" in bad.context["form"].errors
    bad = client.post(url, {**values, "discount_pct": "120", "ends_on": ""})
    assert bad.status_code == 200 and "discount_pct" in bad.context["form"].errors
    assert not Agreement.objects.exists()
    assert client.post(url, {**values, "ends_on": "2026-12-31"}).status_code == 302
    agreement = Agreement.objects.get()
    assert (agreement.partner, agreement.payment_terms_days, str(agreement.discount_pct)) == (
        partner,
        90,
        "15.00",
    )
    assert_audited(agreement, "create", actor=pat)
    edited = client.post(
        f"/partners/agreements/{agreement.pk}/", {**values, "ends_on": "", "margin_pct": "5"}
    )
    assert edited.status_code == 302
    agreement.refresh_from_db()
    assert (agreement.ends_on, str(agreement.margin_pct)) == (None, "5.00")
    assert_audited(agreement, "update", actor=pat)

    # a rep and a partner user may not
    for user in (channel["alice"], channel["paul"]):
        client.force_login(user)
        assert client.get("/partners/new/").status_code == 403
        assert client.get(f"/partners/{partner.pk}/").status_code == 403
        assert client.post(f"/partners/agreements/{agreement.pk}/", values).status_code == 403


def test_partner_api(channel):
    pat = channel["pat"]
    family = ProductFamily.objects.create(name="보안")
    api = ApiClient(pat)
    assert api.post("/partners/partners", {"name": "누리", "tier": "diamond"}).status_code == 422
    assert api.post("/partners/partners", {"name": "x", "product_family_ids": [10**9]}).status_code == 422
    assert api.post("/partners/partners", {"name": "x", "manager_id": channel["alice"].pk}).status_code == 422
    made = api.post(
        "/partners/partners",
        {"name": "새길시스템", "tier": "gold", "regions": ["seoul"], "product_family_ids": [family.pk]},
    )
    assert made.status_code == 201, made.content
    pid = made.json()["id"]
    assert made.json()["account"]["name"] == "새길시스템" and made.json()["product_family_ids"] == [family.pk]
    changed = api.patch(f"/partners/partners/{pid}", {"tier": "platinum", "is_active": False})
    assert (changed.json()["tier"], changed.json()["is_active"]) == ("platinum", False)
    assert {p["id"] for p in api.get("/partners/partners").json()} >= {pid, channel["nuri"].pk}

    body = {"kind": "si", "margin_pct": 12.5, "starts_on": "2026-01-01", "ends_on": "2025-01-01"}
    assert api.post(f"/partners/partners/{pid}/agreements", body).status_code == 422
    assert api.post(f"/partners/partners/{pid}/agreements", {**body, "margin_pct": 101}).status_code == 422
    added = api.post(f"/partners/partners/{pid}/agreements", {**body, "ends_on": None})
    assert added.status_code == 201, added.content
    aid = added.json()["id"]
    assert (
        api.patch(f"/partners/agreements/{aid}", {"payment_terms_days": 90}).json()["payment_terms_days"]
        == 90
    )
    assert [a["id"] for a in api.get(f"/partners/partners/{pid}/agreements").json()] == [aid]
    assert api.get("/partners/partners/999999/agreements").status_code == 404

    for user in (channel["alice"], channel["paul"]):
        other = ApiClient(user)
        assert other.get("/partners/partners").status_code == 403
        assert other.patch(f"/partners/agreements/{aid}", {"payment_terms_days": 1}).status_code == 403
