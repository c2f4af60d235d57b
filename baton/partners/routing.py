"""Routing of leads passed to partners: the channel team's rules (data: ordered, enabled or not, each
write atomic and audited) and the router that applies them in order, falling back to the built-in
routing (specialisation in the lead's region and industry, then tier, then the fewest offers waiting)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count
from django.utils.translation import gettext as _

from baton.core.audit import diff, log_change, snapshot
from baton.core.models import ChangeLog, User
from baton.core.services import check_version
from baton.deals.models import ProductFamily
from baton.leads.models import Lead
from baton.partners.access import works_channel
from baton.partners.models import LeadPass, Partner, RoutingRule, Tier

TIER_RANK = {Tier.REGISTERED: 0, Tier.SILVER: 1, Tier.GOLD: 2, Tier.PLATINUM: 3}
#: What the channel team sets on a rule (the position is changed by ``move_rule``/``reorder_rules``).
RULE_FIELDS = (
    "name",
    "is_active",
    "region",
    "industry",
    "product_family",
    "lead_source",
    "target",
    "partner",
    "tier",
)
AUDITED = (*RULE_FIELDS, "position")


# --- the router ------------------------------------------------------------------------------------------


class _Partners:
    """The active partners and their waiting offers, read once per routing (three queries)."""

    def __init__(self, skip: Iterable[int]) -> None:
        skipped = set(skip)
        self.all = [
            p
            for p in Partner.objects.filter(is_active=True)
            .select_related("account")
            .prefetch_related("product_families")
            if p.pk not in skipped
        ]
        self.waiting = dict(
            LeadPass.objects.filter(status=LeadPass.Status.OFFERED)
            .values("partner_id")
            .annotate(n=Count("id"))
            .values_list("partner_id", "n")
        )


def _specialisation(partner: Partner, lead: Lead, family: ProductFamily | None) -> list[str]:
    matched = []
    if lead.region and lead.region in partner.regions:
        matched.append(str(lead.get_region_display()))
    if lead.industry and lead.industry in partner.industries:
        matched.append(str(lead.get_industry_display()))
    if family is not None and any(f.pk == family.pk for f in partner.product_families.all()):
        matched.append(str(family))
    return matched


def rule_matches(rule: RoutingRule, lead: Lead, family: ProductFamily | None) -> bool:
    """Every condition the rule sets holds for the lead (and the product family it is passed for)."""
    return (
        (not rule.region or rule.region == lead.region)
        and (not rule.industry or rule.industry == lead.industry)
        and (rule.product_family_id is None or (family is not None and family.pk == rule.product_family_id))
        and (not rule.lead_source or rule.lead_source == lead.source)
    )


def route(
    lead: Lead, *, skip: list[int] | None = None, product_family: ProductFamily | None = None
) -> tuple[Partner | None, str]:
    """The partner the lead goes to (None: the pool) and why, in words. The enabled rules in order
    first; the built-in routing when none decides. Partners in ``skip`` (they declined the lead or let
    it lapse) are never chosen."""
    partners = _Partners(skip or [])
    rules = RoutingRule.objects.filter(is_active=True).select_related("partner").order_by("position", "id")
    for rule in rules:
        if not rule_matches(rule, lead, product_family):
            continue
        if rule.target == RoutingRule.Target.POOL:
            return None, _("Rule “%(rule)s”: the shared pool.") % {"rule": rule.name}
        if rule.target == RoutingRule.Target.PARTNER:
            chosen = next((p for p in partners.all if p.pk == rule.partner_id), None)
            if chosen is not None:
                return chosen, _("Rule “%(rule)s”: %(partner)s.") % {"rule": rule.name, "partner": chosen}
            continue  # the partner is inactive or passed the lead over: the next rule
        of_tier = [p for p in partners.all if p.tier == rule.tier]
        if of_tier:
            chosen = min(
                of_tier,
                key=lambda p: (
                    -len(_specialisation(p, lead, product_family)),
                    partners.waiting.get(p.pk, 0),
                    p.account.name,
                ),
            )
            return chosen, _(
                "Rule “%(rule)s”: the %(tier)s partner with the fewest offers waiting, %(partner)s."
            ) % {
                "rule": rule.name,
                "tier": chosen.get_tier_display(),
                "partner": chosen,
            }
    return _built_in(lead, partners, product_family)


def _built_in(lead: Lead, partners: _Partners, family: ProductFamily | None) -> tuple[Partner | None, str]:
    """The active partner that specialises in the lead's region and industry (and the product family it
    is passed for) the most, the higher tier first, then the one with fewest offers waiting; none
    matching: the pool."""
    best: tuple[Any, ...] | None = None
    for partner in partners.all:
        matched = _specialisation(partner, lead, family)
        if not matched:
            continue
        key = (
            -len(matched),
            -TIER_RANK[Tier(partner.tier)],
            partners.waiting.get(partner.pk, 0),
            partner.account.name,
        )
        if best is None or key < best[0]:
            best = (key, partner, matched)
    if best is None:
        return None, _("No partner specialises in the lead's region or industry: the pool.")
    return best[1], _("Routed by specialisation: %(what)s.") % {"what": ", ".join(best[2])}


# --- the channel team's writes ---------------------------------------------------------------------------


def _require_channel(actor: User | None) -> None:
    if actor is not None and not works_channel(actor):
        raise PermissionDenied(_("Only the channel team edits the routing rules."))


def _check(rule: RoutingRule) -> None:
    rule.full_clean()
    if rule.partner is not None and not rule.partner.is_active:
        raise ValidationError({"partner": [_("Choose an active partner.")]})


def _unknown(values: dict[str, Any]) -> None:
    unknown = set(values) - set(RULE_FIELDS)
    if unknown:
        raise ValidationError({name: [_("Unknown field.")] for name in sorted(unknown)})


@transaction.atomic
def create_rule(*, actor: User | None, **values: Any) -> RoutingRule:
    """A new rule, last in the order."""
    _require_channel(actor)
    _unknown(values)
    # Lock the rules (PostgreSQL takes no FOR UPDATE with an aggregate), so two new rules get two places.
    last = max(RoutingRule.objects.select_for_update().values_list("position", flat=True), default=0)
    rule = RoutingRule(created_by=actor, position=last + 1, **values)
    _check(rule)
    rule.save(force_insert=True)
    log_change(actor=actor, action=ChangeLog.Action.CREATE, instance=rule, after=snapshot(rule, AUDITED))
    return rule


@transaction.atomic
def update_rule(
    rule: RoutingRule, *, actor: User | None, changes: dict[str, Any], expected_version: int | None = None
) -> RoutingRule:
    """Change a rule's name, conditions, target or whether it is enabled (``expected_version``: the
    version the editor read; a stale one is refused)."""
    _require_channel(actor)
    _unknown(changes)
    rule = RoutingRule.objects.select_for_update().get(pk=rule.pk)
    check_version(rule, expected_version)
    before = snapshot(rule, RULE_FIELDS)
    for name, value in changes.items():
        setattr(rule, name, value)
    _check(rule)
    old, new = diff(before, snapshot(rule, RULE_FIELDS))
    if not new:
        return rule
    rule.version += 1
    rule.save()
    log_change(actor=actor, action=ChangeLog.Action.UPDATE, instance=rule, before=old, after=new)
    return rule


@transaction.atomic
def reorder_rules(ids: list[int], *, actor: User | None) -> list[RoutingRule]:
    """Put every rule in the order of ``ids`` (each rule exactly once); each moved rule is audited."""
    _require_channel(actor)
    rules = {r.pk: r for r in RoutingRule.objects.select_for_update()}
    if len(ids) != len(set(ids)) or set(ids) != set(rules):
        raise ValidationError({"ids": [_("List every routing rule exactly once.")]})
    for position, pk in enumerate(ids, start=1):
        rule = rules[pk]
        if rule.position != position:
            before = {"position": rule.position}
            # The version is left alone: an edit never touches the position, so it cannot undo a move.
            rule.position = position
            rule.save(update_fields=["position", "updated_at"])
            log_change(
                actor=actor,
                action=ChangeLog.Action.UPDATE,
                instance=rule,
                before=before,
                after={"position": position},
            )
    return [rules[pk] for pk in ids]


@transaction.atomic
def move_rule(rule: RoutingRule, *, actor: User | None, up: bool) -> list[RoutingRule]:
    """Swap the rule with the one before it (``up``) or after it."""
    ids = list(
        RoutingRule.objects.select_for_update().order_by("position", "id").values_list("pk", flat=True)
    )
    i = ids.index(rule.pk)
    j = i - 1 if up else i + 1
    if 0 <= j < len(ids):
        ids[i], ids[j] = ids[j], ids[i]
    return reorder_rules(ids, actor=actor)
