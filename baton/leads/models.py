"""Campaigns and leads: people and companies before there is an account, and what they did."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from baton.core.choices import CompanySize, Industry, Region
from baton.core.korean import format_brn, normalize_company, validate_brn
from baton.core.phones import normalize_phone, validate_phone
from baton.core.records import OwnedRecord
from baton.core.textsearch import Searchable
from baton.core.validators import normalize_web_url, validate_web_url


class Campaign(OwnedRecord):
    """A marketing programme that brings in leads: a seminar, a webinar, a mailing, an ad."""

    class Kind(models.TextChoices):
        SEMINAR = "seminar", _("Seminar / event")
        WEBINAR = "webinar", _("Webinar")
        EMAIL = "email", _("Email")
        ADVERTISING = "advertising", _("Advertising")
        CONTENT = "content", _("Content / white paper")
        EXHIBITION = "exhibition", _("Exhibition")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        ACTIVE = "active", _("Active")
        COMPLETED = "completed", _("Completed")

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("type"), max_length=16, choices=Kind.choices, default=Kind.SEMINAR)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PLANNED)
    starts_on = models.DateField(_("starts"), null=True, blank=True)
    ends_on = models.DateField(_("ends"), null=True, blank=True)
    budget = models.DecimalField(_("budget"), max_digits=18, decimal_places=2, null=True, blank=True)
    cost = models.DecimalField(
        _("actual cost (KRW)"),
        max_digits=18,
        decimal_places=0,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text=_("What the campaign actually cost, in KRW; blank: not entered yet."),
    )
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["-starts_on", "name"]
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")

    def __str__(self) -> str:
        return self.name


class LeadSource(models.TextChoices):
    WEB_FORM = "web_form", _("Web form")
    BUSINESS_CARD = "business_card", _("Business card")
    EVENT = "event", _("Event / seminar")
    IMPORT = "import", _("Import")
    API = "api", _("API")
    REFERRAL = "referral", _("Referral")
    PARTNER = "partner", _("Partner")
    INBOUND_CALL = "inbound_call", _("Inbound call")
    OUTBOUND = "outbound", _("Outbound prospecting")
    OTHER = "other", _("Other")


class CustomerLanguage(models.TextChoices):
    """The language customer-facing text (letters, quotes) to a person is written in."""

    KO = "ko", _("Korean")
    EN = "en", _("English")


class LeadStatus(models.TextChoices):
    NEW = "new", _("New")
    WORKING = "working", _("Working")
    NURTURING = "nurturing", _("Nurturing")
    QUALIFIED = "qualified", _("Qualified")
    DISQUALIFIED = "disqualified", _("Disqualified")
    CONVERTED = "converted", _("Converted")


class Lead(Searchable, OwnedRecord):
    """A person and company that showed interest, before there is an account (no account code needed)."""

    SEARCH_FIELDS = ("name", "company", "email")
    SEARCH_PHONES = ("phone",)

    name = models.CharField(_("name"), max_length=120)
    company = models.CharField(_("company"), max_length=200, blank=True)
    company_key = models.CharField(max_length=200, editable=False, blank=True)
    title = models.CharField(_("job title"), max_length=120, blank=True)
    email = models.EmailField(_("email"), max_length=200, blank=True, db_index=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True, validators=[validate_phone])
    brn = models.CharField(
        _("business registration no."),
        max_length=12,
        blank=True,
        validators=[validate_brn],
    )
    website = models.CharField(_("website"), max_length=200, blank=True, validators=[validate_web_url])
    industry = models.CharField(_("industry"), max_length=32, choices=Industry.choices, blank=True)
    region = models.CharField(_("region"), max_length=32, choices=Region.choices, blank=True)
    size = models.CharField(_("size"), max_length=16, choices=CompanySize.choices, blank=True)
    language = models.CharField(
        _("language"),
        max_length=2,
        choices=CustomerLanguage.choices,
        blank=True,
        help_text=_(
            "The language of letters to this person; blank: guessed from the name, company and phone."
        ),
    )
    source = models.CharField(
        _("source"), max_length=20, choices=LeadSource.choices, default=LeadSource.WEB_FORM
    )
    campaign = models.ForeignKey(
        Campaign,
        verbose_name=_("campaign"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="leads",
    )
    status = models.CharField(_("status"), max_length=16, choices=LeadStatus.choices, default=LeadStatus.NEW)
    description = models.TextField(_("description"), blank=True)
    disqualify_reason = models.CharField(_("disqualification reason"), max_length=200, blank=True)

    converted_at = models.DateTimeField(_("converted"), null=True, blank=True)
    converted_account = models.ForeignKey(
        "accounts.Account",
        verbose_name=_("converted account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="source_leads",
    )
    converted_contact = models.ForeignKey(
        "accounts.Contact",
        verbose_name=_("converted contact"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="source_leads",
    )
    converted_opportunity = models.ForeignKey(
        "deals.Opportunity",
        verbose_name=_("converted opportunity"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="source_leads",
    )
    # The earliest sales touch on the lead (speed to lead), kept by ``baton.activities.touches`` on every
    # write of a touch so the inside-sales numbers read one column instead of two subqueries per lead.
    first_touch_at = models.DateTimeField(_("first sales touch"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("lead")
        verbose_name_plural = _("leads")
        indexes = [
            models.Index(fields=["-created_at", "-id"], name="lead_created_idx"),
            models.Index(fields=["status", "-created_at", "-id"], name="lead_status_idx"),
            models.Index(fields=["owner", "-created_at", "-id"], name="lead_owner_idx"),
            models.Index(fields=["team", "-created_at", "-id"], name="lead_team_idx"),
            models.Index(fields=["source", "-created_at", "-id"], name="lead_source_idx"),
            models.Index(fields=["campaign", "-created_at"], name="lead_campaign_idx"),
            models.Index(fields=["company_key"], name="lead_company_key_idx"),
            models.Index(fields=["name", "id"], name="lead_name_idx"),
            models.Index(fields=["company", "id"], name="lead_company_idx"),
            models.Index(fields=["phone"], name="lead_phone_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.company})" if self.company else self.name

    @property
    def is_converted(self) -> bool:
        return self.converted_at is not None

    def clean(self) -> None:
        self.name = (self.name or "").strip()
        self.company = (self.company or "").strip()
        self.company_key = normalize_company(self.company)[:200]
        self.email = (self.email or "").strip().lower()
        self.phone = normalize_phone(self.phone)
        self.website = normalize_web_url(self.website)
        if self.brn:
            self.brn = format_brn(self.brn)


class LeadInteraction(models.Model):
    """One touch in the lead's history: a web visit, a seminar attended, an inbound question, a call."""

    class Kind(models.TextChoices):
        WEB_VISIT = "web_visit", _("Web visit")
        FORM_SUBMIT = "form_submit", _("Form submitted")
        SEMINAR = "seminar", _("Seminar attended")
        INBOUND_QUESTION = "inbound_question", _("Inbound question")
        EMAIL_REPLY = "email_reply", _("Email reply")
        CALL = "call", _("Call")
        MEETING = "meeting", _("Meeting")
        NOTE = "note", _("Note")
        DOWNLOAD = "download", _("Content download")

    # Timeline entries that are a colleague reaching the lead (marketing touches are not): with an actor,
    # they count as a sales touch for speed to lead.
    SALES_TOUCHES = (Kind.CALL, Kind.MEETING)

    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="interactions")
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices)
    occurred_at = models.DateTimeField(_("when"))
    note = models.TextField(_("note"), blank=True)
    campaign = models.ForeignKey(Campaign, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-occurred_at", "-id"]
        verbose_name = _("interaction")
        verbose_name_plural = _("interactions")
        indexes = [models.Index(fields=["lead", "kind", "-occurred_at"], name="interaction_lead_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} @ {self.occurred_at:%Y-%m-%d}"
