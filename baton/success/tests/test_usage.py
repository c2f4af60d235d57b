"""Product usage in the health score, computed by hand.

Weights: cases 50, usage 50, the rest 0 (a weight-0 component counts for nothing). The account has no
open case (cases 100).
- 45 of 60 seats in use = 75 % → usage 60: (100 × 50 + 60 × 50) ÷ 100 = 80.
- A later figure, 159 of 200 = 79.5 % → 80 % (half up) → usage 100: score 100.
- Later still, nobody signed in over 30 days → usage 10: (5,000 + 500) ÷ 100 = 55.
- A figure older than 90 days is not read: the component drops out and cases alone give 100."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from baton.core.testing import assert_audited
from baton.core.tests.test_api_support import ApiClient
from baton.success.health import queries, scoring, usage
from baton.success.health.models import UsageRecord

pytestmark = pytest.mark.django_db
D = dt.date
TODAY = D(2026, 11, 20)


def _figure(account, day, bought, used, logins):
    return usage.UsageFigure(account=account, day=day, seats_bought=bought, seats_used=used, logins=logins)


def test_usage_component_and_its_reason(world, alice, charlie, root):
    account = world["account"]
    scoring.set_weights(actor=root, cases=50, engagement=0, renewal=0, nps=0, usage=50)
    row = usage.record_usage(_figure(account, D(2026, 11, 1), 60, 45, 120), actor=alice, today=TODAY)
    assert_audited(row, "create", actor=alice)
    health = scoring.compute_health(account, TODAY)
    part = next(c for c in health.components if c.key == "usage")
    assert (part.score, part.params) == (60, {"used": 45, "bought": 60, "percent": 75, "logins": 120})
    assert health.score == 80
    assert queries.reason_text(part.as_json()) in (
        "45 of 60 seats in use (75%), 120 sign-ins in 30 days",
        "좌석 60개 중 45개 사용 중(75%), 30일간 로그인 120회",
    )
    usage.record_usage(_figure(account, D(2026, 11, 10), 200, 159, 800), actor=alice, today=TODAY)
    assert scoring.compute_health(account, TODAY).score == 100
    usage.record_usage(_figure(account, D(2026, 11, 15), 200, 150, 0), actor=alice, today=TODAY)
    assert scoring.compute_health(account, TODAY).score == 55
    # 91 days after the last figure: none is read any more.
    later = scoring.compute_health(account, D(2026, 11, 15) + dt.timedelta(days=90))
    assert [c.key for c in later.components if c.weight] == ["cases"] and later.score == 100
    # The same day again replaces the figure; bad figures and strangers are refused.
    usage.record_usage(_figure(account, D(2026, 11, 15), 200, 180, 50), actor=alice, today=TODAY)
    assert UsageRecord.objects.filter(account=account).count() == 3
    with pytest.raises(ValidationError):
        usage.record_usage(_figure(account, D(2026, 11, 16), 0, 1, 1), actor=alice, today=TODAY)
    with pytest.raises(ValidationError):
        usage.record_usage(_figure(account, D(2026, 11, 21), 10, 1, 1), actor=alice, today=TODAY)
    with pytest.raises(PermissionDenied):
        usage.record_usage(_figure(account, D(2026, 11, 16), 10, 1, 1), actor=charlie, today=TODAY)


def test_usage_through_the_api_and_import(world, alice, charlie):
    from baton.accounts.services import create_account

    account = world["account"]
    other = create_account(actor=alice, name="다온테크")
    api = ApiClient(alice)
    made = api.post(
        f"/success/accounts/{account.pk}/usage", {"day": "2026-11-01", "seats_bought": 60, "seats_used": 45}
    )
    assert made.status_code == 201 and made.json()["source"] == "api"
    assert (
        api.post(
            f"/success/accounts/{account.pk}/usage",
            {"day": "2026-11-01", "seats_bought": -1, "seats_used": 45},
        ).status_code
        == 422
    )
    assert ApiClient(charlie).get(f"/success/accounts/{account.pk}/usage").status_code == 404
    rows = [
        {"account_id": account.pk, "day": "2026-11-02", "seats_bought": 60, "seats_used": 50, "logins": 10},
        {"account_id": other.pk, "day": "2026-11-02", "seats_bought": 10, "seats_used": 0, "logins": 0},
    ]
    # One bad row (seats_bought 0) saves none.
    bad = api.post("/success/usage/import", {"rows": [rows[0], {**rows[1], "seats_bought": 0}]})
    assert bad.status_code == 422 and "rows.1.seats_bought" in bad.json()["errors"]
    assert UsageRecord.objects.count() == 1
    # Charlie cannot write to alice's accounts.
    refused = ApiClient(charlie).post("/success/usage/import", {"rows": rows})
    assert refused.status_code == 422 and "rows.0.account_id" in refused.json()["errors"]
    assert api.post("/success/usage/import", {"rows": rows}).json() == {"saved": 2}
    listed = api.get(f"/success/accounts/{account.pk}/usage").json()
    assert [(r["day"], r["seats_used"], r["source"]) for r in listed] == [
        ("2026-11-02", 50, "import"),
        ("2026-11-01", 45, "api"),
    ]
