"""Mail: templates with merge fields, sending from a record through SMTP (logged as an activity),
and logging inbound mail received at a user's BCC address (unknown senders go to a review queue)."""

from __future__ import annotations

import datetime as dt
import logging
import re
from email import policy
from email.parser import BytesParser
from email.utils import getaddresses, make_msgid
from typing import Any

import nh3
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.validators import validate_email
from django.db import models, transaction
from django.utils import timezone, translation
from django.utils.html import escape, linebreaks
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from baton.activities.inbound_limits import check_review_room, user_for_token
from baton.activities.models import (
    Activity,
    Attachment,
    EmailMessage,
    EmailTemplate,
    Notification,
    PersonalKeys,
)
from baton.activities.services import check_visible, create_activity
from baton.core.audit import log_change
from baton.core.i18n_text import Msg
from baton.core.models import ChangeLog, User
from baton.core.services import update_record

log = logging.getLogger(__name__)

MERGE_RE = re.compile(r"{{\s*([a-z_]+)\s*}}")
MERGE_FIELDS = {
    "contact_name": gettext_lazy("contact's name"),
    "contact_title": gettext_lazy("contact's job title"),
    "company": gettext_lazy("company"),
    "owner_name": gettext_lazy("your name"),
    "owner_email": gettext_lazy("your email"),
    "owner_phone": gettext_lazy("your phone"),
    "opportunity_name": gettext_lazy("opportunity"),
    "today": gettext_lazy("today's date"),
}
MAIL_TAGS = {
    "a",
    "b",
    "strong",
    "i",
    "em",
    "p",
    "br",
    "ul",
    "ol",
    "li",
    "blockquote",
    "div",
    "span",
    "table",
    "tr",
    "td",
    "th",
    "tbody",
    "thead",
    "h1",
    "h2",
    "h3",
    "h4",
    "pre",
    "code",
    "hr",
}


class InboundError(ValueError):
    """Mail that cannot be logged at all (too large, unreadable); the SMTP receiver rejects it."""


# --- templates -------------------------------------------------------------------------------------


def _check_template_fields(*texts: str) -> None:
    unknown = sorted({name for text in texts for name in MERGE_RE.findall(text or "")} - set(MERGE_FIELDS))
    if unknown:
        raise ValidationError(
            {"body": [_("Unknown merge field(s): %(names)s.") % {"names": ", ".join(unknown)}]}
        )


@transaction.atomic
def save_template(
    template: EmailTemplate | None,
    *,
    actor: User,
    name: str,
    language: str,
    subject: str,
    body: str,
    is_shared: bool = True,
) -> EmailTemplate:
    if template is not None and template.owner_id != actor.pk and not actor.is_admin:
        raise PermissionDenied(_("Only the author or an administrator may change this template."))
    _check_template_fields(subject, body)
    creating = template is None
    template = template or EmailTemplate(owner=actor)
    before = {} if creating else {"name": template.name, "subject": template.subject, "body": template.body}
    template.name, template.language, template.subject, template.body = name, language, subject, body
    template.is_shared = is_shared
    template.full_clean()
    template.save()
    log_change(
        actor=actor,
        action=ChangeLog.Action.CREATE if creating else ChangeLog.Action.UPDATE,
        instance=template,
        before=before,
        after={"name": name, "subject": subject, "body": body},
    )
    return template


def templates_for(user: User) -> models.QuerySet[EmailTemplate]:
    return EmailTemplate.objects.filter(models.Q(is_shared=True) | models.Q(owner=user)).order_by(
        "language", "name"
    )


def merge_values(record: models.Model | None, actor: User) -> dict[str, str]:
    contact = opportunity = None
    company = ""
    name = record._meta.model_name if record is not None else ""
    if name == "contact":
        contact = record
        company = record.account.name if record.account_id else ""
    elif name == "opportunity":
        opportunity = record
        contact = record.primary_contact
        company = record.account.name if record.account_id else ""
    elif name == "account":
        company = record.name
    elif name == "lead":
        company = record.company
    values = {
        "contact_name": contact.name if contact else (record.name if name == "lead" else ""),
        "contact_title": contact.title if contact else (record.title if name == "lead" else ""),
        "company": company,
        "owner_name": str(actor),
        "owner_email": actor.email,
        "owner_phone": actor.phone,
        "opportunity_name": opportunity.name if opportunity else "",
        "today": timezone.localdate().isoformat(),
    }
    return values


def render_template(template: EmailTemplate, record: models.Model | None, actor: User) -> tuple[str, str]:
    """Fill the merge fields as plain text (the body is escaped again when sent as HTML)."""
    values = merge_values(record, actor)

    def fill(text: str) -> str:
        return MERGE_RE.sub(lambda m: values.get(m.group(1), ""), text)

    return fill(template.subject), fill(template.body)


def default_recipient(record: models.Model | None) -> str:
    name = record._meta.model_name if record is not None else ""
    if name in ("contact", "lead"):
        return record.email
    if name == "opportunity" and record.primary_contact_id:
        return record.primary_contact.email
    return ""


# --- sending ---------------------------------------------------------------------------------------


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
    from baton.activities.tasks import enqueue_on_commit, send_email

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
    from baton.activities.services import activity_url, notify

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
            update_record(activity, actor=None, changes=changes, validate=False)
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


# --- inbound logging -------------------------------------------------------------------------------


def logging_address(user: User) -> str:
    keys, _created = PersonalKeys.objects.get_or_create(user=user)
    return f"log+{keys.mail_token}@{settings.BATON_INBOUND_DOMAIN}"


def _token_of(address: str) -> str | None:
    local, _at, domain = address.strip().strip("<>").rpartition("@")
    if domain.lower() != settings.BATON_INBOUND_DOMAIN.lower() or not local.lower().startswith("log+"):
        return None
    return local[4:]


def _body_of(msg) -> tuple[str, str]:
    try:
        part = msg.get_body(preferencelist=("plain", "html"))
        if part is None:
            return "", ""
        content = part.get_content()
    except (LookupError, UnicodeDecodeError, KeyError, AttributeError) as exc:
        raise InboundError(_("The message body could not be decoded.")) from exc
    if not isinstance(content, str):
        return "", ""
    if part.get_content_type() == "text/html":
        html = nh3.clean(content, tags=MAIL_TAGS, attributes={"a": {"href"}}, link_rel="noopener noreferrer")
        text = nh3.clean(content, tags=set()).strip()
        return text, html
    return content, ""


def log_inbound_email(raw: bytes, *, rcpt_tos: list[str]) -> EmailMessage:
    """Log mail received at a logging address. Matched contacts get an email activity; anything
    else (unknown logging address, no matching contact) is kept in the review queue."""
    if len(raw) > settings.BATON_INBOUND_MAX_BYTES:
        raise InboundError(_("The message is too large."))
    msg = BytesParser(policy=policy.default).parsebytes(raw)
    try:
        senders = [a for _n, a in getaddresses([str(msg.get("From", ""))]) if "@" in a]
        to_addrs = [a for _n, a in getaddresses([str(v) for v in msg.get_all("To", [])]) if "@" in a]
        cc_addrs = [a for _n, a in getaddresses([str(v) for v in msg.get_all("Cc", [])]) if "@" in a]
        subject = BIDI_CONTROLS.sub("", str(msg.get("Subject", "") or ""))[:300]
        message_id = str(msg.get("Message-ID", "") or "")[:300].strip()
    except (ValueError, TypeError, IndexError) as exc:
        raise InboundError(_("The message headers could not be read.")) from exc
    if not senders:
        raise InboundError(_("The message has no sender address."))
    text, html = _body_of(msg)
    try:
        files, too_many = _attachments_of(msg)
    except (AttributeError, KeyError, LookupError) as exc:
        raise InboundError(_("The message attachments could not be read.")) from exc
    user = next((u for u in (user_for_token(_token_of(a)) for a in rcpt_tos) if u is not None), None)
    if user is None:
        raise InboundError(_("Not a Baton logging address."))

    with transaction.atomic():
        if message_id and user is not None:
            existing = EmailMessage.objects.filter(message_id=message_id, user=user).first()
            if existing is not None:
                return existing
        sender = senders[0].lower()
        stored = EmailMessage(
            direction=EmailMessage.Direction.INBOUND,
            status=EmailMessage.Status.REVIEW,
            user=user,
            from_addr=sender[:254],
            to_addrs=", ".join(to_addrs),
            cc_addrs=", ".join(cc_addrs),
            subject=subject,
            body_text=text,
            body_html=html,
            message_id=message_id,
        )
        contact = None
        if user is not None:
            contact = _match_contact(user, sender, to_addrs + cc_addrs)
        if contact is not None:
            stored.activity = create_activity(
                actor=user,
                record=contact,
                kind=Activity.Kind.EMAIL,
                direction=Activity.Direction.INBOUND
                if contact.email == sender
                else Activity.Direction.OUTBOUND,
                status=Activity.Status.DONE,
                subject=(subject or _("(no subject)"))[:200],
                body=text[:100_000],
            )
            stored.status = EmailMessage.Status.LOGGED
        skipped = [name for name, _data in files if name is None]
        kept = [(name, data) for name, data in files if name is not None]
        if stored.status == EmailMessage.Status.REVIEW:
            check_review_room(len(text) + len(html) + sum(len(data) for _name, data in kept))
        if len(files) != len(kept) or too_many:
            stored.error = _("Some attachments were not kept (too large or too many).")[:500]
        stored.save()
        for name, data in kept:
            Attachment.objects.create(
                activity=stored.activity,
                email=stored,
                file=ContentFile(data, name=name),
                name=name,
                size=len(data),
                uploaded_by=user,
            )
        log_change(
            actor=user,
            action=ChangeLog.Action.CREATE,
            instance=stored,
            after={
                "from": stored.from_addr,
                "subject": subject,
                "status": stored.status,
                "attachments": [name for name, _data in kept],
                "skipped_attachments": len(skipped) + too_many,
            },
            note="email received",
        )
    return stored


MAX_INBOUND_ATTACHMENTS = 20


# Bidi controls (U+202A..U+202E, U+2066..U+2069, LRM, RLM, ALM) make "invoice\u202egpj.exe" display as
# "invoiceexe.jpg": dropped from received subjects and file names, as the security middleware drops
# them from every form and API body (mail arrives outside HTTP, so it is done here).
BIDI_CONTROLS = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def _safe_filename(raw: str | None, index: int) -> str:
    raw = BIDI_CONTROLS.sub("", raw or "")
    name = raw.replace("\\", "/").rsplit("/", 1)[-1].strip().strip(".")
    name = re.sub(r"[\x00-\x1f<>:\"|?*]", "_", name)[:200]
    return name or f"attachment-{index}"


def _attachments_of(msg) -> tuple[list[tuple[str | None, bytes]], int]:
    """The files of a mail as (name, bytes); name None for a file over the attachment size limit.
    Returns also how many files were beyond MAX_INBOUND_ATTACHMENTS."""
    from baton.activities.services import max_attachment_bytes

    files: list[tuple[str | None, bytes]] = []
    too_many = 0
    for index, part in enumerate(msg.iter_attachments(), start=1):
        if len(files) >= MAX_INBOUND_ATTACHMENTS:
            too_many += 1
            continue
        try:
            data = part.get_payload(decode=True)
        except (ValueError, TypeError, LookupError):
            data = None
        if not isinstance(data, bytes):
            continue
        if len(data) > max_attachment_bytes():
            files.append((None, b""))
            continue
        files.append((_safe_filename(part.get_filename(), index), data))
    return files, too_many


def _match_contact(user: User, sender: str, others: list[str]):
    from baton.accounts.models import Contact

    own = {user.email.lower()} if user.email else set()
    candidates = [a.lower() for a in [sender, *others] if a.lower() not in own and not _token_of(a)]
    if not candidates:
        return None
    found = {
        c.email: c
        for c in Contact.objects.visible_to(user).filter(email__in=candidates).select_related("account")
    }
    for address in candidates:  # the sender first
        if address in found:
            return found[address]
    return None


def review_queue(user: User) -> models.QuerySet[EmailMessage]:
    qs = EmailMessage.objects.filter(status=EmailMessage.Status.REVIEW)
    if user.is_admin:
        return qs.filter(models.Q(user=user) | models.Q(user__isnull=True))
    return qs.filter(user=user)


@transaction.atomic
def resolve_review(message: EmailMessage, *, actor: User, record: models.Model | None) -> EmailMessage:
    """Log a mail from the review queue on a record the actor can see, or discard it (record None)."""
    if not review_queue(actor).filter(pk=message.pk).exists():
        raise PermissionDenied(_("This mail is not in your review queue."))
    if record is None:
        message.status = EmailMessage.Status.DISCARDED
    else:
        check_visible(actor, record)
        message.activity = create_activity(
            actor=actor,
            record=record,
            kind=Activity.Kind.EMAIL,
            direction=Activity.Direction.INBOUND,
            status=Activity.Status.DONE,
            subject=(message.subject or _("(no subject)"))[:200],
            body=message.body_text,
        )
        message.status = EmailMessage.Status.LOGGED
        message.user = message.user or actor
        message.attachments.update(activity=message.activity)
    message.save(update_fields=["status", "activity", "user"])
    log_change(
        actor=actor, action=ChangeLog.Action.UPDATE, instance=message, after={"status": message.status}
    )
    return message
