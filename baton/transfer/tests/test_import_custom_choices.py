"""Unknown values of custom choice columns are listed by the dry run and mapped like a built-in choice
field's (to a choice, added as a new choice, or left refused), kept in the saved mapping; and the
activity custom fields are import targets, typed and checked row by row."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from baton.accounts.models import Account
from baton.activities.models import Activity
from baton.core.customfields import services as cf
from baton.core.customfields.models import CustomField
from baton.transfer import services
from baton.transfer.fields import NEW_CHOICE
from baton.transfer.models import ImportRow, SavedMapping
from baton.transfer.tests.conftest import dry, make_job, run

pytestmark = pytest.mark.django_db

TIERS = [
    {"value": "gold", "label_ko": "골드", "label_en": "Gold"},
    {"value": "silver", "label_ko": "실버", "label_en": "Silver"},
]
ROWS = [
    ["Id", "Company", "Tier", "Tags"],
    ["A1", "(주)브론즈", "Bronze", "ERP, hr"],
    ["A2", "(주)플래티넘", "Platinum", "crm"],
    ["A3", "(주)인사", "gold", "hr"],
    ["A4", "(주)구리", "Copper", ""],
]


def outcomes(job):
    return [(r.outcome, r.message) for r in ImportRow.objects.filter(job=job).order_by("number")]


def _fields(root):
    cf.create_field(actor=root, object="account", key="tier", label_ko="등급", label_en="Tier", type="choice",
                    choices=TIERS)  # fmt: skip
    cf.create_field(actor=root, object="account", key="tags", label_ko="태그", label_en="Tags",
                    type="multi_choice", choices=[{"value": "erp"}, {"value": "crm"}])  # fmt: skip


def test_unknown_custom_choice_values_are_mapped_added_or_left_refused(root):
    _fields(root)
    job = make_job(root, "account", ROWS)
    assert job.columns == {"Id": "external_id", "Company": "name", "Tier": "cf_tier", "Tags": "cf_tags"}
    dry(job, root)
    job.refresh_from_db()
    assert job.unknown_values == {"cf_tier": ["Bronze", "Platinum", "Copper"], "cf_tags": ["hr"]}
    assert [o for o, _m in outcomes(job)] == ["refused", "refused", "refused", "refused"]

    with pytest.raises(ValidationError):  # not a choice
        services.set_mapping(job, actor=root, columns=job.columns, values={"cf_tier": {"Bronze": "bronze"}})
    with pytest.raises(ValidationError):  # too long to be a choice
        services.set_mapping(job, actor=root, columns=job.columns, values={"cf_tier": {"x" * 61: NEW_CHOICE}})
    services.set_mapping(
        job,
        actor=root,
        columns=job.columns,
        # Copper is left out: its row stays refused.
        values={"cf_tier": {"Bronze": NEW_CHOICE, "Platinum": "Gold"}, "cf_tags": {"hr": NEW_CHOICE}},
        save_as="old crm tiers",
    )
    job.refresh_from_db()
    mapped = {"cf_tier": {"Bronze": NEW_CHOICE, "Platinum": "gold"}, "cf_tags": {"hr": NEW_CHOICE}}
    assert job.values == mapped  # a label is kept as the choice's value
    assert SavedMapping.objects.get(name="old crm tiers").values == mapped

    # The dry run shows what the run does, and adds nothing itself.
    dry(job, root)
    job.refresh_from_db()
    assert [o for o, _m in outcomes(job)] == ["created", "created", "created", "refused"]
    assert job.unknown_values == {"cf_tier": ["Copper"]}
    assert [c["value"] for c in CustomField.objects.get(key="tier").choices] == ["gold", "silver"]

    job = run(job, root)
    assert [o for o, _m in outcomes(job)] == ["created", "created", "created", "refused"]
    assert outcomes(job)[3][1].startswith("Tier: Choose one of: gold, silver, Bronze")
    data = dict(Account.objects.values_list("name", "custom_field_data"))
    assert data["(주)브론즈"] == {"tier": "Bronze", "tags": ["erp", "hr"]}
    assert data["(주)플래티넘"] == {"tier": "gold", "tags": ["crm"]}
    assert data["(주)인사"] == {"tier": "gold", "tags": ["hr"]}
    assert "(주)구리" not in data
    tier = CustomField.objects.get(key="tier")
    assert tier.choices[-1] == {
        "value": "Bronze",
        "label_ko": "Bronze",
        "label_en": "Bronze",
        "archived": False,
    }
    assert [c["value"] for c in CustomField.objects.get(key="tags").choices] == ["erp", "crm", "hr"]

    # The next file with the saved mapping: the added choices are plain choices now.
    nxt = make_job(root, "account", ROWS[:2], mapping=SavedMapping.objects.get(name="old crm tiers"))
    assert nxt.values == mapped
    dry(nxt, root)
    assert [o for o, _m in outcomes(nxt)] == ["matched"]
    assert CustomField.objects.get(key="tier").version == tier.version  # nothing added twice


def test_mapping_page_offers_choices_and_adding_one(client, root):
    _fields(root)
    job = make_job(root, "account", ROWS[:2])
    dry(job, root)
    client.force_login(root)
    body = client.get(reverse("transfer:job", args=[job.pk])).content.decode()
    assert 'data-testid="val-cf_tier-0"' in body
    assert f'value="{NEW_CHOICE}"' in body and ">Gold</option>" in body
    form = {f"col-{i}": job.columns.get(h, "") for i, h in enumerate(job.headers)}
    response = client.post(reverse("transfer:mapping", args=[job.pk]), {**form, "val-cf_tier-0": "silver"})
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.values == {"cf_tier": {"Bronze": "silver"}}


ACTIVITY_HEADER = ["Id", "Type", "Subject", "Channel", "People", "Cost"]


def test_activity_import_fills_custom_fields_checked_row_by_row(root):
    channels = [{"value": "zoom", "label_en": "Zoom"}, {"value": "visit", "label_ko": "방문"}]
    cf.create_field(actor=root, object="activity", key="channel", label_ko="채널", label_en="Channel",
                    type="choice", choices=channels)  # fmt: skip
    cf.create_field(actor=root, object="activity", key="people", label_ko="인원", label_en="People",
                    type="number", min_value=1)  # fmt: skip
    cf.create_field(actor=root, object="activity", key="cost", label_ko="비용", label_en="Cost", type="money")
    assert "cf_channel" in dict(services.field_choices("activity"))
    rows = [
        ACTIVITY_HEADER,
        ["X1", "task", "킥오프", "방문", "3", "50000"],
        ["X2", "call", "통화", "phone", "2", ""],
        ["X3", "task", "할 일", "", "0", ""],
        ["X4", "task", "견적", "zoom", "", "12 dollars"],
    ]
    job = make_job(root, "activity", rows)
    assert job.columns["Channel"] == "cf_channel" and job.columns["Cost"] == "cf_cost"
    job = run(job, root)
    result = outcomes(job)
    assert [o for o, _m in result] == ["created", "refused", "refused", "refused"]
    assert result[1][1] == "Channel: Choose one of: zoom, visit."
    assert result[2][1] == "People: The value must be at least 1."
    assert result[3][1].startswith("Cost: ")
    assert job.unknown_values == {"cf_channel": ["phone"]}
    kickoff = Activity.objects.get(subject="킥오프")
    assert kickoff.custom_field_data == {
        "channel": "visit",
        "people": 3,
        "cost": {"amount": 50000, "currency": "KRW"},
    }
    assert list(Activity.objects.values_list("subject", flat=True)) == ["킥오프"]

    # A re-import changes the custom values that differ; the rollback puts the old ones back.
    again = [ACTIVITY_HEADER, ["X1", "task", "킥오프", "zoom", "3", "50000"]]
    job2 = run(make_job(root, "activity", again), root)
    assert outcomes(job2) == [("updated", "custom_field_data")]
    kickoff.refresh_from_db()
    assert kickoff.custom_field_data["channel"] == "zoom" and kickoff.custom_field_data["people"] == 3
    assert [o for o, _m in outcomes(run(make_job(root, "activity", again), root))] == ["matched"]
    services.rollback(job2, actor=root)
    kickoff.refresh_from_db()
    assert kickoff.custom_field_data["channel"] == "visit"
