"""Demo data of the import: saved mappings for the column names of a typical Salesforce export, so the
demo's administrator can try an import with the mapping already chosen (run by seed_demo)."""

from __future__ import annotations

from typing import Any

from baton.core.models import Role, User
from baton.transfer.models import Kind, SavedMapping

MAPPINGS: list[tuple[str, str, dict[str, str], dict[str, dict[str, str]]]] = [
    (
        "Salesforce accounts",
        Kind.ACCOUNT,
        {
            "Account ID": "external_id",
            "Account Name": "name",
            "Industry": "industry",
            "Website": "website",
            "Phone": "phone",
            "Billing Address": "address",
            "Account Owner": "owner",
            "Created Date": "created_at",
        },
        {"industry": {"Technology": "it", "Banking": "finance", "Government": "public"}},
    ),
    (
        "Salesforce leads",
        Kind.LEAD,
        {
            "Lead ID": "external_id",
            "Name": "name",
            "Company": "company",
            "Title": "title",
            "Email": "email",
            "Phone": "phone",
            "Lead Source": "source",
            "Lead Status": "status",
            "Lead Owner": "owner",
            "Created Date": "created_at",
        },
        {
            "source": {"Web": "web_form", "Trade Show": "event", "Partner Referral": "partner"},
            "status": {"Open - Not Contacted": "new", "Working - Contacted": "working"},
        },
    ),
    (
        "Salesforce opportunities",
        Kind.OPPORTUNITY,
        {
            "Opportunity ID": "external_id",
            "Opportunity Name": "name",
            "Account ID": "account",
            "Amount": "amount",
            "Stage": "stage",
            "Close Date": "closed_at",
            "Opportunity Owner": "owner",
            "Created Date": "created_at",
        },
        {"stage": {"Prospecting": "considering", "Closed Won": "won", "Closed Lost": "lost"}},
    ),
]


def seed(stdout: Any = None) -> int:
    admin = User.objects.filter(role=Role.ADMIN).order_by("pk").first()
    made = 0
    for name, kind, columns, values in MAPPINGS:
        _row, created = SavedMapping.objects.get_or_create(
            kind=kind, name=name, defaults={"columns": columns, "values": values, "created_by": admin}
        )
        made += int(created)
    if stdout is not None:
        stdout.write(f"{made} saved import mappings.")
    return made
