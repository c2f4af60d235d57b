"""Health scores computed by hand: components with their reasons, weights an administrator sets,
components without data left out (and rounding half up), daily snapshots as the trend, the red list,
the account panel and the CSM home."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from baton.activities import services as activities
from baton.activities.models import Activity
from baton.core.testing import assert_audited
from baton.core.tests.test_api_support import ApiClient
from baton.success import services as contracts
from baton.success.cases import services as cases
from baton.success.cases.models import Case
from baton.success.health import scoring
from baton.success.health.models import HealthSnapshot, NpsResponse
from baton.success.models import Renewal
from baton.success.services import LineSpec

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 11, 2)


@pytest.fixture
def customer(world, alice, cat):
    account = world["account"]
    # Term ends 100 days after TODAY: renewal 60.
    contracts.create_contract(
        actor=alice,
        account=account,
        name="ERP 구독",
        number="C-H1",
        start_date=dt.date(2026, 2, 10),
        end_date=TODAY + dt.timedelta(days=100),
        lines=[LineSpec("erp-seat", "ERP 사용자", Decimal(10), Decimal(120_000), True, cat["seat"])],
    )
    # Two open cases, one past its SLA: 100 − 15 − 40 = 45.
    cases.open_case(actor=alice, account=account, subject="문의")
    late = cases.open_case(actor=alice, account=account, subject="장애", priority="urgent")
    Case.objects.filter(pk=late.pk).update(resolution_breached=True)
    # A resolved case does not count.
    done = cases.open_case(actor=alice, account=account, subject="해결됨")
    cases.change_status(done, actor=alice, status="resolved")
    # The last completed activity 20 days ago: engagement 70.
    call = activities.create_activity(
        actor=alice, record=account, kind=Activity.Kind.CALL, subject="정기 통화"
    )
    Activity.objects.filter(pk=call.pk).update(
        status=Activity.Status.DONE,
        completed_at=timezone.make_aware(dt.datetime.combine(TODAY - dt.timedelta(days=20), dt.time(10))),
    )
    return account


def test_components_and_reasons_by_hand(customer, alice, root):
    health = scoring.compute_health(customer, TODAY)
    parts = {c.key: (c.score, c.weight, c.params) for c in health.components}
    assert parts == {
        "cases": (45, 30, {"open": 2, "breached": 1}),
        "engagement": (70, 25, {"days": 20}),
        "renewal": (60, 25, {"days": 100}),
    }
    # No NPS answer: (45·30 + 70·25 + 60·25) / 80 = 4600 / 80 = 57.5 → 58 (half up), watch.
    assert (health.score, health.band) == (58, "yellow")

    answer = scoring.record_nps(
        actor=alice, account=customer, score=10, answered_on=TODAY - dt.timedelta(days=3)
    )
    assert_audited(answer, "create", actor=alice)
    # NPS 10 → 100: (1350 + 1750 + 1500 + 20·100) / 100 = 66.
    assert scoring.compute_health(customer, TODAY).score == 66
    # An answer older than a year is ignored; the newest counts (6 → 20): (4600 + 400) / 100 = 50.
    NpsResponse.objects.create(account=customer, score=6, answered_on=TODAY)
    assert scoring.compute_health(customer, TODAY).score == 50

    with pytest.raises(PermissionDenied):
        scoring.set_weights(actor=alice, cases=1, engagement=1, renewal=1, nps=1)
    with pytest.raises(ValidationError):
        scoring.set_weights(actor=root, cases=0, engagement=0, renewal=50, nps=50)
    row = scoring.set_weights(actor=root, cases=60, engagement=20, renewal=20, nps=0)
    assert_audited(row, "create", actor=root)
    # (45·60 + 70·20 + 60·20 + 20·0) / 100 = 53.
    assert scoring.compute_health(customer, TODAY).score == 53


def test_missed_renewal_turns_the_account_red_and_the_trend_shows_it(customer, alice):
    assert scoring.snapshot_health(TODAY - dt.timedelta(days=1)) == 1
    contract = customer.contracts.get()
    Renewal.objects.create(contract=contract, term_end=TODAY - dt.timedelta(days=5))
    # Renewal 0, and no activity for 70 days (10): (45·30 + 10·25 + 0·25) / 80 = 1600 / 80 = 20.
    Activity.objects.update(
        completed_at=timezone.make_aware(dt.datetime.combine(TODAY - dt.timedelta(days=70), dt.time(10)))
    )
    health = scoring.compute_health(customer, TODAY)
    assert (health.score, health.band) == (20, "red")
    scoring.snapshot_health(TODAY)
    scoring.snapshot_health(TODAY)  # a rerun replaces the day's row
    assert list(
        HealthSnapshot.objects.filter(account=customer).order_by("day").values_list("score", flat=True)
    ) == [
        58,
        20,
    ]


def test_pages_show_health(client, customer, alice, charlie, cast, root):
    cara = cast["cara"]
    customer.csm = cara
    customer.save(update_fields=["csm"])
    Renewal.objects.create(
        contract=customer.contracts.get(), term_end=timezone.localdate() - dt.timedelta(days=5)
    )
    scoring.snapshot_health(timezone.localdate())
    snap = HealthSnapshot.objects.get()
    assert snap.band == "red"
    client.force_login(alice)
    page = client.get("/success/health/?band=red").content.decode()
    assert customer.name in page and "A renewal is undecided after its term ended" in page
    panel = client.get(f"/success/accounts/{customer.pk}/installed-base/").content.decode()
    assert f'data-testid="health-score">{snap.score}<' in panel
    response = client.post(
        f"/success/accounts/{customer.pk}/nps/", {"score": "11", "answered_on": "2026-11-01"}
    )
    assert response.status_code == 302 and not NpsResponse.objects.exists()
    client.post(f"/success/accounts/{customer.pk}/nps/", {"score": "9", "answered_on": "2026-11-01"})
    assert NpsResponse.objects.get().score == 9
    assert client.post("/success/health/weights/", {"cases": 1}).status_code == 403
    client.force_login(charlie)
    assert customer.name not in client.get("/success/health/").content.decode()
    assert (
        client.post(
            f"/success/accounts/{customer.pk}/nps/", {"score": "9", "answered_on": "2026-11-01"}
        ).status_code
        == 404
    )
    client.force_login(cara)
    assert 'data-testid="csm-red"' in client.get("/success/home/").content.decode()
    client.force_login(root)
    response = client.post("/success/health/weights/", {"cases": 0, "engagement": 0, "renewal": 5, "nps": 5})
    assert response.status_code == 400 and "cases" in response.context["form"].errors
    assert (
        client.post(
            "/success/health/weights/", {"cases": 40, "engagement": 20, "renewal": 20, "nps": 20}
        ).status_code
        == 302
    )


def test_health_api(customer, alice, charlie, root):
    api = ApiClient(alice)
    body = api.get(f"/success/accounts/{customer.pk}/health").json()
    first = body["components"][0]
    assert (first["key"], first["score"], first["weight"], first["params"]) == (
        "cases",
        45,
        30,
        {"open": 2, "breached": 1},
    )
    assert first["reason"]
    assert ApiClient(charlie).get(f"/success/accounts/{customer.pk}/health").status_code == 404
    bad = api.post(f"/success/accounts/{customer.pk}/nps", {"score": 11, "answered_on": "2026-11-01"})
    assert bad.status_code == 422 and not NpsResponse.objects.exists()
    ok = api.post(f"/success/accounts/{customer.pk}/nps", {"score": 9, "answered_on": "2026-11-01"})
    assert ok.status_code == 201
    weights = {"cases": 40, "engagement": 20, "renewal": 20, "nps": 20}
    assert api._send("put", "/success/health-weights", weights).status_code == 403
    # The usage weight, left out, keeps its default (20).
    assert ApiClient(root)._send("put", "/success/health-weights", weights).json() == {**weights, "usage": 20}
    scoring.snapshot_health(timezone.localdate())
    assert [row["account_id"] for row in api.get("/success/health").json()] == [customer.pk]
    assert api.get("/success/health?band=red").json() == []
