import pytest

from baton.core.models import Role, User
from baton.deals import quoting
from baton.deals.models import Stage
from baton.deals.services import move_opportunity
from baton.deals.tests.factories import add_lines, make_catalog


@pytest.fixture
def cat(db):
    return make_catalog()


@pytest.fixture
def cara(personas):
    return User.objects.create_user(
        username="cara", password="x", role=Role.CUSTOMER_SUCCESS, display_name="Cara"
    )


@pytest.fixture
def won_deal(world, alice, cat):
    """Alice's deal with two lines (ERP core 10,000,000 × 1; ERP seat 99,999 × 7), a primary quote, won."""
    opp = world["opportunity"]
    add_lines(opp, alice, cat)
    quoting.create_quote(opp, actor=alice)
    opp.refresh_from_db()
    move_opportunity(opp, actor=alice, stage=Stage.objects.get(key="won"), expected_version=opp.version)
    opp.refresh_from_db()
    return opp
