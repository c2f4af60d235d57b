"""How the people around a record hear of it: followers, in-app notifications and feed entries."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from baton.activities.models import Activity, FeedEntry, Follow, Notification
from baton.activities.services.links import check_visible, record_link_name
from baton.core.audit import log_change
from baton.core.i18n_text import Msg
from baton.core.models import ChangeLog, User
from baton.core.records import readers_among, record_url


def followers_of(record: models.Model) -> set[int]:
    """Users following a record who may still read it: explicit follows plus the owner unless they
    unfollowed. Someone who lost access to the record is no longer told about it."""
    return readers_among(record, declared_followers(record))


def declared_followers(record: models.Model) -> set[int]:
    name = record_link_name(record)
    rows = Follow.objects.filter(**{name: record}).values_list("user_id", "active")
    ids = {uid for uid, active in rows if active}
    opted_out = {uid for uid, active in rows if not active}
    owner_id = getattr(record, "owner_id", None)  # every linkable record is an OwnedRecord
    if owner_id and owner_id not in opted_out:
        ids.add(owner_id)
    return ids


def is_following(user: User, record: models.Model) -> bool:
    """For a reader of the record (the caller checked they may see it)."""
    return user.pk in declared_followers(record)


@transaction.atomic
def set_following(record: models.Model, *, user: User, follow: bool) -> None:
    check_visible(user, record)
    name = record_link_name(record)
    link: dict[str, Any] = {name: record}
    Follow.objects.update_or_create(user=user, **link, defaults={"active": follow})
    log_change(
        actor=user,
        action=ChangeLog.Action.UPDATE,
        instance=record,
        after={"following": follow},
        note="follow" if follow else "unfollow",
    )


def notify(
    recipients: Iterable[int],
    *,
    kind: str,
    text: str | Msg,
    actor: User | None = None,
    url: str = "",
    activity: Activity | None = None,
    skip: Iterable[int] = (),
) -> list[Notification]:
    """Queue in-app notifications (never to the actor themself). A ``Msg`` is stored as its code and
    parameters too, so each reader sees it in their current language."""
    message = text.as_json() if isinstance(text, Msg) else {}
    text = str(text)
    skip_ids = set(skip)
    if actor is not None:
        skip_ids.add(actor.pk)
    rows = [
        Notification(
            recipient_id=uid,
            actor=actor,
            kind=kind,
            text=text[:300],
            message=message,
            url=url[:300],
            activity=activity,
        )
        for uid in sorted(set(recipients) - skip_ids)
    ]
    return Notification.objects.bulk_create(rows)


@transaction.atomic
def mark_read(user: User, ids: Iterable[int] | None = None) -> int:
    qs = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    return qs.update(read_at=timezone.now())


def followers_of_links(links: dict[str, Any]) -> set[int]:
    """Followers of any linked record who may read the entry's own record (the first link: the deal
    or contact an account-linked entry is about), so an account's followers are not told of a deal
    they cannot open."""
    if not links:
        return set()
    ids: set[int] = set()
    for record in links.values():
        ids |= declared_followers(record)
    return readers_among(next(iter(links.values())), ids)


def add_feed_entry(
    kind: str, *, actor: User | None, links: dict[str, Any], text: str | Msg = "", **extra: Any
) -> FeedEntry:
    """One entry of a record's feed. A ``Msg`` is stored as its code and parameters too, so each
    reader sees it in their current language (``FeedEntry.display_text``)."""
    message = text.as_json() if isinstance(text, Msg) else {}
    return FeedEntry.objects.create(kind=kind, actor=actor, text=str(text), message=message, **links, **extra)


def notify_followers_of_change(record: models.Model, *, actor: User | None, text: str | Msg) -> None:
    """For other apps' services: tell the followers of a record that something changed on it."""
    notify(
        followers_of(record), kind=Notification.Kind.CHANGE, actor=actor, text=text, url=record_url(record)
    )
