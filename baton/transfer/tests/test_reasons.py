"""Reasons are data (issue 11): lost and disqualification reasons imported (created, renamed by external
id, matched by name, archived), and managed by administrators on their pages."""

import pytest
from django.urls import reverse

from baton.core.models import ChangeLog
from baton.deals.forms.opportunities import MoveForm
from baton.deals.models import LostReason
from baton.scoring.models import DisqualifyReason
from baton.transfer.models import ImportRow
from baton.transfer.tests.conftest import make_job, run

pytestmark = pytest.mark.django_db


def _outcomes(job):
    return list(ImportRow.objects.filter(job=job).order_by("number").values_list("outcome", flat=True))


def test_lost_reasons_import_create_rename_and_archive(root):
    before = LostReason.objects.count()
    rows = [
        ["Id", "Name", "Name (English)", "No decision", "Archived"],
        ["R1", "예산 삭감", "Budget cut", "no", "no"],
        ["R2", "결정 보류", "Decision postponed", "yes", ""],
        ["R3", "", "Nameless", "", ""],  # refused: the Korean name is required
    ]
    job = run(make_job(root, "lost_reason", rows), root)
    assert _outcomes(job) == ["created", "created", "refused"]
    assert LostReason.objects.count() == before + 2
    postponed = LostReason.objects.get(name="결정 보류")
    assert postponed.is_no_decision and postponed.name_en == "Decision postponed"
    assert ChangeLog.objects.filter(job_id=job.job_id, content_type__model="lostreason").count() == 2
    # Again with a new name for R1 and R2 archived: updated in place, by external id.
    again = [
        rows[0],
        ["R1", "예산 축소", "Budget cut", "no", "no"],
        ["R2", "결정 보류", "Decision postponed", "yes", "yes"],
    ]
    job2 = run(make_job(root, "lost_reason", again), root)
    assert _outcomes(job2) == ["updated", "updated"]
    assert LostReason.objects.filter(name="예산 축소").exists()
    assert LostReason.objects.get(pk=postponed.pk).is_archived
    assert LostReason.objects.count() == before + 2


def test_disqualify_reasons_import_matches_by_name_and_checks_days(root):
    existing = DisqualifyReason.objects.create(name="예산 미확보", name_en="No budget yet", recycle_days=90)
    rows = [
        ["Id", "Name", "Name (English)", "Recycle after (days)"],
        ["D1", "예산 미확보", "", "120"],  # matched by name (merge fills nothing: it has a name)
        ["D2", "경쟁사 계약", "Signed with a competitor", "365"],
        ["D3", "잘못된 연락처", "", "0"],  # refused: days out of range
    ]
    job = run(make_job(root, "disqualify_reason", rows, duplicates="merge"), root)
    assert _outcomes(job) == ["merged", "created", "refused"]
    assert DisqualifyReason.objects.get(name="경쟁사 계약").recycle_days == 365
    assert DisqualifyReason.objects.filter(name="예산 미확보").count() == 1
    assert existing.pk in ImportRow.objects.filter(job=job).values_list("object_id", flat=True)


def test_lost_reasons_page_add_rename_archive(client, root, alice):
    from conftest import login

    url = reverse("deals:lost_reasons")
    login(client, alice)
    assert client.get(url).status_code == 403
    login(client, root)
    response = client.post(url, {"new-name": "납기 불가", "new-name_en": "Cannot deliver in time"})
    assert response.status_code == 302
    reason = LostReason.objects.get(name="납기 불가")
    assert client.post(url, {"new-name": ""}).status_code == 400  # a name is required
    page = client.get(url)
    assert "납기 불가" in page.content.decode()
    prefix = f"r{reason.pk}"
    edit = {
        f"{prefix}-name": "납기 지연",
        f"{prefix}-name_en": "Late delivery",
        f"{prefix}-is_archived": "on",
    }
    response = client.post(url, {"pk": reason.pk, **edit})
    assert response.status_code == 302
    reason.refresh_from_db()
    assert reason.name == "납기 지연" and reason.is_archived
    assert ChangeLog.objects.filter(content_type__model="lostreason", object_id=reason.pk).count() == 2
    # An archived reason is no longer offered when a deal is lost.
    offered = MoveForm.base_fields["lost_reason"].queryset
    assert reason not in offered.all()
