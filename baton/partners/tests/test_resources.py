"""Price lists and files for partners: published to tiers or one partner; a partner sees and downloads
only what reaches them (others → 404), with safe headers; field errors for bad uploads; audited."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from baton.core.testing import assert_audited
from baton.deals.models import PriceList, PriceListEntry, Product, ProductFamily
from baton.partners import services
from baton.partners.models import Resource

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogue(channel):
    erp = ProductFamily.objects.create(name="ERP 패밀리")
    sec = ProductFamily.objects.create(name="보안 패밀리")
    prices = PriceList.objects.create(name="파트너 단가 2027", currency="KRW")
    PriceListEntry.objects.create(
        price_list=prices,
        product=Product.objects.create(code="erp-std", name="ERP 표준", family=erp),
        unit_price=Decimal("1000000"),
    )
    PriceListEntry.objects.create(
        price_list=prices,
        product=Product.objects.create(code="sec-fw", name="방화벽", family=sec),
        unit_price=Decimal("500000"),
    )
    # Daon (gold): 30 % on ERP, 10 % on everything else
    services.add_agreement(
        channel["daon"],
        actor=channel["pat"],
        kind="reseller",
        product_family=erp,
        discount_pct=30,
        starts_on="2026-01-01",
    )
    services.add_agreement(
        channel["daon"], actor=channel["pat"], kind="reseller", discount_pct=10, starts_on="2026-01-01"
    )
    return {**channel, "prices": prices}


def test_publish_see_and_download_only_ours(client, catalogue, tmp_path):
    pat, paul, dora = catalogue["pat"], catalogue["paul"], catalogue["dora"]
    with override_settings(MEDIA_ROOT=tmp_path):
        client.force_login(pat)
        # neither or both a price list and a file, no audience, a bad extension: errors, nothing saved
        assert client.post("/partners/resources/", {"tiers": ["gold"]}).status_code == 200
        bad = client.post("/partners/resources/", {"price_list": catalogue["prices"].pk})
        assert bad.status_code == 200 and "tiers" in bad.context["form"].errors
        exe = SimpleUploadedFile("setup.exe", b"MZ...")
        bad = client.post("/partners/resources/", {"file": exe, "tiers": ["gold"]})
        assert "file" in bad.context["form"].errors
        assert not Resource.objects.exists()
        # the price list to gold partners; a file to Nuri only
        client.post("/partners/resources/", {"price_list": catalogue["prices"].pk, "tiers": ["gold"]})
        sheet = SimpleUploadedFile("제안서 양식.pdf", b"%PDF-1.4 demo", content_type="text/html")
        client.post(
            "/partners/resources/", {"file": sheet, "title": "제안서 양식", "partner": catalogue["nuri"].pk}
        )
        prices = Resource.objects.get(kind="price_list")
        doc = Resource.objects.get(kind="file")
        assert (prices.tiers, doc.partner, doc.file_name, doc.file_size) == (
            ["gold"],
            catalogue["nuri"],
            "제안서 양식.pdf",
            13,
        )
        assert_audited(doc, "create", actor=pat)

        # Daon (gold) sees the price list at its prices, not Nuri's file
        client.force_login(dora)
        page = client.get("/portal/resources/").content.decode()
        assert "파트너 단가 2027" in page and "제안서 양식" not in page
        table = client.get(f"/portal/resources/{prices.pk}/prices/")
        rows = {r["product"].code: r for r in table.context["rows"]}
        assert rows["erp-std"]["partner_price"] == Decimal("700000")  # 1,000,000 less 30 %
        assert rows["sec-fw"]["partner_price"] == Decimal("450000")  # 500,000 less 10 %
        assert client.get(f"/portal/resources/{doc.pk}/download/").status_code == 404

        # Nuri (silver) downloads its file with safe headers, and cannot open the gold price list
        client.force_login(paul)
        assert client.get(f"/portal/resources/{prices.pk}/prices/").status_code == 404
        got = client.get(f"/portal/resources/{doc.pk}/download/")
        assert got.status_code == 200
        assert b"".join(got.streaming_content) == b"%PDF-1.4 demo"
        assert got["Content-Type"] == "application/pdf"  # not the uploader's text/html
        assert got["X-Content-Type-Options"] == "nosniff"
        assert got["Content-Disposition"].startswith("attachment")
        # internal people use the channel pages, not the portal; a rep may not publish
        client.force_login(catalogue["alice"])
        assert client.get(f"/portal/resources/{doc.pk}/download/").status_code == 403
        assert client.get("/partners/resources/").status_code == 403
        # withdrawn: gone for the partner
        client.force_login(pat)
        client.post(f"/partners/resources/{doc.pk}/withdraw/")
        client.force_login(paul)
        assert client.get(f"/portal/resources/{doc.pk}/download/").status_code == 404
