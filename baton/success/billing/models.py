"""Invoices of a contract's billing schedule and the payments against them.

An invoice carries the Korean tax invoice (세금계산서) fields: the supply amount (공급가액), VAT (세액,
10 % of the supply amount, won fractions cut off), the total (합계), the buyer's business registration
number (사업자등록번호, copied when issued) and the tax invoice issue date (작성일자)."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Invoice(models.Model):
    """One billing period of a contract (unique per contract and period start: scheduled once)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        OPEN = "open", _("Open")
        PAID = "paid", _("Paid")
        VOID = "void", _("Void")

    contract = models.ForeignKey(
        "success.Contract", verbose_name=_("contract"), on_delete=models.CASCADE, related_name="invoices"
    )
    number = models.CharField(_("number"), max_length=40, unique=True)
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    tax_invoice_date = models.DateField(_("tax invoice issue date"))
    due_date = models.DateField(_("due date"))
    payment_terms_days = models.PositiveSmallIntegerField(_("payment terms (days)"), default=30)
    buyer_brn = models.CharField(_("business registration number"), max_length=12, blank=True)
    currency = models.CharField(_("currency"), max_length=3, default="KRW")
    recurring_amount = models.DecimalField(_("recurring"), max_digits=18, decimal_places=2)
    one_time_amount = models.DecimalField(_("one-time"), max_digits=18, decimal_places=2, default=0)
    supply_amount = models.DecimalField(_("supply amount"), max_digits=18, decimal_places=2)
    vat_amount = models.DecimalField(_("VAT"), max_digits=18, decimal_places=2)
    total_amount = models.DecimalField(_("total"), max_digits=18, decimal_places=2)
    paid_amount = models.DecimalField(_("paid"), max_digits=18, decimal_places=2, default=0)
    # A credit note against the invoice lowers what is owed (never the issued 합계 itself).
    credited_amount = models.DecimalField(_("credited"), max_digits=18, decimal_places=2, default=0)
    issued_at = models.DateTimeField(_("issued"), null=True, blank=True)
    void_reason = models.CharField(_("reason"), max_length=300, blank=True)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.OPEN)
    # The latest dunning step done on this invoice (shown on the invoice and in collections).
    last_dunning = models.ForeignKey(
        "success.DunningRun",
        verbose_name=_("last dunning step"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["contract", "period_start"]
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")
        constraints = [
            models.UniqueConstraint(fields=["contract", "period_start"], name="invoice_once_per_period"),
        ]
        indexes = [
            models.Index(fields=["status", "due_date"], name="invoice_status_due_idx"),
            models.Index(fields=["contract", "period_start"], name="invoice_contract_idx"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def outstanding(self) -> Decimal:
        return self.total_amount - self.paid_amount - self.credited_amount


class CreditNote(models.Model):
    """An amount taken off an invoice after it was issued (수정세금계산서), with its reason."""

    audit_parent = "invoice"

    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="credit_notes")
    amount = models.DecimalField(_("amount"), max_digits=18, decimal_places=2)
    issued_on = models.DateField(_("issued on"))
    reason = models.CharField(_("reason"), max_length=300)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["invoice", "issued_on", "id"]
        verbose_name = _("credit note")
        verbose_name_plural = _("credit notes")

    def __str__(self) -> str:
        return f"{self.invoice_id} -{self.amount}"


class Payment(models.Model):
    """Money received against an invoice (entered by hand or pushed by the ERP)."""

    audit_parent = "invoice"

    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="payments")
    amount = models.DecimalField(_("amount"), max_digits=18, decimal_places=2)
    paid_on = models.DateField(_("paid on"))
    reference = models.CharField(_("reference"), max_length=100, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["invoice", "paid_on", "id"]
        verbose_name = _("payment")
        verbose_name_plural = _("payments")

    def __str__(self) -> str:
        return f"{self.invoice_id} {self.amount}"


class DunningStep(models.Model):
    """One rung of the dunning ladder an administrator edits: ``days`` after an invoice's due date,
    do ``action``. Steps are switched off, never deleted, so the invoices that went through them keep
    their history."""

    class Action(models.TextChoices):
        EMAIL = "email", _("Reminder e-mail to the billing contact")
        TASK = "task", _("Follow-up task for the follow-up owner")
        ESCALATE = "escalate", _("Escalate to the CSM and the owner's manager")

    days = models.PositiveSmallIntegerField(_("days after the due date"))
    action = models.CharField(_("action"), max_length=16, choices=Action.choices)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["days", "id"]
        verbose_name = _("dunning step")
        verbose_name_plural = _("dunning steps")
        constraints = [
            models.UniqueConstraint(
                fields=["days"], condition=models.Q(is_active=True), name="dunning_step_day_once"
            ),
        ]

    def __str__(self) -> str:
        return f"D+{self.days} {self.get_action_display()}"


class DunningRun(models.Model):
    """A dunning step done on one invoice. The unique row is the claim: of two workers only one
    creates it, so each step happens once per invoice."""

    audit_parent = "invoice"

    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="dunning_runs")
    step = models.ForeignKey(DunningStep, on_delete=models.PROTECT, related_name="runs")
    # The step as it was when done (an admin may change the ladder later).
    days = models.PositiveSmallIntegerField(_("days after the due date"))
    action = models.CharField(_("action"), max_length=16, choices=DunningStep.Action.choices)
    done_on = models.DateField(_("done on"))
    outcome = models.CharField(_("outcome"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["invoice", "days", "id"]
        verbose_name = _("dunning step done")
        verbose_name_plural = _("dunning steps done")
        constraints = [
            models.UniqueConstraint(fields=["invoice", "step"], name="dunning_once_per_invoice_step"),
        ]

    def __str__(self) -> str:
        return f"{self.invoice_id} D+{self.days}"

    @property
    def label(self) -> str:
        return f"D+{self.days} · {self.get_action_display()}"
