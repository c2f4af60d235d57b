"""The usage form on the account's usage page: a CSM (here the owner) records seats bought and in use and
sign-ins by hand through the same service the API uses; bad figures come back as field errors and save
nothing; the usage component of the health score shows the new figure (45 of 60 seats = 75 %)."""

import datetime as dt

import pytest
from django.utils import timezone

from baton.success.health.models import UsageRecord

pytestmark = pytest.mark.django_db


def test_usage_form_records_a_figure_with_field_errors(client, world, alice, charlie):
    account = world["account"]
    url = f"/success/accounts/{account.pk}/usage/"
    today = timezone.localdate()
    client.force_login(alice)
    page = client.get(url)
    assert page.status_code == 200 and 'data-testid="usage-form"' in page.content.decode()
    bad = client.post(url, {"day": today.isoformat(), "seats_bought": 0, "seats_used": 1, "logins": 0})
    assert bad.status_code == 400
    assert 'data-testid="field-error-seats_bought"' in bad.content.decode()
    tomorrow = (today + dt.timedelta(days=1)).isoformat()
    bad = client.post(url, {"day": tomorrow, "seats_bought": 10, "seats_used": 1, "logins": 0})
    assert bad.status_code == 400
    assert "Usage cannot be recorded for a day that has not come yet." in bad.content.decode()
    assert not UsageRecord.objects.exists()
    ok = client.post(url, {"day": today.isoformat(), "seats_bought": 60, "seats_used": 45, "logins": 120})
    assert ok.status_code == 302 and ok["Location"] == url
    row = UsageRecord.objects.get()
    assert (row.seats_bought, row.seats_used, row.logins, row.source, row.created_by) == (
        60,
        45,
        120,
        "manual",
        alice,
    )
    page = client.get(url).content.decode()
    assert "45 of 60 seats in use (75%), 120 sign-ins in 30 days" in page
    assert 'data-testid="usage-record"' in page
    # The account's panel links to it; a stranger to the account gets 404.
    panel = client.get(f"/success/accounts/{account.pk}/installed-base/").content.decode()
    assert f'href="{url}"' in panel
    client.force_login(charlie)
    assert client.get(url).status_code == 404
    assert client.post(url, {"day": today.isoformat(), "seats_bought": 5, "seats_used": 1}).status_code == 404
