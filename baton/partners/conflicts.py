"""The conflict check of a deal registration: the same matching as lead conversion and the duplicate
guard (``accounts.duplicates.find_account_matches``: (주)/주식회사 variants, 사업자등록번호, web domain,
phone; ``leads.duplicates.find_lead_matches``), plus open leads at the same company, open opportunities
of the matching accounts, and other partners' active registrations of the same customer.

Conflicts are facts for the partner manager; nothing is merged. Each is ``{"kind", "id", "label",
"reasons"}`` with stable reason codes (``accounts.duplicates.REASONS`` and ``registration``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from baton.accounts.duplicates import REASONS, find_account_matches
from baton.accounts.models import Account
from baton.core.korean import company_domain, format_brn, is_valid_brn, normalize_company, normalize_domain
from baton.deals.models import Opportunity, Stage
from baton.leads.duplicates import find_lead_matches
from baton.leads.models import Lead
from baton.partners.models import Registration

CONFLICT_REASONS = {
    **REASONS,
    "same_company": _("open lead at the same company"),
    "account_deal": _("open opportunity of the matching account"),
    "registered": _("another partner's active registration"),
}


def customer_keys(customer: str, brn: str, website: str, email: str) -> tuple[str, str, str]:
    """(name key, formatted BRN or "", web domain or "") of a registration's customer."""
    brn_fmt = format_brn(brn) if brn and is_valid_brn(brn) else ""
    return normalize_company(customer), brn_fmt, normalize_domain(website) or company_domain(email)


def active_registrations(today: dt.date | None = None) -> Any:
    """Submitted registrations, and approved ones still inside their protection period."""
    today = today or timezone.localdate()
    return Registration.objects.filter(
        Q(status=Registration.Status.SUBMITTED)
        | Q(status=Registration.Status.APPROVED, expires_on__gte=today)
    )


def same_customer(key: str, brn: str, domain: str) -> Q:
    cond = Q(pk__in=[])
    if key:
        cond |= Q(customer_key=key)
    if brn:
        cond |= Q(brn=brn)
    if domain:
        cond |= Q(domain=domain)
    return cond


def find_conflicts(reg: Registration, today: dt.date | None = None) -> list[dict[str, Any]]:
    key, brn, domain = customer_keys(reg.customer, reg.brn, reg.website, reg.contact_email)
    found: list[dict[str, Any]] = []
    accounts = find_account_matches(
        name=reg.customer, brn=reg.brn, website=reg.website, email=reg.contact_email, phone=reg.contact_phone
    )
    strong = [m for m in accounts if set(m.codes) & {"brn", "domain", "name", "similar_name"}]
    for match in strong:
        found.append(
            {"kind": "account", "id": match.record.pk, "label": match.record.name, "reasons": match.codes}
        )
    account_ids = [m.record.pk for m in strong]
    deals = (
        Opportunity.objects.filter(account_id__in=account_ids, stage__outcome=Stage.Outcome.OPEN)
        .select_related("account")
        .order_by("id")[:20]
    )
    for deal in deals:
        found.append({"kind": "opportunity", "id": deal.pk, "label": deal.name, "reasons": ["account_deal"]})
    leads = {
        m.record.pk: m
        for m in find_lead_matches(
            name=reg.contact_name, company=reg.customer, email=reg.contact_email, phone=reg.contact_phone
        )
        if isinstance(m.record, Lead)
    }
    lead_rows = {lead.pk: lead for lead in (m.record for m in leads.values())}
    if key:
        for lead in Lead.objects.filter(company_key=key, converted_at__isnull=True).order_by("id")[:20]:
            lead_rows.setdefault(lead.pk, lead)
    for pk, lead in sorted(lead_rows.items()):
        codes = leads[pk].codes if pk in leads else []
        if lead.company_key == key and key:
            codes = [*codes, "same_company"]
        found.append({"kind": "lead", "id": pk, "label": f"{lead.name} · {lead.company}", "reasons": codes})
    others = (
        active_registrations(today)
        .exclude(partner_id=reg.partner_id)
        .exclude(pk=reg.pk)
        .filter(same_customer(key, brn, domain))
        .select_related("partner__account")
        .order_by("id")[:20]
    )
    for other in others:
        found.append(
            {
                "kind": "registration",
                "id": other.pk,
                "label": f"{other.customer} · {other.partner.account.name} ({other.get_status_display()})",
                "reasons": ["registered"],
                "approved": other.status == Registration.Status.APPROVED,
            }
        )
    return found


def describe(conflicts: list[dict[str, Any]], user: Any) -> list[dict[str, Any]]:
    """The stored conflicts with their reasons in words (for the manager's page). A record the reader
    may not see is named only as a record of another team, as the duplicate check does."""
    querysets: dict[str, Any] = {
        "account": Account.objects.visible_to(user),
        "opportunity": Opportunity.objects.visible_to(user),
        "lead": Lead.objects.visible_to(user),
    }
    visible: dict[str, set[int]] = {}
    for kind, qs in querysets.items():
        ids = [c["id"] for c in conflicts if c.get("kind") == kind]
        visible[kind] = set(qs.filter(pk__in=ids).values_list("pk", flat=True))
    described = []
    for c in conflicts:
        label = c.get("label", "")
        if c.get("kind") in querysets and c.get("id") not in visible[c["kind"]]:
            label = str(_("a record of another team"))
        reasons = [str(CONFLICT_REASONS.get(code, code)) for code in c.get("reasons", [])]
        described.append({**c, "label": label, "reason_labels": reasons})
    return described
