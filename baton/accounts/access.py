"""Who reads accounts and contacts beyond their owners (registered with ``core.records`` in ``ready()``).

The account's customer success manager (``Account.csm``) reads the account, its contacts and (through
``deals``) its opportunities; what they may change stays with the owner and the owner's team."""

from __future__ import annotations

from typing import Any

from django.db.models import Q


def csm_reads_account(user: Any) -> Q:
    return Q(csm_id=user.pk)


def csm_reads_contacts(user: Any) -> Q:
    return Q(account__csm_id=user.pk)
