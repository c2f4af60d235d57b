from baton.core.models import RecordShare, Role, Team, User
from baton.deals.models import Opportunity
from baton.sharing.demo import seed


def test_demo_seed_shares_a_deal_and_an_account_once(world, personas):
    alice = personas["alice"]
    alice.username = "ae1"
    alice.save()
    public = Team.objects.create(name="영업2팀")
    User.objects.create_user(username="ae3", role=Role.FIELD_SALES, team=public)
    specialist = User.objects.create_user(username="specialist", role=Role.SPECIALIST_SALES)
    assert seed() == {"shares": 2}
    assert seed() == {"shares": 0}
    deal = RecordShare.objects.get(user=specialist)
    assert deal.access == "edit" and deal.expires_at is not None
    assert Opportunity.objects.visible_to(specialist).filter(pk=world["opportunity"].pk).exists()
    assert RecordShare.objects.get(team=public).record_id == world["account"].pk
