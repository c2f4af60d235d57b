"""What each kind of import reads: its fields, their types, and how a file's text becomes a value.

A value the file gives for a choice field is taken when it is the stored value or its label (Korean or
English, any case), or when the job's value mapping says what it stands for; otherwise the row is
refused and the value listed for the admin to map.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db.models import TextChoices
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from baton.accounts.models import BuyerRole
from baton.activities.models import Activity
from baton.core.choices import CompanySize, Industry, Region
from baton.core.customfields.schema import OBJECTS as CUSTOM_KINDS
from baton.core.customfields.schema import schema_for
from baton.core.money import Currency
from baton.deals.models import Pipeline
from baton.leads.models import LeadInteraction, LeadSource, LeadStatus
from baton.process.models import ProcessStage
from baton.transfer.models import Kind


class RowError(Exception):
    """The row is refused; ``field`` names the field at fault (if one is)."""

    def __init__(self, message: str, field: str = ""):
        super().__init__(message)
        self.field = field


class UnknownValue(RowError):
    def __init__(self, field: str, raw: str):
        super().__init__(
            _("Unknown value “%(value)s” for %(field)s: map it to a choice.")
            % {"value": raw, "field": field},
            field,
        )
        self.raw = raw


@dataclass(frozen=True)
class Field:
    name: str
    label: Any
    type: str = "text"  # text, choice, datetime, date, decimal, ref, user, custom
    required: bool = False
    max_length: int = 0
    choices: Callable[[], list[tuple[str, Any]]] | None = None
    ref: str = ""  # the kind a ref names by external id ("account", "lead", ...)
    custom: Any = None  # a custom field's definition (type "custom"; name ``cf_<key>``)


def _tc(choices: type[TextChoices]) -> Callable[[], list[tuple[str, Any]]]:
    return lambda: list(choices.choices)


def _deal_stages() -> list[tuple[str, Any]]:
    pipeline = Pipeline.objects.filter(is_default=True).first()
    if pipeline is None:
        return []
    return [(s.key, (s.name, s.name_en)) for s in pipeline.stages.filter(is_archived=False)]


def _process_stages() -> list[tuple[str, Any]]:
    return [(s.key, (s.name, s.name_en)) for s in ProcessStage.objects.filter(is_archived=False)]


def _record_kinds() -> list[tuple[str, Any]]:
    return [("lead", gettext_lazy("Lead")), ("opportunity", gettext_lazy("Opportunity"))]


def _activity_records() -> list[tuple[str, Any]]:
    return [
        ("lead", gettext_lazy("Lead")),
        ("account", gettext_lazy("Account")),
        ("contact", gettext_lazy("Contact")),
        ("opportunity", gettext_lazy("Opportunity")),
    ]


def _lead_statuses() -> list[tuple[str, Any]]:
    return [c for c in LeadStatus.choices if c[0] != LeadStatus.CONVERTED]


def _yes_no() -> list[tuple[str, Any]]:
    return [("yes", gettext_lazy("yes")), ("no", gettext_lazy("no"))]


EXTERNAL_ID = Field("external_id", gettext_lazy("external id"), max_length=120)
REASON_FIELDS = [
    EXTERNAL_ID,
    Field("name", gettext_lazy("name"), required=True, max_length=100),
    Field("name_en", gettext_lazy("name (English)"), max_length=100),
    Field("is_no_decision", gettext_lazy("no decision"), "choice", choices=_yes_no),
    Field("is_archived", gettext_lazy("archived"), "choice", choices=_yes_no),
]
CREATED = Field("created_at", gettext_lazy("created"), "datetime")
OWNER = Field("owner", gettext_lazy("owner"), "user")

FIELDS: dict[str, list[Field]] = {
    Kind.ACCOUNT: [
        Field("external_id", gettext_lazy("external id"), required=True, max_length=120),
        Field("name", gettext_lazy("company name"), required=True, max_length=200),
        Field("brn", gettext_lazy("business registration no."), max_length=20),
        Field("industry", gettext_lazy("industry"), "choice", choices=_tc(Industry)),
        Field("region", gettext_lazy("region"), "choice", choices=_tc(Region)),
        Field("size", gettext_lazy("size"), "choice", choices=_tc(CompanySize)),
        Field("website", gettext_lazy("website"), max_length=200),
        Field("phone", gettext_lazy("phone"), max_length=40),
        Field("address", gettext_lazy("address"), max_length=300),
        Field("description", gettext_lazy("description")),
        Field("parent", gettext_lazy("parent account"), "ref", ref="account"),
        OWNER,
        CREATED,
    ],
    Kind.CONTACT: [
        Field("external_id", gettext_lazy("external id"), required=True, max_length=120),
        Field("name", gettext_lazy("name"), required=True, max_length=120),
        Field("account", gettext_lazy("account"), "ref", ref="account"),
        Field("title", gettext_lazy("job title"), max_length=120),
        Field("department", gettext_lazy("department"), max_length=120),
        Field("buyer_role", gettext_lazy("buyer role"), "choice", choices=_tc(BuyerRole)),
        Field("email", gettext_lazy("email"), max_length=200),
        Field("phone", gettext_lazy("phone"), max_length=40),
        Field("mobile", gettext_lazy("mobile"), max_length=40),
        Field("notes", gettext_lazy("notes")),
        OWNER,
        CREATED,
    ],
    Kind.LEAD: [
        Field("external_id", gettext_lazy("external id"), required=True, max_length=120),
        Field("name", gettext_lazy("name"), required=True, max_length=120),
        Field("company", gettext_lazy("company"), max_length=200),
        Field("title", gettext_lazy("job title"), max_length=120),
        Field("email", gettext_lazy("email"), max_length=200),
        Field("phone", gettext_lazy("phone"), max_length=40),
        Field("brn", gettext_lazy("business registration no."), max_length=20),
        Field("website", gettext_lazy("website"), max_length=200),
        Field("industry", gettext_lazy("industry"), "choice", choices=_tc(Industry)),
        Field("region", gettext_lazy("region"), "choice", choices=_tc(Region)),
        Field("size", gettext_lazy("size"), "choice", choices=_tc(CompanySize)),
        Field("source", gettext_lazy("source"), "choice", choices=_tc(LeadSource)),
        Field("status", gettext_lazy("status"), "choice", choices=_lead_statuses),
        Field("disqualify_reason", gettext_lazy("disqualification reason"), max_length=200),
        Field("description", gettext_lazy("description")),
        OWNER,
        CREATED,
        Field("converted_at", gettext_lazy("converted"), "datetime"),
        Field("converted_account", gettext_lazy("converted account"), "ref", ref="account"),
        Field("converted_contact", gettext_lazy("converted contact"), "ref", ref="contact"),
        Field("converted_opportunity", gettext_lazy("converted opportunity"), "ref", ref="opportunity"),
    ],
    Kind.INTERACTION: [
        EXTERNAL_ID,
        Field("lead", gettext_lazy("lead"), "ref", required=True, ref="lead"),
        Field("kind", gettext_lazy("type"), "choice", required=True, choices=_tc(LeadInteraction.Kind)),
        Field("occurred_at", gettext_lazy("when"), "datetime", required=True),
        Field("note", gettext_lazy("note")),
        Field("actor", gettext_lazy("by"), "user"),
    ],
    Kind.OPPORTUNITY: [
        Field("external_id", gettext_lazy("external id"), required=True, max_length=120),
        Field("name", gettext_lazy("name"), required=True, max_length=200),
        Field("account", gettext_lazy("account"), "ref", required=True, ref="account"),
        Field("primary_contact", gettext_lazy("primary contact"), "ref", ref="contact"),
        Field("amount", gettext_lazy("amount"), "decimal"),
        Field("currency", gettext_lazy("currency"), "choice", choices=_tc(Currency)),
        Field("expected_close_date", gettext_lazy("expected close date"), "date"),
        Field("stage", gettext_lazy("stage"), "choice", choices=_deal_stages),
        Field("lost_reason", gettext_lazy("lost reason"), max_length=100),
        Field("lost_note", gettext_lazy("lost note"), max_length=300),
        Field("next_step", gettext_lazy("next step"), max_length=300),
        Field("description", gettext_lazy("description")),
        OWNER,
        CREATED,
        Field("closed_at", gettext_lazy("closed"), "datetime"),
    ],
    Kind.STAGE_HISTORY: [
        EXTERNAL_ID,
        Field("record_type", gettext_lazy("record type"), "choice", required=True, choices=_record_kinds),
        Field("record", gettext_lazy("record (external id)"), required=True, max_length=120),
        Field("stage", gettext_lazy("stage"), "choice", required=True, choices=_process_stages),
        Field("entered_at", gettext_lazy("entered"), "datetime", required=True),
        Field("left_at", gettext_lazy("left"), "datetime"),
    ],
    Kind.ACTIVITY: [
        EXTERNAL_ID,
        Field("kind", gettext_lazy("type"), "choice", required=True, choices=_tc(Activity.Kind)),
        Field("subject", gettext_lazy("subject"), required=True, max_length=200),
        Field("body", gettext_lazy("description")),
        Field("status", gettext_lazy("status"), "choice", choices=_tc(Activity.Status)),
        Field("outcome", gettext_lazy("outcome"), max_length=300),
        Field("start_at", gettext_lazy("starts"), "datetime"),
        Field("end_at", gettext_lazy("ends"), "datetime"),
        Field("due_at", gettext_lazy("due"), "datetime"),
        Field("completed_at", gettext_lazy("completed"), "datetime"),
        Field("record_type", gettext_lazy("record type"), "choice", choices=_activity_records),
        Field("record", gettext_lazy("record (external id)"), max_length=120),
        OWNER,
        CREATED,
    ],
}


FIELDS[Kind.LOST_REASON] = REASON_FIELDS
FIELDS[Kind.DISQUALIFY_REASON] = [
    *REASON_FIELDS,
    Field("recycle_days", gettext_lazy("recycle after (days)"), "decimal"),
]


def custom_targets(kind: str) -> list[Field]:
    """The active custom fields of the kind as import targets (``cf_<key>``, after the built-in ones);
    the row's write checks whether the importer may edit each (``customfields.values``)."""
    if kind not in CUSTOM_KINDS:
        return []
    return [
        Field(f"cf_{d.key}", d.label, "custom", required=False, custom=d) for d in schema_for(kind).fields
    ]


def all_fields(kind: str) -> list[Field]:
    return [*FIELDS[kind], *custom_targets(kind)]


def fields_of(kind: str) -> dict[str, Field]:
    return {f.name: f for f in all_fields(kind)}


def _labels(f: Field) -> list[str]:
    if f.custom is not None:
        return [f.custom.key, f.custom.label_ko, f.custom.label_en]
    labels = []
    for language in ("en", "ko"):
        with translation.override(language):
            labels.append(str(f.label))
    return labels


def guess_mapping(kind: str, headers: list[str]) -> dict[str, str]:
    """Columns named like a field (its name or its label in either language) map to it."""
    names: dict[str, str] = {}
    for f in all_fields(kind):
        names[_norm(f.name)] = f.name
        for label in _labels(f):
            names.setdefault(_norm(label), f.name)
    kind_fields = {f.name for f in FIELDS[kind]}
    for alias, target in ALIASES:
        if target in kind_fields:
            names.setdefault(_norm(alias), target)
    mapping: dict[str, str] = {}
    for header in headers:
        found = names.get(_norm(header))
        if found and found not in mapping.values():
            mapping[header] = found
    return mapping


# Common column names of other systems' exports.
ALIASES = [
    ("id", "external_id"),
    ("외부 id", "external_id"),
    ("company", "name"),
    ("account name", "name"),
    ("type", "kind"),
    ("type", "record_type"),
    ("record id", "record"),
    ("created date", "created_at"),
    ("close date", "closed_at"),
    ("회사명", "name"),
    ("담당자", "owner"),
    ("생성일", "created_at"),
]


def _norm(text: str) -> str:
    return re.sub(r"[\s_\-.()]+", "", str(text)).lower()


# --- values -------------------------------------------------------------------------------------------

_DT_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d")


def parse_datetime(raw: Any, label: str) -> dt.datetime:
    """A date or date-time: ISO 8601 (with or without an offset), or 2024-03-05, 2024/03/05,
    2024.03.05 with an optional time; a time without an offset is in the site's time zone."""
    value: dt.datetime | None = None
    if isinstance(raw, dt.datetime):
        value = raw
    elif isinstance(raw, dt.date):
        value = dt.datetime.combine(raw, dt.time())
    else:
        text = re.sub(r"\s+", " ", str(raw).strip())
        text = re.sub(r"^(\d{4})[./](\d{1,2})[./](\d{1,2})\.?", r"\1-\2-\3", text)
        try:
            value = dt.datetime.fromisoformat(text)
        except ValueError:
            for fmt in _DT_FORMATS:
                try:
                    value = dt.datetime.strptime(text, fmt)
                    break
                except ValueError:
                    continue
    if value is None:
        raise RowError(
            _("%(field)s: “%(value)s” is not a date (use 2024-03-05 or 2024-03-05 14:30).")
            % {"field": label, "value": raw},
            label,
        )
    if not (1900 <= value.year <= 2999):
        raise RowError(
            _("%(field)s: the year %(year)s is out of range.") % {"field": label, "year": value.year}, label
        )
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    return value


def parse_date(raw: Any, label: str) -> dt.date:
    if isinstance(raw, dt.datetime):
        return timezone.localtime(raw).date() if timezone.is_aware(raw) else raw.date()
    if isinstance(raw, dt.date):
        return raw
    return timezone.localtime(parse_datetime(raw, label)).date()


def parse_decimal(raw: Any, label: str) -> Decimal:
    text = str(raw).strip().replace(",", "").replace("₩", "").replace(" ", "")
    try:
        value = Decimal(text)
    except InvalidOperation as exc:
        raise RowError(
            _("%(field)s: “%(value)s” is not a number.") % {"field": label, "value": raw}, label
        ) from exc
    if not value.is_finite():
        raise RowError(_("%(field)s: “%(value)s” is not a number.") % {"field": label, "value": raw}, label)
    return value


#: In a custom choice field's value mapping: "add the file's value as a new choice" (the run adds it
#: before its first row; the dry run adds it inside what it rolls back).
NEW_CHOICE = "__new__"
CUSTOM_CHOICE_TYPES = ("choice", "multi_choice")


def is_custom_choice(field: Field) -> bool:
    return field.type == "custom" and field.custom.type in CUSTOM_CHOICE_TYPES


def new_choice_value(raw: str) -> str:
    """The value (and label) a file's value gets when it is added as a new choice."""
    return str(raw).strip()


class ChoiceIndex:
    """Stored values and labels of one choice field, in both languages, any case."""

    def __init__(self, field: Field, value_map: dict[str, str]):
        self.values: dict[str, str] = {}
        for value, label in field.choices() if field.choices else []:
            self.values[value.lower()] = value
            labels = label if isinstance(label, tuple) else (label,)
            for one in labels:
                for language in ("ko", "en"):
                    with translation.override(language):
                        text = str(one).strip().lower()
                    if text:
                        self.values.setdefault(text, value)
        self.mapped = {str(k).strip().lower(): v for k, v in (value_map or {}).items()}

    def resolve(self, raw: str) -> str | None:
        key = str(raw).strip().lower()
        if key in self.mapped:
            target = self.mapped[key]
            return self.values.get(str(target).lower(), None) if target else ""
        return self.values.get(key)

    def allowed(self) -> list[str]:
        return sorted(set(self.values.values()))
