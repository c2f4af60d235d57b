"""Demo data of the privacy app: consent statements on some leads and contacts, a retention rule."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from baton.accounts.models import Contact
from baton.core.models import Role, User
from baton.leads.models import Lead
from baton.privacy import consent, retention
from baton.privacy.models import Consent, RetentionRule


def seed(stdout: Any = None) -> dict[str, int]:
    """Idempotent: does nothing when consent rows already exist."""
    if Consent.objects.exists():
        return {"consents": 0, "rules": 0}
    admin = User.objects.filter(role=Role.ADMIN, is_active=True).order_by("pk").first()
    now = timezone.now()
    made = 0
    people: list[Any] = [
        *Lead.objects.exclude(email="").order_by("pk")[:12],
        *Contact.objects.exclude(email="").order_by("pk")[:12],
    ]
    for i, person in enumerate(people):
        given = now - dt.timedelta(days=200 - i * 7)
        consent.record_consent(
            person,
            actor=None,
            purpose="marketing_email",
            granted=True,
            channel="web_form" if i % 2 else "event",
            source="웹사이트 뉴스레터 신청" if i % 2 else "2026 고객 세미나",
            given_at=given,
        )
        made += 1
        if i % 3 == 0:
            consent.record_consent(
                person, actor=None, purpose="phone", granted=True, channel="phone", given_at=given
            )
            made += 1
        if i % 5 == 4:  # some withdraw later: their marketing mail is refused
            consent.record_consent(
                person,
                actor=None,
                purpose="marketing_email",
                granted=False,
                channel="email",
                source="수신거부 회신",
                given_at=now - dt.timedelta(days=10),
            )
            made += 1
    rules = 0
    if admin is not None and not RetentionRule.objects.exists():
        retention.save_rule(
            actor=admin,
            name="실격 리드 3년 보존",
            target="lead",
            lead_statuses=["disqualified"],
            inactive_days=3 * 365,
            include_archived=True,
            is_active=True,
        )
        rules = 1
    if stdout is not None:
        stdout.write(f"privacy demo: {made} consent statements, {rules} retention rule")
    return {"consents": made, "rules": rules}
