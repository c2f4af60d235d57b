"""A quote as a PDF, in Korean or English, laid out as a Korean 견적서: our company block (with the seal
when configured), the customer, the quote number on one line, the lines, 공급가액 / 부가세 / 합계 and
the amount in words.

The font is a TrueType file with Hangul (``BATON_PDF_FONT``, Noto Sans KR installed by ``make
assets``), embedded as a subset so the customer's viewer needs no Korean font of its own. Without the
file the PDF falls back to reportlab's CID font, which viewers must supply (logged as a warning).
"""

from __future__ import annotations

import io
import logging
from html import escape
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import pgettext
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Image, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from baton.core import fieldaccess
from baton.core.customfields.merge import fill_custom, related_records
from baton.core.money import format_money
from baton.deals.models import LineItem, Quote
from baton.deals.quote_sheet import Party, QuoteSheet, build_sheet

logger = logging.getLogger(__name__)

FALLBACK_FONT = "HYSMyeongJo-Medium"
BODY_FONT = "BatonQuote"
BOLD_FONT = "BatonQuote-Bold"


def fonts() -> tuple[str, str]:
    """The (regular, bold) font names, registered once per process."""
    registered = pdfmetrics.getRegisteredFontNames()
    if BODY_FONT in registered:
        return BODY_FONT, BOLD_FONT if BOLD_FONT in registered else BODY_FONT
    regular = Path(settings.BATON_PDF_FONT)
    if not regular.is_file():
        logger.warning("Quote PDF font %s is missing; using a non-embedded CID font", regular)
        if FALLBACK_FONT not in registered:
            pdfmetrics.registerFont(UnicodeCIDFont(FALLBACK_FONT))
        return FALLBACK_FONT, FALLBACK_FONT
    pdfmetrics.registerFont(TTFont(BODY_FONT, str(regular)))
    bold = Path(settings.BATON_PDF_FONT_BOLD)
    if bold.is_file():
        pdfmetrics.registerFont(TTFont(BOLD_FONT, str(bold)))
        return BODY_FONT, BOLD_FONT
    return BODY_FONT, BODY_FONT


def render_quote_pdf(quote: Quote, *, viewer: Any = None) -> bytes:
    """The quote's PDF in the quote's language (labels translated, product names as quoted). The line
    discounts are left blank when they are protected from ``viewer`` (core.fieldaccess)."""
    show_discount = viewer is None or fieldaccess.can_see(viewer, LineItem, "discount_percent")
    with translation.override(quote.language):
        return _render(build_sheet(quote), show_discount=show_discount, viewer=viewer)


def _q(text: str) -> str:
    return pgettext("quote", text)


def _party_rows(party: Party, *, seller: bool, language: str, style, seal) -> list[list]:
    rows = [[_q("Company"), Paragraph(escape(party.name), style)]]
    if party.registration_no:
        rows.append([_q("Business reg. no."), party.registration_no])
    if seller:
        representative = escape(party.representative)
        if language == "ko" and party.representative:
            representative += "  (인)"
        cell: Paragraph | Table = Paragraph(representative, style)
        if seal is not None:  # the seal (직인) stamped beside the representative's name
            cell = Table(
                [[cell, seal]],
                colWidths=[40 * mm, 16 * mm],
                style=[("FONTNAME", (0, 0), (-1, -1), style.fontName)],
            )
        rows.append([_q("Representative"), cell])
    elif party.contact_name:
        rows.append(
            [_q("Attention"), Paragraph(escape(_q("Attn. %(name)s") % {"name": party.attention}), style)]
        )
    if party.address:
        rows.append([_q("Address"), Paragraph(escape(party.address), style)])
    reach = " · ".join(x for x in (party.phone, party.email) if x)
    if reach:
        rows.append([_q("Contact"), Paragraph(escape(reach), style)])
    return rows


def _party_table(title: str, rows: list[list], font: str, bold: str) -> Table:
    table = Table([[title, ""], *rows], colWidths=[28 * mm, 58 * mm])
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), font),
                ("FONTNAME", (0, 0), (-1, 0), bold),
                ("FONTSIZE", (0, 0), (-1, -1), 8.5),
                ("SPAN", (0, 0), (-1, 0)),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e9ecef")),
                ("BOX", (0, 0), (-1, -1), 0.5, colors.grey),
                ("INNERGRID", (0, 1), (-1, -1), 0.25, colors.lightgrey),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("TEXTCOLOR", (0, 1), (0, -1), colors.HexColor("#495057")),
            ]
        )
    )
    return table


def _render(sheet: QuoteSheet, *, show_discount: bool = True, viewer: Any = None) -> bytes:
    font, bold = fonts()
    quote = sheet.quote
    currency = quote.currency
    body = ParagraphStyle("body", fontName=font, fontSize=9, leading=12.5)
    strong = ParagraphStyle("strong", parent=body, fontName=bold, fontSize=10.5, leading=15)
    title = ParagraphStyle("title", parent=body, fontName=bold, fontSize=20, leading=26, alignment=1)
    small = ParagraphStyle("small", parent=body, fontSize=7.5, leading=10, textColor=colors.grey)
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=16 * mm,
        rightMargin=16 * mm,
        topMargin=16 * mm,
        bottomMargin=16 * mm,
        title=f"{_q('Quotation')} {quote.number}",
        author=sheet.seller.name or "Baton",
        initialFontName=font,  # else every page also references a non-embedded Helvetica
    )
    header = f"{_q('Quote no.')} {quote.number} ({_q('version %(n)s') % {'n': quote.revision}})"
    dated = f"{_q('Date')} {timezone.localtime(quote.created_at).date().isoformat()}"
    if quote.valid_until:
        dated += f" · {_q('Valid until')} {quote.valid_until.isoformat()}"
    story: list = [
        Paragraph(_q("Quotation"), title),
        Spacer(1, 4 * mm),
        Paragraph(escape(header), body),
        Paragraph(escape(dated), body),
        Spacer(1, 3 * mm),
    ]
    seal = None
    if sheet.seal_path:
        try:
            seal = Image(sheet.seal_path, width=14 * mm, height=14 * mm)
        except Exception:  # an unreadable image must not cost the customer their quote
            logger.warning("Company seal image %s could not be read", sheet.seal_path)
    buyer = _party_table(
        _q("To"),
        _party_rows(sheet.buyer, seller=False, language=sheet.language, style=body, seal=None),
        font,
        bold,
    )
    seller = _party_table(
        _q("Supplier"),
        _party_rows(sheet.seller, seller=True, language=sheet.language, style=body, seal=seal),
        font,
        bold,
    )
    parties = Table([[buyer, seller]], colWidths=[89 * mm, 89 * mm])
    parties.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), font),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )
    story += [parties, Spacer(1, 5 * mm), Paragraph(escape(_q("We are pleased to quote as follows.")), body)]
    amount = format_money(sheet.total, currency)
    if sheet.words:
        total_line = f"{_q('Total amount')}: {sheet.words} ({amount}, {_q('VAT included')})"
    else:
        total_line = f"{_q('Total amount')}: {amount} ({_q('VAT included')})"
    story += [Spacer(1, 2 * mm), Paragraph(escape(total_line), strong), Spacer(1, 4 * mm)]

    rows: list[list] = [
        [
            _q("No."),
            _q("Item"),
            _q("Qty"),
            _q("Unit price"),
            _q("Discount") if show_discount else "",
            _q("Amount"),
        ]
    ]
    for index, line in enumerate(sheet.lines, start=1):
        name = escape(line.product_name)
        if line.description:
            name += f"<br/><font size=7.5 color='#6c757d'>{escape(line.description)}</font>"
        if line.vat_exempt:
            name += f" <font size=7.5>[{escape(_q('VAT exempt'))}]</font>"
        rows.append(
            [
                str(index),
                Paragraph(name, body),
                f"{line.quantity.normalize():f}",
                format_money(line.list_price, currency),
                f"{line.discount_percent.normalize():f}%" if show_discount else "",
                format_money(line.net_amount, currency),
            ]
        )
    vat_label = _q("VAT (%(rate)s%%)") % {"rate": f"{sheet.vat_percent:f}"}
    totals = [
        (_q("Subtotal"), sheet.subtotal),
        (vat_label, sheet.vat),
        (_q("Total"), sheet.total),
    ]
    first_total = len(rows)
    for label, value in totals:
        rows.append(["", "", "", "", label, format_money(value, currency)])
    table = Table(rows, colWidths=[10 * mm, 70 * mm, 16 * mm, 28 * mm, 24 * mm, 30 * mm], repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), font),
                ("FONTNAME", (0, 0), (-1, 0), bold),
                ("FONTNAME", (0, -1), (-1, -1), bold),
                ("FONTSIZE", (0, 0), (-1, -1), 8.5),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e9ecef")),
                ("ALIGN", (2, 1), (-1, -1), "RIGHT"),
                ("ALIGN", (0, 0), (-1, 0), "CENTER"),
                ("LINEBELOW", (0, 0), (-1, 0), 0.6, colors.black),
                ("LINEABOVE", (0, first_total), (-1, first_total), 0.6, colors.black),
                ("LINEABOVE", (4, -1), (-1, -1), 0.4, colors.grey),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    story += [table, Spacer(1, 5 * mm)]
    terms = [_q("Payment terms: %(days)s days") % {"days": quote.payment_terms_days}]
    if sheet.has_exempt_lines:
        terms.append(_q("Lines marked VAT exempt carry no VAT."))
    for term in terms:
        story.append(Paragraph(escape(term), body))
    # Custom merge fields ({{ opportunity.budget }}) filled in as the viewer may read them.
    records = related_records(quote.opportunity)
    clauses = fill_custom(quote.nonstandard_clauses, records, viewer)
    notes = fill_custom(quote.notes, records, viewer)
    if clauses:
        story.append(Paragraph(f"{escape(_q('Special terms'))}: {escape(clauses)}", body))
    if notes:
        story.append(Spacer(1, 2 * mm))
        story.append(Paragraph(escape(notes).replace("\n", "<br/>"), body))
    story.append(Spacer(1, 6 * mm))
    story.append(Paragraph(escape(_q("Amounts in %(currency)s.") % {"currency": currency}), small))
    doc.build(story)
    return buffer.getvalue()
