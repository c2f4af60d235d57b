"""``baton backup`` / ``baton restore``: back up, change data, restore, and the data is back (on the
database the suite runs on: SQLite through its online backup API, PostgreSQL through pg_dump and
pg_restore); archives of the other vendor or not archives at all are refused with a message."""

from __future__ import annotations

import io
import json
import shutil
import tarfile

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from baton.deals.models import LostReason

pytestmark = pytest.mark.django_db(transaction=True)


def test_backup_change_restore_round_trip(tmp_path):
    if connection.vendor == "postgresql" and not (shutil.which("pg_dump") and shutil.which("pg_restore")):
        pytest.skip("pg_dump/pg_restore are not on PATH")
    kept = LostReason.objects.create(name="백업 전 이름", name_en="Before the backup")
    archive = tmp_path / "baton.tar.gz"
    out = io.StringIO()
    call_command("backup", str(archive), stdout=out)
    assert archive.exists() and "backed up" in out.getvalue()
    with tarfile.open(archive) as tar:
        manifest = json.loads(tar.extractfile("manifest.json").read())
    assert manifest["vendor"] == connection.vendor and "transfer" in manifest["migrations"]
    # Change the data after the backup: rename one row, add another.
    LostReason.objects.filter(pk=kept.pk).update(name="백업 후 이름")
    added = LostReason.objects.create(name="백업 후 추가")
    call_command("restore", str(archive), "--yes", stdout=io.StringIO())
    assert LostReason.objects.get(pk=kept.pk).name == "백업 전 이름"
    assert not LostReason.objects.filter(pk=added.pk).exists()


def test_restore_refuses_what_it_cannot_restore(tmp_path):
    other = "postgresql" if connection.vendor == "sqlite" else "sqlite"
    archive = tmp_path / "other.tar.gz"
    body = json.dumps({"format": 1, "vendor": other, "migrations": {}}).encode()
    with tarfile.open(archive, "w:gz") as tar:
        info = tarfile.TarInfo("manifest.json")
        info.size = len(body)
        tar.addfile(info, io.BytesIO(body))
    LostReason.objects.create(name="그대로")
    with pytest.raises(CommandError, match=other):
        call_command("restore", str(archive), "--yes")
    not_an_archive = tmp_path / "notes.txt"
    not_an_archive.write_text("hello")
    with pytest.raises(CommandError, match="not a Baton backup"):
        call_command("restore", str(not_an_archive), "--yes")
    assert LostReason.objects.filter(name="그대로").exists()
