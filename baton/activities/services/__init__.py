"""Every write of the activities app, one module per topic; import from here or from the module.

- ``activity``: activities themselves (create, update, complete, reschedule, requests, files),
  their reminders and calendar keys;
- ``questions``: open "?" questions;
- ``comments``: comments with @mentions and replies;
- ``notifications``: followers, in-app notifications and feed entries;
- ``links``: links to customer records and who may change an activity.

Mail lives in ``activities.mail``, reminder delivery in ``activities.reminders`` and follower
notifications about other apps' changes in ``activities.changes``; all of them call into here.

Each function runs in one transaction and writes its audit row explicitly; a refused write raises
``ValidationError`` (bad input), ``PermissionDenied`` (not allowed) or ``ServiceError`` and leaves
nothing behind.
"""

from __future__ import annotations

from baton.activities.services.activity import (
    EDITABLE,
    attach_file,
    complete_activity,
    create_activity,
    create_request,
    create_request_for,
    keys_for,
    max_attachment_bytes,
    reschedule_activity,
    rotate_calendar_token,
    schedule_reminders,
    update_activity,
)
from baton.activities.services.comments import mentioned_users, post_comment, sanitize_comment
from baton.activities.services.links import (
    activity_url,
    can_edit_activity,
    check_visible,
    links_for,
    record_link_name,
    require_edit,
)
from baton.activities.services.notifications import (
    add_feed_entry,
    followers_of,
    is_following,
    mark_read,
    notify,
    notify_followers_of_change,
    set_following,
)
from baton.activities.services.questions import add_question, answer_question, parse_questions
from baton.core.services import ConflictError

__all__ = [
    "EDITABLE",
    "ConflictError",
    "activity_url",
    "add_feed_entry",
    "add_question",
    "answer_question",
    "attach_file",
    "can_edit_activity",
    "check_visible",
    "complete_activity",
    "create_activity",
    "create_request",
    "create_request_for",
    "followers_of",
    "is_following",
    "keys_for",
    "links_for",
    "mark_read",
    "max_attachment_bytes",
    "mentioned_users",
    "notify",
    "notify_followers_of_change",
    "parse_questions",
    "post_comment",
    "record_link_name",
    "require_edit",
    "reschedule_activity",
    "rotate_calendar_token",
    "sanitize_comment",
    "schedule_reminders",
    "set_following",
    "update_activity",
]
