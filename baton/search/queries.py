"""Global search: one term across leads, accounts, contacts, opportunities and activities.

Each type is searched the way its own list searches (its ``ListSpec``, so the token index serves
short Korean terms and initial consonants), among the records the user may see, a few per type.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from baton.accounts.models import Account, Contact
from baton.accounts.queries import ACCOUNT_LIST, CONTACT_LIST
from baton.activities.api import ACTIVITY_LIST
from baton.activities.models import Activity
from baton.core.listing import ListSpec, apply_spec, protected_spec
from baton.core.models import User
from baton.deals.models import Opportunity
from baton.deals.queries import OPPORTUNITY_LIST
from baton.leads.models import Lead
from baton.leads.queries import LEAD_LIST

PER_TYPE = 5
MAX_TERM = 100


@dataclass
class Hit:
    type: str
    id: int
    title: str
    subtitle: str
    url: str


@dataclass
class Group:
    type: str
    label: str | Promise
    hits: list[Hit]
    more: bool
    list_url: str = ""


@dataclass
class Source:
    type: str
    label: str | Promise
    queryset: Callable[[User], QuerySet]
    spec: ListSpec
    detail_route: str
    list_route: str
    subtitle: Callable[[Any], str]
    title_field: str = "name"


def _lead_subtitle(lead: Lead) -> str:
    return " · ".join(p for p in (lead.company, lead.email) if p)


def _account_subtitle(account: Account) -> str:
    return " · ".join(p for p in (account.brn, account.domain) if p)


def _contact_subtitle(contact: Contact) -> str:
    return " · ".join(p for p in (contact.account.name if contact.account else "", contact.email) if p)


def _opportunity_subtitle(opportunity: Opportunity) -> str:
    return opportunity.account.name


def _activity_subtitle(activity: Activity) -> str:
    return str(activity.get_kind_display())


SOURCES = [
    Source(
        "lead",
        _("Leads"),
        lambda user: Lead.objects.visible_to(user).only("name", "company", "email", "created_at"),
        LEAD_LIST,
        "leads:detail",
        "leads:list",
        _lead_subtitle,
    ),
    Source(
        "account",
        _("Accounts"),
        lambda user: Account.objects.visible_to(user).only("name", "brn", "domain"),
        ACCOUNT_LIST,
        "accounts:detail",
        "accounts:list",
        _account_subtitle,
    ),
    Source(
        "contact",
        _("Contacts"),
        lambda user: (
            Contact.objects.visible_to(user).select_related("account").only("name", "email", "account__name")
        ),
        CONTACT_LIST,
        "contacts:detail",
        "contacts:list",
        _contact_subtitle,
    ),
    Source(
        "opportunity",
        _("Opportunities"),
        lambda user: (
            Opportunity.objects.visible_to(user)
            .select_related("account")
            .only("name", "updated_at", "account__name")
        ),
        OPPORTUNITY_LIST,
        "deals:detail",
        "deals:list",
        _opportunity_subtitle,
    ),
    Source(
        "activity",
        _("Activities"),
        lambda user: Activity.objects.visible_to(user).only("subject", "kind", "created_at"),
        ACTIVITY_LIST,
        "activities:detail",
        "",
        _activity_subtitle,
        title_field="subject",
    ),
]

TYPES = tuple(source.type for source in SOURCES)


def clean_term(raw: Any) -> str:
    return " ".join(str(raw or "").split())[:MAX_TERM]


def global_search(
    user: User, term: str, *, per_type: int = PER_TYPE, types: tuple[str, ...] = TYPES
) -> list[Group]:
    """The first ``per_type`` matches of every type (one query per type), newest or by name as each
    list sorts by default; ``more`` says whether the type's list has further matches."""
    term = clean_term(term)
    if not term:
        return []
    groups = []
    for source in SOURCES:
        if source.type not in types:
            continue
        qs = source.queryset(user)
        spec = protected_spec(source.spec, user, qs.model)
        qs, _state = apply_spec(qs, spec, {"search": term}, strict=False)
        rows = list(qs[: per_type + 1])
        hits = [
            Hit(
                source.type,
                row.pk,
                getattr(row, source.title_field),
                source.subtitle(row),
                reverse(source.detail_route, args=[row.pk]),
            )
            for row in rows[:per_type]
        ]
        list_url = reverse(source.list_route) if source.list_route else ""
        groups.append(Group(source.type, source.label, hits, len(rows) > per_type, list_url))
    return groups
