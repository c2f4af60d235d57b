"""Comments on a record's feed, with @mentions and replies."""

from __future__ import annotations

import re

import nh3
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from baton.activities.models import FeedEntry, Notification, visible_records
from baton.activities.services.links import check_visible, links_for, record_link_name
from baton.activities.services.notifications import add_feed_entry, followers_of_links, notify
from baton.core.audit import log_change
from baton.core.i18n_text import Msg
from baton.core.models import ChangeLog, User
from baton.core.records import readers_among, record_url

COMMENT_TAGS = {"a", "b", "strong", "i", "em", "p", "br", "ul", "ol", "li", "code", "pre", "blockquote"}
MENTION_RE = re.compile(r"(?<![\w@])@([A-Za-z0-9_.+\-]{2,150})")


def sanitize_comment(text: str) -> str:
    """Keep simple formatting, drop scripts, handlers and styles; plain text keeps its line breaks."""
    cleaned = nh3.clean(text, tags=COMMENT_TAGS, attributes={"a": {"href"}}, link_rel="noopener noreferrer")
    return cleaned.replace("\r\n", "\n").replace("\n", "<br>")


def mentioned_users(text: str) -> list[User]:
    names = sorted({m.lower().rstrip(".") for m in MENTION_RE.findall(text or "")})[:20]
    if not names:
        return []
    cond = models.Q()
    for name in names:
        cond |= models.Q(username__iexact=name)
    return list(User.objects.filter(cond, is_active=True))


@transaction.atomic
def post_comment(
    record: models.Model, *, actor: User, text: str, parent: FeedEntry | None = None
) -> FeedEntry:
    check_visible(actor, record)
    raw = (text or "").strip()
    if not raw:
        raise ValidationError({"text": [_("Write a comment.")]})
    if len(raw) > 10_000:
        raise ValidationError({"text": [_("The comment is too long (at most 10,000 characters).")]})
    links = links_for(record)
    if parent is not None and getattr(parent, f"{record_link_name(record)}_id") != record.pk:
        raise ValidationError({"parent": [_("Unknown comment.")]})
    entry = add_feed_entry(
        FeedEntry.Kind.COMMENT, actor=actor, links=links, text=sanitize_comment(raw), parent=parent
    )
    log_change(
        actor=actor,
        action=ChangeLog.Action.CREATE,
        instance=entry,
        after={"comment": raw[:500]},
        note="comment",
    )
    url = record_url(record)
    mentioned = [
        u for u in mentioned_users(raw) if visible_records(type(record), u).filter(pk=record.pk).exists()
    ]
    mention_ids = {u.pk for u in mentioned}
    notify(
        mention_ids,
        kind=Notification.Kind.MENTION,
        actor=actor,
        text=Msg(gettext_noop("%(user)s mentioned you on %(record)s"), user=actor, record=record),
        url=url,
    )
    skip = set(mention_ids)
    if parent is not None and parent.actor_id:
        notify(
            readers_among(record, [parent.actor_id]),
            kind=Notification.Kind.REPLY,
            actor=actor,
            text=Msg(gettext_noop("%(user)s replied to you on %(record)s"), user=actor, record=record),
            url=url,
            skip=skip,
        )
        skip.add(parent.actor_id)
    notify(
        followers_of_links(links),
        kind=Notification.Kind.CHANGE,
        actor=actor,
        text=Msg(gettext_noop("%(user)s commented on %(record)s"), user=actor, record=record),
        url=url,
        skip=skip,
    )
    return entry
