"""Custom fields as merge fields: ``{{ opportunity.budget }}`` in e-mail templates and in a quote's
notes on the PDF, filled in only with what the reader may read; unknown ones are refused on save."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from baton.accounts.services import update_account
from baton.activities import mail
from baton.core.customfields import services as cf
from baton.core.models import Role
from baton.deals import quoting
from baton.deals.quote_pdf import render_quote_pdf
from baton.deals.services import update_opportunity
from baton.deals.tests.test_quote_korean import _pdf_text, company, quoted  # noqa: F401 (fixtures)


def _fields(root, world, manager):
    cf.create_field(
        actor=root, object="opportunity", key="budget", label_ko="예산", label_en="Budget", type="money"
    )
    cf.create_field(
        actor=root,
        object="opportunity",
        key="floor",
        label_ko="최저가",
        label_en="Floor price",
        type="number",
        read_roles=[Role.SALES_MANAGER],
    )
    cf.create_field(
        actor=root,
        object="account",
        key="tier",
        label_ko="등급",
        label_en="Tier",
        type="choice",
        choices=[{"value": "gold", "label_ko": "골드", "label_en": "Gold"}],
    )
    opp = world["opportunity"]
    update_opportunity(
        opp,
        actor=manager,
        changes={"custom_field_data": {"budget": {"amount": 150_000_000, "currency": "KRW"}, "floor": 99}},
        expected_version=None,
    )
    account = world["account"]
    tier = {"custom_field_data": {"tier": "gold"}}
    update_account(account, actor=manager, changes=tier, expected_version=None)
    opp.refresh_from_db()
    return opp


def test_email_template_custom_merge_fields(personas, world):
    alice, dana, root = personas["alice"], personas["dana"], personas["root"]
    opp = _fields(root, world, dana)
    with pytest.raises(ValidationError) as refused:
        mail.save_template(
            None, actor=alice, name="x", language="en", subject="s", body="{{ opportunity.nope }}"
        )
    assert "opportunity.nope" in str(refused.value)
    template = mail.save_template(
        None,
        actor=alice,
        name="예산 안내",
        language="ko",
        subject="{{ company }} ({{ account.tier }})",
        body="예산 {{ opportunity.budget }}, 최저 {{opportunity.floor}}.",
    )
    subject, body = mail.render_template(template, opp, alice)
    assert subject == "(주)한빛소프트 (Gold)"
    assert body == "예산 ₩150,000,000, 최저 ."  # the manager-only value stays empty for a rep
    assert mail.render_template(template, opp, dana)[1] == "예산 ₩150,000,000, 최저 99."
    # A contact's template reaches its account, not a deal.
    assert mail.render_template(template, world["contact"], alice)[0] == "(주)한빛소프트 (Gold)"


def test_quote_pdf_fills_custom_merge_fields(personas, world, quoted, company):  # noqa: F811
    alice, dana, root = personas["alice"], personas["dana"], personas["root"]
    _fields(root, world, dana)
    quote = quoting.create_quote(quoted, actor=alice, language="ko")
    quote = quoting.update_quote(
        quote,
        actor=alice,
        changes={"notes": "고객 등급 {{ account.tier }} / 최저 {{ opportunity.floor }}"},
        expected_version=None,
    )
    text = _pdf_text(render_quote_pdf(quote, viewer=alice))
    assert "고객 등급 골드 / 최저" in text and "99" not in text.split("고객 등급")[1]
    assert "최저 99" in _pdf_text(render_quote_pdf(quote, viewer=dana))
