"""Outgoing mail: sending from a record (queued, logged as an email activity, delivered through SMTP
by the ``send_email`` task; a failure notifies the sender)."""

from __future__ import annotations

import datetime as dt
import logging
import re
from email.utils import make_msgid
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.validators import validate_email
from django.db import models, transaction
from django.utils import timezone, translation
from django.utils.html import escape, linebreaks
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from baton.activities.jobs import enqueue_on_commit, task
from baton.activities.models import (
    Activity,
    EmailMessage,
    Notification,
)
from baton.activities.services import activity_url, check_visible, create_activity, notify
from baton.activities.touches import activity_touch_changed
from baton.core.audit import audit_context, log_change, new_job_id
from baton.core.events import MailSending, mail_sending
from baton.core.i18n_text import Msg
from baton.core.models import ChangeLog, User
from baton.core.services import update_record

log = logging.getLogger("baton.activities.mail")


def _parse_addresses(raw: str | list[str], field: str) -> list[str]:
    items = raw if isinstance(raw, list) else re.split(r"[,;\s]+", raw or "")
    found = [a.strip() for a in items if a and a.strip()]
    bad = []
    for address in found:
        try:
            validate_email(address)
        except ValidationError:
            bad.append(address)
    if bad:
        raise ValidationError({field: [_("Not a valid email address: %(a)s") % {"a": ", ".join(bad)[:200]}]})
    return found


def send_record_email(
    record: models.Model,
    *,
    actor: User,
    to: str | list[str],
    subject: str,
    body: str,
    cc: str | list[str] = "",
    marketing: bool = False,
) -> EmailMessage:
    """Queue a mail about a record and log it as an email activity on the record.

    Bad input is refused before anything is written. The mail itself is sent by the ``send_email``
    task after the commit; if the SMTP server refuses it, the mail is marked failed, the activity
    says so and the sender gets a notification.
    """
    check_visible(actor, record)
    errors: dict[str, list[str]] = {}
    to_list: list[str] = []
    cc_list: list[str] = []
    try:
        to_list = _parse_addresses(to, "to")
    except ValidationError as exc:
        errors.update(exc.message_dict)
    try:
        cc_list = _parse_addresses(cc, "cc")
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if not to_list and "to" not in errors:
        errors["to"] = [_("Give at least one recipient.")]
    subject = (subject or "").strip()
    if not subject:
        errors["subject"] = [_("Write a subject.")]
    if len(subject) > 300 or "\n" in subject or "\r" in subject:
        errors["subject"] = [_("The subject must be one line of at most 300 characters.")]
    if not (body or "").strip():
        errors["body"] = [_("Write the message.")]
    if len(to_list) + len(cc_list) > 50:
        errors["to"] = [_("At most 50 recipients.")]
    if errors:
        raise ValidationError(errors)
    # The privacy app refuses a marketing mail to anyone without consent (ValidationError on "to").
    mail_sending.emit(MailSending(record, tuple(to_list + cc_list), marketing, actor))
    domain = settings.DEFAULT_FROM_EMAIL.rpartition("@")[2] or "baton.localhost"
    message_id = make_msgid(domain=domain)
    html = linebreaks(escape(body))
    with transaction.atomic():
        activity = create_activity(
            actor=actor,
            record=record,
            kind=Activity.Kind.EMAIL,
            direction=Activity.Direction.OUTBOUND,
            status=Activity.Status.OPEN,
            subject=subject[:200],
            body=body,
        )
        stored = EmailMessage.objects.create(
            direction=EmailMessage.Direction.OUTBOUND,
            status=EmailMessage.Status.QUEUED,
            activity=activity,
            user=actor,
            from_addr=settings.DEFAULT_FROM_EMAIL,
            to_addrs=", ".join(to_list),
            cc_addrs=", ".join(cc_list),
            subject=subject,
            body_text=body,
            body_html=html,
            message_id=message_id,
        )
        log_change(
            actor=actor,
            action=ChangeLog.Action.CREATE,
            instance=stored,
            after={"to": stored.to_addrs, "cc": stored.cc_addrs, "subject": subject},
            note="email queued",
        )
        enqueue_on_commit(send_email, stored.pk)
    return stored


STALE_SEND = dt.timedelta(minutes=15)
REQUEUE_AFTER = dt.timedelta(minutes=2)


def stale_queued_ids(now: dt.datetime | None = None) -> list[int]:
    """Queued mail whose task never ran (its enqueue was lost): the sweep enqueues it again."""
    now = now or timezone.now()
    return list(
        EmailMessage.objects.filter(
            direction=EmailMessage.Direction.OUTBOUND,
            status=EmailMessage.Status.QUEUED,
            created_at__lt=now - REQUEUE_AFTER,
            created_at__gte=now - dt.timedelta(days=2),
        )
        .order_by("id")
        .values_list("id", flat=True)[:100]
    )


def claim_email(email_id: int, now: dt.datetime | None = None) -> bool:
    """Take a queued mail for sending; True for exactly one caller."""
    now = now or timezone.now()
    return (
        EmailMessage.objects.filter(
            pk=email_id, direction=EmailMessage.Direction.OUTBOUND, status=EmailMessage.Status.QUEUED
        ).update(status=EmailMessage.Status.SENDING, claimed_at=now)
        == 1
    )


def _finish(stored: EmailMessage, *, ok: bool, error: str = "") -> None:
    now = timezone.now()
    status = EmailMessage.Status.SENT if ok else EmailMessage.Status.FAILED
    with transaction.atomic():
        EmailMessage.objects.filter(pk=stored.pk, status=EmailMessage.Status.SENDING).update(
            status=status, sent_at=now if ok else None, error=error[:500]
        )
        log_change(
            actor=None,
            action=ChangeLog.Action.UPDATE,
            instance=stored,
            before={"status": EmailMessage.Status.SENDING},
            after={"status": status, "error": error[:500]},
            note="email sent" if ok else "email failed",
        )
        activity = stored.activity
        if activity is not None and activity.status == Activity.Status.OPEN:
            changes: dict[str, Any] = {"status": Activity.Status.DONE, "completed_at": now}
            if not ok:
                changes = {
                    "status": Activity.Status.CANCELLED,
                    "outcome": (_("Not sent: %(error)s") % {"error": error})[:300],
                }
            activity = update_record(activity, actor=None, changes=changes, validate=False)
            activity_touch_changed(activity, was_touch=False)  # was open: a sent mail is a new touch
        if not ok and stored.user_id:
            user = stored.user
            with translation.override((user.language if user else "") or settings.LANGUAGE_CODE):
                text = Msg(
                    gettext_noop("Your mail “%(subject)s” was not sent: %(error)s"),
                    subject=stored.subject,
                    error=error,
                )
            notify(
                [stored.user_id],
                kind=Notification.Kind.MAIL_FAILED,
                text=text,
                url=activity_url(activity) if activity else "",
                activity=activity,
            )


def deliver_queued(email_id: int) -> str:
    """Send one queued mail through SMTP (the ``send_email`` task). Idempotent: the claim lets one
    run send it; a mail left "sending" by a worker that died is marked failed after STALE_SEND
    rather than sent twice."""
    EmailMessage.objects.filter(
        pk=email_id, status=EmailMessage.Status.SENDING, claimed_at__lt=timezone.now() - STALE_SEND
    ).update(status=EmailMessage.Status.FAILED, error="interrupted while sending; check and resend")
    if not claim_email(email_id):
        return "skipped"
    stored = EmailMessage.objects.select_related("activity", "user").get(pk=email_id)
    to_list = [a.strip() for a in stored.to_addrs.split(",") if a.strip()]
    cc_list = [a.strip() for a in stored.cc_addrs.split(",") if a.strip()]
    reply_to = [stored.user.email] if stored.user is not None and stored.user.email else None
    mail = EmailMultiAlternatives(
        subject=stored.subject,
        body=stored.body_text,
        from_email=stored.from_addr,
        to=to_list,
        cc=cc_list,
        reply_to=reply_to,
        headers={"Message-ID": stored.message_id},
        connection=get_connection(fail_silently=False),
    )
    mail.attach_alternative(stored.body_html, "text/html")
    try:
        mail.send()
    except (OSError, ValueError) as exc:  # smtplib errors are OSErrors
        log.warning("mail %s not sent: %s", email_id, exc)
        _finish(stored, ok=False, error=str(exc) or exc.__class__.__name__)
        return "failed"
    _finish(stored, ok=True)
    return "sent"


@task()
def send_email(email_id: int) -> str:
    """Send one queued outbound mail; a second run finds it claimed and does nothing."""
    with audit_context(job_id=new_job_id(), source="task"):
        return deliver_queued(email_id)
