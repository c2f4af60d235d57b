"""Lead scores and their rules, the predictive model, MEDDPICC, disqualification reasons, competitors,
routing rules and rep capacity, and the capacity-controlled supply of leads to field sales."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from baton.deals.models import localized


class ScoringRule(models.Model):
    """One admin-editable rule. Fit rules test a fact of the lead (industry, size, title...) and add
    points when it holds; engagement rules give points per interaction of a kind, halved every
    ``half_life_days`` days since the interaction (capped at ``max_points``)."""

    class Category(models.TextChoices):
        FIT = "fit", _("Fit")
        ENGAGEMENT = "engagement", _("Engagement")

    class Operator(models.TextChoices):
        EQ = "eq", _("equals")
        NE = "ne", _("does not equal")
        IN = "in", _("is one of")
        CONTAINS = "contains", _("contains")
        GTE = "gte", _("at least")
        LTE = "lte", _("at most")
        TRUE = "true", _("is true")
        FALSE = "false", _("is false")

    category = models.CharField(_("category"), max_length=12, choices=Category.choices, default=Category.FIT)
    label = models.CharField(_("label"), max_length=120)
    label_en = models.CharField(_("label (English)"), max_length=120, blank=True)
    attribute = models.CharField(_("attribute or interaction"), max_length=40)
    operator = models.CharField(_("operator"), max_length=8, choices=Operator.choices, default=Operator.EQ)
    value = models.CharField(_("value"), max_length=200, blank=True)
    points = models.IntegerField(_("points"), default=10)
    half_life_days = models.PositiveSmallIntegerField(_("half-life (days)"), default=30)
    max_points = models.PositiveSmallIntegerField(_("at most (points)"), default=50)
    sequence = models.PositiveSmallIntegerField(_("sequence"), default=10)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["category", "sequence", "id"]
        verbose_name = _("scoring rule")
        verbose_name_plural = _("scoring rules")

    def __str__(self) -> str:
        return localized(self.label, self.label_en)


class PredictiveModel(models.Model):
    """One trained version of the predictive score: coefficients and calibration stored as numbers (no
    pickles), with the training metrics that justify using it."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        RETIRED = "retired", _("Retired")
        INSUFFICIENT = "insufficient", _("Not enough history")
        REJECTED = "rejected", _("Not better than chance")

    version = models.PositiveIntegerField(_("version"), unique=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices)
    trained_at = models.DateTimeField(_("trained"))
    window_days = models.PositiveSmallIntegerField(_("window (days)"), default=180)
    snapshot_days = models.PositiveSmallIntegerField(_("snapshot after (days)"), default=14)
    algorithm = models.CharField(_("algorithm"), max_length=60, blank=True)
    n_train = models.PositiveIntegerField(default=0)
    n_test = models.PositiveIntegerField(default=0)
    positives = models.PositiveIntegerField(default=0)
    metrics = models.JSONField(default=dict, blank=True)
    params = models.JSONField(default=dict, blank=True)
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-version"]
        verbose_name = _("predictive model")
        verbose_name_plural = _("predictive models")

    def __str__(self) -> str:
        return f"v{self.version} ({self.status})"


class LeadScore(models.Model):
    """The current scores of a lead and their reasons; rewritten on every fact change and in bulk."""

    lead = models.OneToOneField(
        "leads.Lead", on_delete=models.CASCADE, primary_key=True, related_name="score"
    )
    fit = models.IntegerField(_("fit"), default=0)
    engagement = models.IntegerField(_("engagement"), default=0)
    total = models.IntegerField(_("score"), default=0, db_index=True)
    reasons = models.JSONField(default=list, blank=True)
    probability = models.FloatField(_("probability of a win"), null=True, blank=True)
    predicted_reasons = models.JSONField(default=list, blank=True)
    model_version = models.PositiveIntegerField(null=True, blank=True)
    qualified_at = models.DateTimeField(_("qualified"), null=True, blank=True)
    computed_at = models.DateTimeField(_("computed"))

    class Meta:
        verbose_name = _("lead score")
        verbose_name_plural = _("lead scores")

    def __str__(self) -> str:
        return f"{self.lead_id}: {self.total}"


class DisqualifyReason(models.Model):
    """Why a lead is disqualified; a table admins edit (archive, never delete)."""

    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100, blank=True)
    recycle_days = models.PositiveSmallIntegerField(_("recycle after (days)"), default=90)
    is_no_decision = models.BooleanField(_("no decision"), default=False)
    sequence = models.PositiveSmallIntegerField(_("sequence"), default=10)
    is_archived = models.BooleanField(_("archived"), default=False)
    # Empty for the reasons people add; UNKNOWN_IMPORTED marks the one an import gives a disqualified
    # lead whose file had no reason (reports count it apart, whatever it is renamed to).
    code = models.CharField(_("code"), max_length=40, blank=True, default="", editable=False)

    class Meta:
        ordering = ["sequence", "id"]
        verbose_name = _("disqualification reason")
        verbose_name_plural = _("disqualification reasons")
        constraints = [
            models.UniqueConstraint(
                fields=["code"], condition=~models.Q(code=""), name="disqualifyreason_unique_code"
            )
        ]

    def __str__(self) -> str:
        return localized(self.name, self.name_en)


class Disqualification(models.Model):
    """A lead disqualified with a reason from the list, a note, a recycle date and the explanation sent."""

    lead = models.ForeignKey("leads.Lead", on_delete=models.CASCADE, related_name="disqualifications")
    reason = models.ForeignKey(DisqualifyReason, on_delete=models.PROTECT, related_name="+")
    note = models.CharField(_("note"), max_length=500, blank=True)
    recycle_on = models.DateField(_("recycle on"))
    explanation = models.TextField(_("explanation to the customer"), blank=True)
    disqualified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    disqualified_at = models.DateTimeField(_("disqualified"))

    class Meta:
        ordering = ["-disqualified_at", "-id"]
        verbose_name = _("disqualification")
        verbose_name_plural = _("disqualifications")
        indexes = [models.Index(fields=["recycle_on"], name="disqualification_recycle_idx")]

    def __str__(self) -> str:
        return f"{self.lead_id}: {self.reason_id}"


class Competitor(models.Model):
    """A company the prospect may buy from instead of us, or already uses (the incumbent)."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    website = models.CharField(_("website"), max_length=200, blank=True)
    is_archived = models.BooleanField(_("archived"), default=False)

    class Meta:
        ordering = ["name"]
        verbose_name = _("competitor")
        verbose_name_plural = _("competitors")

    def __str__(self) -> str:
        return self.name


class OpportunityCompetitor(models.Model):
    """A competitor on an opportunity: the incumbent the customer uses today, or another bidder."""

    opportunity = models.ForeignKey("deals.Opportunity", on_delete=models.CASCADE, related_name="competitors")
    competitor = models.ForeignKey(Competitor, on_delete=models.PROTECT, related_name="opportunities")
    is_incumbent = models.BooleanField(_("incumbent (used today)"), default=False)
    won_deal = models.BooleanField(_("won the deal"), default=False)
    note = models.CharField(_("note"), max_length=300, blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-is_incumbent", "competitor__name"]
        verbose_name = _("competitor on an opportunity")
        verbose_name_plural = _("competitors on opportunities")
        constraints = [
            models.UniqueConstraint(fields=["opportunity", "competitor"], name="opp_competitor_unique")
        ]

    def __str__(self) -> str:
        return f"{self.opportunity_id}: {self.competitor_id}"


class RepCapacity(models.Model):
    """What a field rep can take: new opportunities per week, availability, specialties and territory."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="capacity")
    weekly_capacity = models.PositiveSmallIntegerField(_("new opportunities per week"), default=5)
    opted_out = models.BooleanField(_("opted out of routing"), default=False)
    away_until = models.DateField(_("away until"), null=True, blank=True)
    products = models.JSONField(_("product specialties"), default=list, blank=True)
    last_assigned_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["user__username"]
        verbose_name = _("rep capacity")
        verbose_name_plural = _("rep capacities")

    def __str__(self) -> str:
        return f"{self.user_id}: {self.weekly_capacity}/wk"


class RoutingRule(models.Model):
    """Which reps get which leads: a territory (regions, industries, sizes), a product, a strategy.

    Rules are tried in sequence; an empty criterion matches anything."""

    class Strategy(models.TextChoices):
        ROUND_ROBIN = "round_robin", _("Round robin")
        CAPACITY = "capacity", _("Most free capacity")

    name = models.CharField(_("name"), max_length=120)
    sequence = models.PositiveSmallIntegerField(_("sequence"), default=10)
    strategy = models.CharField(
        _("strategy"), max_length=12, choices=Strategy.choices, default=Strategy.ROUND_ROBIN
    )
    regions = models.JSONField(_("regions"), default=list, blank=True)
    industries = models.JSONField(_("industries"), default=list, blank=True)
    sizes = models.JSONField(_("sizes"), default=list, blank=True)
    product = models.CharField(_("product specialty"), max_length=60, blank=True)
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="+", verbose_name=_("reps"))
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["sequence", "id"]
        verbose_name = _("routing rule")
        verbose_name_plural = _("routing rules")

    def __str__(self) -> str:
        return self.name


class Assignment(models.Model):
    """One routing decision: who got the lead, by which rule, and the explanation (audited too)."""

    class Via(models.TextChoices):
        ROUTING = "routing", _("Routing")
        SUPPLY = "supply", _("Supply to field sales")
        MANUAL = "manual", _("Manual")

    lead = models.ForeignKey("leads.Lead", on_delete=models.CASCADE, related_name="assignments")
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    rule = models.ForeignKey(RoutingRule, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    via = models.CharField(max_length=8, choices=Via.choices, default=Via.ROUTING)
    explanation = models.JSONField(default=list, blank=True)
    score = models.IntegerField(null=True, blank=True)
    assigned_at = models.DateTimeField(db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-assigned_at", "-id"]
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        indexes = [models.Index(fields=["assignee", "assigned_at"], name="assignment_load_idx")]

    def __str__(self) -> str:
        return f"{self.lead_id} → {self.assignee_id}"


class SupplySettings(models.Model):
    """The floor below which no lead is handed to field sales, however free they are (one row)."""

    min_score = models.IntegerField(_("lowest score ever handed over"), default=0)

    class Meta:
        verbose_name = _("supply settings")
        verbose_name_plural = _("supply settings")

    def __str__(self) -> str:
        return f"min {self.min_score}"


class SupplyRun(models.Model):
    """One hand-over of qualified leads from Inside Sales to Field Sales, sized by free field capacity."""

    period_start = models.DateField(_("week of"), db_index=True)
    ran_at = models.DateTimeField(_("ran"))
    capacity = models.PositiveIntegerField(_("capacity"), default=0)
    free_capacity = models.PositiveIntegerField(_("free capacity"), default=0)
    queued = models.PositiveIntegerField(_("waiting"), default=0)
    passed = models.PositiveIntegerField(_("handed over"), default=0)
    threshold = models.IntegerField(_("threshold"), null=True, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-ran_at", "-id"]
        verbose_name = _("supply run")
        verbose_name_plural = _("supply runs")

    def __str__(self) -> str:
        return f"{self.period_start}: {self.passed}/{self.free_capacity}"
