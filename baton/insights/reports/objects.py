"""What can be reported on: each object, its base query through the reader's visibility, and the
whitelisted fields a definition may name."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Model, QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from baton.accounts.models import Account, Contact
from baton.activities.models import Activity
from baton.core.customfields.models import FieldType
from baton.core.customfields.schema import readable_custom_fields, schema_for
from baton.core.models import User
from baton.deals.models import ForecastCategory, Opportunity, Stage
from baton.deals.models_sales import LineItem
from baton.leads.models import Lead
from baton.process.models import StageHistory
from baton.process.queries import restrict


@dataclass(frozen=True)
class ReportField:
    key: str
    label: Promise | str
    path: str
    kind: str  # text | choice | multi | number | money | date | datetime | user | ref | bool
    choices: tuple[tuple[str, Any], ...] = ()
    # For refs: the path of the label shown for the related row.
    label_path: str = ""
    # For custom references: the record kind (``core.records``) the stored id points at.
    reference_kind: str = ""

    @property
    def groupable(self) -> bool:
        return self.kind in ("choice", "multi", "user", "ref", "date", "datetime", "bool", "text")

    @property
    def numeric(self) -> bool:
        return self.kind in ("number", "money")


@dataclass(frozen=True)
class ReportObject:
    key: str
    label: Promise | str
    model: type[Model]
    base: Callable[[User], QuerySet]
    fields: tuple[ReportField, ...]
    default_columns: tuple[str, ...]
    detail_url: str = ""

    def field(self, key: str) -> ReportField:
        for f in self.fields:
            if f.key == key:
                return f
        if key.startswith("cf_"):
            for f in custom_report_fields(self.key):
                if f.key == key:
                    return f
        raise ValidationError({"field": [_("Unknown field “%(f)s”.") % {"f": key[:40]}]})

    def fields_for(self, user: Any) -> tuple[ReportField, ...]:
        """The fields the builder offers ``user``: the object's own, then the custom fields they may
        read (``cf_<key>``)."""
        return (*self.fields, *custom_report_fields(self.key, user))


# --- custom fields ------------------------------------------------------------------------------------

CUSTOM_PATH = "custom_field_data__"
# Report object -> record kind of its custom fields.
CUSTOM_KINDS = {
    "opportunities": "opportunity",
    "leads": "lead",
    "accounts": "account",
    "contacts": "contact",
    "activities": "activity",
}
# Custom field type -> report kind. Money sums per currency (``engine.Amounts``), a multiple choice
# groups by each chosen value, a reference by the referenced record's name (when the reader may see it).
CUSTOM_REPORT_KINDS: dict[str, str] = {
    FieldType.TEXT: "text",
    FieldType.LONG_TEXT: "text",
    FieldType.URL: "text",
    FieldType.EMAIL: "text",
    FieldType.PHONE: "text",
    FieldType.DATE: "text",
    FieldType.DATETIME: "text",
    FieldType.CHOICE: "choice",
    FieldType.NUMBER: "number",
    FieldType.PERCENT: "number",
    FieldType.BOOLEAN: "bool",
    FieldType.USER: "user",
    FieldType.MONEY: "money",
    FieldType.MULTI_CHOICE: "multi",
    FieldType.REFERENCE: "ref",
}


def is_custom(f: ReportField) -> bool:
    return f.path.startswith(CUSTOM_PATH)


def is_custom_money(f: ReportField | None) -> bool:
    """A custom money field: stored as ``{"amount", "currency"}``, never summed across currencies."""
    return f is not None and f.kind == "money" and is_custom(f)


def is_custom_reference(f: ReportField) -> bool:
    return f.kind == "ref" and bool(f.reference_kind)


def custom_report_fields(object_key: str, user: Any = None) -> list[ReportField]:
    """The active custom fields of the object as report fields (with ``user``: those they may read)."""
    kind = CUSTOM_KINDS.get(object_key)
    if kind is None:
        return []
    fields = readable_custom_fields(user, kind) if user is not None else schema_for(kind).fields
    return [
        ReportField(
            f"cf_{d.key}",
            d.label,
            f"{CUSTOM_PATH}{d.key}",
            CUSTOM_REPORT_KINDS[d.type],
            tuple((c["value"], d.choice_label(c["value"])) for c in d.choices),
            reference_kind=d.reference_kind if d.type == FieldType.REFERENCE else "",
        )
        for d in fields
        if d.type in CUSTOM_REPORT_KINDS
    ]


def _choices(model: type[Model], name: str) -> tuple[tuple[str, Any], ...]:
    return tuple((str(k), v) for k, v in (model._meta.get_field(name).choices or []))  # type: ignore[union-attr]


def _owner_fields() -> tuple[ReportField, ...]:
    return (
        ReportField("owner", gettext_lazy("Owner"), "owner_id", "user"),
        ReportField("team", gettext_lazy("Team"), "team_id", "ref", label_path="team__name"),
    )


OBJECTS: dict[str, ReportObject] = {}


def _register(obj: ReportObject) -> None:
    OBJECTS[obj.key] = obj


_register(
    ReportObject(
        "opportunities",
        gettext_lazy("Opportunities"),
        Opportunity,
        lambda user: Opportunity.objects.visible_to(user),
        (
            ReportField("name", gettext_lazy("Name"), "name", "text"),
            ReportField("account", gettext_lazy("Account"), "account_id", "ref", label_path="account__name"),
            ReportField("stage", gettext_lazy("Stage"), "stage_id", "ref", label_path="stage__name"),
            ReportField(
                "stage_outcome",
                gettext_lazy("Outcome"),
                "stage__outcome",
                "choice",
                _choices(Stage, "outcome"),
            ),
            ReportField(
                "forecast_category",
                gettext_lazy("Forecast category"),
                "forecast_category",
                "choice",
                tuple((k, v) for k, v in ForecastCategory.choices),
            ),
            ReportField("amount", gettext_lazy("Amount"), "amount", "money"),
            ReportField(
                "currency", gettext_lazy("Currency"), "currency", "choice", _choices(Opportunity, "currency")
            ),
            ReportField("probability", gettext_lazy("Probability %"), "probability", "number"),
            ReportField(
                "expected_close_date", gettext_lazy("Expected close date"), "expected_close_date", "date"
            ),
            ReportField("closed_at", gettext_lazy("Closed"), "closed_at", "datetime"),
            ReportField("created_at", gettext_lazy("Created"), "created_at", "datetime"),
            ReportField(
                "lost_reason",
                gettext_lazy("Lost reason"),
                "lost_reason_id",
                "ref",
                label_path="lost_reason__name",
            ),
            ReportField(
                "industry",
                gettext_lazy("Industry"),
                "account__industry",
                "choice",
                _choices(Account, "industry"),
            ),
            ReportField(
                "region", gettext_lazy("Region"), "account__region", "choice", _choices(Account, "region")
            ),
            ReportField(
                "size", gettext_lazy("Company size"), "account__size", "choice", _choices(Account, "size")
            ),
            *_owner_fields(),
        ),
        ("name", "account", "stage", "amount", "expected_close_date", "owner"),
        "deals:detail",
    )
)
_register(
    ReportObject(
        "leads",
        gettext_lazy("Leads"),
        Lead,
        lambda user: Lead.objects.visible_to(user),
        (
            ReportField("name", gettext_lazy("Name"), "name", "text"),
            ReportField("company", gettext_lazy("Company"), "company", "text"),
            ReportField("status", gettext_lazy("Status"), "status", "choice", _choices(Lead, "status")),
            ReportField("source", gettext_lazy("Source"), "source", "choice", _choices(Lead, "source")),
            ReportField(
                "campaign", gettext_lazy("Campaign"), "campaign_id", "ref", label_path="campaign__name"
            ),
            ReportField(
                "industry", gettext_lazy("Industry"), "industry", "choice", _choices(Lead, "industry")
            ),
            ReportField("region", gettext_lazy("Region"), "region", "choice", _choices(Lead, "region")),
            ReportField("size", gettext_lazy("Company size"), "size", "choice", _choices(Lead, "size")),
            ReportField("created_at", gettext_lazy("Created"), "created_at", "datetime"),
            ReportField("converted_at", gettext_lazy("Converted"), "converted_at", "datetime"),
            *_owner_fields(),
        ),
        ("name", "company", "status", "source", "created_at", "owner"),
        "leads:detail",
    )
)
_register(
    ReportObject(
        "accounts",
        gettext_lazy("Accounts"),
        Account,
        lambda user: Account.objects.visible_to(user),
        (
            ReportField("name", gettext_lazy("Name"), "name", "text"),
            ReportField(
                "industry", gettext_lazy("Industry"), "industry", "choice", _choices(Account, "industry")
            ),
            ReportField("region", gettext_lazy("Region"), "region", "choice", _choices(Account, "region")),
            ReportField("size", gettext_lazy("Company size"), "size", "choice", _choices(Account, "size")),
            ReportField("created_at", gettext_lazy("Created"), "created_at", "datetime"),
            *_owner_fields(),
        ),
        ("name", "industry", "region", "owner"),
        "accounts:detail",
    )
)
_register(
    ReportObject(
        "contacts",
        gettext_lazy("Contacts"),
        Contact,
        lambda user: Contact.objects.visible_to(user),
        (
            ReportField("name", gettext_lazy("Name"), "name", "text"),
            ReportField("account", gettext_lazy("Account"), "account_id", "ref", label_path="account__name"),
            ReportField("title", gettext_lazy("Job title"), "title", "text"),
            ReportField(
                "buyer_role",
                gettext_lazy("Buyer role"),
                "buyer_role",
                "choice",
                _choices(Contact, "buyer_role"),
            ),
            ReportField("created_at", gettext_lazy("Created"), "created_at", "datetime"),
            *_owner_fields(),
        ),
        ("name", "account", "title", "owner"),
        "contacts:detail",
    )
)
_register(
    ReportObject(
        "activities",
        gettext_lazy("Activities"),
        Activity,
        lambda user: Activity.objects.visible_to(user),
        (
            ReportField("subject", gettext_lazy("Subject"), "subject", "text"),
            ReportField("kind", gettext_lazy("Type"), "kind", "choice", _choices(Activity, "kind")),
            ReportField("status", gettext_lazy("Status"), "status", "choice", _choices(Activity, "status")),
            ReportField("due_at", gettext_lazy("Due"), "due_at", "datetime"),
            ReportField("completed_at", gettext_lazy("Completed"), "completed_at", "datetime"),
            ReportField("created_at", gettext_lazy("Created"), "created_at", "datetime"),
            *_owner_fields(),
        ),
        ("subject", "kind", "status", "due_at", "owner"),
        "",
    )
)
_register(
    ReportObject(
        "stage_history",
        gettext_lazy("Stage history"),
        StageHistory,
        lambda user: restrict(StageHistory.objects.all(), user),
        (
            ReportField(
                "record_kind",
                gettext_lazy("Record kind"),
                "record_kind",
                "choice",
                _choices(StageHistory, "record_kind"),
            ),
            ReportField("stage", gettext_lazy("Stage"), "stage_id", "ref", label_path="stage__name"),
            ReportField("entered_at", gettext_lazy("Entered"), "entered_at", "datetime"),
            ReportField("left_at", gettext_lazy("Left"), "left_at", "datetime"),
            ReportField("dwell_days", gettext_lazy("Dwell (days)"), "dwell_seconds", "number"),
            ReportField("source", gettext_lazy("Source"), "source", "text"),
            *_owner_fields(),
        ),
        ("record_kind", "stage", "entered_at", "left_at", "owner"),
        "",
    )
)
_register(
    ReportObject(
        "line_items",
        gettext_lazy("Line items"),
        LineItem,
        lambda user: LineItem.objects.filter(opportunity__in=Opportunity.objects.visible_to(user)),
        (
            ReportField("product", gettext_lazy("Product"), "product_id", "ref", label_path="product__name"),
            ReportField(
                "family",
                gettext_lazy("Product family"),
                "product__family_id",
                "ref",
                label_path="product__family__name",
            ),
            ReportField(
                "opportunity",
                gettext_lazy("Opportunity"),
                "opportunity_id",
                "ref",
                label_path="opportunity__name",
            ),
            ReportField("quantity", gettext_lazy("Quantity"), "quantity", "number"),
            ReportField("list_price", gettext_lazy("List price"), "list_price", "money"),
            ReportField("discount_percent", gettext_lazy("Discount %"), "discount_percent", "number"),
            ReportField(
                "stage_outcome",
                gettext_lazy("Outcome"),
                "opportunity__stage__outcome",
                "choice",
                _choices(Stage, "outcome"),
            ),
            ReportField("owner", gettext_lazy("Owner"), "opportunity__owner_id", "user"),
        ),
        ("product", "opportunity", "quantity", "list_price", "discount_percent"),
        "",
    )
)
