"""Access by role and relationship (issue 9): who reads what beyond owner, team and managers, decided in
``core.records`` from the grants the apps register; and the leaks it closes, each reproduced first."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from baton.accounts.models import Account, Contact
from baton.activities import services as activity_services
from baton.activities.models import Activity, Notification
from baton.core.records import can_edit
from baton.core.tests.test_api_support import ApiClient
from baton.deals.models import DealTeamMember, Opportunity, Stage
from baton.deals.services import create_opportunity, move_opportunity
from baton.leads.models import Lead
from baton.leads.services import create_lead

pytestmark = pytest.mark.django_db


def _get(client, user, url):
    client.force_login(user)
    return client.get(url)


def test_grants_are_registered_by_the_apps_that_know_the_relationship():
    from baton.core.records import grants_for

    names = {g.name for g in grants_for(Opportunity)}
    assert {
        "deal team",
        "approver of a pending step",
        "the account's CSM",
        "delivery team of the hand-off",
        "receiver of a pending hand-off",
    } <= names
    assert {g.name for g in grants_for(Account)} >= {"the account's CSM", "delivery team of the hand-off"}
    assert {g.name for g in grants_for(Contact)} == {"the account's CSM"}
    assert "marketing reads leads" in {g.name for g in grants_for(Lead)}


# --- who reads what -------------------------------------------------------------------------------------


def test_solution_architect_on_the_deal_team_reads_the_deal_but_does_not_edit_it(client, cast, world):
    from baton.deals.team import add_team_member

    sam, opp = cast["sam"], world["opportunity"]
    assert _get(client, sam, f"/deals/{opp.pk}/").status_code == 404
    add_team_member(opp, actor=cast["alice"], user=sam, role="solution_architect")
    assert _get(client, sam, f"/deals/{opp.pk}/").status_code == 200
    assert ApiClient(sam).get(f"/opportunities/{opp.pk}").status_code == 200
    assert not can_edit(sam, opp)
    response = ApiClient(sam).patch(f"/opportunities/{opp.pk}", {"version": opp.version, "next_step": "x"})
    assert response.status_code in (403, 404)
    opp.refresh_from_db()
    assert opp.next_step != "x"
    # The account stays closed: the deal team is about the deal.
    assert _get(client, sam, f"/accounts/{world['account'].pk}/").status_code == 404


def test_approver_reads_the_deal_they_are_asked_to_approve_while_the_step_is_pending(client, cast, world):
    from baton.deals import approvals, quoting
    from baton.deals.tests.factories import add_lines, make_catalog

    fin, alice, opp = cast["fin"], cast["alice"], world["opportunity"]
    approvals.save_rule(
        actor=cast["root"],
        approvers=[fin],
        name="할인 10% 초과",
        field="discount_percent",
        operator="gt",
        threshold=Decimal(10),
    )
    add_lines(opp, alice, make_catalog(), discount="20")
    quote = quoting.create_quote(opp, actor=alice)
    assert _get(client, fin, f"/deals/{opp.pk}/").status_code == 404
    approvals.submit_quote(quote, actor=alice)
    assert _get(client, fin, f"/deals/{opp.pk}/").status_code == 200
    step = approvals.queue_for(fin).get()
    approvals.decide(step, actor=fin, approve=True)
    assert _get(client, fin, f"/deals/{opp.pk}/").status_code == 404  # decided: no longer theirs


def test_delivery_pm_of_an_accepted_hand_off_opens_the_deal_and_the_customer(client, cast, world):
    from baton.delivery import services as delivery
    from baton.delivery.models import ChecklistItem

    dave, alice = cast["dave"], cast["alice"]
    opp = move_opportunity(
        world["opportunity"],
        actor=alice,
        stage=Stage.objects.get(pipeline=world["opportunity"].pipeline, key="won"),
        expected_version=None,
    )
    ChecklistItem.objects.create(text="고객 측 PM", text_en="Customer PM")
    package = delivery.start_package(opp, actor=alice)
    delivery.update_package(package, actor=alice, changes={"delivery_lead": dave}, expected_version=None)
    delivery.submit_package(package, actor=alice, override_reason="급함")
    project = delivery.accept(package, actor=dave)
    page = _get(client, dave, f"/delivery/projects/{project.pk}/")
    body = page.content.decode()
    assert f'href="/accounts/{world["account"].pk}/"' in body
    assert f'href="/deals/{opp.pk}/"' in body
    assert _get(client, dave, f"/deals/{opp.pk}/").status_code == 200
    assert _get(client, dave, f"/accounts/{world['account'].pk}/").status_code == 200
    assert not can_edit(dave, opp)
    # The rest of the pipeline stays closed.
    other = create_opportunity(actor=alice, name="다른 건", account=world["account"])
    assert _get(client, dave, f"/deals/{other.pk}/").status_code == 404


def test_the_accounts_csm_reads_the_account_its_contacts_and_deals(client, cast, world):
    from baton.accounts.services import update_account

    cara, account = cast["cara"], world["account"]
    assert not Account.objects.visible_to(cara).exists()
    update_account(account, actor=cast["alice"], changes={"csm": cara}, expected_version=None)
    assert list(Account.objects.visible_to(cara)) == [account]
    assert list(Contact.objects.visible_to(cara)) == [world["contact"]]
    assert list(Opportunity.objects.visible_to(cara)) == [world["opportunity"]]
    assert _get(client, cara, f"/accounts/{account.pk}/").status_code == 200
    assert _get(client, cara, f"/contacts/{world['contact'].pk}/").status_code == 200
    assert ApiClient(cara).get(f"/accounts/{account.pk}").status_code == 200
    assert not can_edit(cara, account)
    assert not Lead.objects.visible_to(cara).exists()


def test_marketing_reads_every_lead_and_campaign_and_the_factory_floors_lead_numbers(client, cast, world):
    from baton.leads.services import create_campaign

    mark = cast["mark"]
    campaign = create_campaign(actor=cast["charlie"], name="스마트팩토리 세미나", kind="seminar")
    assert world["lead"] in Lead.objects.visible_to(mark)
    assert campaign in type(campaign).objects.visible_to(mark)
    assert not can_edit(mark, world["lead"])
    listing = _get(client, mark, "/leads/").content.decode()
    assert world["lead"].name in listing
    assert not Opportunity.objects.visible_to(mark).exists()


def test_factory_floor_counts_leads_for_marketing(cast, world):
    from baton.process.models import StageHistory
    from baton.process.queries import restrict

    rows = restrict(StageHistory.objects.filter(record_kind="lead"), cast["mark"])
    assert rows.filter(record_id=world["lead"].pk).exists()
    assert not restrict(StageHistory.objects.filter(record_kind="lead"), cast["cara"]).exists()


# --- leaks ----------------------------------------------------------------------------------------------


@pytest.fixture
def foreign_deal(cast, world):
    """charlie's (other team) deal on alice's account, with minutes holding a "?" question and a comment."""
    charlie = cast["charlie"]
    opp = create_opportunity(actor=cast["root"], owner=charlie, name="비밀 증설 건", account=world["account"])
    assert opp.team == charlie.team
    minutes = activity_services.create_activity(
        actor=charlie,
        record=opp,
        kind=Activity.Kind.MINUTES,
        subject="단가 협상 회의록",
        body="? 경쟁사 단가 확인",
    )
    comment = activity_services.post_comment(opp, actor=charlie, text="경쟁사 단가는 비밀")
    return {"opportunity": opp, "minutes": minutes, "comment": comment}


def test_account_owner_does_not_read_the_activities_of_a_deal_they_cannot_open(
    client, cast, world, foreign_deal
):
    alice = cast["alice"]
    api = ApiClient(alice)
    assert api.get(f"/opportunities/{foreign_deal['opportunity'].pk}").status_code == 404
    assert api.get(f"/activities/{foreign_deal['minutes'].pk}").status_code == 404
    ids = {a["id"] for a in api.walk("/activities")}
    assert foreign_deal["minutes"].pk not in ids
    account = world["account"]
    for url in (
        f"/accounts/{account.pk}/",
        f"/activities/panel/account/{account.pk}/",
        f"/activities/record/account/{account.pk}/",
        f"/activities/panel/account/{account.pk}/feed/",
        "/activities/feed/",
        "/activities/notifications/",
        "/activities/",
    ):
        body = _get(client, alice, url).content.decode()
        assert "단가 협상 회의록" not in body, url
        assert "경쟁사 단가" not in body, url
    # The owner of the deal still sees all of it on the account's panel.
    body = _get(client, cast["charlie"], f"/activities/record/opportunity/{foreign_deal['opportunity'].pk}/")
    assert "단가 협상 회의록" in body.content.decode()


def test_account_followers_are_not_notified_of_a_deal_they_cannot_open(cast, world, foreign_deal):
    alice = cast["alice"]
    assert not Notification.objects.filter(recipient=alice, text__contains="비밀 증설 건").exists()
    assert not Notification.objects.filter(recipient=alice, text__contains="단가").exists()


def test_followers_who_lost_access_stop_getting_notifications(cast, world):
    from baton.core.services import update_record

    alice, bob, lead = cast["alice"], cast["bob"], world["lead"]
    activity_services.set_following(lead, user=bob, follow=True)
    activity_services.post_comment(lead, actor=alice, text="첫 통화 완료")
    assert Notification.objects.filter(recipient=bob).count() == 1
    update_record(bob, actor=cast["root"], changes={"team": cast["teams"]["fs2"]})  # bob moves team
    activity_services.post_comment(lead, actor=alice, text="예산 3억 확인")
    assert Notification.objects.filter(recipient=bob).count() == 1
    assert not Notification.objects.filter(recipient=bob, text__contains="예산").exists()


def test_notifications_about_activities_one_can_no_longer_see_are_hidden(client, cast, world):
    from baton.activities.queries import notifications_for
    from baton.core.models import User
    from baton.core.services import update_record

    alice, bob = cast["alice"], cast["bob"]
    task = activity_services.create_activity(
        actor=alice, record=world["lead"], subject="견적 준비", assignees=[bob]
    )
    assert notifications_for(bob).filter(activity=task).exists()
    task.assignees.clear()
    update_record(bob, actor=cast["root"], changes={"team": cast["teams"]["fs2"]})
    bob = User.objects.get(pk=bob.pk)
    assert not notifications_for(bob).filter(activity=task).exists()
    assert "견적 준비" not in _get(client, bob, "/activities/").content.decode()


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("ines", 200),
        ("mina", 200),
        ("root", 200),
        ("alice", 403),
        ("charlie", 403),
        ("mark", 403),
        ("cara", 403),
        ("dave", 403),
        ("pat", 403),
        ("fin", 403),
    ],
)
def test_supply_queue_only_for_roles_that_supply(client, cast, world, who, status):
    user = cast[who]
    assert _get(client, user, "/scoring/supply/").status_code == status
    assert ApiClient(user).get("/scoring/supply").status_code == status


def test_account_360_lists_only_the_delivery_projects_the_reader_may_see(client, cast, world, foreign_deal):
    from baton.delivery.models import DeliveryProject, HandoffPackage

    opp = foreign_deal["opportunity"]
    package = HandoffPackage.objects.create(opportunity=opp, status=HandoffPackage.Status.ACCEPTED)
    DeliveryProject.objects.create(
        name="비밀 증설 구축", account=world["account"], opportunity=opp, package=package, pm=cast["dave"]
    )
    body = _get(client, cast["alice"], f"/accounts/{world['account'].pk}/").content.decode()
    assert 'data-testid="panel-delivery-projects"' in body
    assert "비밀 증설 구축" not in body
    # The PM reads the account through the project and sees it listed.
    assert (
        "비밀 증설 구축" in _get(client, cast["dave"], f"/accounts/{world['account'].pk}/").content.decode()
    )


def _lead_offered_to_inside_sales(alice):
    from baton.leads.models import LeadInteraction
    from baton.leads.services import log_interaction
    from baton.process.models import HandOff

    lead = create_lead(actor=alice, name="한도윤", email="doyun@example.kr")
    log_interaction(lead, actor=alice, kind=LeadInteraction.Kind.INBOUND_QUESTION)
    return lead, HandOff.objects.get(record_kind="lead", record_id=lead.pk, status="pending")


def test_hand_off_receivers_read_what_is_offered_and_the_queue_lists_only_readable_records(client, cast):
    from baton.core.models import Role, User
    from baton.process.queries import handoff_queue

    lead, handoff = _lead_offered_to_inside_sales(cast["alice"])
    ines = cast["ines"]
    assert handoff in handoff_queue(ines)
    assert _get(client, ines, f"/leads/{lead.pk}/").status_code == 200  # they can look before accepting
    # A sales manager of another branch is not the receiver and cannot read alice's lead: not listed.
    other = User.objects.create_user(username="olga", role=Role.SALES_MANAGER, team=cast["teams"]["fs2"])
    assert handoff not in handoff_queue(other)
    assert lead.pk not in {h.record_id for h in handoff_queue(cast["charlie"])}
    assert f"/leads/{lead.pk}/" not in _get(client, other, "/process/queues/").content.decode()


def test_csm_day_shows_overdue_hand_offs_addressed_to_customer_success(client, cast, world):
    from baton.process.models import HandOff

    alice, cara = cast["alice"], cast["cara"]
    opp = world["opportunity"]
    move_opportunity(
        opp, actor=alice, stage=Stage.objects.get(pipeline=opp.pipeline, key="won"), expected_version=None
    )
    handoff = HandOff.objects.get(record_kind="account", record_id=world["account"].pk, status="pending")
    HandOff.objects.filter(pk=handoff.pk).update(due_at=timezone.now() - dt.timedelta(days=2))
    body = _get(client, cara, "/activities/").content.decode()
    assert 'data-testid="overdue-handoffs"' in body
    assert f'href="/accounts/{world["account"].pk}/"' in body
    assert _get(client, cara, f"/accounts/{world['account'].pk}/").status_code == 200
    # Field sales is not addressed: no such panel on alice's day.
    assert 'data-testid="overdue-handoffs"' not in _get(client, alice, "/activities/").content.decode()


@pytest.mark.parametrize(
    ("url", "model", "fields"),
    [
        (
            "/leads/new/",
            Lead,
            {"name": "윤서준", "company": "누리소프트", "status": "new", "source": "web_form"},
        ),
        ("/accounts/new/", Account, {"name": "누리소프트"}),
    ],
)
def test_page_forms_refuse_owners_the_api_refuses(client, cast, url, model, fields):
    alice = cast["alice"]
    client.force_login(alice)
    for stranger in (cast["charlie"], cast["root"]):
        response = client.post(url, {**fields, "owner": stranger.pk})
        assert response.status_code in (200, 400)
        assert "owner" in response.context["form"].errors
        assert not model.objects.exists()
    response = client.post(url, {**fields, "owner": cast["bob"].pk})
    assert response.status_code == 302, response.context["form"].errors if response.context else ""
    assert model.objects.get().owner == cast["bob"]


def test_deal_team_membership_rows_do_not_leak_between_deals(cast, world):
    # Being on one deal's team opens that deal only.
    from baton.deals.team import add_team_member

    other = create_opportunity(actor=cast["alice"], name="다른 건", account=world["account"])
    add_team_member(world["opportunity"], actor=cast["alice"], user=cast["sam"], role="solution_architect")
    assert DealTeamMember.objects.filter(user=cast["sam"]).count() == 1
    assert list(Opportunity.objects.visible_to(cast["sam"])) == [world["opportunity"]]
    assert other not in Opportunity.objects.visible_to(cast["sam"])
