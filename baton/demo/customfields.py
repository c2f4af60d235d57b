"""The demo's custom fields: what a company adds without code (issue 15). Created once; a reseed
keeps them (they are configuration, like the pipeline stages)."""

from __future__ import annotations

from typing import Any

from baton.core.customfields import services as custom_fields
from baton.core.customfields.models import CustomField
from baton.core.layouts.models import PageLayout
from baton.core.layouts.services import save_layout
from baton.core.models import Role

PRODUCTS = ("erp", "crm", "groupware")

DEMO_FIELDS: list[dict[str, Any]] = [
    {
        "object": "lead",
        "key": "product_interest",
        "label_ko": "관심 제품",
        "label_en": "Product interest",
        "type": "choice",
        "choices": [
            {"value": "erp", "label_ko": "ERP", "label_en": "ERP"},
            {"value": "crm", "label_ko": "CRM", "label_en": "CRM"},
            {"value": "groupware", "label_ko": "그룹웨어", "label_en": "Groupware"},
        ],
        "filterable": True,
        "order": 10,
    },
    {
        "object": "opportunity",
        "key": "competitor",
        "label_ko": "경쟁사",
        "label_en": "Competitor",
        "type": "text",
        "help_text": "평가 단계부터 필수 / Required from evaluating on",
        "searchable": True,
        "show_on_card": True,
        "order": 10,
    },
    {
        "object": "opportunity",
        "key": "budget_confirmed",
        "label_ko": "예산 확정",
        "label_en": "Budget confirmed",
        "type": "boolean",
        "show_on_card": True,
        "order": 20,
    },
]


def seed_custom_fields(actor: Any = None) -> None:
    for spec in DEMO_FIELDS:
        values = dict(spec)
        obj, key = values.pop("object"), values.pop("key")
        if not CustomField.objects.filter(object=obj, key=key).exists():
            custom_fields.create_field(actor=actor, object=obj, key=key, **values)


def _section(title_ko: str, title_en: str, names: list[str], compact: tuple[str, ...] = ()) -> dict[str, Any]:
    return {
        "title_ko": title_ko,
        "title_en": title_en,
        "fields": [{"name": n, "readonly": False, "compact": n in compact} for n in names],
    }


#: Inside sales works leads by phone: who to call first (and, on a phone, only that), then the company.
INSIDE_SALES_LEAD = [
    _section("연락처", "Contact", ["name", "title", "phone", "email"], compact=("name", "phone")),
    _section(
        "회사", "Company", ["company", "brn", "website", "industry", "region", "size", "cf_product_interest"]
    ),
    _section(
        "진행",
        "Progress",
        ["status", "source", "campaign", "owner", "disqualify_reason", "language", "description"],
        compact=("status",),
    ),
]


def seed_page_layouts(actor: Any = None) -> None:
    """The inside-sales lead layout (issue 15), created once like the fields (a reseed keeps it)."""
    if not PageLayout.objects.filter(object="lead", role=Role.INSIDE_SALES).exists():
        save_layout(actor=actor, object="lead", role=Role.INSIDE_SALES, sections=INSIDE_SALES_LEAD)


def product_interest(company: str) -> str:
    """A lead's product interest, from its company name (no random draw: the demo's numbers stay)."""
    return PRODUCTS[sum(map(ord, company)) % len(PRODUCTS)]
