"""The catalog (product families, products, price lists) and what a deal sells (line items, delivery
effort). Money is ``Decimal`` everywhere; amounts are rounded once per line to the currency's minor
unit, and totals are sums of rounded lines, so a quote's total always equals the sum of what it prints.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from baton.core.models import Role
from baton.core.money import Currency, quantize, validate_amount
from baton.core.vocabulary import localized

HUNDRED = Decimal(100)


# --- catalog -------------------------------------------------------------------------------------------


class ProductFamily(models.Model):
    """A group of products that delivery treats alike (one checklist per family)."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    name_en = models.CharField(_("name (English)"), max_length=100, blank=True)
    is_archived = models.BooleanField(_("archived"), default=False)

    class Meta:
        ordering = ["name"]
        verbose_name = _("product family")
        verbose_name_plural = _("product families")

    def __str__(self) -> str:
        return localized(self.name, self.name_en)


class Product(models.Model):
    """Something we sell, with what one unit costs us (in KRW unless said otherwise)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    family = models.ForeignKey(
        ProductFamily, verbose_name=_("family"), on_delete=models.PROTECT, related_name="products"
    )
    unit = models.CharField(_("unit"), max_length=30, blank=True)
    unit_cost = models.DecimalField(_("unit cost"), max_digits=18, decimal_places=2, default=0)
    cost_currency = models.CharField(
        _("cost currency"), max_length=3, choices=Currency.choices, default=Currency.KRW
    )
    description = models.TextField(_("description"), blank=True)
    vat_exempt = models.BooleanField(
        _("VAT exempt"), default=False, help_text=_("Quoted without VAT (부가세 면세).")
    )
    is_archived = models.BooleanField(_("archived"), default=False)

    class Meta:
        ordering = ["code"]
        verbose_name = _("product")
        verbose_name_plural = _("products")
        constraints = [
            models.CheckConstraint(condition=models.Q(unit_cost__gte=0), name="product_cost_not_negative")
        ]

    def __str__(self) -> str:
        return localized(self.name, self.name_en)

    def clean(self) -> None:
        try:
            validate_amount(self.unit_cost, self.cost_currency)
        except ValidationError as exc:
            raise ValidationError({"unit_cost": exc.messages}) from None


class PriceList(models.Model):
    """List prices in one currency; a deal in that currency takes its line prices from here."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    currency = models.CharField(_("currency"), max_length=3, choices=Currency.choices, default=Currency.KRW)
    is_default = models.BooleanField(_("default"), default=False)
    is_archived = models.BooleanField(_("archived"), default=False)

    class Meta:
        ordering = ["-is_default", "name"]
        verbose_name = _("price list")
        verbose_name_plural = _("price lists")

    def __str__(self) -> str:
        return f"{self.name} ({self.currency})"


class PriceListEntry(models.Model):
    """One product's list price on a price list."""

    price_list = models.ForeignKey(PriceList, on_delete=models.CASCADE, related_name="entries")
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="prices")
    unit_price = models.DecimalField(_("list price"), max_digits=18, decimal_places=2)

    class Meta:
        verbose_name = _("price")
        verbose_name_plural = _("prices")
        constraints = [
            models.UniqueConstraint(fields=["price_list", "product"], name="price_unique_product"),
            models.CheckConstraint(condition=models.Q(unit_price__gte=0), name="price_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.product} @ {self.unit_price}"

    def clean(self) -> None:
        try:
            validate_amount(self.unit_price, self.price_list.currency)
        except ValidationError as exc:
            raise ValidationError({"unit_price": exc.messages}) from None


# --- what a deal sells ---------------------------------------------------------------------------------


def line_amounts(
    quantity: Decimal, list_price: Decimal, discount_percent: Decimal, unit_cost: Decimal, currency: str
) -> dict[str, Decimal]:
    """One line's money, rounded once to the currency's minor unit (KRW: whole won)."""
    gross = quantize(quantity * list_price, currency)
    net = quantize(quantity * list_price * (HUNDRED - discount_percent) / HUNDRED, currency)
    cost = quantize(quantity * unit_cost, currency)
    return {"gross": gross, "discount": gross - net, "net": net, "cost": cost, "margin": net - cost}


class LineItem(models.Model):
    """A product on an opportunity: quantity, list price, discount %, and the unit cost at the time."""

    audit_parent = "opportunity"  # its changes show in the deal's history

    opportunity = models.ForeignKey("deals.Opportunity", on_delete=models.CASCADE, related_name="line_items")
    product = models.ForeignKey(
        Product, verbose_name=_("product"), on_delete=models.PROTECT, related_name="+"
    )
    description = models.CharField(_("description"), max_length=300, blank=True)
    quantity = models.DecimalField(_("quantity"), max_digits=12, decimal_places=2, default=1)
    list_price = models.DecimalField(_("list price"), max_digits=18, decimal_places=2)
    discount_percent = models.DecimalField(_("discount %"), max_digits=5, decimal_places=2, default=0)
    unit_cost = models.DecimalField(_("unit cost"), max_digits=18, decimal_places=2, default=0)
    vat_exempt = models.BooleanField(_("VAT exempt"), default=False)
    sequence = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["opportunity", "sequence", "id"]
        verbose_name = _("line item")
        verbose_name_plural = _("line items")
        constraints = [
            models.CheckConstraint(condition=models.Q(quantity__gt=0), name="line_quantity_positive"),
            models.CheckConstraint(
                condition=models.Q(discount_percent__gte=0, discount_percent__lte=100),
                name="line_discount_percent",
            ),
            models.CheckConstraint(
                condition=models.Q(list_price__gte=0, unit_cost__gte=0), name="line_amounts_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.product} × {self.quantity.normalize()}"

    def amounts(self, currency: str) -> dict[str, Decimal]:
        return line_amounts(self.quantity, self.list_price, self.discount_percent, self.unit_cost, currency)

    def clean(self) -> None:
        errors: dict[str, list] = {}
        if self.quantity is not None and self.quantity <= 0:
            errors["quantity"] = [_("The quantity must be more than zero.")]
        if self.discount_percent is not None and not (0 <= self.discount_percent <= 100):
            errors["discount_percent"] = [_("The discount is a percentage from 0 to 100.")]
        currency = self.opportunity.currency if self.opportunity_id else Currency.KRW
        for name in ("list_price", "unit_cost"):
            try:
                validate_amount(getattr(self, name), currency)
            except ValidationError as exc:
                errors[name] = exc.messages
        if errors:
            raise ValidationError(errors)


class EffortEstimate(models.Model):
    """Delivery effort for a deal: person-days of one role at a day rate (the cost of doing it)."""

    audit_parent = "opportunity"  # its changes show in the deal's history

    opportunity = models.ForeignKey("deals.Opportunity", on_delete=models.CASCADE, related_name="efforts")
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    person_days = models.DecimalField(_("person-days"), max_digits=8, decimal_places=1)
    day_rate = models.DecimalField(_("cost per day"), max_digits=18, decimal_places=2)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["opportunity", "role", "id"]
        verbose_name = _("effort estimate")
        verbose_name_plural = _("effort estimates")

    def __str__(self) -> str:
        return f"{self.get_role_display()}: {self.person_days}"

    def cost(self, currency: str) -> Decimal:
        return quantize(self.person_days * self.day_rate, currency)

    def clean(self) -> None:
        errors: dict[str, list] = {}
        if self.person_days is not None and self.person_days <= 0:
            errors["person_days"] = [_("Estimate more than zero days.")]
        currency = self.opportunity.currency if self.opportunity_id else Currency.KRW
        try:
            validate_amount(self.day_rate, currency)
        except ValidationError as exc:
            errors["day_rate"] = exc.messages
        if errors:
            raise ValidationError(errors)
