"""Accounts (companies we sell to) and contacts (the people at them)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from baton.core.choices import CompanySize, Industry, Region
from baton.core.korean import format_brn, normalize_company, normalize_domain, validate_brn
from baton.core.phones import normalize_phone, validate_phone
from baton.core.records import OwnedRecord
from baton.core.textsearch import Searchable
from baton.core.validators import normalize_web_url, validate_web_url


class Account(Searchable, OwnedRecord):
    """A customer or prospect company, identified in Korea by its business registration number."""

    SEARCH_FIELDS = ("name", "brn", "domain")
    SEARCH_PHONES = ("phone",)

    name = models.CharField(_("company name"), max_length=200)
    name_key = models.CharField(max_length=200, editable=False, db_index=True)
    brn = models.CharField(
        _("business registration no."),
        max_length=12,
        blank=True,
        validators=[validate_brn],
        db_index=True,
        help_text=_("사업자등록번호, e.g. 123-45-67890"),
    )
    industry = models.CharField(_("industry"), max_length=32, choices=Industry.choices, blank=True)
    region = models.CharField(_("region"), max_length=32, choices=Region.choices, blank=True)
    size = models.CharField(_("size"), max_length=16, choices=CompanySize.choices, blank=True)
    website = models.CharField(_("website"), max_length=200, blank=True, validators=[validate_web_url])
    domain = models.CharField(_("web domain"), max_length=120, blank=True, editable=False, db_index=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True, validators=[validate_phone])
    address = models.CharField(_("address"), max_length=300, blank=True)
    description = models.TextField(_("description"), blank=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="subsidiaries",
    )
    is_archived = models.BooleanField(_("archived"), default=False)
    csm = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("customer success manager"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="csm_accounts",
    )

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("account")
        verbose_name_plural = _("accounts")
        indexes = [
            models.Index(fields=["owner", "name"], name="account_owner_name_idx"),
            models.Index(fields=["team", "name"], name="account_team_name_idx"),
            models.Index(fields=["-updated_at", "-id"], name="account_updated_idx"),
            models.Index(fields=["industry", "name"], name="account_industry_idx"),
            models.Index(fields=["region", "name"], name="account_region_idx"),
            models.Index(fields=["phone"], name="account_phone_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        self.name = (self.name or "").strip()
        self.name_key = normalize_company(self.name)[:200]
        if self.brn:
            self.brn = format_brn(self.brn)
        self.website = normalize_web_url(self.website)
        self.domain = normalize_domain(self.website)[:120]
        self.phone = normalize_phone(self.phone)


class BuyerRole(models.TextChoices):
    ECONOMIC_BUYER = "economic_buyer", _("Economic buyer")
    CHAMPION = "champion", _("Champion")
    TECHNICAL_EVALUATOR = "technical_evaluator", _("Technical evaluator")
    USER = "user", _("User")
    PROCUREMENT = "procurement", _("Procurement")
    BLOCKER = "blocker", _("Blocker")
    INFLUENCER = "influencer", _("Influencer")


class Contact(Searchable, OwnedRecord):
    """A person at an account."""

    SEARCH_FIELDS = ("name", "email")
    SEARCH_PHONES = ("phone", "mobile")

    account = models.ForeignKey(
        Account,
        verbose_name=_("account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="contacts",
    )
    name = models.CharField(_("name"), max_length=120)
    title = models.CharField(_("job title"), max_length=120, blank=True)
    department = models.CharField(_("department"), max_length=120, blank=True)
    buyer_role = models.CharField(_("buyer role"), max_length=32, choices=BuyerRole.choices, blank=True)
    email = models.EmailField(_("email"), max_length=200, blank=True, db_index=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True, validators=[validate_phone])
    mobile = models.CharField(_("mobile"), max_length=40, blank=True, validators=[validate_phone])
    notes = models.TextField(_("notes"), blank=True)
    is_archived = models.BooleanField(_("archived"), default=False)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        indexes = [
            models.Index(fields=["owner", "name"], name="contact_owner_name_idx"),
            models.Index(fields=["team", "name"], name="contact_team_name_idx"),
            models.Index(fields=["name", "id"], name="contact_name_idx"),
            models.Index(fields=["-updated_at", "-id"], name="contact_updated_idx"),
            # Duplicate matching looks people up by number (stored as E.164).
            models.Index(fields=["phone"], name="contact_phone_idx"),
            models.Index(fields=["mobile"], name="contact_mobile_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        self.name = (self.name or "").strip()
        self.email = (self.email or "").strip().lower()
        self.phone = normalize_phone(self.phone)
        self.mobile = normalize_phone(self.mobile)


class Merge(models.Model):
    """Two accounts (or two contacts) made one: the record kept, the one merged away (archived), the
    field values taken from it, and every related row moved, so that the merge can be undone.

    Records are referred to by id, not by foreign key: a foreign key to Account would itself be one
    of the relations a merge moves.
    """

    class Kind(models.TextChoices):
        ACCOUNT = "account", _("account")
        CONTACT = "contact", _("contact")

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    target_id = models.BigIntegerField(_("kept record"))
    source_id = models.BigIntegerField(_("merged record"))
    # Column values (by attname) of the kept record before, and as set by, the merge.
    target_before = models.JSONField(default=dict, blank=True)
    target_after = models.JSONField(default=dict, blank=True)
    source_was_archived = models.BooleanField(default=False)
    # {"app_label.Model.field_attname": [ids of the rows moved from the merged record to the kept one]}
    moved = models.JSONField(default=dict, blank=True)
    # Rows left on the merged record because the kept one already had their twin (a unique constraint,
    # e.g. the same user following both).
    kept = models.JSONField(default=dict, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("merged"), auto_now_add=True)
    undone_at = models.DateTimeField(_("undone"), null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("merge")
        verbose_name_plural = _("merges")
        indexes = [
            models.Index(fields=["kind", "target_id"], name="merge_target_idx"),
            models.Index(fields=["kind", "source_id"], name="merge_source_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.source_id} → #{self.target_id}"

    @property
    def is_undone(self) -> bool:
        return self.undone_at is not None
