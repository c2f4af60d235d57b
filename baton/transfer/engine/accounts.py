"""Rows of accounts and contacts: parent and account by external id, duplicates by the accounts app's
own matching (business registration number, name, website, phone, e-mail)."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext as _

from baton.accounts.duplicates import find_account_matches, find_contact_matches
from baton.accounts.models import Account, Contact
from baton.accounts.services import create_account, create_contact, update_account, update_contact
from baton.transfer.engine.duplicates import Upserting


class AccountRows(Upserting):
    def _account(self, values: dict[str, Any]) -> tuple[str, models.Model, str]:
        if "parent" in values:
            values["parent"] = self.ref("account", values["parent"], _("parent account"))

        def create(v: dict[str, Any]) -> Account:
            v.setdefault("owner", self.actor)
            return create_account(actor=self.actor, **v)

        return self._upsert(
            Account,
            values,
            create=create,
            update=lambda rec, ch: update_account(rec, actor=self.actor, changes=ch, expected_version=None),
            matches=lambda v: find_account_matches(
                name=v.get("name", ""),
                brn=v.get("brn", ""),
                website=v.get("website", ""),
                phone=v.get("phone", ""),
            ),
        )

    def _contact(self, values: dict[str, Any]) -> tuple[str, models.Model, str]:
        if "account" in values:
            values["account"] = self.ref("account", values["account"], _("account"))

        def create(v: dict[str, Any]) -> Contact:
            v.setdefault("owner", self.actor)
            return create_contact(actor=self.actor, **v)

        account = values.get("account")
        return self._upsert(
            Contact,
            values,
            create=create,
            update=lambda rec, ch: update_contact(rec, actor=self.actor, changes=ch, expected_version=None),
            matches=lambda v: find_contact_matches(
                email=v.get("email", ""),
                name=v.get("name", ""),
                phone=v.get("phone", "") or v.get("mobile", ""),
                account_ids=[account.pk] if account is not None else None,
            ),
        )
