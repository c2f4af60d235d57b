"""A quote a Korean customer accepts: 공급가액 / 부가세 / 합계, our company block, the customer's company
and contact, Korean labels, the amount in words, the font embedded, and no internal numbers printed."""

import io
import re
from decimal import Decimal

import pytest
from pypdf import PdfReader

from baton.accounts.services import update_account
from baton.core.korean_numbers import korean_number_words, won_in_words
from baton.deals import catalog, quoting
from baton.deals.quote_pdf import render_quote_pdf
from baton.deals.tests.factories import make_catalog

COMPANY = {
    "BATON_COMPANY_NAME": "(주)바톤테스트",
    "BATON_COMPANY_NAME_EN": "Baton Test Inc.",
    "BATON_COMPANY_REGISTRATION_NO": "123-45-67890",
    "BATON_COMPANY_REPRESENTATIVE": "박대표",
    "BATON_COMPANY_ADDRESS": "서울특별시 중구 세종대로 1",
    "BATON_COMPANY_PHONE": "02-123-4567",
    "BATON_COMPANY_EMAIL": "sales@test.example",
    "BATON_COMPANY_SEAL_IMAGE": "",
    "BATON_VAT_PERCENT": 10,
}


@pytest.mark.parametrize(
    "number,words",
    [
        (0, "영"),
        (1, "일"),
        (10, "십"),
        (11, "십일"),
        (20, "이십"),
        (105, "백오"),
        (1500, "천오백"),
        (9999, "구천구백구십구"),
        (10000, "일만"),
        (11000, "일만천"),
        (100000, "십만"),
        (10000000, "천만"),
        (100000000, "일억"),
        (100010001, "일억일만일"),
        (120000000, "일억이천만"),
        (1234567890, "십이억삼천사백오십육만칠천팔백구십"),
        (1000000000000, "일조"),
    ],
)
def test_korean_number_words(number, words):
    assert korean_number_words(number) == words


def test_won_in_words_and_refusals():
    assert won_in_words(Decimal("120000000.00")) == "금 일억이천만원정"
    assert won_in_words(132_000_000) == "금 일억삼천이백만원정"
    for bad in (-1, Decimal("1.5"), 10**20):
        with pytest.raises(ValueError):
            korean_number_words(bad)


@pytest.fixture
def company(settings):
    for name, value in COMPANY.items():
        setattr(settings, name, value)
    return settings


@pytest.fixture
def quoted(world, alice, company):
    """A deal of ₩120,000,000 taxable + ₩3,000,000 VAT-exempt, quoted in Korean."""
    cat = make_catalog()
    opp = world["opportunity"]
    update_account(
        world["account"], actor=alice, changes={"address": "서울 마포구 양화로 45"}, expected_version=None
    )
    catalog.add_line_item(opp, actor=alice, product=cat["erp"], quantity=12)  # 12 × 10,000,000
    cat["cloud"].vat_exempt = True
    cat["cloud"].save()
    catalog.add_line_item(opp, actor=alice, product=cat["cloud"], quantity=2)  # 2 × 1,500,000, exempt
    return opp


def _pdf_text(data: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_vat_on_taxable_lines_only_and_kept_on_the_quote(quoted, alice, company):
    quote = quoting.create_quote(quoted, actor=alice)
    # By hand: supply 120,000,000 + 3,000,000 = 123,000,000; VAT 10 % of 120,000,000 = 12,000,000.
    assert quote.net_total == Decimal(123_000_000)
    assert (quote.vat_percent, quote.vat_total) == (Decimal(10), Decimal(12_000_000))
    assert quote.total_with_vat == Decimal(135_000_000)
    assert [line.vat_exempt for line in quote.lines.all()] == [False, True]
    assert quote.contact == quoted.primary_contact
    company.BATON_VAT_PERCENT = 0  # a later change of rate never rewrites a quote already made
    quote.refresh_from_db()
    assert quote.vat_total == Decimal(12_000_000)


def test_vat_cuts_the_fraction_of_a_won(world, alice, company):
    cat = make_catalog()
    opp = world["opportunity"]
    catalog.add_line_item(opp, actor=alice, product=cat["seat"], quantity=1)  # ₩99,999: VAT 9,999.9
    quote = quoting.create_quote(opp, actor=alice)
    assert quote.vat_total == Decimal(9_999)


def test_korean_pdf_reads_as_a_korean_quote(quoted, alice, company):
    quote = quoting.create_quote(quoted, actor=alice, language="ko")
    data = render_quote_pdf(quote)
    text = _pdf_text(data)
    for label in (
        "견 적 서",
        "공급가액",
        "부가세 (10%)",
        "합계",
        "상호",
        "사업자등록번호",
        "대표자",
        "수신",
        "공급자",
    ):
        assert label in text, label
    for value in COMPANY.values():
        if isinstance(value, str) and value and value != "Baton Test Inc.":
            assert value in text, value
    assert "(주)한빛소프트" in text and "220-81-62517" in text and "서울 마포구 양화로 45" in text
    assert "김민준 IT팀장 귀하" in text and "minjun@hanbit.co.kr" in text
    assert "₩123,000,000" in text and "₩12,000,000" in text and "₩135,000,000" in text
    assert "금 일억삼천오백만원정" in text
    assert "면세" in text
    # The quote number on one line, and no English label left on the Korean quote.
    assert re.search(rf"견적번호 {quote.number} \(버전 1\)", text)
    for english in ("Number:", "Customer:", "Quote", "Total", "VAT", "Subtotal"):
        assert english not in text, english


def test_english_pdf(quoted, alice, company):
    quote = quoting.create_quote(quoted, actor=alice, language="en")
    text = _pdf_text(render_quote_pdf(quote))
    for label in ("Quotation", "Subtotal", "VAT (10%)", "Total", "Baton Test Inc.", "ERP core"):
        assert label in text, label
    assert "₩135,000,000" in text and "원정" not in text


def test_pdf_embeds_its_font(quoted, alice, company):
    """Every font the PDF uses carries its glyphs (FontFile2), so a viewer without Korean fonts shows it."""
    quote = quoting.create_quote(quoted, actor=alice)
    reader = PdfReader(io.BytesIO(render_quote_pdf(quote)))
    fonts = {}
    for page in reader.pages:
        for name, ref in page["/Resources"]["/Font"].items():
            fonts[name] = ref.get_object()
    assert fonts
    for font in fonts.values():
        descriptors = [font] + [d.get_object() for d in font.get("/DescendantFonts", [])]
        embedded = [
            d["/FontDescriptor"].get_object()
            for d in descriptors
            if "/FontDescriptor" in d
            and any(k in d["/FontDescriptor"].get_object() for k in ("/FontFile", "/FontFile2", "/FontFile3"))
        ]
        assert embedded, f"font {font.get('/BaseFont')} is referenced, not embedded"


def test_seal_image_printed_when_configured(quoted, alice, company, tmp_path):
    from PIL import Image

    seal = tmp_path / "seal.png"
    Image.new("RGB", (60, 60), (200, 30, 30)).save(seal)
    quote = quoting.create_quote(quoted, actor=alice)
    without = PdfReader(io.BytesIO(render_quote_pdf(quote)))
    company.BATON_COMPANY_SEAL_IMAGE = str(seal)
    with_seal = PdfReader(io.BytesIO(render_quote_pdf(quote)))
    assert len(list(without.pages[0].images)) == 0
    assert len(list(with_seal.pages[0].images)) == 1
    company.BATON_COMPANY_SEAL_IMAGE = str(tmp_path / "missing.png")  # a bad path still prints the quote
    assert render_quote_pdf(quote).startswith(b"%PDF")


def test_nothing_internal_on_the_printable_forms(quoted, alice, company, client):
    """Cost, margin and delivery effort never reach the PDF or the printable page."""
    catalog.add_effort(quoted, actor=alice, role="delivery", person_days=10, day_rate=654_321)
    quote = quoting.create_quote(quoted, actor=alice, language="ko")
    internal = [
        "4,200,000",  # the ERP product's unit cost
        "50,400,000",  # its cost × 12
        "6,543,210",  # the delivery cost
        "마진",
        "원가",
        "margin",
    ]
    text = _pdf_text(render_quote_pdf(quote))
    client.force_login(alice)
    page = client.get(f"/deals/quotes/{quote.pk}/print/")
    assert page.status_code == 200
    html = page.content.decode()
    for secret in internal:
        assert secret not in text, secret
        assert secret.lower() not in html.lower(), secret
    assert "₩135,000,000" in html and "금 일억삼천오백만원정" in html and "(주)바톤테스트" in html


def test_printable_page_in_english_and_korean_labels(quoted, alice, company, client):
    client.force_login(alice)
    ko = quoting.create_quote(quoted, actor=alice, language="ko")
    html = client.get(f"/deals/quotes/{ko.pk}/print/").content.decode()
    for label in ("견 적 서", "공급가액", "부가세 (10%)", "합계", "사업자등록번호", "대표자"):
        assert label in html, label
    assert "Number:" not in html and "Customer:" not in html
    en = quoting.create_quote(quoted, actor=alice, language="en")
    html = client.get(f"/deals/quotes/{en.pk}/print/").content.decode()
    for label in ("Quotation", "Subtotal", "VAT (10%)", "Total", "Baton Test Inc."):
        assert label in html, label
    assert "원정" not in html


def test_printable_page_is_private(quoted, alice, company, client, charlie):
    quote = quoting.create_quote(quoted, actor=alice)
    client.force_login(charlie)
    assert client.get(f"/deals/quotes/{quote.pk}/print/").status_code == 404


def test_api_quote_carries_vat_and_line_exemption(quoted, alice, company, client):
    from baton.core.services import create_api_token

    _token, secret = create_api_token(alice, name="t")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    economics = client.get(f"/api/v1/opportunities/{quoted.pk}/economics", **auth).json()
    assert [line["vat_exempt"] for line in economics["lines"]] == [False, True]
    r = client.post(
        f"/api/v1/opportunities/{quoted.pk}/quotes",
        data={"language": "en"},
        content_type="application/json",
        **auth,
    )
    assert r.status_code == 201, r.content
    body = r.json()
    assert Decimal(str(body["vat_total"])) == Decimal(12_000_000)
    assert Decimal(str(body["total_with_vat"])) == Decimal(135_000_000)
    assert body["contact_id"] == quoted.primary_contact_id


def test_the_customers_phone_reads_as_koreans_dial_it(quoted, alice, company, client, world):
    """Phones are stored as E.164 (+821022763893); the quote prints them as 010-2276-3893."""
    from baton.accounts.services import update_contact

    update_contact(world["contact"], actor=alice, changes={"phone": "010-2276-3893"}, expected_version=None)
    client.force_login(alice)
    quote = quoting.create_quote(quoted, actor=alice, language="ko")
    html = client.get(f"/deals/quotes/{quote.pk}/print/").content.decode()
    assert "010-2276-3893" in html and "+8210" not in html
