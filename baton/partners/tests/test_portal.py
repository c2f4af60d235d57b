"""The portal and the channel pages: a partner registers, the partner manager approves, the rep sees
the partner on the deal; the partner moves it through deals' services and the rep's feed shows it.
Partners see only their organisation's world (other partners' and internal ids → 404)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from baton.accounts.services import create_account
from baton.activities.queries import my_feed_items
from baton.core.testing import assert_audited
from baton.core.tests.test_api_support import ApiClient
from baton.deals.models import Stage
from baton.partners import services
from baton.partners.models import Registration

pytestmark = pytest.mark.django_db


def form(**extra):
    values = {
        "customer": "새한물산 주식회사",
        "contact_name": "박지훈",
        "contact_email": "jihoon@saehan.co.kr",
        "product_interest": "ERP",
        "amount": "80000000",
        "close_date": (timezone.localdate() + dt.timedelta(days=60)).isoformat(),
        "evidence": "Two workshops with the IT team.",
    }
    values.update(extra)
    return values


def test_register_approve_stamp_and_move(client, channel, world):
    paul, pat, alice = channel["paul"], channel["pat"], channel["alice"]
    client.force_login(paul)
    assert client.get("/").url == "/portal/"
    assert client.get("/portal/").status_code == 200
    bad = client.post("/portal/register/", form(amount="0"))
    assert bad.status_code == 200 and not Registration.objects.exists()
    response = client.post("/portal/register/", form())
    reg = Registration.objects.get()
    assert response.url == f"/portal/registrations/{reg.pk}/"
    assert (reg.partner, reg.submitted_by) == (channel["nuri"], paul)
    assert "Submitted" in client.get(response.url).content.decode()

    # the partner manager sees the queue and approves it for alice
    client.force_login(pat)
    assert "새한물산" in client.get("/partners/registrations/").content.decode()
    assert client.get(f"/partners/registrations/{reg.pk}/").status_code == 200
    approved = client.post(f"/partners/registrations/{reg.pk}/approve/", {"owner": alice.pk, "account": ""})
    assert approved.status_code == 302
    reg.refresh_from_db()
    assert reg.status == Registration.Status.APPROVED
    deal = reg.opportunity
    assert deal.owner == alice

    # the rep sees the partner stamped on the deal's panel
    client.force_login(alice)
    panel = client.get(f"/partners/deal/{deal.pk}/panel/").content.decode()
    assert "누리시스템" in panel and "Partner-sourced" in panel

    # the partner moves the deal a stage, through deals' services; alice's feed shows it
    client.force_login(paul)
    home = client.get("/portal/").content.decode()
    assert deal.name in home
    nxt = (
        Stage.objects.filter(pipeline=deal.pipeline, sequence__gt=deal.stage.sequence)
        .order_by("sequence")
        .first()
    )
    moved = client.post(
        f"/portal/deals/{deal.pk}/",
        {
            "stage": nxt.pk,
            "next_step": "PoC 일정 확정",
            "expected_close_date": deal.expected_close_date.isoformat(),
        },
    )
    assert moved.status_code == 302
    deal.refresh_from_db()
    assert (deal.stage, deal.next_step) == (nxt, "PoC 일정 확정")
    assert_audited(deal, "move", actor=paul)
    items, _cursor = my_feed_items(alice)
    assert any(item.change is not None and item.actor == paul for item in items)


def test_rejection_reason_is_shown_to_the_partner(client, channel):
    reg = services.submit_registration(
        actor=channel["paul"], **{**form(), "close_date": timezone.localdate()}
    )
    client.force_login(channel["pat"])
    client.post(f"/partners/registrations/{reg.pk}/reject/", {"reason": "우리 팀이 직접 진행 중"})
    client.force_login(channel["paul"])
    page = client.get(f"/portal/registrations/{reg.pk}/").content.decode()
    assert "우리 팀이 직접 진행 중" in page
    assert "conflict" not in page.lower()


def test_partners_see_only_their_own_world(client, channel, world):
    paul, dora, pat = channel["paul"], channel["dora"], channel["pat"]
    mine = services.submit_registration(actor=paul, **{**form(), "close_date": timezone.localdate()})
    services.approve_registration(mine, actor=pat)
    mine.refresh_from_db()
    theirs = services.submit_registration(
        actor=dora, **{**form(customer="가온바이오", contact_email=""), "close_date": timezone.localdate()}
    )
    client.force_login(dora)
    # another partner's registration and deal, and an internal deal: 404
    assert client.get(f"/portal/registrations/{mine.pk}/").status_code == 404
    assert client.get(f"/portal/deals/{mine.opportunity_id}/").status_code == 404
    assert client.get(f"/portal/deals/{world['opportunity'].pk}/").status_code == 404
    assert client.get(f"/portal/registrations/{theirs.pk}/").status_code == 200
    home = client.get("/portal/").content.decode()
    assert "새한물산" not in home and "한빛" not in home and "가온바이오" in home
    # internal pages: 403, whatever the id
    for url in (
        f"/deals/{mine.opportunity_id}/",
        f"/partners/registrations/{mine.pk}/",
        "/leads/",
        "/search/?q=새한",
    ):
        assert client.get(url).status_code == 403, url
    # the internal cast cannot open the portal
    client.force_login(channel["root"])
    assert client.get("/portal/").status_code == 403


def test_portal_api(channel, world):
    paul, dora, pat = channel["paul"], channel["dora"], channel["pat"]
    api = ApiClient(paul)
    created = api.post(
        "/partners/portal/registrations", {**form(), "amount": 80000000, "close_date": form()["close_date"]}
    )
    assert created.status_code == 201, created.content
    reg_id = created.json()["id"]
    assert "conflicts" not in created.json()
    assert api.post("/partners/portal/registrations", {**form(), "extra": 1}).status_code == 422
    # the channel team approves through the API; a partner token cannot
    assert api.post(f"/partners/registrations/{reg_id}/approve", {}).status_code == 403
    approved = ApiClient(pat).post(
        f"/partners/registrations/{reg_id}/approve", {"owner_id": channel["alice"].pk}
    )
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    deals = api.get("/partners/portal/opportunities").json()
    assert [d["id"] for d in deals] == [approved.json()["opportunity_id"]]
    deal = deals[0]
    changed = api.patch(
        f"/partners/portal/opportunities/{deal['id']}", {"version": deal["version"], "next_step": "계약 검토"}
    )
    assert changed.status_code == 200 and changed.json()["next_step"] == "계약 검토"
    stale = api.patch(
        f"/partners/portal/opportunities/{deal['id']}", {"version": deal["version"], "next_step": "x"}
    )
    assert stale.status_code == 409
    other = ApiClient(dora)
    assert other.patch(f"/partners/portal/opportunities/{deal['id']}", {"version": 1}).status_code == 404
    assert other.get("/partners/portal/registrations").json() == []
    assert other.get(f"/opportunities/{world['opportunity'].pk}").status_code == 403
    assert (
        ApiClient(channel["alice"]).get(f"/partners/opportunities/{deal['id']}").json()[0]["sourced"] is True
    )


def test_the_approver_chooses_only_among_accounts_they_may_see(client, channel):
    """A conflicting account of another team is "a record of another team" on the page: its name is not
    offered in the approve form, and posting its id attaches nothing to it."""
    alice, paul, pat = channel["alice"], channel["paul"], channel["pat"]
    hidden = create_account(actor=alice, name="(주)가온바이오")
    reg = services.submit_registration(actor=paul, **{**form(customer="가온바이오", contact_email="")})
    assert hidden.pk in [c["id"] for c in reg.conflicts if c["kind"] == "account"]
    client.force_login(pat)
    page = client.get(f"/partners/registrations/{reg.pk}/")
    assert hidden.pk not in [value for value, _ in page.context["approve_form"].fields["account"].choices]
    response = client.post(
        f"/partners/registrations/{reg.pk}/approve/", {"owner": pat.pk, "account": hidden.pk}
    )
    assert response.status_code == 200  # the form again, with its error
    assert not hidden.opportunities.exists()
