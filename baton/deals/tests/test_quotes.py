"""Quotes: versions, the primary quote syncing the deal's amount, the printable page and the PDF."""

import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from pypdf import PdfReader

from baton.core.testing import assert_audited
from baton.deals import catalog, quoting
from baton.deals.models import Quote
from baton.deals.quote_pdf import render_quote_pdf
from baton.deals.tests.factories import add_lines, make_catalog


@pytest.fixture
def cat(db):
    return make_catalog()


def test_versions_and_primary_sync(world, alice, cat):
    opp = world["opportunity"]
    with pytest.raises(ValidationError):
        quoting.create_quote(opp, actor=alice)  # no lines
    add_lines(opp, alice, cat)
    first = quoting.create_quote(opp, actor=alice)
    assert (first.number, first.revision, first.is_primary) == (f"Q-{opp.pk:05d}-01", 1, True)
    opp.refresh_from_db()
    assert opp.amount == first.net_total == Decimal(10_000_000 + 699_993)
    line = opp.line_items.first()
    catalog.update_line_item(line, actor=alice, changes={"discount_percent": "10"})
    second = quoting.create_quote(opp, actor=alice)
    assert second.revision == 2 and not second.is_primary
    first.refresh_from_db()
    assert first.net_total == Decimal(10_699_993)  # the earlier version is a snapshot
    quoting.set_primary(second, actor=alice)
    first.refresh_from_db()
    opp.refresh_from_db()
    assert not first.is_primary and second.is_primary
    assert opp.amount == second.net_total == Decimal(9_000_000 + 699_993)
    assert_audited(opp, "update", amount="9699993")
    assert Quote.objects.filter(opportunity=opp, is_primary=True).count() == 1


@pytest.mark.parametrize("language,label", [("ko", "견적"), ("en", "Quote")])
def test_pdf_in_korean_and_english(world, alice, cat, language, label, settings):
    add_lines(world["opportunity"], alice, cat)
    quote = quoting.create_quote(
        world["opportunity"], actor=alice, language=language, notes="<b>감사합니다</b>"
    )
    data = render_quote_pdf(quote)
    assert data.startswith(b"%PDF")
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    assert quote.number in text
    assert "10,699,993" in text
    if language == "en":
        assert "Total" in text and "ERP core" in text
    else:
        assert "ERP 코어" in text and "(주)한빛소프트" in text  # Korean through the CID font, extractable
