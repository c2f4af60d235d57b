"""Mail: templates with merge fields, sending from a record through SMTP (logged as an activity),
and logging inbound mail received at a user's BCC address (unknown senders go to a review queue)."""

from __future__ import annotations

import re
from email import policy
from email.parser import BytesParser
from email.utils import getaddresses, make_msgid

import nh3
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.validators import validate_email
from django.db import models, transaction
from django.utils import timezone
from django.utils.html import escape, linebreaks
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from baton.activities.models import Activity, EmailMessage, EmailTemplate, PersonalKeys
from baton.activities.services import check_visible, create_activity
from baton.core.audit import log_change
from baton.core.models import ChangeLog, User
from baton.core.services import ServiceError

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
    """Send a mail about a record through SMTP and log it as an email activity on the record.

    The rows are written in the same transaction as the send: if the SMTP server refuses the mail,
    nothing is saved and the error says why.
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
    if errors:
        raise ValidationError(errors)
    domain = settings.DEFAULT_FROM_EMAIL.rpartition("@")[2] or "baton.localhost"
    message_id = make_msgid(domain=domain)
    html = linebreaks(escape(body))
    with transaction.atomic():
        activity = create_activity(
            actor=actor,
            record=record,
            kind=Activity.Kind.EMAIL,
            direction=Activity.Direction.OUTBOUND,
            status=Activity.Status.DONE,
            subject=subject[:200],
            body=body,
        )
        stored = EmailMessage.objects.create(
            direction=EmailMessage.Direction.OUTBOUND,
            status=EmailMessage.Status.SENT,
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
            note="email sent",
        )
        mail = EmailMultiAlternatives(
            subject=subject,
            body=body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=to_list,
            cc=cc_list,
            reply_to=[actor.email] if actor.email else None,
            headers={"Message-ID": message_id},
            connection=get_connection(fail_silently=False),
        )
        mail.attach_alternative(html, "text/html")
        try:
            mail.send()
        except (OSError, ValueError) as exc:  # smtplib errors are OSErrors; nothing above is kept
            raise ServiceError(_("The mail server refused the message: %(error)s") % {"error": exc}) from exc
    return stored


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
        subject = str(msg.get("Subject", "") or "")[:300]
        message_id = str(msg.get("Message-ID", "") or "")[:300].strip()
    except (ValueError, TypeError, IndexError) as exc:
        raise InboundError(_("The message headers could not be read.")) from exc
    if not senders:
        raise InboundError(_("The message has no sender address."))
    text, html = _body_of(msg)
    tokens = [t for t in (_token_of(a) for a in rcpt_tos) if t]
    keys = (
        PersonalKeys.objects.select_related("user").filter(mail_token__in=tokens).first() if tokens else None
    )
    user = keys.user if keys is not None and keys.user.is_active else None

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
        stored.save()
        log_change(
            actor=user,
            action=ChangeLog.Action.CREATE,
            instance=stored,
            after={"from": stored.from_addr, "subject": subject, "status": stored.status},
            note="email received",
        )
    return stored


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
    message.save(update_fields=["status", "activity", "user"])
    log_change(
        actor=actor, action=ChangeLog.Action.UPDATE, instance=message, after={"status": message.status}
    )
    return message
