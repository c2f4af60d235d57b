"""Finding open leads and contacts that a new lead may duplicate: the same person coming in twice.

Matches: the same e-mail or phone number on an open (not converted) lead or on a contact, or the same
name at the same company (normalised name) on an open lead. A new person at a known company is not a
duplicate lead: the account matches are offered when the lead is converted.
"""

from __future__ import annotations

from django.db.models import Q

from baton.accounts.duplicates import MAX_CANDIDATES, Match, find_contact_matches, phone_key
from baton.accounts.models import Contact
from baton.core.korean import normalize_company
from baton.leads.models import Lead


def find_lead_matches(
    *, name: str = "", company: str = "", email: str = "", phone: str = "", queryset=None, limit: int = 10
) -> list[Match]:
    qs = queryset if queryset is not None else Lead.objects.all()
    qs = qs.filter(converted_at__isnull=True)
    email = (email or "").strip().lower()
    name = (name or "").strip()
    key = normalize_company(company)
    number = phone_key(phone)
    cond = Q(pk__in=[])
    if email:
        cond |= Q(email=email)
    if number:
        cond |= Q(phone=number)
    if name and key:
        cond |= Q(name=name, company_key=key)
    matches = []
    for lead in qs.filter(cond).select_related("owner", "team")[:MAX_CANDIDATES]:
        score = 0
        codes = []
        if email and lead.email == email:
            score += 100
            codes.append("email")
        if number and lead.phone == number:
            score += 80
            codes.append("phone")
        if name and key and lead.name == name and lead.company_key == key:
            score += 60
            codes.append("name_and_company")
        if score:
            matches.append(Match(lead, score, codes))
    matches.sort(key=lambda m: (-m.score, m.record.pk))
    return matches[:limit]


def lead_duplicates(lead: Lead) -> list[Match]:
    """Open leads first (same kind), then contacts: the person is already known either way."""
    leads = Lead.objects.exclude(pk=lead.pk) if lead.pk else Lead.objects.all()
    matches = find_lead_matches(
        name=lead.name, company=lead.company, email=lead.email, phone=lead.phone, queryset=leads
    )
    contacts = find_contact_matches(
        email=lead.email, phone=lead.phone, queryset=Contact.objects.all(), limit=10 - len(matches)
    )
    return matches + contacts
