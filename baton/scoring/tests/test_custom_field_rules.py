"""A lead custom field in the fit rules: ``cf_<key>`` as the attribute, scored on create and on change,
the same in bulk; a field some readers may not read is refused (the reasons would reveal it)."""

import pytest
from django.core.exceptions import ValidationError

from baton.core.customfields import services as cf
from baton.core.models import Role
from baton.leads.services import create_lead, update_lead
from baton.scoring.forms import attribute_choices
from baton.scoring.models import LeadScore
from baton.scoring.scores.services import save_rule, score_all_leads


def _rule(root, attribute, operator, value, points):
    values = {"category": "fit", "label": attribute, "attribute": attribute, "operator": operator}
    return save_rule(None, actor=root, values=values | {"value": value, "points": points})


@pytest.mark.django_db
def test_custom_field_fit_rules(alice, root):
    band = [{"value": "s", "label_ko": "소"}, {"value": "l", "label_ko": "대"}]
    for key, kind, extra in (
        ("band", "choice", {"choices": band}),
        ("seats", "number", {}),
        ("pilot", "boolean", {}),
        ("margin", "number", {"read_roles": [Role.SALES_MANAGER]}),
    ):
        cf.create_field(actor=root, object="lead", key=key, label_ko=key, label_en=key, type=kind, **extra)
    groups = dict(attribute_choices())
    custom = dict(next(choices for label, choices in groups.items() if "custom" in str(label)))
    assert set(custom) == {"cf_band", "cf_seats", "cf_pilot"}
    _rule(root, "cf_band", "eq", "l", 12)
    _rule(root, "cf_seats", "gte", "100", 5)
    _rule(root, "cf_pilot", "false", "", 3)
    with pytest.raises(ValidationError):
        _rule(root, "cf_margin", "gte", "10", 50)
    with pytest.raises(ValidationError):
        _rule(root, "cf_nope", "eq", "x", 1)

    # No default rule matches these leads (no industry, size, title or source bonus beyond the defaults').
    plain = create_lead(actor=alice, name="빈 리드")
    base = LeadScore.objects.get(lead=plain).fit
    values = {"band": "l", "seats": 250, "pilot": True}
    lead = create_lead(actor=alice, name="김하늘", custom_field_data=values)
    # By hand: band l 12 + seats 250 >= 100 5; pilot true so "false" adds nothing; the empty lead
    # gets the pilot rule's 3 (no value counts as false).
    assert LeadScore.objects.get(lead=lead).fit == base - 3 + 12 + 5
    update_lead(lead, actor=alice, changes={"custom_field_data": {"seats": 99}}, expected_version=None)
    assert LeadScore.objects.get(lead=lead).fit == base - 3 + 12
    single = {s.lead_id: s.fit for s in LeadScore.objects.all()}
    LeadScore.objects.all().delete()
    score_all_leads(batch=1)
    assert {s.lead_id: s.fit for s in LeadScore.objects.all()} == single
