"""The success API: a contract from a won deal, amendments, ARR/MRR on a past date, termination,
renewal outcome, renewals due and revenue movements; bad input is 4xx with a message, nothing saved."""

import datetime as dt

import pytest

from baton.core.tests.test_api_support import ApiClient
from baton.success import services
from baton.success.models import Contract, ContractChange

pytestmark = pytest.mark.django_db


def test_contract_lifecycle_through_the_api(won_deal, alice, charlie, cat):
    api = ApiClient(alice)
    assert ApiClient(charlie).post(f"/success/opportunities/{won_deal.pk}/contract", {}).status_code == 404
    bad = api.post(
        f"/success/opportunities/{won_deal.pk}/contract", {"start_date": "2026-01-01", "colour": "red"}
    )
    assert bad.status_code == 422
    bad = api.post(
        f"/success/opportunities/{won_deal.pk}/contract",
        {"start_date": "2026-02-01", "end_date": "2026-01-01"},
    )
    assert bad.status_code == 422 and "end_date" in bad.json()["errors"]
    assert not Contract.objects.exists()
    response = api.post(
        f"/success/opportunities/{won_deal.pk}/contract",
        {"start_date": "2026-01-01", "recurring_codes": ["erp-seat"], "billing_frequency": "monthly"},
    )
    assert response.status_code == 201, response.content
    body = response.json()
    # 7 seats × 99,999 = 699,993 a year; MRR 58,332.75; the core licence 10,000,000 one-time.
    assert (body["arr"], body["mrr"], body["one_time_total"]) == ("699993.00", "58332.75", "10000000.00")
    assert api.post(f"/success/opportunities/{won_deal.pk}/contract", {}).status_code == 409
    cid = body["id"]
    seat = next(line for line in body["lines"] if line["product_code"] == "erp-seat")
    assert ApiClient(charlie).get(f"/success/contracts/{cid}").status_code == 404
    bad = api.post(
        f"/success/contracts/{cid}/amendments",
        {"kind": "downsell", "line_id": seat["id"], "quantity": 9, "effective_date": "2026-04-01"},
    )
    assert bad.status_code == 422
    response = api.post(
        f"/success/contracts/{cid}/amendments",
        {"kind": "upsell", "line_id": seat["id"], "quantity": 10, "effective_date": "2026-04-01"},
    )
    assert response.status_code == 201
    # +3 seats × 99,999 = +299,997 a year from 1 April.
    assert response.json()["arr_delta"] == "299997.00"
    march = api.get(f"/success/contracts/{cid}/arr", {"on": "2026-03-31"}).json()
    april = api.get(f"/success/contracts/{cid}/arr", {"on": "2026-04-01"}).json()
    assert (march["arr"], march["mrr"]) == ("699993.00", "58332.75")
    assert (april["arr"], april["mrr"]) == ("999990.00", "83332.50")  # 999,990 / 12
    assert api.get(f"/success/contracts/{cid}/arr", {"on": "not-a-date"}).status_code == 422
    revenue = api.get("/success/revenue", {"first": "2026-04-01", "last": "2026-04-30"}).json()
    assert revenue["total"]["expansion"] == "299997.00"
    assert revenue["customers"][0]["contract_ids"] == [cid]
    assert api.get("/success/revenue", {"by": "colour"}).status_code == 422
    renewal = services.open_renewal(Contract.objects.get(pk=cid))
    assert [r["contract"]["id"] for r in api.get("/success/renewals").json()] in ([cid], [])
    assert api.post(f"/success/renewals/{renewal.pk}/outcome", {"outcome": "churned"}).status_code == 422
    response = api.post(f"/success/renewals/{renewal.pk}/outcome", {"outcome": "renewed"})
    assert response.status_code == 200 and response.json()["outcome"] == "renewed"
    assert Contract.objects.get(pk=cid).end_date == dt.date(2027, 12, 31)
    response = api.post(
        f"/success/contracts/{cid}/termination", {"effective_date": "2027-03-01", "reason": "폐업"}
    )
    assert response.status_code == 200 and response.json()["status"] == "terminated"
    assert ContractChange.objects.filter(contract_id=cid, kind="termination").count() == 2
