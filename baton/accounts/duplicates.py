"""Finding existing accounts and contacts that a new lead, account or contact may duplicate.

Account matches, strongest first: same business registration number, same company web domain (from
the website or the e-mail address, free-mail providers ignored), same normalised company name, same
phone number, similar company name. Contact matches: same e-mail, same phone number (phone or mobile),
same name at a matching account. Candidates come from indexed lookups only (at most MAX_CANDIDATES
rows), then are ranked in Python, so the check stays fast on large tables.

``duplicate_guard`` turns matches into the create-time check: refuse (``DuplicateError``, a 409 with
the matches) unless the person confirmed, and say in the audit note that they did. Matches the person
may not read are reported without their name: only that a record of another team matches.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from typing import Any, TypeVar

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from baton.accounts.models import Account, Contact
from baton.core.korean import company_domain, format_brn, is_valid_brn, normalize_company, normalize_domain
from baton.core.models import User
from baton.core.phones import normalize_phone, parse_phone
from baton.core.services import DuplicateError
from baton.core.views_generic import detail_url

R = TypeVar("R", bound=models.Model)

SIMILARITY_THRESHOLD = 0.8
MAX_CANDIDATES = 200


# Stable codes of the evidence (the API returns them), with the words people read.
REASONS = {
    "brn": _("same business registration number"),
    "domain": _("same web domain"),
    "name": _("same company name"),
    "similar_name": _("similar company name"),
    "phone": _("same phone number"),
    "email": _("same email"),
    "name_at_account": _("same name at the matching account"),
    "name_and_company": _("same name and company"),
}


@dataclass
class Match:
    record: Any  # an Account, a Contact or (leads app) a Lead
    score: int
    codes: list[str] = field(default_factory=list)

    @property
    def reasons(self) -> list[str]:
        return [str(REASONS[code]) for code in self.codes]


def phone_key(value: str) -> str:
    """The stored (E.164) form of a number, or "" when it is not one: only valid numbers match."""
    return normalize_phone(value) if parse_phone(value) is not None else ""


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
    *,
    name: str = "",
    brn: str = "",
    website: str = "",
    email: str = "",
    phone: str = "",
    queryset=None,
    limit: int = 10,
) -> list[Match]:
    qs = queryset if queryset is not None else Account.objects.all()
    qs = qs.filter(is_archived=False)
    key = normalize_company(name)
    domain = normalize_domain(website) or company_domain(email)
    brn_fmt = format_brn(brn) if brn and is_valid_brn(brn) else ""
    number = phone_key(phone)

    cond = Q(pk__in=[])
    if brn_fmt:
        cond |= Q(brn=brn_fmt)
    if domain:
        cond |= Q(domain=domain)
    if key:
        cond |= Q(name_key=key)
        if len(key) >= 2:
            cond |= Q(name_key__startswith=key[:2])
    if number:
        cond |= Q(phone=number)
    candidates = list(qs.filter(cond).select_related("owner", "team")[:MAX_CANDIDATES])

    matches: list[Match] = []
    for acc in candidates:
        score = 0
        reasons: list[str] = []
        if brn_fmt and acc.brn == brn_fmt:
            score += 100
            reasons.append("brn")
        if domain and acc.domain == domain:
            score += 60
            reasons.append("domain")
        sim = name_similarity(key, acc.name_key)
        if sim == 1.0:
            score += 50
            reasons.append("name")
        elif sim >= SIMILARITY_THRESHOLD:
            score += int(40 * sim)
            reasons.append("similar_name")
        if number and acc.phone == number:
            score += 40
            reasons.append("phone")
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
    number = phone_key(phone)
    cond = Q(pk__in=[])
    if email:
        cond |= Q(email=email)
    if number:
        cond |= Q(phone=number) | Q(mobile=number)
    if name and account_ids:
        cond |= Q(account_id__in=account_ids, name=name)
    candidates = list(qs.filter(cond).select_related("account", "owner", "team")[:MAX_CANDIDATES])
    matches = []
    for contact in candidates:
        score = 0
        reasons = []
        if email and contact.email == email:
            score += 100
            reasons.append("email")
        if number and number in (contact.phone, contact.mobile):
            score += 80
            reasons.append("phone")
        if name and contact.name == name and account_ids and contact.account_id in account_ids:
            score += 50
            reasons.append("name_at_account")
        if score:
            matches.append(Match(contact, score, reasons))
    matches.sort(key=lambda m: (-m.score, m.record.pk))
    return matches[:limit]


# --- the create-time check -------------------------------------------------------------------------


def describe_matches(matches: list[Match], actor: User | None) -> list[dict[str, Any]]:
    """Matches as the API and the form show them. Records the actor may not read keep their names,
    ids and links to themselves: only the kind, the evidence and the owning team are said."""
    by_model: dict[type[models.Model], list[int]] = {}
    for match in matches:
        by_model.setdefault(type(match.record), []).append(match.record.pk)
    visible: set[tuple[type[models.Model], int]] = set()
    if actor is not None:
        for model, ids in by_model.items():  # one query per kind of record
            rows_visible = model.objects.visible_to(actor).filter(pk__in=ids).values_list("pk", flat=True)  # type: ignore[attr-defined]
            visible.update((model, pk) for pk in rows_visible)
    rows = []
    for match in matches:
        record = match.record
        model = type(record)
        seen = (model, record.pk) in visible
        rows.append(
            {
                "kind": model._meta.model_name,
                "visible": seen,
                "id": record.pk if seen else None,
                "name": str(record) if seen else None,
                "url": detail_url(record) if seen else None,
                "owner": str(record.owner) if seen and record.owner is not None else None,
                "team": record.team.name if record.team is not None else None,
                "score": match.score,
                "reasons": list(match.codes),
                "reason_labels": match.reasons,
            }
        )
    return rows


def duplicate_guard(
    find: Callable[[R], list[Match]], actor: User | None, allow_duplicate: bool | None
) -> Callable[[R], str] | None:
    """A ``check`` for ``create_record``: run on the validated, unsaved record.

    ``allow_duplicate`` None: no check (imports, the demo, conversions that chose "create new" on
    their own screen). False: refuse with DuplicateError when anything matches. True: the person
    saw the matches and confirmed; the audit note names the records they chose not to use.
    """
    if allow_duplicate is None:
        return None

    def check(instance: R) -> str:
        matches = find(instance)
        if not matches:
            return ""
        if not allow_duplicate:
            raise DuplicateError(describe_matches(matches, actor))
        ids = ", ".join(f"#{m.record.pk}" for m in matches)
        return gettext("Created although it matches %(ids)s (confirmed).") % {"ids": ids}

    return check


def account_duplicates(account: Account) -> list[Match]:
    qs = Account.objects.exclude(pk=account.pk) if account.pk else Account.objects.all()
    if account.parent_id:
        # A subsidiary or branch ("한빛소프트 부산지사") is meant to resemble its parent.
        qs = qs.exclude(pk=account.parent_id)
    return find_account_matches(
        name=account.name, brn=account.brn, website=account.website, phone=account.phone, queryset=qs
    )


def contact_duplicates(contact: Contact) -> list[Match]:
    qs = Contact.objects.exclude(pk=contact.pk) if contact.pk else Contact.objects.all()
    matches = find_contact_matches(
        email=contact.email,
        name=contact.name,
        phone=contact.phone,
        account_ids=[contact.account_id] if contact.account_id else None,
        queryset=qs,
    )
    if contact.mobile and contact.mobile != contact.phone:
        seen = {m.record.pk for m in matches}
        extra = find_contact_matches(phone=contact.mobile, queryset=qs)
        matches += [m for m in extra if m.record.pk not in seen]
        matches.sort(key=lambda m: (-m.score, m.record.pk))
    return matches[:10]
