"""Every user-visible string has a Korean translation, and the pages render in Korean and English."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from django.core.management import call_command

from baton.core.tests.i18n import LOCALE_DIR, ensure_compiled_messages, read_po, require_gettext

SKIP_DIRS = shutil.ignore_patterns("static", "node_modules", "__pycache__", "*.mo", ".*")


def test_every_message_has_a_korean_translation(tmp_path, settings, monkeypatch):
    """Extract the messages of the whole package now (so a string added without a translation is
    caught) into a copy of the catalogue; the repository's files are not touched."""
    require_gettext("xgettext", "msgmerge", "msgfmt")
    source = tmp_path / "baton"
    # makemessages writes temporary files next to the templates it reads: work on a copy.
    shutil.copytree(settings.BASE_DIR, source, ignore=SKIP_DIRS)
    locale = source / "locale"
    assert (locale / "ko" / "LC_MESSAGES" / "django.po").exists()
    settings.LOCALE_PATHS = [locale]
    monkeypatch.chdir(source)
    call_command("makemessages", locale=["ko"], no_obsolete=True, ignore_patterns=["static/*"], verbosity=0)
    po = locale / "ko" / "LC_MESSAGES" / "django.po"
    entries = read_po(po)
    assert len(entries) > 500  # the extraction really scanned the apps

    untranslated = [
        e.label
        for e in entries
        if "fuzzy" in e.flags or not e.msgstr or not all(s.strip() for s in e.msgstr.values())
    ]
    assert not untranslated, (
        f"{len(untranslated)} message(s) without a Korean translation (or fuzzy); run "
        "`make messages` and translate them in baton/locale/ko/LC_MESSAGES/django.po:\n  "
        + "\n  ".join(untranslated)
    )
    # Placeholders (%(name)s, {{ var }} turned into %(var)s) and the header must be consistent.
    check = subprocess.run(["msgfmt", "--check", "-o", "/dev/null", str(po)], capture_output=True, text=True)
    assert check.returncode == 0, check.stderr


def test_repository_catalogue_is_complete():
    """The committed catalogue itself (what `make` compiles) has no fuzzy or empty entries."""
    entries = read_po(LOCALE_DIR / "ko" / "LC_MESSAGES" / "django.po")
    bad = [e.label for e in entries if "fuzzy" in e.flags or not all(e.msgstr.values())]
    assert not bad, bad


@pytest.fixture
def compiled():
    ensure_compiled_messages()


NAV_KO = ["홈", "리드", "고객사", "담당자", "영업기회", "보드", "로그아웃"]
NAV_EN = ["Home", "Leads", "Accounts", "Contacts", "Opportunities", "Board", "Sign out"]


def _page(client, url, lang):
    response = client.get(url, HTTP_ACCEPT_LANGUAGE=lang)
    assert response.status_code == 200
    body = response.content.decode()
    assert f'<html lang="{lang}">' in body
    return body


@pytest.mark.parametrize(
    ("lang", "nav", "home", "leads"),
    [
        ("ko", NAV_KO, "내 진행 중 영업기회", ["신규", "검색…", "회사", "상태", "유입 경로"]),
        ("en", NAV_EN, "My open opportunities", ["New", "Search…", "Company", "Status", "Source"]),
    ],
)
def test_pages_render_in_each_language(client, alice, world, compiled, lang, nav, home, leads):
    client.force_login(alice)
    body = _page(client, "/", lang)
    for label in [*nav, home]:
        assert f"{label}<" in body or f"{label} " in body, label
    body = _page(client, "/leads/", lang)
    for label in [nav[1], *leads]:
        assert label in body, label
    assert "이서연" in body  # data stays as entered


@pytest.mark.parametrize(
    ("lang", "labels", "absent"),
    [
        ("ko", ["Baton 로그인", "사용자명", "비밀번호", ">로그인<"], "Password"),
        ("en", ["Sign in to Baton", "Username", "Password", ">Sign in<"], "비밀번호"),
    ],
)
def test_login_page_in_each_language(client, compiled, lang, labels, absent):
    body = _page(client, "/login/", lang)
    for label in labels:
        assert label in body, label
    assert absent not in body


def test_korean_is_the_default_and_a_saved_language_wins(client, alice, settings, compiled):
    settings.LANGUAGE_CODE = "ko"
    assert "비밀번호" in client.get("/login/").content.decode()  # no Accept-Language: the default
    alice.language = "ko"
    alice.save(update_fields=["language"])
    client.force_login(alice)
    body = client.get("/leads/new/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "새 리드" in body and "New lead" not in body


def test_form_errors_and_choices_are_translated(client, alice, compiled):
    client.force_login(alice)
    response = client.post("/leads/new/", {"name": ""}, HTTP_ACCEPT_LANGUAGE="ko")
    assert response.status_code == 400
    body = response.content.decode()
    assert "필수 항목입니다." in body  # Django's own catalogue
    assert "웹 양식" in body and "명함" in body  # lead sources (TextChoices)
    assert "Web form" not in body


def test_paths_are_the_package(settings):
    assert Path(settings.LOCALE_PATHS[0]) == LOCALE_DIR
