"""``core/panels.py``: apps add panels to a lower app's page by registering them, in order."""

from baton.core import events
from baton.core.panels import panels_for, register_panel, render_panels, unregister_panel


def test_the_account_page_panels_come_from_the_apps_that_own_them():
    templates = [p.template for p in panels_for("account")]
    assert templates == [
        "accounts/panels/_contacts.html",
        "deals/panels/_account_opportunities.html",
        "leads/panels/_account_leads.html",
        "accounts/panels/_hierarchy.html",
        "delivery/panels/_account_projects.html",
        "success/panels/_account_installed_base.html",
        "automation/panels/_account_runs.html",
        "integrations/panels/_account_export.html",
    ]
    assert [p.template for p in panels_for("contact")] == [
        "deals/panels/_contact_opportunities.html",
        "automation/panels/_contact_runs.html",
    ]


def test_register_is_idempotent_ordered_and_merges_contexts():
    try:
        register_panel("test-page", "b.html", 20, lambda user, obj: {"b": obj})
        register_panel("test-page", "a.html", 10)
        register_panel("test-page", "b.html", 5, lambda user, obj: {"b": obj * 2})  # replaces the first
        templates, context = render_panels("test-page", None, 21)
        assert templates == ["b.html", "a.html"]
        assert context == {"b": 42}
    finally:
        unregister_panel("test-page", "a.html")
        unregister_panel("test-page", "b.html")
    assert panels_for("test-page") == []


def test_activities_hears_record_changes_through_the_event_list():
    names = [getattr(h, "__qualname__", "") for h in events.record_changed.subscribers]
    assert "_notify_followers" in names
