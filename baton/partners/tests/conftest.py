from __future__ import annotations

import pytest

from baton.accounts.services import create_account
from baton.core.models import Role, User
from baton.partners import services
from baton.partners.models import Tier
from conftest import PASSWORD


def make_partner(name: str, tier: str, manager: User, username: str, brn: str = "") -> dict:
    account = create_account(actor=manager, name=name, brn=brn)
    partner = services.create_partner(actor=manager, account=account, tier=tier, manager=manager)
    user = User.objects.create_user(
        username=username,
        password=PASSWORD,
        email=f"{username}@partner.test",
        role=Role.PARTNER,
        display_name=username.capitalize(),
    )
    services.add_member(partner, user, actor=manager)
    return {"partner": partner, "user": user}


@pytest.fixture
def channel(cast):
    """Two partners of pat (partner manager): Nuri (silver, user paul) and Daon (gold, user dora)."""
    pat = cast["pat"]
    nuri = make_partner("누리시스템 주식회사", Tier.SILVER, pat, "paul")
    daon = make_partner("(주)다온정보", Tier.GOLD, pat, "dora")
    return {
        **cast,
        "nuri": nuri["partner"],
        "paul": nuri["user"],
        "daon": daon["partner"],
        "dora": daon["user"],
    }
