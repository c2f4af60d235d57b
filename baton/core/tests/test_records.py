"""Visibility, the audit row of every write, and optimistic concurrency, with personas."""

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404

from baton.accounts.models import Account
from baton.accounts.services import archive_account, create_account, update_account
from baton.core.audit import audit_context, history_for
from baton.core.models import ChangeLog
from baton.core.records import can_edit, get_for_user, visible_team_ids
from baton.core.services import ConflictError
from baton.core.testing import audit_rows
from baton.deals.models import Opportunity
from baton.leads.models import Lead


def test_team_ids_follow_the_management_tree(personas):
    teams = personas["teams"]
    assert visible_team_ids(personas["alice"]) == {teams["fs1"].pk}
    assert visible_team_ids(personas["charlie"]) == {teams["fs2"].pk}
    assert visible_team_ids(personas["dana"]) == {teams["fs1"].pk}
    assert visible_team_ids(personas["mina"]) == {teams["sales"].pk, teams["fs1"].pk, teams["fs2"].pk}
    assert visible_team_ids(personas["root"]) == frozenset()


@pytest.mark.parametrize(
    ("persona", "sees"),
    [("alice", True), ("bob", True), ("charlie", False), ("mina", True), ("dana", True), ("root", True)],
)
@pytest.mark.parametrize("model", [Account, Lead, Opportunity])
def test_visibility_by_persona(world, personas, persona, sees, model):
    user = personas[persona]
    record = {Account: world["account"], Lead: world["lead"], Opportunity: world["opportunity"]}[model]
    assert model.objects.visible_to(user).filter(pk=record.pk).exists() is sees
    assert can_edit(user, record) is sees
    if sees:
        assert get_for_user(model.objects.all(), user, record.pk) == record
    else:
        with pytest.raises(Http404):
            get_for_user(model.objects.all(), user, record.pk)


def test_inactive_and_anonymous_users_see_nothing(world, alice):
    from django.contrib.auth.models import AnonymousUser

    assert not Account.objects.visible_to(AnonymousUser()).exists()
    alice.is_active = False
    alice.save()
    assert not Account.objects.visible_to(alice).exists()


@pytest.mark.parametrize("bad_pk", ["abc", None, "1; drop table", 10**12])
def test_get_for_user_turns_bad_ids_into_404(world, alice, bad_pk):
    with pytest.raises(Http404):
        get_for_user(Account.objects.all(), alice, bad_pk)


def test_create_writes_an_audit_row_with_the_fields(alice):
    with audit_context(request_id="req-12345678", source="web"):
        account = create_account(actor=alice, name="(주)테스트정보통신", brn="2208162517")
    row = audit_rows(account, "create").get()
    assert row.actor == alice
    assert row.request_id == "req-12345678"
    assert row.source == "web"
    assert row.after["name"] == "(주)테스트정보통신"
    assert row.after["brn"] == "220-81-62517"
    assert account.team == alice.team  # the owner's team is denormalised for visibility
    assert account.name_key == "테스트정보통신"


def test_update_logs_only_changed_fields_and_bumps_version(world, bob):
    account = world["account"]
    assert account.version == 1
    update_account(account, actor=bob, changes={"industry": "it", "name": account.name}, expected_version=1)
    assert account.version == 2
    row = audit_rows(account, "update").get()
    assert row.before == {"industry": ""}
    assert row.after == {"industry": "it"}
    assert row.actor == bob


def test_stale_update_conflicts_and_writes_nothing(world, alice, bob):
    account = world["account"]
    stale = Account.objects.get(pk=account.pk)
    update_account(account, actor=alice, changes={"region": "seoul"}, expected_version=1)
    with pytest.raises(ConflictError):
        update_account(stale, actor=bob, changes={"region": "busan"}, expected_version=1)
    account.refresh_from_db()
    assert account.region == "seoul"
    assert audit_rows(account, "update").count() == 1


def test_no_change_with_stale_version_still_conflicts(world, alice):
    account = world["account"]
    update_account(account, actor=alice, changes={"region": "seoul"}, expected_version=1)
    stale = Account.objects.get(pk=account.pk)
    stale.version = 1
    with pytest.raises(ConflictError):
        update_account(stale, actor=alice, changes={"region": "seoul"}, expected_version=1)


def test_invalid_update_changes_nothing(world, alice):
    account = world["account"]
    with pytest.raises(ValidationError) as exc:
        update_account(account, actor=alice, changes={"brn": "123-45-67890"}, expected_version=1)
    assert "brn" in exc.value.message_dict
    fresh = Account.objects.get(pk=account.pk)
    assert fresh.brn == "220-81-62517" and fresh.version == 1
    assert not audit_rows(account, "update").exists()


def test_parent_cycles_are_refused(world, alice):
    parent = world["account"]
    child = create_account(actor=alice, name="한빛클라우드", parent=parent)
    with pytest.raises(ValidationError):
        update_account(parent, actor=alice, changes={"parent": child}, expected_version=parent.version)


def test_archive_is_audited_and_keeps_the_row(world, alice):
    account = world["account"]
    archive_account(account, actor=alice)
    assert Account.objects.get(pk=account.pk).is_archived
    assert [r.action for r in history_for(account)][:1] == ["archive"]


def test_owner_change_moves_team(world, charlie):
    account = world["account"]
    update_account(account, actor=world["account"].owner, changes={"owner": charlie}, expected_version=1)
    account.refresh_from_db()
    assert account.team == charlie.team


def test_history_reads_in_the_readers_words(world, alice, bob, django_assert_num_queries):
    from django.utils import translation

    from baton.core.audit import attach_readable_changes

    account = world["account"]
    update_account(account, actor=alice, changes={"industry": "it", "owner": bob}, expected_version=1)
    rows = list(ChangeLog.objects.filter(object_id=account.pk, content_type__model="account").order_by("-id"))
    with translation.override("en"), django_assert_num_queries(1):  # one query for the related users
        attach_readable_changes(rows)
    readable = dict((label, (old, new)) for label, old, new in rows[0].readable)
    assert readable["Industry"] == (None, "IT and software")
    assert readable["Owner"] == ("Alice", "Bob")
    assert "Team" not in readable and "Name key" not in readable


def test_choice_labels_match_djangos_own_for_every_owned_record_field():
    """The cached label table gives what Django's ``get_FOO_display`` gives, in Korean and English, for
    every choice of every owned record model, for a value that is not a choice and for an empty one."""
    from django.apps import apps
    from django.db import models as djm
    from django.utils import translation

    from baton.core.records import OwnedRecord

    checked = 0
    for model in apps.get_models():
        if not issubclass(model, OwnedRecord):
            continue
        for field in model._meta.concrete_fields:
            if not field.choices:
                continue
            values = [key for key, _label in field.flatchoices] + ["no-such-choice", None]
            for language in ("ko", "en"):
                with translation.override(language):
                    for value in values:
                        record = model(**{field.attname: value})
                        ours = getattr(record, f"get_{field.name}_display")()
                        djangos = djm.Model._get_FIELD_display(record, field)
                        assert ours == djangos, (model.__name__, field.name, language, value)
                        checked += 1
    assert checked > 100
