"""Merging two accounts or two contacts: field choice, every related row moved, audited, undoable."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from baton.accounts.merge import incoming_links, merge_records, undo_merge
from baton.accounts.models import Account, Contact, Merge
from baton.accounts.services import create_account, create_contact
from baton.activities.models import Activity, Follow
from baton.activities.services import create_activity, set_following
from baton.core.models import ChangeLog
from baton.core.services import ServiceError
from baton.deals.models import Opportunity
from baton.deals.services import create_opportunity
from baton.leads.models import Lead
from baton.leads.services import convert_lead, create_lead


@pytest.fixture
def twins(world, alice, bob):
    """world's account and a second entry of the same company, each with its own related records."""
    kept = world["account"]
    dup = create_account(actor=alice, name="한빛소프트", phone="02-555-1234", address="서울 마포구")
    person = create_contact(actor=alice, account=dup, name="박지훈", email="jh@hanbit.co.kr")
    deal = create_opportunity(actor=alice, name="한빛 유지보수", account=dup, amount=10_000_000)
    call = create_activity(actor=alice, record=dup, kind=Activity.Kind.CALL, subject="첫 통화")
    lead = create_lead(actor=alice, name="최유나", company="한빛소프트")
    convert_lead(lead, actor=alice, account=dup, create_opportunity_too=False)
    set_following(dup, user=bob, follow=True)
    set_following(kept, user=bob, follow=True)  # bob follows both: his follow of dup stays put
    set_following(dup, user=alice, follow=False)
    return {"kept": kept, "dup": dup, "person": person, "deal": deal, "call": call, "lead": lead}


def test_relations_are_found_from_the_models_not_listed_by_hand():
    labels = {f"{f.model._meta.label}.{f.attname}" for f in incoming_links(Account)}
    assert {
        "accounts.Contact.account_id",
        "accounts.Account.parent_id",
        "deals.Opportunity.account_id",
        "leads.Lead.converted_account_id",
        "activities.Activity.account_id",
        "activities.Follow.account_id",
        "delivery.DeliveryProject.account_id",
    } <= labels


def test_merge_moves_everything_takes_chosen_fields_archives_and_audits(twins, alice, bob):
    kept, dup = twins["kept"], twins["dup"]
    merge = merge_records(kept, dup, actor=bob, take_from_source=["phone", "address"])
    kept.refresh_from_db()
    dup.refresh_from_db()
    assert (kept.name, kept.phone, kept.address) == ("(주)한빛소프트", "+8225551234", "서울 마포구")
    assert dup.is_archived
    assert Contact.objects.get(pk=twins["person"].pk).account_id == kept.pk
    assert Opportunity.objects.get(pk=twins["deal"].pk).account_id == kept.pk
    assert Activity.objects.get(pk=twins["call"].pk).account_id == kept.pk
    assert Lead.objects.get(pk=twins["lead"].pk).converted_account_id == kept.pk
    assert Follow.objects.get(user=alice, active=False).account_id == kept.pk
    assert Follow.objects.filter(user=bob, account=dup).count() == 1  # the twin stays
    assert merge.kept == {"activities.Follow.account_id": [Follow.objects.get(user=bob, account=dup).pk]}
    rows = ChangeLog.objects.filter(action="merge", actor=bob)
    noted = {r.object_id for r in rows if r.note.startswith(f"Merge {merge.pk}:")}
    assert noted == {kept.pk, dup.pk}
    count = sum(len(ids) for ids in merge.moved.values())  # contact, deal, call, its feed entry, …
    note = rows.get(object_id=kept.pk, note__startswith="Merge ").note
    assert f"#{dup.pk} merged into this record; {count} linked records moved" in note
    assert rows.get(object_id=kept.pk, note__startswith="Merged").after == {
        "phone": "+8225551234",
        "address": "서울 마포구",
    }


def test_undo_restores_both_records_and_moves_the_rows_back(twins, alice, bob):
    kept, dup = twins["kept"], twins["dup"]
    merge = merge_records(kept, dup, actor=bob, take_from_source=["phone", "address"])
    undo_merge(merge, actor=alice)
    kept.refresh_from_db()
    dup.refresh_from_db()
    assert (kept.phone, kept.address, dup.is_archived) == ("", "", False)
    assert Contact.objects.get(pk=twins["person"].pk).account_id == dup.pk
    assert Opportunity.objects.get(pk=twins["deal"].pk).account_id == dup.pk
    assert Activity.objects.get(pk=twins["call"].pk).account_id == dup.pk
    assert Lead.objects.get(pk=twins["lead"].pk).converted_account_id == dup.pk
    assert Contact.objects.get(pk=twins["kept"].contacts.get().pk).account_id == kept.pk  # never moved
    merge.refresh_from_db()
    assert merge.undone_by == alice and merge.is_undone
    assert ChangeLog.objects.filter(action="unmerge", object_id__in=[kept.pk, dup.pk]).count() >= 2
    with pytest.raises(ServiceError):
        undo_merge(merge, actor=alice)


def test_undo_keeps_a_field_edited_after_the_merge(twins, alice):
    from baton.accounts.services import update_account

    kept = twins["kept"]
    merge = merge_records(kept, twins["dup"], actor=alice, take_from_source=["phone", "address"])
    kept.refresh_from_db()
    update_account(kept, actor=alice, changes={"address": "부산"}, expected_version=kept.version)
    undo_merge(merge, actor=alice)
    kept.refresh_from_db()
    assert (kept.phone, kept.address) == ("", "부산")


def test_only_people_who_can_edit_both_merge(twins, charlie, alice):
    foreign = create_account(actor=charlie, name="한빛소프트 (charlie)")
    with pytest.raises(PermissionDenied):
        merge_records(twins["kept"], foreign, actor=alice)
    with pytest.raises(PermissionDenied):
        merge_records(twins["kept"], twins["dup"], actor=charlie)
    assert not Merge.objects.exists()


def test_refusals(twins, alice):
    kept, dup = twins["kept"], twins["dup"]
    with pytest.raises(ValidationError):
        merge_records(kept, kept, actor=alice)
    with pytest.raises(ValidationError):
        merge_records(kept, dup, actor=alice, take_from_source=["version"])
    with pytest.raises(ValidationError):
        merge_records(kept, twins["person"], actor=alice)  # type: ignore[arg-type]
    merge_records(kept, dup, actor=alice)
    with pytest.raises(ServiceError):
        merge_records(dup, kept, actor=alice)


def test_merge_contacts_moves_deal_roles_and_primary_contact(world, alice):
    kept = world["contact"]
    dup = create_contact(actor=alice, name="Minjun Kim", mobile="010-2222-3333")
    deal = create_opportunity(actor=alice, name="추가 건", account=world["account"], primary_contact=dup)
    merge = merge_records(kept, dup, actor=alice, take_from_source=["mobile"])
    assert Opportunity.objects.get(pk=deal.pk).primary_contact_id == kept.pk
    kept.refresh_from_db()
    assert kept.mobile == "+821022223333"
    undo_merge(merge, actor=alice)
    assert Opportunity.objects.get(pk=deal.pk).primary_contact_id == dup.pk


def test_a_parent_merged_into_its_child_leaves_no_self_reference(world, alice):
    parent = world["account"]
    child = create_account(actor=alice, name="한빛 부산지사", parent=parent)
    merge_records(child, parent, actor=alice)
    child.refresh_from_db()
    assert child.parent_id is None
