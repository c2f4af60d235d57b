"""TOTP secrets encrypted at rest: widen the column, then encrypt the secrets already stored.

Reversible: going back decrypts them again (before the column is narrowed). The cipher is written out
here rather than imported from baton.security.fields, so this migration keeps working if that module
changes; it must stay byte-compatible with fields.py version 1 ("enc1:" + Fernet, HKDF-SHA256 keys).
"""

import base64

import baton.security.fields
from cryptography.fernet import Fernet, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.db import migrations, models

PREFIX = "enc1:"


def _cipher():
    phrases = [p.strip() for p in (getattr(settings, "BATON_FIELD_KEY", "") or "").split(",") if p.strip()]
    keys = []
    for phrase in phrases or [settings.SECRET_KEY]:
        derived = HKDF(
            algorithm=hashes.SHA256(), length=32, salt=None, info=b"baton field encryption v1"
        ).derive(phrase.encode())
        keys.append(Fernet(base64.urlsafe_b64encode(derived)))
    return MultiFernet(keys)


def _rewrite(schema_editor, transform):
    # Raw SQL: the historical model's field would itself encrypt/decrypt, which is what we do here.
    connection = schema_editor.connection
    table = connection.ops.quote_name("security_totpdevice")
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id, secret FROM {table}")  # noqa: S608 - fixed table name
        rows = cursor.fetchall()
        for pk, secret in rows:
            new = transform(secret or "")
            if new != secret:
                cursor.execute(f"UPDATE {table} SET secret = %s WHERE id = %s", [new, pk])  # noqa: S608


def encrypt_secrets(apps, schema_editor):
    cipher = _cipher()

    def encrypt(value):
        if not value or value.startswith(PREFIX):
            return value
        return PREFIX + cipher.encrypt(value.encode()).decode()

    _rewrite(schema_editor, encrypt)


def decrypt_secrets(apps, schema_editor):
    cipher = _cipher()

    def decrypt(value):
        if not value.startswith(PREFIX):
            return value
        return cipher.decrypt(value[len(PREFIX):].encode()).decode()

    _rewrite(schema_editor, decrypt)


class Migration(migrations.Migration):

    dependencies = [
        ("security", "0001_initial"),
    ]

    operations = [
        migrations.AlterField(
            model_name="totpdevice",
            name="secret",
            field=baton.security.fields.EncryptedCharField(max_length=255),
        ),
        migrations.RunPython(encrypt_secrets, decrypt_secrets),
    ]
