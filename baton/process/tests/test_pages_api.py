import pytest

from baton.core.services import create_api_token
from baton.leads.models import LeadInteraction
from baton.leads.services import create_lead, log_interaction
from baton.process.models import HandOff, ProcessStage, StageCriterion
from baton.process.services import current_stay


@pytest.fixture
def lead(alice):
    lead = create_lead(actor=alice, name="이서연", company="새봄물산", email="s@saebom.kr")
    log_interaction(lead, actor=alice, kind=LeadInteraction.Kind.WEB_VISIT)
    return lead


@pytest.mark.django_db
def test_floor_renders_numbers_and_links(client, alice, lead, django_assert_max_num_queries):
    assert client.get("/process/").status_code == 302  # sign in first
    client.force_login(alice)
    with django_assert_max_num_queries(20):
        response = client.get("/process/?days=30")
    assert response.status_code == 200
    body = response.content.decode()
    assert 'data-testid="stage-nurturing"' in body and 'data-testid="arrivals-nurturing"' in body
    drill = client.get("/process/stages/nurturing/wip/?days=30")
    assert drill.status_code == 200 and "이서연" in drill.content.decode()
    assert client.get("/process/stages/nurturing/bogus/").status_code == 404
    csv = client.get("/process/metrics.csv?days=30")
    assert csv.status_code == 200 and "nurturing" in csv.content.decode("utf-8-sig")
    # Conversion over time next to the dwell chart; the segment filters.
    assert 'id="conversion-chart"' in body and 'id="conversion-data"' in body
    assert 'name="size"' in body and 'name="industry"' in body
    segment = client.get("/process/?days=30&size=10-49&industry=finance")
    assert segment.status_code == 200 and 'value="10-49" selected' in segment.content.decode()
    assert client.get("/process/?size=huge").status_code == 302  # refused with a message


@pytest.mark.django_db
def test_floor_is_scoped_to_what_the_user_sees(client, charlie, lead):
    client.force_login(charlie)
    body = client.get("/process/?days=30").content.decode()
    assert "이서연" not in client.get("/process/stages/nurturing/wip/?days=30").content.decode()
    assert 'data-testid="wip-nurturing">0<' in body


@pytest.mark.django_db
def test_record_panel_and_moves_by_persona(client, alice, bob, charlie, mina, lead):
    client.force_login(charlie)
    assert client.get(f"/process/records/lead/{lead.pk}/").status_code == 404
    assert client.post(f"/process/records/lead/{lead.pk}/move/", {"stage": 1}).status_code == 404
    client.force_login(alice)
    panel = client.get(f"/process/records/lead/{lead.pk}/", HTTP_HX_REQUEST="true")
    assert panel.status_code == 200 and 'data-testid="process-panel"' in panel.content.decode()
    working = ProcessStage.objects.get(key="working")
    refused = client.post(
        f"/process/records/lead/{lead.pk}/move/", {"stage": working.pk}, HTTP_HX_REQUEST="true"
    )
    assert refused.status_code == 422 and "Criteria not met" in refused.content.decode()
    client.force_login(bob)
    ok = client.post(
        f"/process/records/lead/{lead.pk}/move/",
        {"stage": working.pk, "override": "1", "reason": "phoned"},
        HTTP_HX_REQUEST="true",
    )
    assert ok.status_code == 200 and current_stay("lead", lead.pk).stage.key == "working"
    client.force_login(mina)
    ok = client.post(
        f"/process/records/lead/{lead.pk}/qualify/", {"item": "budget", "answer": "1", "evidence": "1억"}
    )
    assert ok.status_code == 200
    recycle = client.post(
        f"/process/records/lead/{lead.pk}/recycle/", {"reason": "timing", "follow_up_on": "2030-01-01"}
    )
    assert recycle.status_code == 200 and current_stay("lead", lead.pk).stage.key == "nurturing"


@pytest.mark.django_db
def test_design_editor_is_for_admins_and_validates(client, alice, root):
    mql = ProcessStage.objects.get(key="mql")
    client.force_login(alice)
    assert client.get("/process/design/").status_code == 403
    assert (
        client.post(
            f"/process/design/stages/{mql.pk}/criteria/", {"name": "x", "expression": "true"}
        ).status_code
        == 403
    )
    client.force_login(root)
    assert client.get("/process/design/").status_code == 200
    bad = client.post(
        f"/process/design/stages/{mql.pk}/criteria/", {"name": "x", "expression": "web_visit_30d >"}
    )
    assert bad.status_code == 422 and "cannot be parsed" in bad.content.decode()
    ok = client.post(
        f"/process/design/stages/{mql.pk}/criteria/",
        {"name": "Demo", "expression": "meeting_90d >= 1", "kind": "entry", "required": "on"},
    )
    assert ok.status_code == 302 and StageCriterion.objects.filter(stage=mql, name="Demo").exists()
    renamed = client.post(
        f"/process/design/stages/{mql.pk}/",
        {"op": "save", "name": "유망", "name_en": "MQL", "sla_max_days": "3", "programs": "a\nb"},
    )
    assert renamed.status_code == 302
    mql.refresh_from_db()
    assert (mql.name, mql.sla_max_days, mql.programs) == ("유망", 3, ["a", "b"])


@pytest.mark.django_db
def test_queues_accept_a_handoff(client, alice, root):
    lead = create_lead(actor=alice, name="A", email="a@x.kr")
    log_interaction(lead, actor=alice, kind=LeadInteraction.Kind.SEMINAR)
    handoff = HandOff.objects.get(record_kind="lead", record_id=lead.pk)
    client.force_login(alice)
    body = client.get("/process/queues/").content.decode()
    # alice (field sales) sees her lead waiting, without the receiving department's decision form.
    assert f'href="/process/records/lead/{lead.pk}/"' in body
    assert "Waiting for the receiving department" in body
    assert f"/process/queues/hand-offs/{handoff.pk}/" not in body
    client.force_login(root)
    assert client.post(f"/process/queues/hand-offs/{handoff.pk}/", {"decision": "accept"}).status_code == 302
    assert current_stay("lead", lead.pk).stage.key == "accepted"


@pytest.mark.django_db
def test_api_metrics_history_and_move(client, alice, charlie, lead):
    _, secret = create_api_token(alice, name="t")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    assert client.get("/api/v1/process/metrics").status_code == 401
    data = client.get("/api/v1/process/metrics?days=30", **auth).json()
    assert next(s for s in data["stages"] if s["stage"] == "nurturing")["wip"] == 1
    assert client.get("/api/v1/process/metrics?days=abc", **auth).status_code == 422
    csv = client.get("/api/v1/process/metrics.csv?days=30", **auth)
    assert csv.status_code == 200 and csv["Content-Type"].startswith("text/csv")
    history = client.get(f"/api/v1/process/records/lead/{lead.pk}/history", **auth).json()
    assert [h["stage"] for h in history] == ["lead_acquired", "nurturing"]
    state = client.get(f"/api/v1/process/records/lead/{lead.pk}", **auth).json()
    assert state["current"]["stage"] == "nurturing" and state["next_stages"][0]["stage"] == "mql"
    refused = client.post(
        f"/api/v1/process/records/lead/{lead.pk}/move",
        {"stage": "working"},
        content_type="application/json",
        **auth,
    )
    assert refused.status_code == 422
    moved = client.post(
        f"/api/v1/process/records/lead/{lead.pk}/move",
        {"stage": "working", "override": True, "reason": "phone"},
        content_type="application/json",
        **auth,
    )
    assert moved.status_code == 200 and moved.json()["stay"]["is_override"] is True
    _, other = create_api_token(charlie, name="t")
    assert (
        client.get(
            f"/api/v1/process/records/lead/{lead.pk}/history", HTTP_AUTHORIZATION=f"Bearer {other}"
        ).status_code
        == 404
    )
    stages = client.get("/api/v1/process/stages", **auth).json()
    assert [s["key"] for s in stages][:4] == ["awareness", "lead_acquired", "nurturing", "mql"]
