"""Permission-aware reads of accounts and contacts."""

from __future__ import annotations

from django.db.models import QuerySet

from baton.accounts.models import Account, BuyerRole, Contact
from baton.core.choices import CompanySize, Industry, Region
from baton.core.listing import ListSpec
from baton.core.models import User
from baton.core.records import get_for_user

ACCOUNT_LIST = ListSpec(
    search_fields=["name__icontains", "brn__startswith", "domain__startswith"],
    filters={
        "industry": ("industry", Industry.values),
        "region": ("region", Region.values),
        "size": ("size", CompanySize.values),
        "owner": ("owner_id", int),
        "team": ("team_id", int),
        "archived": ("is_archived", bool),
    },
    orderings={"name": "name", "created": "created_at", "updated": "updated_at"},
    default_ordering="name",
)

CONTACT_LIST = ListSpec(
    search_fields=["name__icontains", "email__icontains", "account__name__icontains"],
    filters={
        "account": ("account_id", int),
        "buyer_role": ("buyer_role", BuyerRole.values),
        "owner": ("owner_id", int),
        "team": ("team_id", int),
        "archived": ("is_archived", bool),
    },
    orderings={"name": "name", "created": "created_at", "updated": "updated_at"},
    default_ordering="name",
)


def accounts_for(user: User) -> QuerySet[Account]:
    return Account.objects.visible_to(user).select_related("owner")


def get_account_for_user(user: User, pk: object) -> Account:
    return get_for_user(Account.objects.select_related("owner", "parent"), user, pk)


def contacts_for(user: User) -> QuerySet[Contact]:
    return Contact.objects.visible_to(user).select_related("owner", "account")


def get_contact_for_user(user: User, pk: object) -> Contact:
    return get_for_user(Contact.objects.select_related("owner", "account"), user, pk)
