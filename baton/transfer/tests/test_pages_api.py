"""The import pages and API end to end (with the task run in process), and their permissions."""

import datetime as dt
import zoneinfo

import pytest

from baton.core.services import create_api_token
from baton.leads.models import Lead
from baton.transfer import engine
from baton.transfer.models import ImportJob
from baton.transfer.tests.conftest import csv_bytes

pytestmark = pytest.mark.django_db
SEOUL = zoneinfo.ZoneInfo("Asia/Seoul")
LEADS = [
    ["Lead ID", "Full name", "E-mail", "Lead owner", "Created date", "Source"],
    ["L1", "이서연", "seoyeon@saebom.kr", "alice", "2024-03-01 09:30", "Web form"],
    ["L2", "박하늘", "haneul@nuri.kr", "alice", "2024-03-02", "Trade show"],
]


def test_upload_map_dry_run_run_and_error_file(client, root, alice, django_capture_on_commit_callbacks):
    client.force_login(root)
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post(
        "/transfer/",
        {
            "kind": "lead",
            "source": "oldcrm",
            "duplicates": "match",
            "file": SimpleUploadedFile("leads.csv", csv_bytes(LEADS, "cp949")),
        },
    )
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response.url == f"/transfer/jobs/{job.pk}/"
    page = client.get(f"/transfer/jobs/{job.pk}/").content.decode()
    assert "Lead ID" in page and 'data-testid="mapping-form"' in page
    # Map the columns the guess did not: id, name, owner and created.
    columns = {
        "col-0": "external_id",
        "col-1": "name",
        "col-2": "email",
        "col-3": "owner",
        "col-4": "created_at",
        "col-5": "source",
    }
    client.post(
        f"/transfer/jobs/{job.pk}/mapping/", {**columns, "duplicates": "match", "save_as": "old leads"}
    )
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/transfer/jobs/{job.pk}/dry-run/")
    job.refresh_from_db()
    assert job.status == ImportJob.Status.CHECKED
    assert job.counts == {"created": 1, "refused": 1}
    assert job.unknown_values == {"source": ["Trade show"]}
    page = client.get(f"/transfer/jobs/{job.pk}/").content.decode()
    assert "Trade show" in page and "Dry run report" in page
    # Map the unknown value, dry-run again, run for real.
    client.post(f"/transfer/jobs/{job.pk}/mapping/", {**columns, "val-source-0": "event"})
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/transfer/jobs/{job.pk}/dry-run/")
    job.refresh_from_db()
    assert job.counts == {"created": 2}
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/transfer/jobs/{job.pk}/run/")
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE and job.progress_percent == 100
    lead = Lead.objects.get(name="박하늘")
    assert lead.source == "event" and lead.owner == alice
    assert Lead.objects.get(name="이서연").created_at == dt.datetime(2024, 3, 1, 9, 30, tzinfo=SEOUL)
    progress = client.get(f"/transfer/jobs/{job.pk}/progress/").content.decode()
    assert "2 of 2 rows" in progress
    page = client.get(f"/transfer/jobs/{job.pk}/").content.decode()
    assert f"/leads/{lead.pk}/" in page  # the report opens the imported lead
    # The lead's page shows it.
    assert "박하늘" in client.get(f"/leads/{lead.pk}/").content.decode()
    errors = client.get(f"/transfer/jobs/{job.pk}/errors.csv")
    assert errors.status_code == 200
    assert (
        b"".join(errors.streaming_content).decode("utf-8-sig").splitlines()[0].startswith("row,error,Lead ID")
    )


def test_pages_refuse_non_admins_and_bad_uploads(client, root, alice):
    client.force_login(alice)
    assert client.get("/transfer/").status_code == 403
    client.force_login(root)
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post(
        "/transfer/",
        {
            "kind": "lead",
            "source": "oldcrm",
            "duplicates": "match",
            "file": SimpleUploadedFile("x.csv", b"\xff\xfe\x81\x00"),
        },
    )
    assert response.status_code == 200
    assert "neither UTF-8 nor CP949" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_api_upload_dry_run_run_rollback(client, root, alice, django_capture_on_commit_callbacks):
    _token, secret = create_api_token(root, name="import")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    rows = [
        ["Id", "Name", "Email", "Owner", "Created"],
        ["L1", "이서연", "seoyeon@saebom.kr", "alice", "2024-03-01"],
    ]
    response = client.post(
        "/api/v1/transfer/jobs?kind=lead&source=oldcrm&file_name=leads.csv",
        data=csv_bytes(rows),
        content_type="text/csv",
        **auth,
    )
    assert response.status_code == 201, response.content
    job = response.json()
    assert job["columns"] == {
        "Id": "external_id",
        "Name": "name",
        "Email": "email",
        "Owner": "owner",
        "Created": "created_at",
    }
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(f"/api/v1/transfer/jobs/{job['id']}/dry-run", **auth).status_code == 202
    report = client.get(f"/api/v1/transfer/jobs/{job['id']}/rows", **auth).json()
    assert [(r["number"], r["outcome"]) for r in report] == [(2, "created")]
    assert not Lead.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(f"/api/v1/transfer/jobs/{job['id']}/run", **auth).status_code == 202
    state = client.get(f"/api/v1/transfer/jobs/{job['id']}", **auth).json()
    assert state["status"] == "done" and state["counts"] == {"created": 1}
    lead = Lead.objects.get()
    report = client.get(f"/api/v1/transfer/jobs/{job['id']}/rows", **auth).json()
    assert report[0]["record_type"] == "lead" and report[0]["record_id"] == lead.pk
    assert client.post(f"/api/v1/transfer/jobs/{job['id']}/rollback", **auth).json() == {
        "undone": 1,
        "kept": 0,
    }
    assert not Lead.objects.exists()
    # A run before a dry run, and a bad file, are refused in words.
    bad = client.post(
        "/api/v1/transfer/jobs?kind=lead&source=oldcrm&file_name=x.csv",
        data=b"",
        content_type="text/csv",
        **auth,
    )
    assert bad.status_code == 422 and "empty" in bad.content.decode()
    _t, alice_secret = create_api_token(alice, name="x")
    assert client.get("/api/v1/transfer/jobs", HTTP_AUTHORIZATION=f"Bearer {alice_secret}").status_code == 403
    assert engine.BATCH > 0
