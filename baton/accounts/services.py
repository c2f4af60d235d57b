"""Every write to accounts and contacts."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from baton.accounts.duplicates import account_duplicates, contact_duplicates, duplicate_guard
from baton.accounts.models import Account, Contact, Merge
from baton.core import events
from baton.core.models import ChangeLog, User
from baton.core.services import ServiceError, create_record, update_record


def _check_parent(account: Account | None, parent: Account | None) -> None:
    node = parent
    seen = set()
    while node is not None and account is not None and account.pk:
        if node.pk == account.pk or node.pk in seen:
            raise ValidationError(
                {"parent": [_("An account cannot be its own parent, directly or through others.")]}
            )
        seen.add(node.pk)
        node = node.parent


@transaction.atomic
def create_account(*, actor: User | None, allow_duplicate: bool | None = None, **values: Any) -> Account:
    """``allow_duplicate``: None skips the duplicate check (imports, the demo); a person's create
    passes False (refused with DuplicateError when it matches) or True once they confirmed."""
    values.setdefault("owner", actor)
    check = duplicate_guard(account_duplicates, actor, allow_duplicate)
    return create_record(Account, actor=actor, check=check, **values)


@transaction.atomic
def update_account(
    account: Account, *, actor: User | None, changes: dict[str, Any], expected_version: int | None
) -> Account:
    if "parent" in changes:
        _check_parent(account, changes["parent"])
    account = update_record(account, actor=actor, changes=changes, expected_version=expected_version)
    events.record_changed.emit(events.RecordChange(account))  # followers are told after the commit
    return account


@transaction.atomic
def archive_account(account: Account, *, actor: User | None, expected_version: int | None = None) -> Account:
    account = update_record(
        account,
        actor=actor,
        changes={"is_archived": True},
        expected_version=expected_version,
        action=ChangeLog.Action.ARCHIVE,
    )
    events.record_changed.emit(events.RecordChange(account))  # followers are told after the commit
    return account


@transaction.atomic
def create_contact(*, actor: User | None, allow_duplicate: bool | None = None, **values: Any) -> Contact:
    """``allow_duplicate`` as for create_account (same e-mail, phone, or name at the account)."""
    values.setdefault("owner", actor)
    check = duplicate_guard(contact_duplicates, actor, allow_duplicate)
    return create_record(Contact, actor=actor, check=check, **values)


@transaction.atomic
def update_contact(
    contact: Contact, *, actor: User | None, changes: dict[str, Any], expected_version: int | None
) -> Contact:
    contact = update_record(contact, actor=actor, changes=changes, expected_version=expected_version)
    events.record_changed.emit(events.RecordChange(contact))  # followers are told after the commit
    return contact


@transaction.atomic
def archive_contact(contact: Contact, *, actor: User | None, expected_version: int | None = None) -> Contact:
    contact = update_record(
        contact,
        actor=actor,
        changes={"is_archived": True},
        expected_version=expected_version,
        action=ChangeLog.Action.ARCHIVE,
    )
    events.record_changed.emit(events.RecordChange(contact))  # followers are told after the commit
    return contact


def _restore(record: Account | Contact, kind: str, *, actor: User | None, expected_version: int | None):
    """Un-archive a record; those who may edit it may (``update_record`` checks, 403 otherwise)."""
    if not record.is_archived:
        raise ServiceError(_("This record is not archived."))
    if Merge.objects.filter(kind=kind, source_id=record.pk, undone_at__isnull=True).exists():
        raise ServiceError(_("This record was merged into another one: undo the merge to get it back."))
    record = update_record(
        record,
        actor=actor,
        changes={"is_archived": False},
        expected_version=expected_version,
        note="restore",
    )
    events.record_changed.emit(events.RecordChange(record))  # followers are told after the commit
    return record


@transaction.atomic
def restore_account(account: Account, *, actor: User | None, expected_version: int | None = None) -> Account:
    return _restore(account, Merge.Kind.ACCOUNT, actor=actor, expected_version=expected_version)


@transaction.atomic
def restore_contact(contact: Contact, *, actor: User | None, expected_version: int | None = None) -> Contact:
    return _restore(contact, Merge.Kind.CONTACT, actor=actor, expected_version=expected_version)
