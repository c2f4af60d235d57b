"""TOTP secrets are encrypted at rest: the column holds a Fernet token, sign-in still works, the data
migration encrypts (and, going back, decrypts) secrets stored before."""

from __future__ import annotations

import importlib
import io
from types import SimpleNamespace

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.db import connection
from django.test import Client, override_settings

from baton.security import fields, services, totp
from baton.security.models import TotpDevice
from baton.security.tests.test_two_factor import enrol
from conftest import PASSWORD

migration = importlib.import_module("baton.security.migrations.0002_totp_secret_encrypted")


def stored_secret(device_id: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT secret FROM security_totpdevice WHERE id = %s", [device_id])
        return cursor.fetchone()[0]


def test_the_column_does_not_hold_the_secret_and_sign_in_still_works(personas):
    alice = personas["alice"]
    client = Client()
    client.force_login(alice)
    secret, _codes = enrol(client, alice)
    device = TotpDevice.objects.get(user=alice)
    raw = stored_secret(device.pk)
    assert raw.startswith("enc1:") and secret not in raw and secret.lower() not in raw.lower()
    assert device.secret == secret  # Python code reads the plain key

    browser = Client()
    step = browser.post("/login/", {"username": "alice", "password": PASSWORD})
    code = totp.hotp(secret, device.last_step + 1)
    assert browser.post(step["Location"], {"code": code}).status_code == 302
    assert browser.session["_auth_user_id"] == str(alice.pk)
    # Saving again (last_step moved) keeps it encrypted.
    assert stored_secret(device.pk).startswith("enc1:")


def test_a_separate_field_key_and_its_rotation(personas):
    with override_settings(BATON_FIELD_KEY="first-passphrase"):
        device = services.start_enrolment(personas["bob"])
        secret = device.secret
        raw = stored_secret(device.pk)
    # Without the key the value cannot be read: a clear error, not a wrong secret.
    with pytest.raises(ImproperlyConfigured):
        TotpDevice.objects.get(pk=device.pk)
    # A new key first, the old one kept after a comma: old values still read.
    with override_settings(BATON_FIELD_KEY="second-passphrase,first-passphrase"):
        assert TotpDevice.objects.get(pk=device.pk).secret == secret
    assert raw != fields.PREFIX + secret


def test_the_data_migration_encrypts_plain_secrets_and_reverses(personas):
    device = services.start_enrolment(personas["dana"])
    plain = totp.new_secret()
    with connection.cursor() as cursor:  # a row as version 0001 stored it
        cursor.execute("UPDATE security_totpdevice SET secret = %s WHERE id = %s", [plain, device.pk])
    assert TotpDevice.objects.get(pk=device.pk).secret == plain  # legacy plain values still read

    editor = SimpleNamespace(connection=connection)
    migration.encrypt_secrets(None, editor)
    encrypted = stored_secret(device.pk)
    assert encrypted.startswith("enc1:") and plain not in encrypted
    assert TotpDevice.objects.get(pk=device.pk).secret == plain
    migration.encrypt_secrets(None, editor)  # running twice changes nothing
    assert stored_secret(device.pk) == encrypted

    migration.decrypt_secrets(None, editor)
    assert stored_secret(device.pk) == plain


def test_rotate_field_key_command_moves_every_secret_to_the_new_key(personas):
    with override_settings(BATON_FIELD_KEY="old-passphrase"):
        device = services.start_enrolment(personas["mina"])
        secret = device.secret
    with override_settings(BATON_FIELD_KEY="new-passphrase,old-passphrase"):
        call_command("rotate_field_key", stdout=io.StringIO())
    with override_settings(BATON_FIELD_KEY="new-passphrase"):  # the old key can go now
        assert TotpDevice.objects.get(pk=device.pk).secret == secret
