# mypy: disable-error-code="valid-type,assignment"
# (Schemas use annotation factories such as Text(120) and PATCH fields default to "absent" (None)
# without admitting null; pydantic understands both, mypy cannot.)
"""REST endpoints of the accounts app (accounts and contacts), mounted under /api/v1/ by baton/api.py."""

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest
from ninja import Field, Query, Router, Schema, Status
from pydantic import StrictBool

from baton.accounts import services
from baton.accounts.merge import merge_records, undo_merge
from baton.accounts.models import BuyerRole, Merge
from baton.accounts.queries import (
    ACCOUNT_LIST,
    CONTACT_LIST,
    accounts_for,
    contacts_for,
    get_account_for_user,
    get_contact_for_user,
)
from baton.core.api import (
    ALLOW_DUPLICATE_DOC,
    Email,
    Id,
    InputSchema,
    PatchSchema,
    ProtectedOut,
    Ref,
    RequiredCompanyName,
    Text,
    Version,
    Website,
    actor,
    assignable_users,
    choice,
    list_page,
    list_query_schema,
    page_schema,
    path_id,
    refuse_protected,
    resolve_refs,
    responses,
    version_query,
)
from baton.core.choices import CompanySize, Industry, Region
from baton.core.customfields.api_fields import CustomFieldsIn, readable_values, rename_custom_fields

router = Router()


def _account_refs(user):
    return {
        "owner_id": ("owner", lambda: assignable_users(user), "Not a user you can assign records to."),
        "parent_id": ("parent", lambda: accounts_for(user), "No such account."),
    }


def _contact_refs(user):
    return {
        "owner_id": ("owner", lambda: assignable_users(user), "Not a user you can assign records to."),
        "account_id": ("account", lambda: accounts_for(user), "No such account."),
    }


# --- accounts ---------------------------------------------------------------------------------


class AccountOut(Schema):
    id: int
    name: str
    brn: str
    industry: str
    region: str
    size: str
    website: str
    domain: str
    phone: str
    address: str
    description: str
    parent: Ref | None
    is_archived: bool
    owner: Ref | None
    team_id: int | None
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime
    custom_fields: dict[str, Any] = Field(description="Custom field values you may read, by key.")

    @staticmethod
    def resolve_custom_fields(obj: Any, context: Any) -> dict[str, Any]:
        return readable_values(context["request"], obj)


class _AccountFields(InputSchema):
    brn: Text(12) = ""
    industry: choice(Industry.values, blank=True) = ""
    region: choice(Region.values, blank=True) = ""
    size: choice(CompanySize.values, blank=True) = ""
    website: Website = ""
    phone: Text(40) = ""
    address: Text(300) = ""
    description: Text(20_000) = ""
    parent_id: Id | None = None
    owner_id: Id | None = None
    custom_fields: CustomFieldsIn | None = None


class AccountIn(_AccountFields):
    name: RequiredCompanyName
    allow_duplicate: StrictBool = Field(False, description=ALLOW_DUPLICATE_DOC)


class AccountPatch(PatchSchema):
    version: Version
    name: RequiredCompanyName = None
    brn: Text(12) = None
    industry: choice(Industry.values, blank=True) = None
    region: choice(Region.values, blank=True) = None
    size: choice(CompanySize.values, blank=True) = None
    website: Website = None
    phone: Text(40) = None
    address: Text(300) = None
    description: Text(20_000) = None
    parent_id: Id | None = None
    owner_id: Id = None
    custom_fields: CustomFieldsIn | None = None


AccountQuery = list_query_schema("AccountQuery", ACCOUNT_LIST, defaults={"archived": False})
AccountPage = page_schema("AccountPage", AccountOut)


def _account_qs(user):
    return accounts_for(user).select_related("owner", "parent")


@router.get("/accounts", response=responses({200: AccountPage}), tags=["accounts"], summary="List accounts")
def list_accounts(request: HttpRequest, query: Query[AccountQuery]):
    """Archived accounts are left out unless `archived=true`."""
    return list_page(request, _account_qs(actor(request)), ACCOUNT_LIST, query)


@router.post(
    "/accounts", response=responses({201: AccountOut}), tags=["accounts"], summary="Create an account"
)
def create_account(request: HttpRequest, payload: AccountIn):
    data = rename_custom_fields(payload.model_dump(exclude_unset=True))
    allow = data.pop("allow_duplicate", False)
    values = resolve_refs(data, _account_refs(actor(request)))
    account = services.create_account(actor=actor(request), allow_duplicate=allow, **values)
    return Status(201, get_account_for_user(actor(request), account.pk))


@router.get("/accounts/{id}", response=responses({200: AccountOut}), tags=["accounts"], summary="An account")
def get_account(request: HttpRequest, id: int = path_id()):
    return get_account_for_user(actor(request), id)


@router.patch(
    "/accounts/{id}", response=responses({200: AccountOut}), tags=["accounts"], summary="Update an account"
)
def update_account(request: HttpRequest, payload: AccountPatch, id: int = path_id()):
    """Send only the fields to change and the `version` you last read; a stale version is a 409."""
    account = get_account_for_user(actor(request), id)
    data = payload.model_dump(exclude_unset=True)
    version = data.pop("version")
    changes = resolve_refs(rename_custom_fields(data), _account_refs(actor(request)))
    services.update_account(account, actor=actor(request), changes=changes, expected_version=version)
    return get_account_for_user(actor(request), id)


@router.delete(
    "/accounts/{id}", response=responses({204: None}), tags=["accounts"], summary="Archive an account"
)
def archive_account(request: HttpRequest, id: int = path_id(), version: int | None = version_query()):
    """Accounts are archived, never deleted; pass `version` to refuse archiving a changed record."""
    account = get_account_for_user(actor(request), id)
    services.archive_account(account, actor=actor(request), expected_version=version)
    return Status(204, None)


@router.post(
    "/accounts/{id}/restore",
    response=responses({200: AccountOut}),
    tags=["accounts"],
    summary="Restore an archived account",
)
def restore_account(request: HttpRequest, id: int = path_id(), version: int | None = version_query()):
    """Un-archive an account (list them with `archived=true`). Those who may edit it may; a reader gets
    403, an account merged into another one 409 (undo the merge instead)."""
    account = get_account_for_user(actor(request), id)
    services.restore_account(account, actor=actor(request), expected_version=version)
    return get_account_for_user(actor(request), id)


# --- contacts ---------------------------------------------------------------------------------


class ContactOut(ProtectedOut):
    protected_model = "accounts.contact"

    id: int
    account: Ref | None
    name: str
    title: str
    department: str
    buyer_role: str
    email: str
    phone: str
    mobile: str
    notes: str
    is_archived: bool
    owner: Ref | None
    team_id: int | None
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime
    custom_fields: dict[str, Any] = Field(description="Custom field values you may read, by key.")

    @staticmethod
    def resolve_custom_fields(obj: Any, context: Any) -> dict[str, Any]:
        return readable_values(context["request"], obj)


class ContactIn(InputSchema):
    name: Text(120, required=True)
    account_id: Id | None = None
    title: Text(120) = ""
    department: Text(120) = ""
    buyer_role: choice(BuyerRole.values, blank=True) = ""
    email: Email = ""
    phone: Text(40) = ""
    mobile: Text(40) = ""
    notes: Text(20_000) = ""
    owner_id: Id | None = None
    allow_duplicate: StrictBool = Field(False, description=ALLOW_DUPLICATE_DOC)
    custom_fields: CustomFieldsIn | None = None


class ContactPatch(PatchSchema):
    version: Version
    name: Text(120, required=True) = None
    account_id: Id | None = None
    title: Text(120) = None
    department: Text(120) = None
    buyer_role: choice(BuyerRole.values, blank=True) = None
    email: Email = None
    phone: Text(40) = None
    mobile: Text(40) = None
    notes: Text(20_000) = None
    owner_id: Id = None
    custom_fields: CustomFieldsIn | None = None


ContactQuery = list_query_schema("ContactQuery", CONTACT_LIST, defaults={"archived": False})
ContactPage = page_schema("ContactPage", ContactOut)


@router.get("/contacts", response=responses({200: ContactPage}), tags=["contacts"], summary="List contacts")
def list_contacts(request: HttpRequest, query: Query[ContactQuery]):
    """Archived contacts are left out unless `archived=true`."""
    return list_page(request, contacts_for(actor(request)), CONTACT_LIST, query)


@router.post(
    "/contacts", response=responses({201: ContactOut}), tags=["contacts"], summary="Create a contact"
)
def create_contact(request: HttpRequest, payload: ContactIn):
    data = payload.model_dump(exclude_unset=True)
    refuse_protected(request, "accounts.contact", data)
    data = rename_custom_fields(data)
    allow = data.pop("allow_duplicate", False)
    values = resolve_refs(data, _contact_refs(actor(request)))
    contact = services.create_contact(actor=actor(request), allow_duplicate=allow, **values)
    return Status(201, get_contact_for_user(actor(request), contact.pk))


@router.get("/contacts/{id}", response=responses({200: ContactOut}), tags=["contacts"], summary="A contact")
def get_contact(request: HttpRequest, id: int = path_id()):
    return get_contact_for_user(actor(request), id)


@router.patch(
    "/contacts/{id}", response=responses({200: ContactOut}), tags=["contacts"], summary="Update a contact"
)
def update_contact(request: HttpRequest, payload: ContactPatch, id: int = path_id()):
    """Send only the fields to change and the `version` you last read; a stale version is a 409."""
    contact = get_contact_for_user(actor(request), id)
    data = payload.model_dump(exclude_unset=True)
    refuse_protected(request, "accounts.contact", data)
    version = data.pop("version")
    changes = resolve_refs(rename_custom_fields(data), _contact_refs(actor(request)))
    services.update_contact(contact, actor=actor(request), changes=changes, expected_version=version)
    return get_contact_for_user(actor(request), id)


@router.delete(
    "/contacts/{id}", response=responses({204: None}), tags=["contacts"], summary="Archive a contact"
)
def archive_contact(request: HttpRequest, id: int = path_id(), version: int | None = version_query()):
    """Contacts are archived, never deleted; pass `version` to refuse archiving a changed record."""
    contact = get_contact_for_user(actor(request), id)
    services.archive_contact(contact, actor=actor(request), expected_version=version)
    return Status(204, None)


@router.post(
    "/contacts/{id}/restore",
    response=responses({200: ContactOut}),
    tags=["contacts"],
    summary="Restore an archived contact",
)
def restore_contact(request: HttpRequest, id: int = path_id(), version: int | None = version_query()):
    """Un-archive a contact (list them with `archived=true`). Those who may edit it may; a reader gets
    403, a contact merged into another one 409 (undo the merge instead)."""
    contact = get_contact_for_user(actor(request), id)
    services.restore_contact(contact, actor=actor(request), expected_version=version)
    return get_contact_for_user(actor(request), id)


# --- merges -----------------------------------------------------------------------------------


class MergeIn(InputSchema):
    """Merge the record named by `source_id` into the one in the path, which is kept."""

    source_id: Id
    take_from_source: list[Text(40)] = Field(
        default_factory=list,
        max_length=50,
        description="Fields whose value the kept record takes from the merged one, by their API names "
        "(e.g. `phone`, `owner_id`); every other field keeps the kept record's value.",
    )
    version: Version | None = None
    source_version: Version | None = None


class MergeOut(Schema):
    id: int
    kind: str
    target_id: int
    source_id: int
    moved: dict[str, int]
    kept: dict[str, int]
    created_at: dt.datetime
    undone_at: dt.datetime | None

    @staticmethod
    def resolve_moved(obj) -> dict[str, int]:
        return {label: len(ids) for label, ids in obj.moved.items()}

    @staticmethod
    def resolve_kept(obj) -> dict[str, int]:
        return {label: len(ids) for label, ids in obj.kept.items()}


def _merge(request, kind: str, id: int, payload: MergeIn):
    user = actor(request)
    get = get_account_for_user if kind == Merge.Kind.ACCOUNT else get_contact_for_user
    target = get(user, id)
    try:
        source = get(user, payload.source_id)
    except Http404:
        raise ValidationError({"source_id": ["No such record."]}) from None
    try:
        return merge_records(
            target,
            source,
            actor=user,
            take_from_source=payload.take_from_source,
            target_version=payload.version,
            source_version=payload.source_version,
        )
    except PermissionDenied:
        # Read but not edit: like a record the caller may not see.
        raise Http404("Not found") from None


@router.post(
    "/accounts/{id}/merge",
    response=responses({200: MergeOut}),
    tags=["accounts"],
    summary="Merge another account into this one",
)
def merge_accounts(request: HttpRequest, payload: MergeIn, id: int = path_id()):
    """Every record linked to the other account moves to this one; the other is archived. Undo with
    `POST /merges/{merge_id}/undo`. Only someone who may edit both accounts can merge them."""
    return _merge(request, Merge.Kind.ACCOUNT, id, payload)


@router.post(
    "/contacts/{id}/merge",
    response=responses({200: MergeOut}),
    tags=["contacts"],
    summary="Merge another contact into this one",
)
def merge_contacts(request: HttpRequest, payload: MergeIn, id: int = path_id()):
    """As for accounts: deals, roles, activities and follows of the other contact move to this one."""
    return _merge(request, Merge.Kind.CONTACT, id, payload)


def _merge_for_user(user, merge_id: int) -> Merge:
    merge = Merge.objects.filter(pk=merge_id).first()
    if merge is None:
        raise Http404("Not found")
    get = get_account_for_user if merge.kind == Merge.Kind.ACCOUNT else get_contact_for_user
    get(user, merge.target_id)  # a merge is seen by those who see the kept record
    return merge


@router.get("/merges/{id}", response=responses({200: MergeOut}), tags=["accounts"], summary="A merge")
def get_merge(request: HttpRequest, id: int = path_id()):
    return _merge_for_user(actor(request), id)


@router.post(
    "/merges/{id}/undo", response=responses({200: MergeOut}), tags=["accounts"], summary="Undo a merge"
)
def undo_merge_endpoint(request: HttpRequest, id: int = path_id()):
    """Moves back every moved record still on the kept one, restores the kept record's fields that
    still hold the merged values, and un-archives the merged record. A merge is undone once (409)."""
    user = actor(request)
    merge = _merge_for_user(user, id)
    try:
        return undo_merge(merge, actor=user)
    except PermissionDenied:
        raise Http404("Not found") from None
