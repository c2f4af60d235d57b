"""Every page of the app renders for an administrator: no 5xx, generated from the URL resolver so a
new page is covered the day it appears (see routes.py for the sample ids)."""

from __future__ import annotations

import pytest

from baton.core.tests.routes import all_routes, build_world, page_urls

pytestmark = pytest.mark.django_db

# Pages that must render (200) for an administrator with the sample world; the rest may redirect
# (302), refuse a GET (405) or find nothing to show (404) but never fail.
MUST_RENDER = {
    "activities:template_new",
    "activities:template_edit",
    "activities:templates",
    "activities:compose",
    "accounts:detail",
    "deals:detail",
    "deals:quote",
    "delivery:project",
    "process:floor",
}


@pytest.fixture
def sample_world(world, personas):
    return build_world(world, personas)


def test_every_page_renders_for_an_admin(client, sample_world, root, settings):
    settings.DEBUG = False
    client.raise_request_exception = False
    client.force_login(root)
    failures, statuses, unsampled = [], {}, []
    for route, url, sampled in page_urls(sample_world):
        response = client.get(url)
        statuses[route.name] = response.status_code
        if response.status_code >= 500:
            failures.append(f"{url} ({route.name}) -> {response.status_code}")
        if not sampled and response.status_code != 405:  # a POST-only route refuses before any lookup
            unsampled.append(route.name)
    assert not failures, "\n".join(failures)
    assert {name: statuses[name] for name in MUST_RENDER} == dict.fromkeys(MUST_RENDER, 200)
    assert not unsampled, f"give these routes sample ids in core/tests/routes.py: {unsampled}"
    assert len(statuses) == len(all_routes()) > 90


def test_template_editor_creates_and_edits_a_template(client, alice):
    from baton.activities.models import EmailTemplate

    client.force_login(alice)
    page = client.get("/activities/mail/templates/new/")
    assert page.status_code == 200
    assert "<code>{{ contact_name }}</code>" in page.content.decode()  # merge fields listed for the author
    values = {"name": "첫 인사", "language": "ko", "subject": "안녕하세요", "body": "{{ contact_name }}님께"}
    response = client.post("/activities/mail/templates/new/", values)
    assert response.status_code == 302
    template = EmailTemplate.objects.get(name="첫 인사")
    assert client.get(f"/activities/mail/templates/{template.pk}/").status_code == 200
    response = client.post(f"/activities/mail/templates/{template.pk}/", {**values, "subject": "반갑습니다"})
    assert response.status_code == 302
    template.refresh_from_db()
    assert template.subject == "반갑습니다"
