import pytest

from baton.core.models import Role, User
from baton.deals import catalog
from baton.deals.tests.factories import add_lines, make_catalog
from baton.delivery.models import ChecklistItem


@pytest.fixture
def cat(db):
    return make_catalog()


@pytest.fixture
def dlead(personas):
    return User.objects.create_user(username="dave", password="x", role=Role.DELIVERY, display_name="Dave")


@pytest.fixture
def checklist(cat):
    return {
        "general": ChecklistItem.objects.create(
            text="고객 측 PM이 지정되었는가?", text_en="Customer PM named?"
        ),
        "erp": ChecklistItem.objects.create(
            product_family=cat["families"]["erp"], text="데이터 이관 범위", text_en="Data migration scope"
        ),
        "cloud": ChecklistItem.objects.create(
            product_family=cat["families"]["cloud"], text="네트워크 구성", text_en="Network set-up"
        ),
    }


@pytest.fixture
def deal(world, alice, cat):
    opp = world["opportunity"]
    add_lines(opp, alice, cat)
    catalog.add_effort(opp, actor=alice, role="delivery", person_days=10, day_rate=500_000)
    return opp
