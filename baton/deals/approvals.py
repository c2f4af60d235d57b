"""Approvals of quotes: rules as data (``field operator threshold``, never code), routing to approvers
in sequence or in parallel, approve / reject with a reason / recall, the lock while pending, and the
approver's queue. Each decision is audited and notifies the people concerned.

Routing: every triggered rule runs alongside the others. Within a sequential rule its approvers act one
after another (``position`` 1, 2, …); within a parallel rule they all act at once. The request is
approved when every step is approved; one rejection rejects it and the remaining steps are skipped.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from baton.core import events
from baton.core.audit import log_change
from baton.core.i18n_text import Msg
from baton.core.models import ChangeLog, User
from baton.core.records import can_edit
from baton.core.services import ServiceError, create_record, update_record
from baton.deals.models import ApprovalRequest, ApprovalRule, ApprovalRuleApprover, ApprovalStep, Quote

OPERATORS: dict[str, Any] = {
    ApprovalRule.Operator.GT: lambda a, b: a > b,
    ApprovalRule.Operator.GTE: lambda a, b: a >= b,
    ApprovalRule.Operator.LT: lambda a, b: a < b,
    ApprovalRule.Operator.LTE: lambda a, b: a <= b,
}


def quote_facts(quote: Quote) -> dict[str, Any]:
    """The values rules are written over. A quote without a total has no margin to judge (None)."""
    return {
        ApprovalRule.Field.DISCOUNT: quote.discount_percent,
        ApprovalRule.Field.MARGIN: quote.margin_percent,
        ApprovalRule.Field.PAYMENT_TERMS: Decimal(quote.payment_terms_days),
        ApprovalRule.Field.NONSTANDARD: bool((quote.nonstandard_clauses or "").strip()),
        ApprovalRule.Field.TOTAL: quote.net_total,
    }


def _compare(rule: ApprovalRule, value: Any) -> bool:
    if rule.operator == ApprovalRule.Operator.PRESENT:
        return bool(value)
    if value is None:
        return False
    compare = OPERATORS.get(rule.operator)
    return bool(compare and compare(Decimal(value), rule.threshold))


def rule_matches(rule: ApprovalRule, facts: dict[str, Any], line_discounts: list[Decimal] = ()) -> bool:  # type: ignore[assignment]
    """Whether a rule is triggered: by the quote's value, or (``scope=line``) by any one line's."""
    if rule.scope == ApprovalRule.Scope.LINE:
        return any(_compare(rule, value) for value in line_discounts)
    return _compare(rule, facts.get(rule.field))


def triggered_rules(quote: Quote) -> list[tuple[ApprovalRule, str]]:
    facts = quote_facts(quote)
    rules = list(ApprovalRule.objects.filter(is_active=True).prefetch_related("rule_approvers__user"))
    line_discounts: list[Decimal] = []
    if any(rule.scope == ApprovalRule.Scope.LINE for rule in rules):
        line_discounts = list(quote.lines.values_list("discount_percent", flat=True))
    found = []
    for rule in rules:
        if rule_matches(rule, facts, line_discounts):
            if rule.scope == ApprovalRule.Scope.LINE:
                worst = [v for v in line_discounts if _compare(rule, v)]
                value: Any = max(worst) if rule.operator in ("gt", "gte") else min(worst)
            else:
                value = facts[rule.field]
            shown = (
                "" if isinstance(value, bool) else f" ({value.normalize():f})" if value is not None else ""
            )
            found.append((rule, f"{rule.name}: {rule.describe()}{shown}"))
    return found


def _notify(
    user_ids: list[int], *, actor: User | None, text: str | Msg, url: str, kind: str = "request"
) -> None:
    events.notice.emit(events.Notice(tuple(user_ids), kind, text, actor, url))


def _quote_url(quote: Quote) -> str:
    return reverse("deals:quote", args=[quote.pk])


# --- rules (administrators) ------------------------------------------------------------------------------


@transaction.atomic
def save_rule(
    *, actor: User | None, approvers: list[User], rule: ApprovalRule | None = None, **values: Any
) -> ApprovalRule:
    if actor is not None and not actor.is_admin:
        raise PermissionDenied(_("Only administrators can change approval rules."))
    if not approvers:
        raise ValidationError({"approvers": [_("Choose at least one approver.")]})
    if rule is None:
        rule = create_record(ApprovalRule, actor=actor, **values)
    else:
        rule = update_record(rule, actor=actor, changes=values)
    rule.rule_approvers.all().delete()
    ApprovalRuleApprover.objects.bulk_create(
        ApprovalRuleApprover(rule=rule, user=user, order=index)
        for index, user in enumerate(approvers, start=1)
    )
    log_change(
        actor=actor,
        action=ChangeLog.Action.UPDATE,
        instance=rule,
        after={"approvers": [u.pk for u in approvers]},
    )
    return rule


@transaction.atomic
def set_rule_active(rule: ApprovalRule, *, actor: User | None, active: bool) -> ApprovalRule:
    """Switch a rule off (kept for the history of the approvals it routed) or back on."""
    if actor is not None and not actor.is_admin:
        raise PermissionDenied(_("Only administrators can change approval rules."))
    return update_record(rule, actor=actor, changes={"is_active": active})


# --- the flow -------------------------------------------------------------------------------------------


@transaction.atomic
def submit_quote(quote: Quote, *, actor: User) -> Quote:
    """Ask for approval. Without a triggered rule the quote is approved at once (and that is recorded)."""
    quote = Quote.objects.select_for_update().select_related("opportunity").get(pk=quote.pk)
    if not can_edit(actor, quote.opportunity):
        raise PermissionDenied(_("You cannot change this opportunity."))
    if quote.status != Quote.Status.DRAFT and quote.status != Quote.Status.REJECTED:
        raise ServiceError(_("Only a draft or rejected quote can be submitted."))
    if quote.opportunity.quotes.filter(status=Quote.Status.PENDING).exclude(pk=quote.pk).exists():
        raise ServiceError(_("Another quote of this deal is already pending approval."))
    rules = triggered_rules(quote)
    if not rules:
        update_record(
            quote, actor=actor, changes={"status": Quote.Status.APPROVED}, note="no approval rule applies"
        )
        return quote
    request = ApprovalRequest.objects.create(
        quote=quote, requested_by=actor, reasons=[text for _, text in rules]
    )
    steps = []
    for rule, _text in rules:
        for approver in rule.rule_approvers.all():
            position = approver.order if rule.mode == ApprovalRule.Mode.SEQUENTIAL else 1
            steps.append(
                ApprovalStep(
                    request=request,
                    rule=rule,
                    rule_name=rule.name,
                    approver=approver.user,
                    position=position,
                    status=ApprovalStep.Status.PENDING if position == 1 else ApprovalStep.Status.WAITING,
                )
            )
    if not steps:
        raise ServiceError(_("An approval rule applies but has no approvers; ask an administrator."))
    ApprovalStep.objects.bulk_create(steps)
    log_change(
        actor=actor, action=ChangeLog.Action.CREATE, instance=request, after={"reasons": request.reasons}
    )
    update_record(
        quote, actor=actor, changes={"status": Quote.Status.PENDING}, note="; ".join(request.reasons)[:300]
    )
    first = sorted({s.approver_id for s in steps if s.status == ApprovalStep.Status.PENDING})
    _notify(
        first,
        actor=actor,
        text=Msg(gettext_noop("Approval needed: %(quote)s"), quote=quote.number),
        url=_quote_url(quote),
    )
    return quote


def _decide_request(request: ApprovalRequest, status: str, *, actor: User | None, note: str = "") -> None:
    request.status = status
    request.decided_at = timezone.now()
    request.note = note[:500]
    request.save(update_fields=["status", "decided_at", "note"])
    log_change(
        actor=actor, action=ChangeLog.Action.UPDATE, instance=request, after={"status": status}, note=note
    )


@transaction.atomic
def decide(step: ApprovalStep, *, actor: User, approve: bool, reason: str = "") -> ApprovalStep:
    """The approver's decision on their pending step. Rejecting needs a reason."""
    # Lock in one order everywhere (quote, request, step) so parallel approvers and a recall serialise:
    # the later of two simultaneous approvals sees the earlier one and closes the request.
    ids = ApprovalStep.objects.filter(pk=step.pk).values_list("request__quote_id", "request_id").first()
    if ids is None:
        raise ServiceError(_("This approval is no longer waiting for you."))
    Quote.objects.select_for_update().filter(pk=ids[0]).first()
    ApprovalRequest.objects.select_for_update().filter(pk=ids[1]).first()
    step = (
        ApprovalStep.objects.select_for_update().select_related("request__quote__opportunity").get(pk=step.pk)
    )
    if step.approver_id != actor.pk:
        raise PermissionDenied(_("This approval is not yours."))
    if step.status != ApprovalStep.Status.PENDING or step.request.status != ApprovalRequest.Status.PENDING:
        raise ServiceError(_("This approval is no longer waiting for you."))
    reason = (reason or "").strip()
    if not approve and not reason:
        raise ValidationError({"reason": [_("Say why you reject it.")]})
    request, quote = step.request, step.request.quote
    step.status = ApprovalStep.Status.APPROVED if approve else ApprovalStep.Status.REJECTED
    step.decided_at = timezone.now()
    step.comment = reason[:500]
    step.save(update_fields=["status", "decided_at", "comment"])
    log_change(
        actor=actor,
        action=ChangeLog.Action.UPDATE,
        instance=quote,
        after={"approval": step.status, "rule": step.rule_name},
        note=reason,
    )
    owner_ids = [quote.opportunity.owner_id] if quote.opportunity.owner_id else []
    requester_ids = [request.requested_by_id] if request.requested_by_id else []
    concerned = sorted(set(owner_ids + requester_ids))
    if not approve:
        request.steps.filter(status__in=[ApprovalStep.Status.WAITING, ApprovalStep.Status.PENDING]).update(
            status=ApprovalStep.Status.SKIPPED
        )
        _decide_request(request, ApprovalRequest.Status.REJECTED, actor=actor, note=reason)
        update_record(quote, actor=actor, changes={"status": Quote.Status.REJECTED}, note=reason)
        _notify(
            concerned,
            actor=actor,
            kind="change",
            url=_quote_url(quote),
            text=Msg(gettext_noop("%(quote)s rejected: %(reason)s"), quote=quote.number, reason=reason),
        )
        return step
    # Approved: open the next position of this rule once everyone at this position has approved.
    same_rule = request.steps.filter(rule_name=step.rule_name)
    if not same_rule.filter(position=step.position).exclude(status=ApprovalStep.Status.APPROVED).exists():
        nxt = same_rule.filter(status=ApprovalStep.Status.WAITING).order_by("position").first()
        if nxt is not None:
            opened = same_rule.filter(status=ApprovalStep.Status.WAITING, position=nxt.position)
            approver_ids = list(opened.values_list("approver_id", flat=True))
            opened.update(status=ApprovalStep.Status.PENDING)
            _notify(
                approver_ids,
                actor=actor,
                url=_quote_url(quote),
                text=Msg(gettext_noop("Approval needed: %(quote)s"), quote=quote.number),
            )
    if not request.steps.exclude(status=ApprovalStep.Status.APPROVED).exists():
        _decide_request(request, ApprovalRequest.Status.APPROVED, actor=actor)
        update_record(quote, actor=actor, changes={"status": Quote.Status.APPROVED})
        _notify(
            concerned,
            actor=actor,
            kind="change",
            url=_quote_url(quote),
            text=Msg(gettext_noop("%(quote)s approved"), quote=quote.number),
        )
    return step


@transaction.atomic
def recall(quote: Quote, *, actor: User, reason: str = "") -> Quote:
    """The requester (or anyone who may edit the deal) withdraws a pending quote: back to draft."""
    quote = Quote.objects.select_for_update().select_related("opportunity").get(pk=quote.pk)
    if not can_edit(actor, quote.opportunity):
        raise PermissionDenied(_("You cannot change this opportunity."))
    request = (
        quote.approval_requests.select_for_update().filter(status=ApprovalRequest.Status.PENDING).first()
    )
    if quote.status != Quote.Status.PENDING or request is None:
        raise ServiceError(_("The quote is not pending approval."))
    waiting = list(
        request.steps.filter(status=ApprovalStep.Status.PENDING).values_list("approver_id", flat=True)
    )
    request.steps.filter(status__in=[ApprovalStep.Status.WAITING, ApprovalStep.Status.PENDING]).update(
        status=ApprovalStep.Status.SKIPPED
    )
    _decide_request(request, ApprovalRequest.Status.RECALLED, actor=actor, note=reason)
    update_record(quote, actor=actor, changes={"status": Quote.Status.DRAFT}, note=reason or "recalled")
    _notify(
        waiting,
        actor=actor,
        kind="change",
        url=_quote_url(quote),
        text=Msg(gettext_noop("%(quote)s was recalled"), quote=quote.number),
    )
    return quote


# --- reads ---------------------------------------------------------------------------------------------


def queue_for(user: User) -> QuerySet[ApprovalStep]:
    """The approver's queue: steps waiting for their decision."""
    return (
        ApprovalStep.objects.filter(approver=user, status=ApprovalStep.Status.PENDING)
        .select_related("request__quote__opportunity__account", "request__requested_by")
        .order_by("request__requested_at", "id")
    )


def is_approver_of(user: User, quote: Quote) -> bool:
    return ApprovalStep.objects.filter(request__quote=quote, approver=user).exists()
