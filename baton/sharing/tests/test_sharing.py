"""Sharing a record with a user or a team (read or edit, with an expiry), revoking it, and the
organisation-wide defaults: each changes what a rep sees in lists, detail pages, search and the API."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from baton.activities.models import Activity
from baton.activities.services import create_activity
from baton.core.models import ChangeLog, RecordShare, SharingDefault
from baton.core.records import can_edit
from baton.core.testing import assert_audited
from baton.core.tests.test_api_support import ApiClient
from baton.deals.quoting import create_quote
from baton.deals.tests.factories import add_lines, make_catalog
from baton.leads.models import Lead
from baton.leads.services import update_lead
from baton.sharing import services


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _sees_lead(user, lead) -> bool:
    return Lead.objects.visible_to(user).filter(pk=lead.pk).exists()


# --- shares ------------------------------------------------------------------------------------------


def test_a_read_share_lets_the_user_read_but_not_edit(world, alice, charlie):
    lead = world["lead"]
    assert not _sees_lead(charlie, lead)
    share = services.share_record(lead, actor=alice, user=charlie, access="read")
    assert_audited(
        share, ChangeLog.Action.CREATE, actor=alice, note="record shared", user=charlie.pk, access="read"
    )
    assert _sees_lead(charlie, lead)
    assert _client(charlie).get(reverse("leads:detail", args=[lead.pk])).status_code == 200
    assert can_edit(charlie, lead) is False
    with pytest.raises(PermissionDenied):
        update_lead(lead, actor=charlie, changes={"company": "바뀐 회사"}, expected_version=None)
    # A reader may not pass the record on.
    with pytest.raises(PermissionDenied):
        services.share_record(lead, actor=charlie, user=charlie, access="edit")


def test_an_edit_share_lets_the_user_edit(world, alice, charlie):
    lead = world["lead"]
    services.share_record(lead, actor=alice, user=charlie, access="edit")
    assert can_edit(charlie, lead) is True
    update_lead(lead, actor=charlie, changes={"company": "바뀐 회사"}, expected_version=None)
    lead.refresh_from_db()
    assert lead.company == "바뀐 회사"


def test_sharing_again_replaces_access_and_expiry_in_one_row(world, alice, charlie):
    lead = world["lead"]
    first = services.share_record(lead, actor=alice, user=charlie, access="read")
    second = services.share_record(lead, actor=alice, user=charlie, access="edit")
    assert first.pk == second.pk and RecordShare.objects.count() == 1
    assert_audited(second, ChangeLog.Action.UPDATE, actor=alice, access="edit")


def test_a_team_share_reaches_every_member_and_their_manager(world, alice, personas, cast):
    account = world["account"]
    fs2 = personas["teams"]["fs2"]
    charlie = personas["charlie"]
    ines = cast["ines"]
    services.share_record(account, actor=alice, team=fs2, access="read")
    ids = {a["id"] for a in ApiClient(charlie).walk("/accounts")}
    assert account.pk in ids
    assert ApiClient(charlie).get(f"/accounts/{account.pk}").status_code == 200
    assert ApiClient(ines).get(f"/accounts/{account.pk}").status_code == 404  # not on the team


def test_an_expired_share_stops_working_at_once(world, alice, charlie):
    lead = world["lead"]
    share = services.share_record(
        lead, actor=alice, user=charlie, access="edit", expires_at=timezone.now() + dt.timedelta(hours=1)
    )
    assert _sees_lead(charlie, lead) and can_edit(charlie, lead)
    # The hour passes (no cleanup job ran: the query compares with the database's clock).
    RecordShare.objects.filter(pk=share.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert not _sees_lead(charlie, lead)
    assert can_edit(charlie, lead) is False
    assert _client(charlie).get(reverse("leads:detail", args=[lead.pk])).status_code == 404


def test_bad_share_input_is_refused_without_a_row(world, alice, charlie, personas):
    lead = world["lead"]
    with pytest.raises(ValidationError) as exc:
        services.share_record(
            lead,
            actor=alice,
            user=charlie,
            team=personas["teams"]["fs2"],
            access="own",
            expires_at=timezone.now() - dt.timedelta(days=1),
        )
    assert set(exc.value.message_dict) == {"user", "access", "expires_at"}
    with pytest.raises(ValidationError):
        services.share_record(lead, actor=alice, user=alice)  # the owner
    assert not RecordShare.objects.exists()


def test_revoking_ends_the_share_and_is_audited(world, alice, charlie):
    opportunity = world["opportunity"]
    share = services.share_record(opportunity, actor=alice, user=charlie, access="read")
    api = ApiClient(charlie)
    assert api.get(f"/opportunities/{opportunity.pk}").status_code == 200
    # The reader sees the list of shares but may not revoke.
    listed = api.get(f"/sharing/opportunity/{opportunity.pk}/shares")
    assert [s["id"] for s in listed.json()] == [share.pk]
    assert api.delete(f"/sharing/opportunity/{opportunity.pk}/shares/{share.pk}").status_code == 403
    response = ApiClient(alice).delete(f"/sharing/opportunity/{opportunity.pk}/shares/{share.pk}")
    assert response.status_code == 204
    assert not RecordShare.objects.exists()
    row = ChangeLog.objects.get(action=ChangeLog.Action.DELETE, note="share revoked")
    assert row.actor == alice and row.before["user"] == charlie.pk and row.parent_id == opportunity.pk
    assert api.get(f"/opportunities/{opportunity.pk}").status_code == 404


def test_share_api_creates_and_validates(world, alice, charlie):
    api = ApiClient(alice)
    contact = world["contact"]
    until = (timezone.now() + dt.timedelta(days=7)).isoformat()
    response = api.post(
        f"/sharing/contact/{contact.pk}/shares",
        {"user_id": charlie.pk, "access": "edit", "expires_at": until},
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["user_id"] == charlie.pk and body["access"] == "edit" and body["created_by_id"] == alice.pk
    assert ApiClient(charlie).get(f"/contacts/{contact.pk}").status_code == 200
    bad = api.post(f"/sharing/contact/{contact.pk}/shares", {"user_id": 10**9})
    assert bad.status_code == 422 and "user_id" in bad.json()["errors"]
    neither = api.post(f"/sharing/contact/{contact.pk}/shares", {"access": "read"})
    assert neither.status_code == 422
    unknown = api.post(f"/sharing/contact/{contact.pk}/shares", {"user_id": charlie.pk, "owner": 1})
    assert unknown.status_code == 422
    assert RecordShare.objects.count() == 1
    # An outsider cannot list or add shares of a record they cannot see.
    outsider = ApiClient(charlie)
    assert outsider.get(f"/sharing/lead/{world['lead'].pk}/shares").status_code == 404


def test_share_panel_lists_shares_and_shares_through_the_form(world, alice, charlie):
    lead = world["lead"]
    client = _client(alice)
    page = client.get(reverse("leads:detail", args=[lead.pk]))
    assert reverse("sharing:panel", args=["lead", lead.pk]).encode() in page.content
    response = client.post(
        reverse("sharing:add", args=["lead", lead.pk]),
        {"user": charlie.pk, "access": "read"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert b'data-testid="share-panel"' in response.content and b"Charlie" in response.content
    share = RecordShare.objects.get()
    assert share.created_by == alice
    panel = client.get(reverse("sharing:panel", args=["lead", lead.pk])).content.decode()
    assert "shared by Alice" in panel and f'data-testid="revoke-{share.pk}"' in panel
    # The reader sees the panel without the revoke buttons or the form.
    seen = _client(charlie).get(reverse("sharing:panel", args=["lead", lead.pk])).content.decode()
    assert "Charlie" in seen and "revoke-" not in seen and "share-form" not in seen
    refused = _client(charlie).post(reverse("sharing:revoke", args=["lead", lead.pk, share.pk]))
    assert refused.status_code == 403
    # A form error comes back as the panel with the error (no row).
    bad = client.post(reverse("sharing:add", args=["lead", lead.pk]), {"access": "read"})
    assert bad.status_code == 400 and RecordShare.objects.count() == 1
    done = client.post(reverse("sharing:revoke", args=["lead", lead.pk, share.pk]))
    assert done.status_code == 302 and not RecordShare.objects.exists()


# --- children see through their own record -----------------------------------------------------------


def test_children_are_visible_through_the_shared_record_only(world, alice, charlie):
    opportunity, account = world["opportunity"], world["account"]
    note = create_activity(actor=alice, record=opportunity, kind="note", subject="한빛 단가 협상 메모")
    account_note = create_activity(actor=alice, record=account, kind="note", subject="한빛 계정 메모")
    cat = make_catalog()
    add_lines(opportunity, alice, cat)
    quote = create_quote(opportunity, actor=alice)

    def visible(user):
        return set(
            Activity.objects.visible_to(user)
            .filter(pk__in=[note.pk, account_note.pk])
            .values_list("pk", flat=True)
        )

    assert visible(charlie) == set()
    # The account shared: its own note shows, the deal's note (also linked to the account) does not.
    services.share_record(account, actor=alice, user=charlie)
    assert visible(charlie) == {account_note.pk}
    assert _client(charlie).get(reverse("deals:quote", args=[quote.pk])).status_code == 404
    # The deal shared: its note and its quote show.
    services.share_record(opportunity, actor=alice, user=charlie)
    assert visible(charlie) == {note.pk, account_note.pk}
    assert _client(charlie).get(reverse("deals:quote", args=[quote.pk])).status_code == 200
    assert ApiClient(charlie).get(f"/activities/{note.pk}").status_code == 200


# --- organisation-wide defaults ----------------------------------------------------------------------


def _lead_seen_everywhere(user, lead) -> dict[str, bool]:
    api = ApiClient(user)
    client = _client(user)
    listed = client.get(reverse("leads:list")).content.decode()
    found = api.get("/search", {"q": "이서연"}).json()
    search_ids = {
        item["id"] for group in found["groups"] if group["type"] == "lead" for item in group["items"]
    }
    return {
        "list": f"/leads/{lead.pk}/" in listed,
        "detail": client.get(reverse("leads:detail", args=[lead.pk])).status_code == 200,
        "api": lead.pk in {item["id"] for item in api.walk("/leads")},
        "api_detail": api.get(f"/leads/{lead.pk}").status_code == 200,
        "search": lead.pk in search_ids,
    }


ALL = {"list": True, "detail": True, "api": True, "api_detail": True, "search": True}
NONE = dict.fromkeys(ALL, False)


@pytest.mark.parametrize(
    ("mode", "bob_sees", "charlie_sees", "bob_edits"),
    [("team", ALL, NONE, True), ("private", NONE, NONE, False), ("read_all", ALL, ALL, True)],
)
def test_each_default_changes_what_a_rep_sees(world, personas, mode, bob_sees, charlie_sees, bob_edits):
    alice, bob, charlie, root = (personas[n] for n in ("alice", "bob", "charlie", "root"))
    lead = world["lead"]
    services.set_default("lead", mode, actor=root)
    assert _lead_seen_everywhere(bob, lead) == bob_sees  # alice's teammate
    assert _lead_seen_everywhere(charlie, lead) == charlie_sees  # another team
    assert can_edit(bob, lead) is bob_edits
    assert can_edit(charlie, lead) is False  # read-all never gives edit
    # Owner and the managers of the owner's team chain always see it.
    for user in (alice, personas["dana"], personas["mina"]):
        assert _sees_lead(user, lead) and can_edit(user, lead)
    # A default applies to its own kind only: alice's account keeps the team rule.
    assert ApiClient(bob).get(f"/accounts/{world['account'].pk}").status_code == 200


def test_a_share_still_works_under_a_private_default(world, personas):
    alice, bob, root = personas["alice"], personas["bob"], personas["root"]
    lead = world["lead"]
    services.set_default("lead", "private", actor=root)
    assert not _sees_lead(bob, lead)
    services.share_record(lead, actor=alice, user=bob, access="read")
    assert _sees_lead(bob, lead) and not can_edit(bob, lead)


def test_only_administrators_change_defaults_and_each_change_is_audited(world, personas):
    alice, root = personas["alice"], personas["root"]
    with pytest.raises(PermissionDenied):
        services.set_default("lead", "read_all", actor=alice)
    assert ApiClient(alice).get("/sharing/defaults").status_code == 403
    assert (
        ApiClient(alice)
        .client.put(
            "/api/v1/sharing/defaults/lead",
            data='{"mode": "read_all"}',
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {ApiClient(alice).token}",
        )
        .status_code
        == 403
    )
    assert _client(alice).get(reverse("sharing:defaults")).status_code == 403
    assert _client(alice).post(reverse("sharing:defaults"), {"lead": "read_all"}).status_code == 403
    assert not SharingDefault.objects.exists()

    admin = ApiClient(root)
    response = admin.client.put(
        "/api/v1/sharing/defaults/opportunity",
        data='{"mode": "private"}',
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {admin.token}",
    )
    assert response.status_code == 200, response.content
    assert response.json() == {"account": "team", "contact": "team", "lead": "team", "opportunity": "private"}
    row = SharingDefault.objects.get()
    assert_audited(row, ChangeLog.Action.UPDATE, actor=root, mode="private")
    assert audited_before(row) == {"mode": "team"}
    bad = admin.client.put(
        "/api/v1/sharing/defaults/opportunity",
        data='{"mode": "public"}',
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {admin.token}",
    )
    assert bad.status_code == 422

    page = _client(root)
    assert page.get(reverse("sharing:defaults")).status_code == 200
    saved = page.post(
        reverse("sharing:defaults"),
        {"account": "read_all", "contact": "team", "lead": "team", "opportunity": "private"},
    )
    assert saved.status_code == 302
    assert services.current_defaults()["account"] == "read_all"
    assert ChangeLog.objects.filter(note="sharing default changed").count() == 2  # opportunity, then account
    refused = page.post(reverse("sharing:defaults"), {"account": "everyone"})
    assert refused.status_code == 400 and services.current_defaults()["account"] == "read_all"


def audited_before(row) -> dict:
    return ChangeLog.objects.filter(note="sharing default changed", object_id=row.pk).latest("id").before


# --- cost: the rep's lead list does not get more queries ---------------------------------------------


def test_the_rep_lead_list_query_count_stays_the_same_with_shares_and_defaults(
    client, world, personas, django_assert_num_queries
):
    alice, bob, root = personas["alice"], personas["bob"], personas["root"]
    client.force_login(bob)
    # session, user, teams, count, page, campaigns (filter), owners (filter): as before sharing existed
    # (baton/leads/tests/test_views.py pins the same 7).
    with django_assert_num_queries(7):
        assert client.get("/leads/").status_code == 200
    services.set_default("lead", "private", actor=root)
    services.share_record(world["lead"], actor=alice, user=bob)
    services.share_record(world["lead"], actor=alice, team=personas["teams"]["fs2"])
    with django_assert_num_queries(7):
        response = client.get("/leads/")
    assert f"/leads/{world['lead'].pk}/" in response.content.decode()
    assert Lead.objects.visible_to(bob).filter(~Q(pk=world["lead"].pk)).count() == 0


def test_a_private_default_hides_a_teammates_deal_from_the_board(world, personas):
    bob, root = personas["bob"], personas["root"]
    name = world["opportunity"].name
    for scope in ("all", "team"):
        assert name in _client(bob).get(reverse("deals:board"), {"scope": scope}).content.decode()
    services.set_default("opportunity", "private", actor=root)
    for scope in ("all", "team"):
        assert name not in _client(bob).get(reverse("deals:board"), {"scope": scope}).content.decode()
    assert name in _client(personas["dana"]).get(reverse("deals:board")).content.decode()  # the manager


def test_a_private_default_hides_a_teammates_activities_about_the_record(world, personas):
    """The children follow their record: under a private default for leads, bob (alice's teammate) no
    longer sees alice's call about her lead, while a task about nothing stays visible to the team and the
    manager still sees both."""
    alice, bob, dana, root = (personas[n] for n in ("alice", "bob", "dana", "root"))
    lead = world["lead"]
    call = create_activity(actor=alice, record=lead, kind=Activity.Kind.CALL, subject="예산 확인 통화")
    loose = create_activity(actor=alice, kind=Activity.Kind.TASK, subject="주간 보고 작성")
    assert set(Activity.objects.visible_to(bob).values_list("pk", flat=True)) >= {call.pk, loose.pk}
    services.set_default("lead", "private", actor=root)
    visible_to_bob = set(Activity.objects.visible_to(bob).values_list("pk", flat=True))
    assert call.pk not in visible_to_bob
    assert loose.pk in visible_to_bob
    assert {call.pk, loose.pk} <= set(Activity.objects.visible_to(dana).values_list("pk", flat=True))
    # Shared with bob, the lead shows its call again.
    services.share_record(lead, actor=alice, user=bob, access="read")
    assert Activity.objects.visible_to(bob).filter(pk=call.pk).exists()
