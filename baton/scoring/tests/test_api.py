import pytest

from baton.core.services import create_api_token
from baton.leads.services import update_lead
from baton.scoring.models import DisqualifyReason
from baton.scoring.routing import save_routing_rule, set_capacity


@pytest.fixture
def api(client):
    def call(user, method, url, body=None):
        _token, secret = create_api_token(user, name="t")
        kwargs = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
        if body is not None:
            kwargs.update(data=body, content_type="application/json")
        return getattr(client, method)(f"/api/v1/scoring{url}", **kwargs)

    return call


@pytest.mark.django_db
def test_score_qualification_and_404_for_outsiders(api, world, alice, charlie):
    lead = world["lead"]
    r = api(alice, "get", f"/leads/{lead.pk}/score")
    assert r.status_code == 200
    body = r.json()
    assert body["fallback"] is True and body["probability"] is None
    assert body["total"] == body["fit"] + body["engagement"]
    assert api(charlie, "get", f"/leads/{lead.pk}/score").status_code == 404
    r = api(alice, "put", f"/leads/{lead.pk}/qualification/budget", {"answer": True, "evidence": "예산 확인"})
    assert r.status_code == 200, r.content
    assert r.json()["confirmed"] == 1 and "budget" not in r.json()["gaps"]
    r = api(
        alice, "put", f"/leads/{lead.pk}/qualification/budget", {"answer": True, "evidence": "x", "extra": 1}
    )
    assert r.status_code == 422
    r = api(alice, "put", f"/leads/{lead.pk}/qualification/nonsense", {"answer": True, "evidence": "x"})
    assert r.status_code == 422
    assert api(charlie, "get", f"/leads/{lead.pk}/qualification").status_code == 404


@pytest.mark.django_db
def test_route_disqualify_meddpicc_competitors(api, world, alice, root):
    set_capacity(alice, actor=root, values={"weekly_capacity": 3})
    save_routing_rule(None, actor=root, values={"name": "All"}, members=[alice])
    lead = world["lead"]
    r = api(alice, "post", f"/leads/{lead.pk}/route", {})
    assert r.status_code == 201, r.content
    assert r.json()["assignee_id"] == alice.pk and r.json()["explanation"][-1].startswith("Assigned to Alice")
    assert len(api(alice, "get", f"/leads/{lead.pk}/assignments").json()) == 1
    reason = DisqualifyReason.objects.get(name_en="No budget")
    r = api(alice, "post", f"/leads/{lead.pk}/disqualify", {"reason_id": reason.pk, "note": "내년"})
    assert r.status_code == 201, r.content
    assert r.json()["recycle_on"] and r.json()["explanation"]
    opp = world["opportunity"]
    r = api(
        alice, "put", f"/opportunities/{opp.pk}/meddpicc/champion", {"answer": True, "evidence": "IT팀장"}
    )
    assert r.status_code == 200 and r.json()["confirmed"] == 1
    r = api(alice, "post", f"/opportunities/{opp.pk}/competitors", {"name": "더존", "is_incumbent": True})
    assert r.status_code == 201 and r.json()["is_incumbent"] is True
    assert api(alice, "get", f"/opportunities/{opp.pk}/competitors").json()[0]["competitor"] == "더존"


@pytest.mark.django_db
def test_supply_and_win_loss_endpoints(api, world, alice, mina, root):
    set_capacity(alice, actor=root, values={"weekly_capacity": 1})
    update_lead(world["lead"], actor=alice, changes={"status": "qualified"}, expected_version=None)
    assert api(alice, "get", "/supply").status_code == 403  # field sales does not supply leads
    body = api(mina, "get", "/supply").json()
    assert (body["capacity"], body["free"], body["waiting"]) == (1, 1, 1)
    assert body["queue"][0]["lead_id"] == world["lead"].pk and body["queue"][0]["passes"] is True
    body = api(alice, "get", "/win-loss").json()
    assert body["overall"]["won"] == 0 and set(body["groups"]) >= {
        "reason",
        "competitor",
        "incumbent",
        "stage",
    }
