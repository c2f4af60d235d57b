"""Incoming mail: messages BCC'd to a user's logging address are logged as email activities on the
matching contact; unknown senders wait in the user's review queue."""

from __future__ import annotations

import re
from email import policy
from email.parser import BytesParser
from email.utils import getaddresses

import nh3
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import models, transaction
from django.utils.translation import gettext as _

from baton.accounts.models import Contact
from baton.activities.inbound_limits import check_review_room, user_for_token
from baton.activities.mail.routes import InboundMail, route_for
from baton.activities.models import (
    Activity,
    Attachment,
    EmailMessage,
    PersonalKeys,
)
from baton.activities.services import check_visible, create_activity, max_attachment_bytes
from baton.core.audit import log_change
from baton.core.models import ChangeLog, User

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
        # Not a user's logging address: an address another app answers for (a support mailbox)?
        deliver = next((d for d in (route_for(a) for a in rcpt_tos) if d is not None), None)
        if deliver is None:
            raise InboundError(_("Not a Baton logging address."))
        kept_files = [(name, data) for name, data in files if name is not None]
        return deliver(
            InboundMail(
                sender=senders[0].lower(),
                to_addrs=to_addrs,
                cc_addrs=cc_addrs,
                subject=subject,
                message_id=message_id,
                references=_references_of(msg),
                text=text,
                html=html,
                files=kept_files,
                attachments_skipped=len(kept_files) != len(files) or bool(too_many),
            )
        )

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


def _references_of(msg) -> list[str]:
    """The message ids this one answers (In-Reply-To, then References), without duplicates."""
    found: list[str] = []
    for header in ("References", "In-Reply-To"):
        for value in msg.get_all(header, []) or []:
            for ref in re.findall(r"<[^<>\s]{1,250}>", str(value)):
                if ref not in found:
                    found.append(ref)
    return found[:50]


def _match_contact(user: User, sender: str, others: list[str]):
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
