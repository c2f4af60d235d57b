"""Account and contact pages: lists, the account 360° page, contact detail, create/edit, lookups."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from baton.accounts.forms import AccountForm, ContactForm
from baton.accounts.models import Account, BuyerRole, Contact
from baton.accounts.queries import (
    ACCOUNT_LIST,
    CONTACT_LIST,
    accounts_for,
    contacts_for,
    get_account_for_user,
    get_contact_for_user,
)
from baton.accounts.services import create_account, create_contact, update_account, update_contact
from baton.core.choices import CompanySize, Industry, Region
from baton.core.http import AuthedHttpRequest
from baton.core.models import User
from baton.core.panels import render_panels
from baton.core.params import id_param, text_param
from baton.core.views_generic import (
    RecordDetailView,
    RecordFormView,
    RecordListView,
    filter_field,
    owner_choices,
)

YES_NO = [("false", gettext_lazy("Active")), ("true", gettext_lazy("Archived"))]


class AccountListView(RecordListView):
    export_columns = ["name", "brn", "industry", "region", "size", "website", "owner", "team", "created_at"]
    export_name = "accounts"
    spec = ACCOUNT_LIST
    partial_template = "accounts/partials/_table.html"
    title = gettext_lazy("Accounts")
    create_url_name = "accounts:create"

    def get_queryset(self, user: User):
        return accounts_for(user)

    def filter_fields(self, user: User, state: dict) -> list[dict]:
        return [
            filter_field("industry", _("Industry"), Industry.choices, state),
            filter_field("region", _("Region"), Region.choices, state),
            filter_field("size", _("Size"), CompanySize.choices, state),
            filter_field("owner", _("Owner"), owner_choices(), state),
            filter_field("archived", _("Archived"), YES_NO, state),
        ]


PANEL_LIMIT = 100


def contacts_panel(user: User, account: Account) -> dict[str, Any]:
    return {"contacts": list(contacts_for(user).filter(account=account).order_by("name", "id")[:PANEL_LIMIT])}


def hierarchy_panel(user: User, account: Account) -> dict[str, Any]:
    return {"subsidiaries": list(accounts_for(user).filter(parent=account).order_by("name", "id")[:50])}


class AccountDetailView(RecordDetailView):
    """The account 360° page: the panels registered for ``"account"`` (``baton.core.panels``) in
    order; accounts registers its own in ``AccountsConfig.ready()``, higher apps theirs."""

    template_name = "accounts/account_detail.html"
    fields = [
        "name",
        "brn",
        "industry",
        "region",
        "size",
        "website",
        "phone",
        "address",
        "parent",
        "owner",
        "description",
    ]
    PANEL_LIMIT = PANEL_LIMIT

    def get_object(self, user: User, pk: int) -> Account:
        return get_account_for_user(user, pk)

    def extra_context(self, request: AuthedHttpRequest, obj: Account) -> dict[str, Any]:
        templates, context = render_panels("account", request.user, obj)
        return {**context, "account": obj, "panels": templates}


class AccountFormView(RecordFormView):
    form_class = AccountForm
    checks_duplicates = True
    create_title = gettext_lazy("New account")
    edit_title = gettext_lazy("Edit %(name)s")
    cancel_url_name = "accounts:list"

    def get_object(self, user: User, pk: int) -> Account:
        return get_account_for_user(user, pk)

    def create(self, user: User, values: dict[str, Any]) -> Account:
        return create_account(actor=user, **values)

    def update(self, user: User, obj: Account, values: dict[str, Any], version: int | None) -> Account:
        return update_account(obj, actor=user, changes=values, expected_version=version)


class ContactListView(RecordListView):
    export_columns = [
        "name",
        "account",
        "title",
        "department",
        "email",
        "phone",
        "mobile",
        "owner",
        "created_at",
    ]
    export_name = "contacts"
    spec = CONTACT_LIST
    partial_template = "accounts/partials/_contact_table.html"
    title = gettext_lazy("Contacts")
    create_url_name = "contacts:create"

    def get_queryset(self, user: User):
        return contacts_for(user)

    def filter_fields(self, user: User, state: dict) -> list[dict]:
        return [
            filter_field("buyer_role", _("Buyer role"), BuyerRole.choices, state),
            filter_field("owner", _("Owner"), owner_choices(), state),
            filter_field("archived", _("Archived"), YES_NO, state),
        ]


class ContactDetailView(RecordDetailView):
    template_name = "accounts/contact_detail.html"
    fields = [
        "name",
        "account",
        "title",
        "department",
        "buyer_role",
        "email",
        "phone",
        "mobile",
        "owner",
        "notes",
    ]

    def get_object(self, user: User, pk: int) -> Contact:
        return get_contact_for_user(user, pk)

    def extra_context(self, request: AuthedHttpRequest, obj: Contact) -> dict[str, Any]:
        # Panels registered for "contact" (baton.core.panels): the deals app lists the contact's deals.
        templates, context = render_panels("contact", request.user, obj)
        return {**context, "panels": templates}


class ContactFormView(RecordFormView):
    form_class = ContactForm
    checks_duplicates = True
    create_title = gettext_lazy("New contact")
    edit_title = gettext_lazy("Edit %(name)s")
    cancel_url_name = "contacts:list"

    def get_object(self, user: User, pk: int) -> Contact:
        return get_contact_for_user(user, pk)

    def initial(self, request: AuthedHttpRequest) -> dict[str, Any]:
        account = id_param(request.GET, "account")
        return {"account": account} if account else {}

    def create(self, user: User, values: dict[str, Any]) -> Contact:
        return create_contact(actor=user, **values)

    def update(self, user: User, obj: Contact, values: dict[str, Any], version: int | None) -> Contact:
        return update_contact(obj, actor=user, changes=values, expected_version=version)


LOOKUP_LIMIT = 20


@login_required
def account_lookup(request: AuthedHttpRequest) -> HttpResponse:
    """Options for the account pickers: the first matches by name among the accounts the user sees."""
    q = text_param(request.GET, "lookup_q", max_length=100)
    results = []
    if q:
        results = list(
            accounts_for(request.user)
            .filter(is_archived=False, name__icontains=q)
            .order_by("name", "id")[:LOOKUP_LIMIT]
        )
    return render(request, "core/widgets/lookup_options.html", {"results": results})


@login_required
def contact_lookup(request: AuthedHttpRequest) -> HttpResponse:
    q = text_param(request.GET, "lookup_q", max_length=100)
    results = []
    if q:
        qs = contacts_for(request.user).filter(is_archived=False, name__icontains=q)
        account = id_param(request.GET, "account")
        if account:
            qs = qs.filter(account_id=account)
        results = list(qs.order_by("name", "id")[:LOOKUP_LIMIT])
    return render(request, "core/widgets/lookup_options.html", {"results": results})
