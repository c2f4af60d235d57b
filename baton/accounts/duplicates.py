"""Finding existing accounts and contacts that a new lead (or a new account) may duplicate.

Matches, strongest first: same business registration number, same company web domain (from the
website or the e-mail address, free-mail providers ignored), same normalised company name, similar
company name. Candidates come from indexed lookups only, then are ranked in Python, so the check stays
fast on large tables.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from difflib import SequenceMatcher

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from baton.accounts.models import Account, Contact
from baton.core.korean import company_domain, format_brn, is_valid_brn, normalize_company, normalize_domain

SIMILARITY_THRESHOLD = 0.8
MAX_CANDIDATES = 200


@dataclass
class Match:
    record: Account | Contact
    score: int
    reasons: list[str] = field(default_factory=list)


def name_similarity(a: str, b: str) -> float:
    if not a or not b:
        return 0.0
    if a == b:
        return 1.0
    ratio = SequenceMatcher(None, a, b).ratio()
    # "한빛" vs "한빛소프트": a whole name inside another is a strong hint for short Korean names.
    if min(len(a), len(b)) >= 2 and (a in b or b in a):
        ratio = max(ratio, 0.85)
    return ratio


def find_account_matches(
    *, name: str = "", brn: str = "", website: str = "", email: str = "", queryset=None, limit: int = 10
) -> list[Match]:
    qs = queryset if queryset is not None else Account.objects.all()
    qs = qs.filter(is_archived=False)
    key = normalize_company(name)
    domain = normalize_domain(website) or company_domain(email)
    brn_fmt = format_brn(brn) if brn and is_valid_brn(brn) else ""

    cond = Q(pk__in=[])
    if brn_fmt:
        cond |= Q(brn=brn_fmt)
    if domain:
        cond |= Q(domain=domain)
    if key:
        cond |= Q(name_key=key)
        if len(key) >= 2:
            cond |= Q(name_key__startswith=key[:2])
    candidates = list(qs.filter(cond).select_related("owner")[:MAX_CANDIDATES])

    matches: list[Match] = []
    for acc in candidates:
        score = 0
        reasons: list[str] = []
        if brn_fmt and acc.brn == brn_fmt:
            score += 100
            reasons.append(str(_("same business registration number")))
        if domain and acc.domain == domain:
            score += 60
            reasons.append(str(_("same web domain")))
        sim = name_similarity(key, acc.name_key)
        if sim == 1.0:
            score += 50
            reasons.append(str(_("same company name")))
        elif sim >= SIMILARITY_THRESHOLD:
            score += int(40 * sim)
            reasons.append(str(_("similar company name")))
        if score:
            matches.append(Match(acc, score, reasons))
    matches.sort(key=lambda m: (-m.score, m.record.pk))
    return matches[:limit]


def find_contact_matches(
    *,
    email: str = "",
    name: str = "",
    phone: str = "",
    account_ids: list[int] | None = None,
    queryset=None,
    limit: int = 10,
) -> list[Match]:
    qs = queryset if queryset is not None else Contact.objects.all()
    qs = qs.filter(is_archived=False)
    email = (email or "").strip().lower()
    name = (name or "").strip()
    cond = Q(pk__in=[])
    if email:
        cond |= Q(email=email)
    if name and account_ids:
        cond |= Q(account_id__in=account_ids, name=name)
    candidates = list(qs.filter(cond).select_related("account")[:MAX_CANDIDATES])
    matches = []
    for contact in candidates:
        score = 0
        reasons = []
        if email and contact.email == email:
            score += 100
            reasons.append(str(_("same email")))
        if name and contact.name == name and account_ids and contact.account_id in account_ids:
            score += 50
            reasons.append(str(_("same name at the matching account")))
        if score:
            matches.append(Match(contact, score, reasons))
    matches.sort(key=lambda m: (-m.score, m.record.pk))
    return matches[:limit]
