"""The rule page's action builder: rows (type, then that type's settings) make the same action list the
API takes, in the order the rows give; refused rows say why, keep what was entered and save nothing."""

from __future__ import annotations

import re

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from baton.automation.models import Rule
from conftest import login

# The people list of the builder's settings: active users by first name.
PEOPLE_SQL = re.compile(r'ORDER BY\s+"[a-z_]+"\."first_name"')
PAGE_QUERIES = 5  # every query of the page, the people list once among them


def _rule(**values):
    data = {
        "name": "새 리드 환영",
        "object_kind": "lead",
        "trigger": "created",
        "trigger_field": "",
        "trigger_value": "",
        "offset_days": "0",
        "condition": "",
        "sequence": "10",
        "builder": "1",
        "actions": "[]",
    }
    return data | values


def test_rows_become_the_action_list_in_their_order(client, personas, root):
    login(client, root)
    page = client.get(reverse("automation:create")).content.decode()
    assert page.count('data-testid="action-row"') == 2 and 'data-action-group="create_task"' in page
    response = client.post(
        reverse("automation:create"),
        _rule(
            **{
                "a0-order": "2",
                "a0-type": "create_task",
                "a0-create_task-subject": "첫 통화",
                "a0-create_task-assignee": "owner",
                "a0-create_task-due_in_days": "1",
                "a0-notify-text": "this belongs to a type not chosen: ignored",
                "a1-order": "1",
                "a1-type": "notify",
                "a1-notify-user": str(personas["dana"].pk),
                "a1-notify-text": "새 리드가 왔습니다",
                "a2-order": "3",
                "a2-type": "",
                "a2-create_task-subject": "a row with no type is left out",
            }
        ),
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    rule = Rule.objects.get()
    assert rule.actions == [
        {"type": "notify", "user": personas["dana"].pk, "text": "새 리드가 왔습니다"},
        {"type": "create_task", "subject": "첫 통화", "assignee": "owner", "due_in_days": 1},
    ]
    # Editing shows the saved actions as rows, each with its type chosen, plus two blank rows.
    page = client.get(reverse("automation:edit", args=[rule.pk])).content.decode()
    assert page.count('data-testid="action-row"') == 4
    assert 'value="첫 통화"' in page and 'value="새 리드가 왔습니다"' in page


def test_a_refused_row_says_why_and_keeps_what_was_entered(client, root):
    login(client, root)
    response = client.post(
        reverse("automation:create"),
        _rule(
            **{
                "a0-type": "create_task",
                "a0-create_task-subject": "",
                "a1-type": "notify",
                "a1-notify-text": "메모",
            }
        ),
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert 'data-testid="error-actions"' in body and "a task needs a subject" in body
    assert 'value="메모"' in body  # what was entered is drawn again
    assert not Rule.objects.exists()
    none_chosen = client.post(reverse("automation:create"), _rule())
    assert none_chosen.status_code == 400 and "Give at least one action." in none_chosen.content.decode()
    wrong_object = client.post(reverse("automation:create"), _rule(**{"a0-type": "start_approval"}))
    assert (
        wrong_object.status_code == 400 and "does not apply to this object" in wrong_object.content.decode()
    )
    assert not Rule.objects.exists()


def test_the_builders_dry_run_uses_the_rows(client, root, world):
    login(client, root)
    response = client.post(
        reverse("automation:create"),
        _rule(**{"dry_run": "1", "a0-type": "create_task", "a0-create_task-subject": "확인 전화"}),
    )
    assert response.status_code == 200
    assert 'data-testid="dry-hit"' in response.content.decode()
    assert not Rule.objects.exists()


def test_the_people_list_is_read_once_per_page(client, root):
    """Review fix: four settings list the people (a task's and a request's assignee, who to notify,
    who follows); the page reads that list once, not once per setting."""
    login(client, root)
    with CaptureQueriesContext(connection) as queries:
        page = client.get(reverse("automation:create"))
    assert page.status_code == 200
    people = [q["sql"] for q in queries.captured_queries if PEOPLE_SQL.search(q["sql"])]
    assert len(people) == 1, people
    assert len(queries.captured_queries) == PAGE_QUERIES
