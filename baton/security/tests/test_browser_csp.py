"""The main pages load in Chromium with the Content-Security-Policy enforced and report no violation;
the behaviours moved out of inline handlers (select submits, charts, calendar component) still work;
signing in with a second factor works end to end."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from baton.activities import services as activity_services
from baton.activities.models import Activity
from baton.security import services, totp
from conftest import PASSWORD, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LISTEN = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__csp.push(e.violatedDirective + " " + (e.blockedURI || "inline") + " " + e.sourceFile
                    + ":" + e.lineNumber);
});
"""

PAGES = [
    "/",
    "/leads/",
    "/leads/new/",
    "/accounts/",
    "/contacts/",
    "/deals/",
    "/deals/board/",
    "/activities/",
    "/activities/calendar/",
    "/activities/team/",
    "/activities/feed/",
    "/process/",
    "/scoring/evaluation/",
    "/scoring/win-loss/",
    "/profile/",
    "/security/",
    "/security/password/",
    "/security/admin/events/",
    "/security/admin/lockouts/",
    "/security/admin/policy/",
    "/activities/new/",
    "/api/v1/docs",
]


def test_main_pages_have_no_csp_violation(browser_page, personas, world):
    page = browser_page
    # Twenty-odd pages on a loaded machine: the first render of each can be slow.
    page.set_default_navigation_timeout(30_000)
    page.add_init_script(LISTEN)
    console: list[str] = []
    errors: list[str] = []
    page.on(
        "console",
        lambda m: (
            console.append(m.text)
            if "Content Security Policy" in m.text or "Content-Security" in m.text or "Alpine" in m.text
            else None
        ),
    )
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto("/login/")
    assert "script-src 'self'" in (page.request.get("/login/").headers.get("content-security-policy") or "")
    sign_in(page, "root")
    pages = [
        *PAGES,
        f"/leads/{world['lead'].pk}/",
        f"/leads/{world['lead'].pk}/convert/",
        f"/deals/{world['opportunity'].pk}/",
    ]
    for url in pages:
        response = page.goto(url)
        assert response is not None and response.status == 200, url
        page.wait_for_load_state("networkidle", timeout=30_000)
        violations = page.evaluate("window.__csp")
        assert violations == [], (url, violations)
    assert console == [] and errors == []

    # Behaviours that used to be inline: charts draw, the pipeline select submits its form.
    page.goto("/process/")
    expect(page.locator("#dwell-chart")).to_be_visible()
    page.wait_for_function(
        "!!window.Chart && !!window.Chart.getChart(document.getElementById('dwell-chart'))"
    )
    page.goto("/activities/calendar/")
    expect(page.get_by_test_id("calendar")).to_be_visible()
    page.wait_for_function(
        "!!window.Alpine && typeof window.Alpine.$data(document.querySelector('[data-testid=calendar]')).drop"
        " === 'function'"
    )
    assert page.evaluate("window.__csp") == []

    # The Alpine components of the forms (CSP build, no eval): the activity form shows the fields of
    # the chosen kind, the lead conversion shows the opportunity fields while its box is ticked.
    page.goto("/activities/new/?kind=task")
    kind = page.locator("select[name=kind]")
    decisions = page.locator("[name=decisions]")
    kind.select_option("task")
    expect(decisions).to_be_hidden()
    kind.select_option("minutes")
    expect(decisions).to_be_visible()
    page.goto(f"/leads/{world['lead'].pk}/convert/")
    box = page.get_by_test_id("create-opportunity")
    deal_name = page.locator("[name=opportunity_name]")
    if box.is_checked():
        expect(deal_name).to_be_visible()
        box.uncheck()
        expect(deal_name).to_be_hidden()
    else:
        expect(deal_name).to_be_hidden()
        box.check()
        expect(deal_name).to_be_visible()
    assert page.evaluate("window.__csp") == []
    assert console == [] and errors == []

    # The listener does catch a violation: an injected inline script is blocked and reported.
    page.evaluate(
        "() => { const s = document.createElement('script'); s.textContent = 'window.__ran = 1';"
        " document.body.appendChild(s); }"
    )
    page.wait_for_function("window.__csp.length > 0")
    assert page.evaluate("window.__ran") is None


def test_sign_in_with_a_second_factor(browser_page, personas):
    alice = personas["alice"]
    device = services.start_enrolment(alice)
    services.confirm_enrolment(alice, totp.code_at(device.secret))
    device.refresh_from_db()
    page = browser_page
    page.goto("/login/")
    page.get_by_test_id("login-username").fill("alice")
    page.get_by_test_id("login-password").fill(PASSWORD)
    page.get_by_test_id("login-submit").click()
    page.wait_for_url("**/security/two-factor/**")
    page.get_by_test_id("two-factor-code").fill(totp.hotp(device.secret, device.last_step + 1))
    page.get_by_test_id("two-factor-submit").click()
    expect(page.get_by_test_id("user-menu")).to_be_visible()
    page.get_by_test_id("user-menu").click()
    page.get_by_test_id("nav-security").click()
    expect(page.get_by_test_id("two-factor-on")).to_be_visible()
    expect(page.get_by_test_id("session-row")).to_have_count(1)


def test_calendar_drag_and_drop_works_under_the_policy(browser_page, personas, world):
    """The calendar component (Alpine's CSP build, values from data-* attributes) still moves an event."""
    alice = personas["alice"]
    start = timezone.localtime().replace(hour=10, minute=0, second=0, microsecond=0) + dt.timedelta(days=1)
    event = activity_services.create_activity(
        actor=alice,
        record=world["account"],
        kind="event",
        subject="Drag me",
        start_at=start,
        end_at=start + dt.timedelta(hours=1),
    )
    page = browser_page
    page.add_init_script(LISTEN)
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if "Alpine" in m.text else None)
    sign_in(page, "alice")
    day = start.date()
    target = day + dt.timedelta(days=1)
    page.goto(f"/activities/calendar/?view=week&date={day.isoformat()}")
    item = page.locator(f"[data-activity='{event.pk}']")
    expect(item).to_be_visible()
    item.drag_to(page.get_by_test_id(f"slot-{target.isoformat()}-14:00"))
    expect(
        page.get_by_test_id(f"slot-{target.isoformat()}-14:00").locator(f"[data-activity='{event.pk}']")
    ).to_be_visible()
    moved = timezone.localtime(Activity.objects.get(pk=event.pk).start_at)
    assert (moved.date(), moved.hour, moved.minute) == (target, 14, 0)
    assert page.evaluate("window.__csp") == [] and errors == []
