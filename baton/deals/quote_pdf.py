"""A quote as a PDF, in Korean or English, with reportlab's built-in CID font for Korean
(HYSMyeongJo-Medium: the viewer supplies the glyphs, so no font file ships with Baton)."""

from __future__ import annotations

import io
from html import escape

from django.utils import translation
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from baton.core.money import format_money
from baton.deals.models import Quote

KOREAN_FONT = "HYSMyeongJo-Medium"


def _font() -> str:
    if KOREAN_FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(KOREAN_FONT))
    return KOREAN_FONT


def render_quote_pdf(quote: Quote) -> bytes:
    """The quote's PDF in the quote's language (labels translated, product names as quoted)."""
    with translation.override(quote.language):
        return _render(quote)


def _render(quote: Quote) -> bytes:
    font = _font()
    body = ParagraphStyle("body", fontName=font, fontSize=9.5, leading=13)
    title = ParagraphStyle("title", parent=body, fontSize=18, leading=24)
    small = ParagraphStyle("small", parent=body, fontSize=8, leading=11, textColor=colors.grey)
    opportunity = quote.opportunity
    currency = quote.currency
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
        title=f"{_('Quote')} {quote.number}",
        author="Baton",
    )
    story = [
        Paragraph(_("Quote"), title),
        Paragraph(f"{_('Number')}: {quote.number} · {_('Version')} {quote.revision}", body),
        Paragraph(f"{_('Customer')}: {escape(opportunity.account.name)}", body),
        Paragraph(f"{_('Opportunity')}: {escape(opportunity.name)}", body),
    ]
    if quote.valid_until:
        story.append(Paragraph(f"{_('Valid until')}: {quote.valid_until.isoformat()}", body))
    story.append(Spacer(1, 6 * mm))
    rows = [[_("Product"), _("Quantity"), _("List price"), _("Discount %"), _("Amount")]]
    for line in quote.lines.all():
        name = line.product_name + (f" — {line.description}" if line.description else "")
        rows.append(
            [
                Paragraph(escape(name), body),
                f"{line.quantity.normalize():f}",
                format_money(line.list_price, currency),
                f"{line.discount_percent.normalize():f}",
                format_money(line.net_amount, currency),
            ]
        )
    rows.append(["", "", "", _("Total"), format_money(quote.net_total, currency)])
    table = Table(rows, colWidths=[70 * mm, 18 * mm, 30 * mm, 20 * mm, 34 * mm], repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), font),
                ("FONTSIZE", (0, 0), (-1, -1), 9),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e9ecef")),
                ("ALIGN", (1, 1), (-1, -1), "RIGHT"),
                ("LINEBELOW", (0, 0), (-1, 0), 0.6, colors.black),
                ("LINEABOVE", (0, -1), (-1, -1), 0.6, colors.black),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    story.append(table)
    story.append(Spacer(1, 6 * mm))
    story.append(Paragraph(f"{_('Payment terms')}: {quote.payment_terms_days} {_('days')}", body))
    if quote.nonstandard_clauses:
        story.append(Paragraph(f"{_('Special terms')}: {escape(quote.nonstandard_clauses)}", body))
    if quote.notes:
        story.append(Paragraph(escape(quote.notes).replace("\n", "<br/>"), body))
    story.append(Spacer(1, 8 * mm))
    story.append(Paragraph(_("Amounts in %(currency)s.") % {"currency": currency}, small))
    doc.build(story)
    return buffer.getvalue()
