"""Pages of the activities app, one module per topic; ``urls.py`` names them through this package.

- ``activity``: my day, the activity form and detail, completing, rescheduling, "?" questions, files;
- ``feed``: the record panel and feed (``panel_context`` is what other apps' record pages embed),
  comments, follows, requests, "my feed";
- ``notifications``: the bell and the notifications page;
- ``calendar``: the calendar and the iCalendar feed;
- ``team``: the manager's page;
- ``mail``: composing mail, templates, the inbound review queue, attachment downloads.

Views are thin: they parse input, fetch through ``queries`` (404 for what the user may not see) and
call one service.
"""

from __future__ import annotations

from baton.activities.views.activity import (
    activity_complete,
    activity_create,
    activity_detail,
    activity_edit,
    activity_reschedule,
    attachment_add,
    my_day,
    question_add,
    question_answer,
)
from baton.activities.views.calendar import calendar_page, calendar_rotate, ical_feed
from baton.activities.views.feed import (
    comment_post,
    follow_toggle,
    my_feed_page,
    panel_context,
    record_feed_page,
    record_page,
    record_panel,
    request_create,
)
from baton.activities.views.notifications import notification_bell, notifications_page, notifications_read
from baton.activities.views.team import team_page

__all__ = [
    "activity_complete",
    "activity_create",
    "activity_detail",
    "activity_edit",
    "activity_reschedule",
    "attachment_add",
    "calendar_page",
    "calendar_rotate",
    "comment_post",
    "follow_toggle",
    "ical_feed",
    "my_day",
    "my_feed_page",
    "notification_bell",
    "notifications_page",
    "notifications_read",
    "panel_context",
    "question_add",
    "question_answer",
    "record_feed_page",
    "record_page",
    "record_panel",
    "request_create",
    "team_page",
]
