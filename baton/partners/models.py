"""Partners (resellers, SIs, referral partners, distributors), their people and agreements, the partners
on each opportunity, and deal registrations: a partner's claim on a customer, approved for a period."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from baton.core.choices import Industry, Region
from baton.leads.models import LeadSource


class Tier(models.TextChoices):
    REGISTERED = "registered", _("Registered")
    SILVER = "silver", _("Silver")
    GOLD = "gold", _("Gold")
    PLATINUM = "platinum", _("Platinum")


class PartnerKind(models.TextChoices):
    """What a partner does on a deal (and what an agreement is for)."""

    RESELLER = "reseller", _("Reseller")
    SI = "si", _("SI / delivery partner")
    REFERRAL = "referral", _("Referral")
    DISTRIBUTOR = "distributor", _("Distributor")


class Partner(models.Model):
    """A partner organisation: an account of kind partner (1:1), with its tier, what it specialises in
    and the partner manager (our channel salesperson) who looks after it."""

    account = models.OneToOneField(
        "accounts.Account",
        verbose_name=_("account"),
        on_delete=models.PROTECT,
        related_name="partner_profile",
    )
    tier = models.CharField(_("tier"), max_length=16, choices=Tier.choices, default=Tier.REGISTERED)
    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("partner manager"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="managed_partners",
    )
    product_families = models.ManyToManyField(
        "deals.ProductFamily", verbose_name=_("product families"), blank=True, related_name="+"
    )
    # Codes of core.choices.Industry and Region.
    industries = models.JSONField(_("industries"), default=list, blank=True)
    regions = models.JSONField(_("regions"), default=list, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["account__name"]
        verbose_name = _("partner")
        verbose_name_plural = _("partners")

    def __str__(self) -> str:
        return self.account.name

    def industry_labels(self) -> list[str]:
        labels = dict(Industry.choices)
        return [str(labels.get(code, code)) for code in self.industries]

    def region_labels(self) -> list[str]:
        labels = dict(Region.choices)
        return [str(labels.get(code, code)) for code in self.regions]


class Certification(models.Model):
    """A certified person at a partner, and when the certificate runs out."""

    audit_parent = "partner"

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="certifications")
    person = models.CharField(_("person"), max_length=120)
    title = models.CharField(_("certification"), max_length=160)
    product_family = models.ForeignKey(
        "deals.ProductFamily",
        verbose_name=_("product family"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
    )
    expires_on = models.DateField(_("expires on"))

    class Meta:
        ordering = ["expires_on", "id"]
        verbose_name = _("certification")
        verbose_name_plural = _("certifications")

    def __str__(self) -> str:
        return f"{self.person}: {self.title}"


class Agreement(models.Model):
    """A partner agreement: the kind, the discount (reseller) or margin (referral, SI) on a product
    family (blank: every family), and the payment terms the partner gets."""

    audit_parent = "partner"

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="agreements")
    kind = models.CharField(_("kind"), max_length=16, choices=PartnerKind.choices)
    product_family = models.ForeignKey(
        "deals.ProductFamily",
        verbose_name=_("product family"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
    )
    discount_pct = models.DecimalField(_("discount %"), max_digits=5, decimal_places=2, default=0)
    margin_pct = models.DecimalField(_("margin %"), max_digits=5, decimal_places=2, default=0)
    payment_terms_days = models.PositiveSmallIntegerField(_("payment terms (days)"), default=30)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"), null=True, blank=True)

    class Meta:
        ordering = ["partner", "kind", "id"]
        verbose_name = _("agreement")
        verbose_name_plural = _("agreements")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(
                    discount_pct__gte=0, discount_pct__lte=100, margin_pct__gte=0, margin_pct__lte=100
                ),
                name="partners_agreement_pct_range",
            )
        ]

    def __str__(self) -> str:
        return f"{self.partner} · {self.get_kind_display()}"


class Member(models.Model):
    """A partner user (``Role.PARTNER``) and the partner organisation they belong to."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="partner_member"
    )
    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="members")

    class Meta:
        verbose_name = _("partner user")
        verbose_name_plural = _("partner users")

    def __str__(self) -> str:
        return f"{self.user} @ {self.partner}"


class OpportunityPartner(models.Model):
    """A partner on an opportunity: its role, its contact person, and whether it sourced or influenced
    the deal (a deal no partner sourced was sourced by us)."""

    audit_parent = "opportunity"

    opportunity = models.ForeignKey(
        "deals.Opportunity", on_delete=models.CASCADE, related_name="partner_links"
    )
    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="opportunity_links")
    role = models.CharField(_("role"), max_length=16, choices=PartnerKind.choices)
    contact_name = models.CharField(_("partner contact"), max_length=120, blank=True)
    sourced = models.BooleanField(_("sourced by the partner"), default=False)
    influenced = models.BooleanField(_("influenced by the partner"), default=False)
    registration = models.ForeignKey(
        "partners.Registration", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["opportunity", "-sourced", "id"]
        verbose_name = _("opportunity partner")
        verbose_name_plural = _("opportunity partners")
        constraints = [
            models.UniqueConstraint(fields=["opportunity", "partner"], name="partners_one_link_per_partner")
        ]

    def __str__(self) -> str:
        return f"{self.partner} ({self.get_role_display()})"


class Registration(models.Model):
    """A deal registration: a partner's claim on a customer opportunity. Submitted by a partner user,
    checked for conflicts, approved (with an expiry: the protection period) or rejected with a reason."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        EXPIRED = "expired", _("Expired")

    partner = models.ForeignKey(
        Partner, verbose_name=_("partner"), on_delete=models.PROTECT, related_name="registrations"
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    customer = models.CharField(_("customer"), max_length=200)
    customer_key = models.CharField(max_length=200, editable=False, db_index=True)
    brn = models.CharField(_("business registration number"), max_length=12, blank=True, db_index=True)
    website = models.CharField(_("website"), max_length=200, blank=True)
    domain = models.CharField(max_length=120, blank=True, editable=False, db_index=True)
    contact_name = models.CharField(_("contact"), max_length=120)
    contact_email = models.EmailField(_("contact email"), max_length=200, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=40, blank=True)
    product_interest = models.CharField(_("product interest"), max_length=200)
    amount = models.DecimalField(_("estimated amount"), max_digits=18, decimal_places=2)
    close_date = models.DateField(_("estimated close date"))
    evidence = models.TextField(_("evidence of your work"))
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.SUBMITTED)
    # What the conflict check found at submission: [{"kind", "id", "label", "reasons"}] (manager only).
    conflicts = models.JSONField(default=list, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    expires_on = models.DateField(_("protected until"), null=True, blank=True)
    opportunity = models.ForeignKey(
        "deals.Opportunity", null=True, blank=True, on_delete=models.SET_NULL, related_name="registrations"
    )
    # Approved into a lead instead (the approver's choice): the lead, sourced by the partner.
    lead = models.ForeignKey(
        "leads.Lead", null=True, blank=True, on_delete=models.SET_NULL, related_name="partner_registrations"
    )
    created_at = models.DateTimeField(_("submitted"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("deal registration")
        verbose_name_plural = _("deal registrations")
        indexes = [models.Index(fields=["partner", "status", "-created_at"], name="partners_reg_partner_idx")]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gte=0), name="partners_reg_amount_gte_0")
        ]

    def __str__(self) -> str:
        return f"{self.customer} · {self.partner}"


class LeadPass(models.Model):
    """A lead passed to the channel: offered to one partner until ``deadline`` (pushed by the routing
    rules or chosen by hand), or waiting in the shared pool (no partner) for a partner to pick it. An
    offer not accepted by its deadline, or declined, comes back to the pool; the partners who declined
    it or let it lapse do not see it there again. One row per lead; the audit log keeps its story."""

    class Status(models.TextChoices):
        POOL = "pool", _("In the pool")
        OFFERED = "offered", _("Offered")
        ACCEPTED = "accepted", _("Accepted")

    audit_parent = "lead"

    lead = models.OneToOneField(
        "leads.Lead", verbose_name=_("lead"), on_delete=models.CASCADE, related_name="partner_pass"
    )
    partner = models.ForeignKey(
        Partner,
        verbose_name=_("partner"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="lead_passes",
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.POOL)
    deadline = models.DateTimeField(_("accept by"), null=True, blank=True)
    # Partner ids that declined it or let the offer lapse (the pool hides it from them).
    passed_over = models.JSONField(default=list, blank=True)
    reason = models.CharField(_("routing"), max_length=300, blank=True)
    passed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    passed_at = models.DateTimeField(_("passed"), auto_now_add=True)
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)

    class Meta:
        ordering = ["-passed_at", "-id"]
        verbose_name = _("passed lead")
        verbose_name_plural = _("passed leads")
        indexes = [models.Index(fields=["status", "deadline"], name="partners_pass_due_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status="pool", partner__isnull=True)
                | models.Q(~models.Q(status="pool"), partner__isnull=False),
                name="partners_pass_partner_unless_pool",
            )
        ]

    def __str__(self) -> str:
        return f"{self.lead} → {self.partner or self.get_status_display()}"


class Resource(models.Model):
    """Something the channel team publishes to partners in the portal: a price list of the catalogue
    (``deals.PriceList``) or an uploaded file. It reaches the partners of the chosen tiers and the one
    partner named (either may be empty, not both); partner users see and download only those."""

    class Kind(models.TextChoices):
        PRICE_LIST = "price_list", _("Price list")
        FILE = "file", _("File")

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    price_list = models.ForeignKey(
        "deals.PriceList",
        verbose_name=_("price list"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    file = models.FileField(_("file"), upload_to="partners/files/%Y/%m/", blank=True)
    file_name = models.CharField(max_length=200, blank=True)
    file_size = models.PositiveIntegerField(default=0)
    tiers = models.JSONField(_("tiers"), default=list, blank=True)
    partner = models.ForeignKey(
        Partner,
        verbose_name=_("partner"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="resources",
    )
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    published_at = models.DateTimeField(_("published"), auto_now_add=True)

    class Meta:
        ordering = ["-published_at", "-id"]
        verbose_name = _("partner resource")
        verbose_name_plural = _("partner resources")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind="price_list", price_list__isnull=False)
                | models.Q(kind="file", price_list__isnull=True),
                name="partners_resource_kind",
            )
        ]

    def __str__(self) -> str:
        return self.title

    def reaches(self, partner: Partner) -> bool:
        return self.partner_id == partner.pk or partner.tier in self.tiers


class RoutingRule(models.Model):
    """A rule for passing leads to partners, kept by the channel team. Enabled rules are tried in
    ``position`` order; the first whose every set condition matches the lead (region, industry, the
    product family named when passing it, lead source; an empty condition matches anything) decides:
    offer it to one partner, to the least loaded partner of a tier, or put it in the shared pool. A rule
    whose partner (or tier) has no active partner left for the lead is skipped; when no rule decides,
    the built-in routing applies (specialisation, then tier, then load)."""

    class Target(models.TextChoices):
        PARTNER = "partner", _("A partner")
        TIER = "tier", _("The least loaded partner of a tier")
        POOL = "pool", _("The shared pool")

    name = models.CharField(_("name"), max_length=120)
    position = models.PositiveIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("enabled"), default=True)
    region = models.CharField(_("region"), max_length=32, choices=Region.choices, blank=True)
    industry = models.CharField(_("industry"), max_length=32, choices=Industry.choices, blank=True)
    product_family = models.ForeignKey(
        "deals.ProductFamily",
        verbose_name=_("product family"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    lead_source = models.CharField(_("lead source"), max_length=32, choices=LeadSource.choices, blank=True)
    target = models.CharField(_("pass to"), max_length=16, choices=Target.choices)
    partner = models.ForeignKey(
        Partner,
        verbose_name=_("partner"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="routing_rules",
    )
    tier = models.CharField(_("tier"), max_length=16, choices=Tier.choices, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("lead routing rule")
        verbose_name_plural = _("lead routing rules")
        indexes = [models.Index(fields=["is_active", "position"], name="partners_rule_order_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(target="partner", partner__isnull=False, tier="")
                | models.Q(~models.Q(tier=""), target="tier", partner__isnull=True)
                | models.Q(target="pool", partner__isnull=True, tier=""),
                name="partners_rule_target",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors: dict[str, list[Any]] = {}
        if self.target == self.Target.PARTNER and self.partner_id is None:
            errors["partner"] = [_("Choose the partner.")]
        if self.target == self.Target.TIER and not self.tier:
            errors["tier"] = [_("Choose the tier.")]
        if self.target != self.Target.PARTNER and self.partner_id is not None:
            errors["partner"] = [_("Only a rule that passes to a partner names one.")]
        if self.target != self.Target.TIER and self.tier:
            errors["tier"] = [_("Only a rule that passes to a tier names one.")]
        if errors:
            raise ValidationError(errors)

    def conditions(self) -> list[str]:
        """The rule's conditions in words (empty: every lead)."""
        words = []
        if self.region:
            words.append(str(self.get_region_display()))
        if self.industry:
            words.append(str(self.get_industry_display()))
        if self.product_family_id is not None:
            words.append(str(self.product_family))
        if self.lead_source:
            words.append(str(self.get_lead_source_display()))
        return words

    def target_label(self) -> str:
        if self.target == self.Target.PARTNER and self.partner is not None:
            return str(self.partner)
        if self.target == self.Target.TIER:
            return str(_("Tier: %(tier)s") % {"tier": self.get_tier_display()})
        return str(self.get_target_display())
