"""Definitions of custom fields and validation rules, versioned by schema revisions."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

KEY_VALIDATOR = RegexValidator(
    r"^[a-z][a-z0-9_]{0,39}$",
    _("Use lower-case letters, digits and _ (start with a letter, at most 40 characters)."),
)


class FieldType(models.TextChoices):
    TEXT = "text", _("Text")
    LONG_TEXT = "long_text", _("Long text")
    NUMBER = "number", _("Number")
    MONEY = "money", _("Money")
    PERCENT = "percent", _("Percent")
    DATE = "date", _("Date")
    DATETIME = "datetime", _("Date and time")
    BOOLEAN = "boolean", _("Yes/no")
    CHOICE = "choice", _("Single choice")
    MULTI_CHOICE = "multi_choice", _("Multiple choice")
    USER = "user", _("User")
    REFERENCE = "reference", _("Record reference")
    URL = "url", _("Web address")
    EMAIL = "email", _("E-mail")
    PHONE = "phone", _("Phone")


class Requirement(models.TextChoices):
    OPTIONAL = "optional", _("Optional")
    ALWAYS = "always", _("Always required")
    FROM_STAGE = "from_stage", _("Required from a stage onward")


class SchemaRevision(models.Model):
    """Every change to a field definition or a validation rule adds a revision: writes read the
    newest number once and reuse the cached schema while it stays the same."""

    number = models.PositiveIntegerField(unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    summary = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-number"]
        verbose_name = _("custom field revision")
        verbose_name_plural = _("custom field revisions")

    def __str__(self) -> str:
        return f"#{self.number} {self.summary}"


class CustomField(models.Model):
    """A field an administrator added to a kind of record; values live in ``custom_field_data``."""

    object = models.CharField(_("record type"), max_length=20)
    key = models.CharField(_("key"), max_length=40, validators=[KEY_VALIDATOR])
    label_ko = models.CharField(_("label (Korean)"), max_length=100)
    label_en = models.CharField(_("label (English)"), max_length=100)
    help_text = models.CharField(_("help text"), max_length=300, blank=True)
    type = models.CharField(_("type"), max_length=20, choices=FieldType.choices)
    requirement = models.CharField(
        _("required"), max_length=12, choices=Requirement.choices, default=Requirement.OPTIONAL
    )
    # The stage key (deal stage or lead status) from which on the field is required.
    required_from_stage = models.CharField(_("required from stage"), max_length=40, blank=True)
    default = models.JSONField(_("default"), null=True, blank=True)
    unique = models.BooleanField(_("unique"), default=False)
    # Numbers: the value; text: its length.
    min_value = models.DecimalField(_("minimum"), max_digits=20, decimal_places=4, null=True, blank=True)
    max_value = models.DecimalField(_("maximum"), max_digits=20, decimal_places=4, null=True, blank=True)
    regex = models.CharField(_("pattern"), max_length=200, blank=True)
    # [{"value": "a", "label_ko": "…", "label_en": "…", "archived": false}]; a used choice is archived,
    # never deleted.
    choices = models.JSONField(_("choices"), default=list, blank=True)
    reference_kind = models.CharField(_("referenced record type"), max_length=20, blank=True)
    # Roles (core.Role values) that may read / edit the field; empty means everyone who sees the record.
    read_roles = models.JSONField(_("read roles"), default=list, blank=True)
    edit_roles = models.JSONField(_("edit roles"), default=list, blank=True)
    searchable = models.BooleanField(_("searchable"), default=False)
    filterable = models.BooleanField(_("filterable"), default=False)
    # Deals: shown on the cards of the pipeline board (to those who may read it).
    show_on_card = models.BooleanField(_("shown on board cards"), default=False)
    order = models.PositiveIntegerField(_("order"), default=100)
    archived_at = models.DateTimeField(_("archived"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["object", "order", "id"]
        verbose_name = _("custom field")
        verbose_name_plural = _("custom fields")
        constraints = [models.UniqueConstraint(fields=["object", "key"], name="customfield_unique_key")]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return self.label_ko if (get_language() or "ko").startswith("ko") else self.label_en

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None

    def choice_label(self, value: str) -> str:
        korean = (get_language() or "ko").startswith("ko")
        for choice in self.choices:
            if choice.get("value") == value:
                return str(choice.get("label_ko" if korean else "label_en") or value)
        return value

    def active_choices(self) -> list[tuple[str, str]]:
        return [(c["value"], self.choice_label(c["value"])) for c in self.choices if not c.get("archived")]


class ValidationRule(models.Model):
    """A record-level rule in CEL: the record must satisfy ``expression`` to be saved; otherwise the
    message is shown on ``error_field`` (a field name or custom field key; blank: the whole form)."""

    object = models.CharField(_("record type"), max_length=20)
    name = models.CharField(_("name"), max_length=120)
    expression = models.TextField(_("condition the record must meet"))
    message_ko = models.CharField(_("message (Korean)"), max_length=300)
    message_en = models.CharField(_("message (English)"), max_length=300)
    error_field = models.CharField(_("field to show the message on"), max_length=40, blank=True)
    is_active = models.BooleanField(_("active"), default=False)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["object", "name", "id"]
        verbose_name = _("validation rule")
        verbose_name_plural = _("validation rules")

    def __str__(self) -> str:
        return self.name

    @property
    def message(self) -> str:
        return self.message_ko if (get_language() or "ko").startswith("ko") else self.message_en
