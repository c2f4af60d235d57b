"""Cases from e-mail: mail to the support address (``support@`` the inbound mail domain, or
``BATON_SUPPORT_ADDRESS``) is received by the activities worker's SMTP receiver and routed here.

- A reply threads into its case: the message answers (In-Reply-To/References) a mail already on a case,
  or its subject carries the case's tag ``[CS-000123]`` and the sender is a contact of the case's
  account. A reply to a case waiting on the customer (or resolved) puts it back in progress.
- Otherwise a sender who is a contact of exactly one (not archived) account opens a case there, owned
  by the account's CSM (else its owner).
- Anything else (an unknown sender, a tag the sender has no right to, a closed case's tag from an
  unknown address) waits in the administrators' mail review queue.
The same Message-ID received twice is stored once."""

from __future__ import annotations

import re

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from baton.accounts.models import Contact
from baton.activities import services as activities
from baton.activities.inbound_limits import check_review_room
from baton.activities.mail.routes import InboundMail
from baton.activities.models import Attachment, EmailMessage, Notification
from baton.core.audit import log_change
from baton.core.i18n_text import Msg
from baton.core.models import ChangeLog
from baton.success.cases import services
from baton.success.cases.models import Case, CaseMail
from baton.success.cases.services import support_address

TAG = re.compile(r"\[(CS-\d{6,12})\]")


def is_support_address(address: str) -> bool:
    return address.strip().strip("<>").lower() == support_address()


def subject_tag(case: Case) -> str:
    """What an answer's subject carries so the customer's reply finds its case."""
    return f"[{case.number}]"


def _sender_contact(sender: str) -> Contact | None:
    """The contact with this address, when it is one person at one account (else: nobody)."""
    found = list(
        Contact.objects.filter(email__iexact=sender, account__is_archived=False)
        .select_related("account__csm", "account__owner")
        .order_by("id")[:3]
    )
    accounts = {c.account_id for c in found}
    return found[0] if len(found) >= 1 and len(accounts) == 1 else None


def _thread_case(mail: InboundMail, sender_contact: Contact | None) -> Case | None:
    if mail.references:
        earlier = (
            CaseMail.objects.filter(email__message_id__in=mail.references)
            .select_related("case")
            .order_by("-id")
            .first()
        )
        if earlier is not None:
            return earlier.case
    match = TAG.search(mail.subject or "")
    if match is None or sender_contact is None:
        return None
    case = Case.objects.filter(number=match.group(1)).first()
    if case is None or case.account_id != sender_contact.account_id:
        return None
    return case


def _store(mail: InboundMail, status: str) -> EmailMessage:
    stored = EmailMessage.objects.create(
        direction=EmailMessage.Direction.INBOUND,
        status=status,
        user=None,
        from_addr=mail.sender[:254],
        to_addrs=", ".join(mail.to_addrs),
        cc_addrs=", ".join(mail.cc_addrs),
        subject=mail.subject[:300],
        body_text=mail.text,
        body_html=mail.html,
        message_id=mail.message_id[:300],
        error=_("Some attachments were not kept (too large or too many).")[:500]
        if mail.attachments_skipped
        else "",
    )
    for name, data in mail.files:
        Attachment.objects.create(email=stored, file=ContentFile(data, name=name), name=name, size=len(data))
    return stored


def deliver_support_mail(mail: InboundMail) -> EmailMessage:
    with transaction.atomic():
        if mail.message_id:
            existing = EmailMessage.objects.filter(message_id=mail.message_id, user__isnull=True).first()
            if existing is not None:
                return existing
        contact = _sender_contact(mail.sender)
        case = _thread_case(mail, contact)
        if case is not None and case.status == Case.Status.CLOSED:
            case = None  # a closed case is not reopened: the mail opens a new one (or is reviewed)
        account = contact.account if contact is not None else None
        if case is None and account is None:
            check_review_room(len(mail.text) + len(mail.html) + sum(len(d) for _n, d in mail.files))
            stored = _store(mail, EmailMessage.Status.REVIEW)
            log_change(
                actor=None,
                action=ChangeLog.Action.CREATE,
                instance=stored,
                after={"from": stored.from_addr, "subject": stored.subject, "status": stored.status},
                note="support mail from an unknown sender",
            )
            return stored
        stored = _store(mail, EmailMessage.Status.LOGGED)
        opened = case is None
        if case is None:
            assert account is not None  # checked above: a stranger's mail went to the review queue
            case = services.open_case(
                actor=None,
                account=account,
                subject=(mail.subject or _("(no subject)"))[:200],
                description=mail.text[:100_000],
                contact=contact,
                owner=account.csm or account.owner,
            )
        elif case.status in (Case.Status.WAITING, Case.Status.RESOLVED):
            case = services.change_status(case, actor=None, status=Case.Status.IN_PROGRESS)
        link = CaseMail.objects.create(case=case, email=stored, opened_case=opened)
        log_change(
            actor=None,
            action=ChangeLog.Action.CREATE,
            instance=link,
            after={"from": stored.from_addr, "subject": stored.subject, "opened_case": opened},
            note="support mail",
        )
        if not opened and case.owner_id:
            activities.notify(
                [case.owner_id],
                kind=Notification.Kind.REPLY,
                actor=None,
                text=Msg(gettext_noop("The customer answered: %(case)s"), case=str(case)),
                url=services.case_url(case),
            )
        return stored
