"""The seven questions' reports run concurrently on PostgreSQL give exactly the sequential answers,
in the reader's language."""

from __future__ import annotations

import pytest
from django.db import connection
from django.utils import translation

from baton.accounts.services import create_account
from baton.deals.services import create_opportunity
from baton.insights.models import SavedReport
from baton.insights.reports import parse_definition, run_report
from baton.insights.reports.parallel import can_run_in_parallel, run_reports

pytestmark = pytest.mark.django_db(transaction=True)


def test_parallel_reports_equal_sequential_ones(personas):
    if connection.vendor != "postgresql":
        pytest.skip("threads with their own connections need PostgreSQL")
    alice, charlie = personas["alice"], personas["charlie"]
    create_opportunity(
        actor=alice, name="알리스 건", account=create_account(actor=alice, name="가"), amount=1
    )
    create_opportunity(
        actor=charlie, name="찰리 건", account=create_account(actor=charlie, name="나"), amount=2
    )
    definitions = [
        parse_definition(r.definition)
        for r in SavedReport.objects.filter(is_builtin=True, question__isnull=False).order_by("question")
    ]
    assert can_run_in_parallel()
    with translation.override("ko"):
        together = run_reports(definitions, alice)
        one_by_one = [run_report(d, alice) for d in definitions]
    for a, b in zip(together, one_by_one, strict=True):
        assert (a.count, a.total, a.row_keys, a.row_totals) == (b.count, b.total, b.row_keys, b.row_totals)
        assert [a.label(0, k) for k in a.row_keys] == [b.label(0, k) for k in b.row_keys]
