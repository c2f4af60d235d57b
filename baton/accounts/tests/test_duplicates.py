import pytest

from baton.accounts.duplicates import find_account_matches, find_contact_matches, name_similarity
from baton.accounts.models import Account
from baton.accounts.services import create_account, create_contact


@pytest.fixture
def companies(alice):
    return {
        "hanbit": create_account(
            actor=alice, name="(주)한빛소프트", brn="220-81-62517", website="www.hanbit.co.kr"
        ),
        "daehan": create_account(actor=alice, name="대한정밀 주식회사", website="https://daehan-p.com"),
        "acme": create_account(actor=alice, name="Acme Korea Co., Ltd.", website="acme.kr"),
        "other": create_account(actor=alice, name="미래물산"),
    }


@pytest.mark.parametrize(
    ("kwargs", "expected", "reason"),
    [
        ({"name": "한빛소프트 주식회사"}, "hanbit", "same company name"),
        ({"name": "한빛 소프트"}, "hanbit", "same company name"),
        ({"name": "㈜한빛소프트웨어"}, "hanbit", "similar company name"),
        ({"name": "전혀다른회사", "brn": "2208162517"}, "hanbit", "same business registration number"),
        ({"name": "?", "email": "lee@hanbit.co.kr"}, "hanbit", "same web domain"),
        ({"name": "대한정밀"}, "daehan", "same company name"),
        ({"name": "ACME KOREA INC."}, "acme", "same company name"),
        ({"website": "http://acme.kr/contact"}, "acme", "same web domain"),
    ],
)
def test_account_matches(companies, kwargs, expected, reason):
    matches = find_account_matches(**kwargs)
    assert matches, kwargs
    assert matches[0].record == companies[expected]
    assert reason in matches[0].reasons


def test_free_mail_domain_is_not_a_match(companies, alice):
    create_account(actor=alice, name="네이버 아닌 회사", website="naver.com")
    assert find_account_matches(name="없는회사", email="someone@naver.com") == []


def test_unrelated_names_do_not_match(companies):
    assert find_account_matches(name="삼성전자") == []


def test_archived_and_invisible_accounts_are_not_offered(companies, charlie):
    assert find_account_matches(name="한빛소프트", queryset=Account.objects.visible_to(charlie)) == []
    companies["hanbit"].is_archived = True
    companies["hanbit"].save()
    assert find_account_matches(name="한빛소프트") == []


def test_strongest_evidence_ranks_first(companies, alice):
    twin = create_account(actor=alice, name="한빛소프트")  # same name, no BRN
    matches = find_account_matches(name="한빛소프트", brn="220-81-62517")
    assert [m.record for m in matches[:2]] == [companies["hanbit"], twin]


def test_contact_matches_by_email_and_by_name_at_account(companies, alice):
    kim = create_contact(actor=alice, account=companies["hanbit"], name="김민준", email="MINJUN@hanbit.co.kr")
    assert kim.email == "minjun@hanbit.co.kr"
    assert find_contact_matches(email="minjun@HANBIT.co.kr")[0].record == kim
    by_name = find_contact_matches(name="김민준", account_ids=[companies["hanbit"].pk])
    assert by_name[0].record == kim
    assert find_contact_matches(name="김민준", account_ids=[companies["daehan"].pk]) == []


def test_name_similarity_bounds():
    assert name_similarity("", "x") == 0
    assert name_similarity("한빛", "한빛") == 1
    assert name_similarity("한빛", "한빛소프트") >= 0.85
