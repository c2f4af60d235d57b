"""Short Korean terms, initial consonants and phone digits: indexed on both databases, exact results."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from baton.accounts.models import Account, Contact
from baton.accounts.services import create_account, create_contact, update_account
from baton.core.listing import apply_spec
from baton.core.textsearch import (
    ensure_index,
    grams,
    initials,
    phone_digits,
    plan_query,
    search_filter,
    search_values,
)
from baton.deals.models import Opportunity
from baton.deals.queries import OPPORTUNITY_LIST
from baton.leads.models import Lead
from baton.leads.queries import LEAD_LIST
from baton.leads.services import create_lead, update_lead
from conftest import login


def test_grams_and_initials():
    assert grams("(주)한빛 Soft") == {"주", "한", "빛", "한빛"}
    assert grams("김민준") == {"김", "민", "준", "김민", "민준"}
    assert initials("가나다 테크") == "ㄱㄴㄷㅌㅋ"
    assert phone_digits("+82 10-1234-5678") == "01012345678"
    text, tokens = search_values(["가나다테크"], ["010-1234-5678"])
    assert text.split("\n") == ["ㄱㄴㄷㅌㅋ", "01012345678"]
    assert {"가나", "다테", "ㄱㄴ", "ㅌㅋ", "가"} <= set(tokens.split())


def test_query_plans():
    assert plan_query("리정").tokens == ["리정"]
    assert plan_query("김").tokens == ["김"]
    assert plan_query("김민준").tokens == ["김민", "민준"]
    assert plan_query("ㄱㄴㄷ").initials == "ㄱㄴㄷ"
    assert plan_query("ㄱㄴㄷ").tokens == ["ㄱㄴ", "ㄴㄷ"]
    assert plan_query("1234-5678").digits == "12345678"
    assert plan_query("acme").tokens == []
    assert plan_query("12").digits == ""


@pytest.fixture
def leads(alice):
    made = [
        create_lead(actor=alice, name="김리정", company="가나다테크", phone="010-1234-5678"),
        create_lead(actor=alice, name="박정리", company="(주)한빛소프트", email="park@hanbit.co.kr"),
        create_lead(actor=alice, name="이리", company="성동물산", phone="02-555-0199"),
        create_lead(actor=alice, name="Kim Lee", company="Acme", email="kim.lee@acme.io"),
    ]
    return made


def _search(model, spec, term, user):
    qs, _ = apply_spec(model.objects.visible_to(user), spec, {"search": term})
    return sorted(qs.values_list("name", flat=True))


def test_two_syllable_one_syllable_and_mixed_terms(alice, leads):
    assert _search(Lead, LEAD_LIST, "리정", alice) == ["김리정"]
    assert _search(Lead, LEAD_LIST, "정리", alice) == ["박정리"]
    assert _search(Lead, LEAD_LIST, "리", alice) == ["김리정", "박정리", "이리"]
    assert _search(Lead, LEAD_LIST, "한빛", alice) == ["박정리"]
    assert _search(Lead, LEAD_LIST, "한빛소프트", alice) == ["박정리"]
    # Not adjacent in one field: the exact filter drops what the tokens alone would let through.
    assert _search(Lead, LEAD_LIST, "리테", alice) == []
    assert _search(Lead, LEAD_LIST, "acme", alice) == ["Kim Lee"]


def test_initial_consonants_find_the_company_and_the_name(alice, leads):
    assert _search(Lead, LEAD_LIST, "ㄱㄴㄷ", alice) == ["김리정"]
    assert _search(Lead, LEAD_LIST, "ㄱㄴㄷㅌㅋ", alice) == ["김리정"]
    assert _search(Lead, LEAD_LIST, "ㅂㅈㄹ", alice) == ["박정리"]
    assert _search(Lead, LEAD_LIST, "ㅎㅂ", alice) == ["박정리"]
    assert _search(Lead, LEAD_LIST, "ㅋㅋ", alice) == []


def test_phone_by_any_digits_and_email_by_any_part(alice, leads):
    assert _search(Lead, LEAD_LIST, "5678", alice) == ["김리정"]
    assert _search(Lead, LEAD_LIST, "01012345678", alice) == ["김리정"]
    assert _search(Lead, LEAD_LIST, "1234-5678", alice) == ["김리정"]
    assert _search(Lead, LEAD_LIST, "+82 10 1234", alice) == ["김리정"]
    assert _search(Lead, LEAD_LIST, "5550199", alice) == ["이리"]
    assert _search(Lead, LEAD_LIST, "hanbit.co", alice) == ["박정리"]
    assert _search(Lead, LEAD_LIST, "lee@acme", alice) == ["Kim Lee"]


def test_search_respects_visibility(alice, charlie, leads):
    assert _search(Lead, LEAD_LIST, "리정", charlie) == []


def test_related_account_name_is_searched_with_tokens(alice):
    from baton.deals.services import create_opportunity

    account = create_account(actor=alice, name="성동정밀")
    create_opportunity(actor=alice, name="ERP 교체", account=account, amount=1_000_000)
    create_opportunity(actor=alice, name="성동 지점 확장", account=create_account(actor=alice, name="Acme"))
    assert _search(Opportunity, OPPORTUNITY_LIST, "성동", alice) == ["ERP 교체", "성동 지점 확장"]
    assert _search(Opportunity, OPPORTUNITY_LIST, "정밀", alice) == ["ERP 교체"]


def test_services_keep_the_tokens_current(alice, leads):
    lead = leads[0]
    update_lead(lead, actor=alice, changes={"company": "마바사상사"}, expected_version=lead.version)
    assert _search(Lead, LEAD_LIST, "가나", alice) == []
    assert _search(Lead, LEAD_LIST, "바사", alice) == ["김리정"]
    assert _search(Lead, LEAD_LIST, "ㅁㅂㅅ", alice) == ["김리정"]
    account = create_account(actor=alice, name="한빛", phone="031-777-8888")
    update_account(account, actor=alice, changes={"name": "새봄"}, expected_version=account.version)
    assert Account.objects.filter(search_tokens__has_tokens=["새봄"]).count() == 1
    assert Account.objects.filter(search_tokens__has_tokens=["한빛"]).count() == 0
    contact = create_contact(actor=alice, name="최가을", mobile="010-9876-5432")
    assert Contact.objects.filter(search_text__contains="98765432").get() == contact


def test_audit_rows_leave_the_derived_columns_out(alice, leads):
    from django.contrib.contenttypes.models import ContentType

    from baton.core.models import ChangeLog

    row = ChangeLog.objects.get(
        content_type=ContentType.objects.get_for_model(Lead),
        object_id=leads[0].pk,
        action=ChangeLog.Action.CREATE,
    )
    assert "name" in row.after
    assert "search_tokens" not in row.after and "search_text" not in row.after


def test_short_korean_search_uses_the_token_index(alice, leads):
    qs = search_filter(Lead.objects.order_by(), LEAD_LIST.search_fields, "리정")
    sql, params = qs.query.sql_with_params()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # A few rows: the planner would scan; forbid that to see which index serves the term.
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("SET LOCAL enable_indexscan = off")
            cursor.execute("EXPLAIN " + sql, params)
            plan = "\n".join(row[0] for row in cursor.fetchall())
            assert "leads_lead_search_tokens_gin" in plan
        else:
            cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
            plan = "\n".join(str(row[-1]) for row in cursor.fetchall())
            assert "VIRTUAL TABLE INDEX" in plan and "leads_lead_search_fts" in plan


def test_rebuild_command_fills_rows_written_around_the_services(alice):
    Lead.objects.bulk_create([Lead(name="정리정돈", company="한빛", owner=alice, team=alice.team)])
    assert _search(Lead, LEAD_LIST, "정돈", alice) == []
    call_command("rebuild_search_index", verbosity=0)
    assert _search(Lead, LEAD_LIST, "정돈", alice) == ["정리정돈"]


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite keeps the tokens in an FTS5 table")
def test_sqlite_index_comes_back_after_a_table_rebuild(alice, leads):
    with connection.cursor() as cursor:
        for suffix in ("ai", "ad", "au"):
            cursor.execute(f'DROP TRIGGER "leads_lead_search_fts_{suffix}"')
    # Written while the triggers were gone (as during a migration that rebuilds the table).
    Lead.objects.bulk_create(
        [Lead(name="오하늘", search_tokens="오 하 늘 오하 하늘", owner=alice, team=alice.team)]
    )
    assert _search(Lead, LEAD_LIST, "하늘", alice) == []
    assert ensure_index(Lead) is True
    assert _search(Lead, LEAD_LIST, "하늘", alice) == ["오하늘"]
    assert ensure_index(Lead) is False


def test_list_page_finds_two_syllables_and_initials(client, alice, leads):
    login(client, alice)
    page = client.get("/leads/", {"search": "ㄱㄴㄷ"})
    assert [lead.name for lead in page.context["page"].items] == ["김리정"]
    with CaptureQueriesContext(connection) as ctx:
        page = client.get("/leads/", {"search": "리정"})
    assert [lead.name for lead in page.context["page"].items] == ["김리정"]
    assert len(ctx.captured_queries) < 20
