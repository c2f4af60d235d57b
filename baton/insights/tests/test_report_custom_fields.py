"""Custom fields in the report builder: columns, filters, grouping and a summed custom number, checked
against values counted by hand; a field a rep may not read is dropped from what they run and offer."""

from __future__ import annotations

from django.urls import reverse

from baton.core.customfields import services as cf
from baton.core.models import Role
from baton.deals.services import create_opportunity
from baton.insights.reports import parse_definition, run_report


def _deals(personas, world):
    root, alice = personas["root"], personas["alice"]
    segments = [{"value": "smb", "label_en": "Small business"}, {"value": "ent", "label_en": "Enterprise"}]
    cf.create_field(actor=root, object="opportunity", key="segment", label_ko="세그먼트", label_en="Segment",
                    type="choice", choices=segments)  # fmt: skip
    cf.create_field(actor=root, object="opportunity", key="seats", label_ko="좌석", label_en="Seats",
                    type="number")  # fmt: skip
    cf.create_field(actor=root, object="opportunity", key="risk", label_ko="위험", label_en="Risk",
                    type="text", read_roles=[Role.SALES_MANAGER])  # fmt: skip
    for name, segment, seats in (("A", "ent", 10), ("B", "ent", 20), ("C", "smb", 5)):
        create_opportunity(
            actor=root,  # an administrator may fill in the manager-only field too
            owner=alice,
            name=name,
            account=world["account"],
            amount=1_000_000,
            custom_field_data={"segment": segment, "seats": seats, "risk": "높음"},
        )


def test_group_filter_and_sum_custom_fields(personas, world):
    _deals(personas, world)
    alice, dana = personas["alice"], personas["dana"]
    definition = parse_definition(
        {"object": "opportunities", "group_by": ["cf_segment"], "aggregate": "sum", "measure": "cf_seats"}
    )
    result = run_report(definition, alice)
    # By hand: ent 10 + 20 = 30, smb 5; the world's deal has no segment (seats none).
    cells = {result.label(0, key): result.row_totals[key] for key in result.row_keys}
    assert cells["Enterprise"] == 30 and cells["Small business"] == 5
    assert result.total == 35

    def count(filters):
        return run_report(parse_definition({"object": "opportunities", "filters": filters}), alice).count

    assert count([{"field": "cf_segment", "op": "eq", "value": "ent"}]) == 2
    assert count([{"field": "cf_seats", "op": "gte", "value": "15"}]) == 1
    assert count([{"field": "cf_segment", "op": "empty"}]) == 1  # the world's deal
    assert count([{"field": "cf_seats", "op": "in", "value": "5,20"}]) == 2

    listing = run_report(
        parse_definition({"object": "opportunities", "columns": ["name", "cf_segment", "cf_risk"]}), alice
    )
    assert [c.key for c in listing.definition.columns] == ["name", "cf_segment"]  # risk: managers only
    grouped = run_report(parse_definition({"object": "opportunities", "group_by": ["cf_risk"]}), alice)
    assert grouped.definition.group_by == []
    by_risk = run_report(parse_definition({"object": "opportunities", "group_by": ["cf_risk"]}), dana)
    assert [by_risk.label(0, k) for k in by_risk.row_keys if k] == ["높음"]


def test_builder_page_offers_only_readable_custom_fields(client, personas, world):
    _deals(personas, world)
    client.force_login(personas["alice"])
    url = reverse("insights:report_builder")
    body = client.get(url, {"object": "opportunities", "group1": "cf_segment"}).content.decode()
    assert 'value="cf_segment"' in body and "Enterprise" in body
    assert 'value="cf_risk"' not in body
    client.force_login(personas["dana"])
    assert 'value="cf_risk"' in client.get(url, {"object": "opportunities"}).content.decode()
