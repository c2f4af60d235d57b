"""Success plans: a plan on an account with milestones (owners, due dates), progress counted by hand,
who sees and who works it, the pages."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from baton.core.testing import assert_audited
from baton.core.tests.test_api_support import ApiClient
from baton.success.plans import services
from baton.success.plans.models import Milestone, SuccessPlan

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 11, 2)


def test_progress_by_hand(world, alice, bob, charlie, cast):
    plan = services.create_plan(
        actor=alice, account=world["account"], title="온보딩", goal="3개월 안에 전사 도입"
    )
    assert_audited(plan, "create", actor=alice)
    a = services.add_milestone(
        plan, actor=alice, title="킥오프", due_date=TODAY - dt.timedelta(days=10), owner=bob
    )
    services.add_milestone(plan, actor=alice, title="데이터 이관", due_date=TODAY - dt.timedelta(days=1))
    services.add_milestone(plan, actor=alice, title="교육", due_date=TODAY + dt.timedelta(days=5))
    services.set_milestone_done(a, actor=alice, done=True, today=TODAY)
    milestones = list(plan.milestones.all())
    # 1 of 3 done = 33 % (rounded down); "데이터 이관" is past due and not done: 1 overdue.
    progress = services.progress_of(milestones, TODAY)
    assert (progress.done, progress.total, progress.percent, progress.overdue) == (1, 3, 33, 1)
    assert_audited(Milestone.objects.get(pk=a.pk), "update", actor=alice, completed_on="2026-11-02")
    with pytest.raises(PermissionDenied):
        services.add_milestone(plan, actor=charlie, title="x", due_date=TODAY)
    with pytest.raises(PermissionDenied):
        services.create_plan(actor=charlie, account=world["account"], title="x")
    cara = cast["cara"]
    with pytest.raises(PermissionDenied):
        services.set_milestone_done(a, actor=cara, done=False, today=TODAY)
    world["account"].csm = cara
    world["account"].save(update_fields=["csm"])
    services.set_milestone_done(a, actor=cara, done=False, today=TODAY)
    assert services.progress_of(list(plan.milestones.all()), TODAY).done == 0


def test_plan_pages(client, world, alice, charlie):
    client.force_login(alice)
    url = f"/success/accounts/{world['account'].pk}/plans/new/"
    assert client.post(url, {"title": ""}).status_code == 200 and not SuccessPlan.objects.exists()
    response = client.post(url, {"title": "도입 계획", "goal": "전사 확산"})
    plan = SuccessPlan.objects.get()
    assert response["Location"] == f"/success/plans/{plan.pk}/"
    bad = client.post(f"/success/plans/{plan.pk}/milestones/", {"title": "킥오프", "due_date": "nope"})
    assert bad.status_code == 400 and not Milestone.objects.exists()
    client.post(f"/success/plans/{plan.pk}/milestones/", {"title": "킥오프", "due_date": "2026-11-10"})
    client.post(f"/success/plans/{plan.pk}/milestones/", {"title": "교육", "due_date": "2026-12-10"})
    m = Milestone.objects.get(title="킥오프")
    client.post(f"/success/milestones/{m.pk}/done/", {"done": "1"})
    page = client.get(f"/success/plans/{plan.pk}/").content.decode()
    assert 'data-testid="plan-progress">1/2 (50%)' in page
    assert "도입 계획" in client.get("/success/plans/").content.decode()
    client.force_login(charlie)
    assert client.get(f"/success/plans/{plan.pk}/").status_code == 404
    assert client.post(f"/success/milestones/{m.pk}/done/", {"done": "0"}).status_code == 404
    assert "도입 계획" not in client.get("/success/plans/").content.decode()


def test_plan_api(world, alice, charlie):
    api = ApiClient(alice)
    account = world["account"].pk
    assert api.post(f"/success/accounts/{account}/plans", {"title": "x", "colour": 1}).status_code == 422
    assert ApiClient(charlie).post(f"/success/accounts/{account}/plans", {"title": "x"}).status_code == 404
    plan = api.post(f"/success/accounts/{account}/plans", {"title": "도입 계획"}).json()
    m1 = api.post(
        f"/success/plans/{plan['id']}/milestones", {"title": "킥오프", "due_date": "2026-01-10"}
    ).json()
    api.post(f"/success/plans/{plan['id']}/milestones", {"title": "교육", "due_date": "2099-01-10"})
    assert api.post(f"/success/milestones/{m1['id']}/completion", {"done": True}).status_code == 200
    body = api.get(f"/success/plans/{plan['id']}").json()
    assert (body["done"], body["total"], body["percent"], body["overdue"]) == (1, 2, 50, 0)
    assert ApiClient(charlie).get(f"/success/plans/{plan['id']}").status_code == 404
    assert (
        ApiClient(charlie).post(f"/success/milestones/{m1['id']}/completion", {"done": False}).status_code
        == 404
    )
    assert [p["id"] for p in api.get("/success/plans").json()] == [plan["id"]]
