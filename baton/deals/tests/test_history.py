"""A deal's history shows its children's changes: line items, quotes and team members are filed under it."""

import pytest
from django.db import connection

from baton.core.audit import history_for
from baton.core.models import ChangeLog
from baton.deals import quoting, team
from baton.deals.tests.factories import add_lines, make_catalog

pytestmark = pytest.mark.django_db


def test_children_changes_show_in_the_opportunitys_history(client, world, alice, bob):
    opp = world["opportunity"]
    add_lines(opp, alice, make_catalog())
    quote = quoting.create_quote(opp, actor=alice)
    member = team.add_team_member(opp, actor=alice, user=bob, role="solution_architect")
    rows = history_for(opp, limit=100)
    filed = {(row.content_type.model, row.object_id) for row in rows}
    line = opp.line_items.first()
    assert ("lineitem", line.pk) in filed
    assert ("quote", quote.pk) in filed
    assert ("dealteammember", member.pk) in filed
    assert ("opportunity", opp.pk) in filed
    # Another deal's children stay out of it.
    other = ChangeLog.objects.filter(content_type__model="account").first()
    assert other is not None and ("account", other.object_id) not in filed
    client.force_login(alice)
    page = client.get(f"/deals/{opp.pk}/").content.decode()
    assert quote.number in page


def test_change_log_is_indexed_by_actor_and_time():
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, ChangeLog._meta.db_table)
    assert any(c["index"] and c["columns"][:2] == ["actor_id", "time"] for c in constraints.values()), (
        constraints
    )
