"""Phone numbers and web addresses: validated, stored normalised (E.164), shown as people dial, and
every field's error reported in one round on the form and in the API."""

from __future__ import annotations

import pytest
from django.apps import apps as django_apps
from django.core.exceptions import ValidationError

from baton.accounts.models import Account, Contact
from baton.accounts.services import create_account, create_contact
from baton.core.phones import format_phone, normalize_phone, phone_uri, validate_phone
from baton.core.tests.test_api_support import errors_of, make_api
from baton.core.validators import validate_web_url
from baton.leads.models import Lead


@pytest.mark.parametrize(
    ("typed", "stored", "shown"),
    [
        ("010-1234-5678", "+821012345678", "010-1234-5678"),
        ("01012345678", "+821012345678", "010-1234-5678"),
        ("+82 10 1234 5678", "+821012345678", "010-1234-5678"),
        ("0212345678", "+82212345678", "02-1234-5678"),
        ("02-345-6789", "+8223456789", "02-345-6789"),
        ("1588-1234", "+8215881234", "1588-1234"),
        ("+1 (650) 253-0000", "+16502530000", "+1 650-253-0000"),
        ("+44 20 7946 0958", "+442079460958", "+44 20 7946 0958"),
    ],
)
def test_phone_numbers_are_stored_as_e164_and_shown_nationally_for_korea(typed, stored, shown):
    validate_phone(typed)
    assert normalize_phone(typed) == stored
    assert format_phone(stored) == shown
    assert phone_uri(stored) == f"tel:{stored}"


@pytest.mark.parametrize("typed", ["12345", "010-1234", "call me", "+999 123", "0" * 41])
def test_invalid_phone_numbers_are_refused(typed):
    with pytest.raises(ValidationError):
        validate_phone(typed)


@pytest.mark.parametrize("typed", ["hanbit.co.kr", "https://www.hanbit.co.kr/about", "http://acme.kr:8080/x"])
def test_web_addresses_accepted(typed):
    validate_web_url(typed)


@pytest.mark.parametrize(
    "typed", ["javascript:alert(1)", "JavaScript:alert(1)", "data:text/html,x", "ftp://x.kr", "not a site"]
)
def test_web_addresses_other_than_http_refused(typed):
    with pytest.raises(ValidationError):
        validate_web_url(typed)


def test_form_reports_every_field_error_in_one_round(client, alice):
    client.force_login(alice)
    response = client.post(
        "/contacts/new/", {"name": "Kim", "email": "not-an-email", "phone": "12345", "owner": alice.pk}
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert set(errors) >= {"email", "phone"}
    accounts = client.post(
        "/accounts/new/",
        {
            "name": "X",
            "brn": "123-45-67890",
            "website": "javascript:alert(1)",
            "phone": "1",
            "owner": alice.pk,
        },
    )
    assert accounts.status_code == 400
    assert set(accounts.context["form"].errors) >= {"brn", "website", "phone"}
    assert Contact.objects.count() == 0 and Account.objects.count() == 0


def test_api_refuses_bad_phone_and_url_with_422_naming_each(personas):
    client = make_api(personas)("alice")
    response = client.post("/accounts", {"name": "X", "website": "javascript:alert(1)", "phone": "12"})
    assert response.status_code == 422
    assert set(errors_of(response)) == {"website", "phone"}
    lead = client.post("/leads", {"name": "Y", "phone": "abc", "website": "ftp://x.kr"})
    assert lead.status_code == 422 and set(errors_of(lead)) == {"phone", "website"}
    ok = client.post("/contacts", {"name": "Z", "mobile": "010 9999 8888"})
    assert ok.status_code == 201 and ok.json()["mobile"] == "+821099998888"


def test_detail_and_list_pages_link_email_and_phone(client, alice):
    account = create_account(actor=alice, name="다온", website="daon.co.kr", phone="02-555-1234")
    contact = create_contact(
        actor=alice, account=account, name="Kim", email="kim@daon.co.kr", phone="010-1234-5678"
    )
    client.force_login(alice)
    detail = client.get(f"/contacts/{contact.pk}/").content.decode()
    assert '<a href="mailto:kim@daon.co.kr">' in detail
    assert '<a href="tel:+821012345678">010-1234-5678</a>' in detail
    listing = client.get("/contacts/").content.decode()
    assert 'href="mailto:kim@daon.co.kr"' in listing and 'href="tel:+821012345678"' in listing
    account_page = client.get(f"/accounts/{account.pk}/").content.decode()
    assert '<a href="tel:+8225551234">02-555-1234</a>' in account_page
    assert '<a href="https://daon.co.kr">' in account_page
    assert 'href="mailto:kim@daon.co.kr"' in account_page  # the contacts panel


@pytest.mark.django_db
def test_data_migration_normalises_existing_numbers_and_reverses_to_dashes(alice):
    from importlib import import_module

    accounts_migration = import_module("baton.accounts.migrations.0005_normalise_phone_numbers")
    leads_migration = import_module("baton.leads.migrations.0004_normalise_phone_numbers")
    account = create_account(actor=alice, name="A")
    contact = create_contact(actor=alice, name="B")
    lead = Lead.objects.create(name="C")
    Account.objects.filter(pk=account.pk).update(phone="02-123-4567")
    Contact.objects.filter(pk=contact.pk).update(phone="010-1234-5678", mobile="not a number")
    Lead.objects.filter(pk=lead.pk).update(phone="+1 650 253 0000")
    accounts_migration.forwards(django_apps, None)
    leads_migration.forwards(django_apps, None)
    account.refresh_from_db(), contact.refresh_from_db(), lead.refresh_from_db()
    assert (account.phone, contact.phone, contact.mobile) == ("+8221234567", "+821012345678", "not a number")
    assert lead.phone == "+16502530000"
    accounts_migration.backwards(django_apps, None)
    leads_migration.backwards(django_apps, None)
    account.refresh_from_db(), contact.refresh_from_db(), lead.refresh_from_db()
    assert (account.phone, contact.phone, lead.phone) == ("02-123-4567", "010-1234-5678", "+16502530000")
