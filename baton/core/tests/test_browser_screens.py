"""Screens for salespeople, in a real browser and in both languages (issue 9): times read relative in
the reader's language, notifications in the reader's current language, the process panel in the
business's words, the account 360° page, and a keyboard-usable board that fits 1440 px.

Screenshots are saved under /tmp/screens/ (look at them when changing these screens)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.utils import translation
from playwright.sync_api import expect

from conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/tmp/screens")
ISO_TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d")
WORDS = {
    "ko": {"relative": re.compile(r"방금|\d+분 전"), "commented": "님이|댓글", "other": "en"},
    "en": {"relative": re.compile(r"just now|\d+ minutes? ago"), "commented": "commented on", "other": "ko"},
}


@pytest.fixture
def screens(chromium, live_server):
    SHOTS.mkdir(parents=True, exist_ok=True)
    contexts = []

    def open_page(language: str, width: int = 1440):
        context = chromium.new_context(
            base_url=live_server.url,
            locale="ko-KR" if language == "ko" else "en-US",
            viewport={"width": width, "height": 900},
        )
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        return page

    yield open_page
    for context in contexts:
        context.close()


def shot(page, name: str) -> None:
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


@pytest.mark.parametrize("language", ["ko", "en"])
def test_screens_read_in_the_readers_language_and_fit(screens, personas, world, language):
    from baton.activities import services as activities
    from baton.deals.models import Stage
    from baton.deals.services import create_opportunity

    alice, bob = personas["alice"], personas["bob"]
    alice.language = language
    alice.save(update_fields=["language"])
    account, deal, lead = world["account"], world["opportunity"], world["lead"]
    # Written while the writer reads the other language: the bell must not repeat that language.
    with translation.override(WORDS[language]["other"]):
        activities.post_comment(account, actor=bob, text="Please check the quote")
    stages = list(Stage.objects.filter(pipeline_id=deal.pipeline_id, is_archived=False).order_by("sequence"))
    for i, stage in enumerate(stages[:4]):
        create_opportunity(
            actor=alice, name=f"보드 카드 {i}", account=account, amount=10_000_000 * (i + 1), stage=stage
        )

    page = screens(language)
    sign_in(page, "alice")

    # The record history: relative times in the reader's language, no ISO timestamps.
    page.goto(f"/deals/{deal.pk}/")
    history = page.get_by_test_id("history")
    expect(history.get_by_test_id("relative-time").first).to_have_text(WORDS[language]["relative"])
    assert not ISO_TIMESTAMP.search(page.locator("main").inner_text())
    expect(page.get_by_test_id("process-panel")).to_be_visible()
    shot(page, f"{language}-deal-history")

    # The bell: the comment notification in the reader's current language.
    page.get_by_test_id("bell").last.click()
    menu = page.locator("#notification-bell .dropdown-menu")
    expect(menu).to_be_visible()
    expect(menu).to_contain_text(re.compile(WORDS[language]["commented"]))
    if language == "ko":
        expect(menu).not_to_contain_text("commented on")
    shot(page, f"{language}-bell")

    # The process panel of a lead: names and facts, never CEL source.
    page.goto(f"/leads/{lead.pk}/")
    panel = page.get_by_test_id("process-panel")
    expect(panel.get_by_test_id("process-step").first).to_be_visible()
    text = panel.inner_text()
    assert "_30d" not in text and "||" not in text and ">=" not in text
    panel.screenshot(path=str(SHOTS / f"{language}-process-panel.png"))

    # The 360° page: timeline and feed in the main column.
    page.goto(f"/accounts/{account.pk}/")
    main = page.get_by_test_id("account-main")
    expect(main.get_by_test_id("feed")).to_contain_text("Please check the quote")
    feed_box = main.get_by_test_id("feed").bounding_box()
    assert feed_box is not None and feed_box["width"] >= 380  # readable, not a sliver
    shot(page, f"{language}-account-360")

    # Keyboard: the first Tab reaches the skip link, which is visible when focused.
    page.keyboard.press("Tab")
    skip = page.get_by_test_id("skip-link")
    expect(skip).to_be_focused()
    expect(skip).to_be_visible()

    # The board at 1440 px: every column on screen, no hidden horizontal scroll; the rep's own deals.
    page.goto("/deals/board/")
    board = page.locator("#board")
    expect(board).to_be_visible()
    expect(page.get_by_test_id("scope-mine")).to_have_class(re.compile("btn-primary"))
    overflow = page.evaluate(
        """() => {
          const b = document.getElementById('board');
          const cols = [...b.querySelectorAll('.board-column')];
          return {board: b.scrollWidth - b.clientWidth,
                  page: document.documentElement.scrollWidth - innerWidth,
                  offscreen: cols.filter(c => c.getBoundingClientRect().right > innerWidth).length,
                  columns: cols.length};
        }"""
    )
    assert overflow["columns"] >= 5
    assert overflow == {"board": 0, "page": 0, "offscreen": 0, "columns": overflow["columns"]}
    shot(page, f"{language}-board")

    # Move a card with the keyboard only, through the same move endpoint as a drag.
    card = Stage.objects.get(pk=stages[0].pk)
    moving = deal.__class__.objects.filter(stage=card, owner=alice).order_by("pk").first()
    button = page.get_by_test_id(f"move-card-{moving.pk}")
    button.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_test_id(f"card-{moving.pk}")).to_have_class(re.compile("picked"))
    page.keyboard.press("ArrowRight")
    expect(page.get_by_test_id("board-status")).to_contain_text(
        stages[1].name if language == "ko" else stages[1].name_en or stages[1].name
    )
    page.keyboard.press("Enter")
    target = page.get_by_test_id(f"column-{stages[1].key}")
    expect(target.get_by_test_id(f"card-{moving.pk}")).to_be_visible()
    expect(page.get_by_test_id(f"card-{moving.pk}")).not_to_have_class(re.compile("opacity-50"))
    moving.refresh_from_db()
    assert moving.stage_id == stages[1].pk
