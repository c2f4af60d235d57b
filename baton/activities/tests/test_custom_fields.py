"""Custom fields on activities (issue 15): an administrator adds them; the API and the activity form
write them through the same checks as a lead's; the detail page and the API show only the fields the
reader may read."""

from __future__ import annotations

from baton.activities.models import Activity
from baton.core.customfields import services as cf
from baton.core.models import Role
from baton.core.tests.test_api_support import ApiClient


def _fields(root):
    cf.create_field(
        actor=root,
        object="activity",
        key="visit_purpose",
        label_ko="방문 목적",
        label_en="Visit purpose",
        type="choice",
        choices=[
            {"value": "demo", "label_en": "Demo", "label_ko": "시연"},
            {"value": "qbr", "label_en": "QBR"},
        ],
    )
    cf.create_field(
        actor=root,
        object="activity",
        key="cost_note",
        label_ko="비용 메모",
        label_en="Cost note",
        type="text",
        read_roles=[Role.SALES_MANAGER],
    )


def test_activity_custom_fields_through_the_api(personas, world):
    alice, dana, root = personas["alice"], personas["dana"], personas["root"]
    _fields(root)
    api = ApiClient(alice)
    payload = {
        "kind": "task",
        "subject": "시연 준비",
        "record_type": "account",
        "record_id": world["account"].pk,
    }
    bad = api.post("/activities", payload | {"custom_fields": {"visit_purpose": "golf"}})
    assert bad.status_code == 422 and "cf_visit_purpose" in bad.json()["errors"]
    unknown = api.post("/activities", payload | {"custom_fields": {"nope": 1}})
    assert unknown.status_code == 422 and unknown.json()["errors"] == {"cf_nope": ["Unknown custom field."]}
    assert not Activity.objects.filter(subject="시연 준비").exists()
    created = api.post("/activities", payload | {"custom_fields": {"visit_purpose": "demo"}})
    assert created.status_code == 201, created.json()
    assert created.json()["custom_fields"] == {"visit_purpose": "demo"}
    activity = Activity.objects.get(pk=created.json()["id"])
    Activity.objects.filter(pk=activity.pk).update(
        custom_field_data={"visit_purpose": "demo", "cost_note": "90만원"}
    )
    # The manager-only field stays out of the rep's answer and is in the manager's.
    assert api.get(f"/activities/{activity.pk}").json()["custom_fields"] == {"visit_purpose": "demo"}
    assert ApiClient(dana).get(f"/activities/{activity.pk}").json()["custom_fields"] == {
        "visit_purpose": "demo",
        "cost_note": "90만원",
    }


def test_activity_form_and_page_show_the_fields(client, personas, world):
    alice, root = personas["alice"], personas["root"]
    _fields(root)
    client.force_login(alice)
    account = world["account"]
    page = client.get(f"/activities/new/?record=account:{account.pk}").content.decode()
    assert 'name="cf_visit_purpose"' in page and 'name="cf_cost_note"' not in page
    response = client.post(
        f"/activities/new/?record=account:{account.pk}",
        {"kind": "task", "subject": "분기 리뷰", "cf_visit_purpose": "qbr"},
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    activity = Activity.objects.get(subject="분기 리뷰")
    assert activity.custom_field_data == {"visit_purpose": "qbr"}
    detail = client.get(f"/activities/{activity.pk}/").content.decode()
    assert "Visit purpose" in detail and "QBR" in detail
    response = client.post(
        f"/activities/{activity.pk}/edit/",
        {"kind": "task", "subject": "분기 리뷰", "cf_visit_purpose": "demo", "version": activity.version},
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    activity.refresh_from_db()
    assert activity.custom_field_data == {"visit_purpose": "demo"}


def test_activity_form_shares_the_record_forms_custom_field_wiring(personas):
    """Review fix: the activity form wires its custom fields through the same code as every record form
    (ServiceModelForm), not a copy: readable fields only, read-only where the user may not edit, only
    the changed values on edit."""
    from baton.activities.forms import ActivityForm
    from baton.core.customfields.forms import CustomFieldsMixin
    from baton.core.views_generic import ServiceModelForm

    assert issubclass(ActivityForm, CustomFieldsMixin) and issubclass(ServiceModelForm, CustomFieldsMixin)
    alice, root = personas["alice"], personas["root"]
    _fields(root)
    cf.create_field(actor=root, object="activity", key="budget_code", label_ko="예산 코드",
                    label_en="Budget code", type="text", edit_roles=[Role.SALES_MANAGER])  # fmt: skip
    stored = {"visit_purpose": "demo", "budget_code": "B-1", "cost_note": "비밀"}
    posted = {"kind": "task", "subject": "방문", "cf_visit_purpose": "qbr", "cf_budget_code": "B-2"}
    form = ActivityForm(posted, user=alice, custom_data=stored)
    assert form.custom_names == ["cf_visit_purpose", "cf_budget_code"]  # the manager-only note is left out
    assert form.fields["cf_budget_code"].disabled
    assert form.is_valid(), form.errors
    values = form.service_values(editing=True)
    assert values["custom_field_data"] == {"visit_purpose": "qbr"}
    assert not any(name.startswith("cf_") for name in values)
    unchanged = ActivityForm({**posted, "cf_visit_purpose": "demo"}, user=alice, custom_data=stored)
    assert unchanged.is_valid() and "custom_field_data" not in unchanged.service_values(editing=True)
