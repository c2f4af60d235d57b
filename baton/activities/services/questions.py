"""Open "?" questions: the unknowns of meeting minutes and activities, followed up until answered."""

from __future__ import annotations

import re

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from baton.activities.models import LINK_FIELDS, Activity, FeedEntry, Notification, OpenQuestion
from baton.activities.services.links import activity_url, require_edit
from baton.activities.services.notifications import add_feed_entry, notify
from baton.core.audit import log_change
from baton.core.i18n_text import Msg
from baton.core.models import ChangeLog, User

QUESTION_RE = re.compile(r"^\s*\?\s*(.+?)\s*$")


def parse_questions(text: str) -> list[str]:
    """Lines of minutes that start with "?" are unknowns to follow up."""
    found = []
    for line in (text or "").splitlines():
        match = QUESTION_RE.match(line)
        if match and match.group(1).strip("? "):
            found.append(match.group(1)[:500])
    return found


def record_question(activity: Activity, *, actor: User, question: str) -> OpenQuestion:
    links = {name: getattr(activity, f"{name}_id") for name in LINK_FIELDS}
    q = OpenQuestion(
        activity=activity,
        question=question[:500],
        owner_id=activity.owner_id or actor.pk,
        **{f"{name}_id": value for name, value in links.items()},
    )
    q.full_clean(exclude=["activity", "owner", *LINK_FIELDS])
    q.save()
    log_change(actor=actor, action=ChangeLog.Action.CREATE, instance=q, after={"question": q.question})
    return q


@transaction.atomic
def add_question(activity: Activity, *, actor: User, question: str) -> OpenQuestion:
    require_edit(actor, activity)
    question = (question or "").strip().lstrip("?").strip()
    if not question:
        raise ValidationError({"question": [_("Write the question.")]})
    q = record_question(activity, actor=actor, question=question)
    links = {name: getattr(activity, name) for name in LINK_FIELDS if getattr(activity, f"{name}_id")}
    if links:
        add_feed_entry(FeedEntry.Kind.QUESTION, actor=actor, links=links, activity=activity, text=q.question)
    return q


@transaction.atomic
def answer_question(question: OpenQuestion, *, actor: User, answer: str) -> OpenQuestion:
    if question.activity is not None:
        require_edit(actor, question.activity)
    elif question.owner_id != actor.pk and not actor.is_admin:
        raise PermissionDenied(_("You may not answer this question."))
    answer = (answer or "").strip()
    if not answer:
        raise ValidationError({"answer": [_("Write the answer.")]})
    if question.status == OpenQuestion.Status.ANSWERED:
        raise ValidationError({"answer": [_("This question was already answered.")]})
    updated = OpenQuestion.objects.filter(pk=question.pk, status=OpenQuestion.Status.OPEN).update(
        status=OpenQuestion.Status.ANSWERED, answer=answer, answered_by=actor, answered_at=timezone.now()
    )
    if not updated:  # someone answered it between load and save
        raise ValidationError({"answer": [_("This question was already answered.")]})
    question.refresh_from_db()
    log_change(
        actor=actor,
        action=ChangeLog.Action.UPDATE,
        instance=question,
        before={"status": OpenQuestion.Status.OPEN},
        after={"status": question.status, "answer": answer},
    )
    links = {name: getattr(question, name) for name in LINK_FIELDS if getattr(question, f"{name}_id")}
    if links:
        add_feed_entry(
            FeedEntry.Kind.ANSWER,
            actor=actor,
            links=links,
            activity=question.activity,
            text=f"? {question.question} → {answer}",
        )
    notify(
        [question.owner_id],
        kind=Notification.Kind.ANSWER,
        actor=actor,
        text=Msg(gettext_noop("%(user)s answered “%(question)s”"), user=actor, question=question.question),
        url=activity_url(question.activity) if question.activity else "",
        activity=question.activity,
    )
    return question
