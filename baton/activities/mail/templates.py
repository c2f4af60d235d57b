"""Mail templates with merge fields ({{ contact_name }}...), rendered for a record and its sender."""

from __future__ import annotations

import re

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from baton.accounts.models import Account, Contact
from baton.activities.models import (
    EmailTemplate,
)
from baton.core import fieldaccess
from baton.core.audit import log_change
from baton.core.customfields.merge import fill_custom, related_records, unknown_merge_fields
from baton.core.models import ChangeLog, User
from baton.core.money import format_money
from baton.core.phones import format_phone
from baton.deals.models import Opportunity
from baton.leads.models import Lead

MERGE_RE = re.compile(r"{{\s*([a-z_]+)\s*}}")
MERGE_FIELDS = {
    "contact_name": gettext_lazy("contact's name"),
    "contact_title": gettext_lazy("contact's job title"),
    "company": gettext_lazy("company"),
    "owner_name": gettext_lazy("your name"),
    "owner_email": gettext_lazy("your email"),
    "owner_phone": gettext_lazy("your phone"),
    "opportunity_name": gettext_lazy("opportunity"),
    "opportunity_amount": gettext_lazy("opportunity's amount"),
    "contact_phone": gettext_lazy("contact's phone"),
    "today": gettext_lazy("today's date"),
}


def _check_template_fields(*texts: str) -> None:
    unknown = sorted({name for text in texts for name in MERGE_RE.findall(text or "")} - set(MERGE_FIELDS))
    unknown += unknown_merge_fields(texts)  # {{ opportunity.budget }}: a custom field of the kind
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
    """The merge fields for ``record`` as ``actor`` sees it: a field protected from the actor
    (core.fieldaccess) fills in empty, so a template cannot reveal it."""
    contact: Contact | None = None
    opportunity: Opportunity | None = None
    lead = record if isinstance(record, Lead) else None
    company = ""
    if isinstance(record, Contact):
        contact = record
        company = record.account.name if record.account_id and record.account else ""
    elif isinstance(record, Opportunity):
        opportunity = record
        contact = record.primary_contact
        company = record.account.name if record.account_id and record.account else ""
    elif isinstance(record, Account):
        company = record.name
    elif lead is not None:
        company = lead.company
    values = {
        "contact_name": contact.name if contact else (lead.name if lead else ""),
        "contact_title": contact.title if contact else (lead.title if lead else ""),
        "company": company,
        "owner_name": str(actor),
        "owner_email": actor.email,
        "owner_phone": actor.phone,
        "opportunity_name": opportunity.name if opportunity else "",
        "opportunity_amount": (
            format_money(opportunity.amount, opportunity.currency)
            if opportunity is not None and fieldaccess.can_see(actor, opportunity, "amount")
            else ""
        ),
        "contact_phone": _phone(contact or lead, actor),
        "today": timezone.localdate().isoformat(),
    }
    return values


def _phone(person: Contact | Lead | None, actor: User) -> str:
    """The person's phone (a contact's mobile when there is no phone), as far as the actor sees it."""
    if person is None:
        return ""
    if person.phone and fieldaccess.can_see(actor, person, "phone"):
        return format_phone(person.phone)
    mobile = getattr(person, "mobile", "")
    if mobile and fieldaccess.can_see(actor, person, "mobile"):
        return format_phone(mobile)
    return ""


def render_template(template: EmailTemplate, record: models.Model | None, actor: User) -> tuple[str, str]:
    """Fill the merge fields as plain text (the body is escaped again when sent as HTML)."""
    values = merge_values(record, actor)
    records = related_records(record)

    def fill(text: str) -> str:
        return fill_custom(MERGE_RE.sub(lambda m: values.get(m.group(1), ""), text), records, actor)

    return fill(template.subject), fill(template.body)


def default_recipient(record: models.Model | None) -> str:
    if isinstance(record, Contact | Lead):
        return record.email
    if isinstance(record, Opportunity) and record.primary_contact_id and record.primary_contact:
        return record.primary_contact.email
    return ""
