"""Retention rules: personal data of leads or contacts not kept longer than needed. The worker applies
every active rule once a day (claimed through ``PeriodicRun``, so a fleet runs it once); each run is
logged, and the erasure itself is logged like a data-subject request's."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from baton.accounts.models import Contact
from baton.activities.models import Activity, FeedEntry
from baton.core.audit import log_change
from baton.core.models import ChangeLog, User
from baton.leads.models import Lead, LeadInteraction, LeadStatus
from baton.privacy.models import ErasureLog, RetentionRule, RetentionRun
from baton.privacy.subjects import ERASED, Subject, erase

# At most this many records per rule and run: a first run over years of data is spread over days.
BATCH = 200


def _recent(model: type[models.Model], link: str, cutoff: dt.datetime, *dates: str) -> Exists:
    cond = Q()
    for name in dates:
        cond |= Q(**{f"{name}__gte": cutoff})
    return Exists(model._base_manager.filter(cond, **{link: OuterRef("pk")}))


def candidates(rule: RetentionRule, now: dt.datetime | None = None) -> models.QuerySet[Any]:
    """The records the rule would erase now: matching, not yet erased, and without activity since the
    cut-off (no change to the record, no activity, comment or interaction)."""
    cutoff = (now or timezone.now()) - dt.timedelta(days=rule.inactive_days)
    if rule.target == RetentionRule.Target.LEAD:
        qs: models.QuerySet[Any] = Lead.objects.exclude(name=ERASED).filter(updated_at__lt=cutoff)
        if rule.lead_statuses:
            qs = qs.filter(status__in=rule.lead_statuses)
        qs = qs.filter(~_recent(LeadInteraction, "lead", cutoff, "occurred_at", "created_at"))
        link = "lead"
    else:
        qs = Contact.objects.exclude(name=ERASED).filter(updated_at__lt=cutoff)
        if not rule.include_archived:
            qs = qs.filter(is_archived=False)
        link = "contact"
    qs = qs.filter(~_recent(Activity, link, cutoff, "created_at", "start_at", "due_at", "completed_at"))
    qs = qs.filter(~_recent(FeedEntry, link, cutoff, "created_at"))
    return qs.order_by("pk")


def validate_rule(values: dict[str, Any]) -> None:
    errors: dict[str, list[str]] = {}
    if not (values.get("name") or "").strip():
        errors["name"] = [_("Give the rule a name.")]
    if values.get("target") not in RetentionRule.Target.values:
        errors["target"] = [_("Choose leads or contacts.")]
    days = values.get("inactive_days")
    if not isinstance(days, int) or days < 30 or days > 36500:
        errors["inactive_days"] = [_("Between 30 and 36500 days.")]
    statuses = values.get("lead_statuses") or []
    if not isinstance(statuses, list) or any(s not in LeadStatus.values for s in statuses):
        errors["lead_statuses"] = [_("Unknown lead status.")]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def save_rule(*, actor: User, rule: RetentionRule | None = None, **values: Any) -> RetentionRule:
    validate_rule(values)
    values["name"] = values["name"].strip()[:120]
    if rule is None:
        rule = RetentionRule.objects.create(created_by=actor, **values)
        log_change(actor=actor, action=ChangeLog.Action.CREATE, instance=rule, after=dict(values))
        return rule
    before = {k: getattr(rule, k) for k in values}
    for key, value in values.items():
        setattr(rule, key, value)
    rule.save()
    log_change(actor=actor, action=ChangeLog.Action.UPDATE, instance=rule, before=before, after=dict(values))
    return rule


@transaction.atomic
def delete_rule(rule: RetentionRule, *, actor: User) -> None:
    log_change(actor=actor, action=ChangeLog.Action.DELETE, instance=rule, before={"name": rule.name})
    rule.delete()


def apply_rule(rule: RetentionRule, *, actor: User | None = None, worker: str = "") -> RetentionRun:
    """Erase (pseudonymise) what the rule matches now, at most ``BATCH`` records; log the run."""
    matched = list(candidates(rule)[:BATCH])
    with transaction.atomic():
        entry: ErasureLog | None = None
        if matched:
            subject = (
                Subject(leads=matched)
                if rule.target == RetentionRule.Target.LEAD
                else Subject(contacts=matched)
            )
            entry = erase(subject, actor=actor, trigger=ErasureLog.Trigger.RETENTION, rule=rule)
        return RetentionRun.objects.create(
            rule=rule,
            rule_name=rule.name,
            matched=len(matched),
            erased=len(matched),
            worker=(worker or (str(actor) if actor is not None else "worker"))[:150],
            erasure=entry,
        )


def apply_all(*, worker: str = "worker") -> list[RetentionRun]:
    return [apply_rule(rule, worker=worker) for rule in RetentionRule.objects.filter(is_active=True)]
