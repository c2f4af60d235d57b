import datetime as dt

from django.utils import timezone

from baton.automation.demo import seed
from baton.automation.models import Rule, Run
from baton.deals.models import Opportunity


def test_demo_seed_adds_three_rules_once_and_runs_todays(world, root):
    deal = world["opportunity"]
    Opportunity.objects.filter(pk=deal.pk).update(
        expected_close_date=timezone.localdate() + dt.timedelta(days=3)
    )
    assert seed() == {"rules": 3, "runs": 1}
    assert seed() == {"rules": 0, "runs": 0}
    assert Rule.objects.filter(enabled=True).count() == 3
    run = Run.objects.get()
    assert (run.record_id, run.status) == (deal.pk, Run.Status.DONE)
