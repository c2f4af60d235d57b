"""Who reads contracts, beyond ownership (owner, team, managers, as every record): the contract's CSM
and the account's CSM (who also amend it), and whoever reads the account (the installed base is part
of the account's 360° page). The contract's CSM reads the account too. Registered in ``ready()``."""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from baton.accounts.models import Account
from baton.success.models import Contract


def csm_reads_account_of_contract(user: Any) -> Q:
    return Q(pk__in=Contract.objects.filter(csm_id=user.pk).values("account_id"))


def csm_edits_contract(user: Any) -> Q:
    return Q(csm_id=user.pk) | Q(account__csm_id=user.pk)


def account_reader_reads_contract(user: Any) -> Q:
    return Q(account_id__in=Account.objects.visible_to(user).values("id"))


def csm_edits_case(user: Any) -> Q:
    return Q(account__csm_id=user.pk) | Q(contract__csm_id=user.pk)


def account_csm_edits(user: Any) -> Q:
    return Q(account__csm_id=user.pk)
