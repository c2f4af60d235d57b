"""Demo data of sharing: a few of ae1's records shared beyond the team (read, edit, expiring)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from baton.accounts.models import Account
from baton.core.models import RecordShare, Team, User
from baton.deals.models import Opportunity
from baton.sharing import services


def seed(stdout: Any = None) -> dict[str, int]:
    """Idempotent: does nothing when shares exist or the demo people are missing."""
    if RecordShare.objects.exists():
        return {"shares": 0}
    people = {u.username: u for u in User.objects.filter(username__in=["ae1", "ae3", "sa", "specialist"])}
    owner = people.get("ae1")
    if owner is None:
        return {"shares": 0}
    made = 0
    deals = list(Opportunity.objects.filter(owner=owner).order_by("-amount", "pk")[:1])
    if deals and "specialist" in people:
        # The security specialist helps on ae1's biggest deal: may edit it for the next 30 days.
        services.share_record(
            deals[0],
            actor=owner,
            user=people["specialist"],
            access="edit",
            expires_at=timezone.now() + dt.timedelta(days=30),
        )
        made += 1
    team = Team.objects.filter(members=people.get("ae3")).first() if "ae3" in people else None
    account = Account.objects.filter(owner=owner).order_by("pk").first()
    if account is not None and team is not None:
        # The public-sector team reads one enterprise account (a joint bid).
        services.share_record(account, actor=owner, team=team, access="read")
        made += 1
    if stdout is not None:
        stdout.write(f"Shared {made} demo records.")
    return {"shares": made}
