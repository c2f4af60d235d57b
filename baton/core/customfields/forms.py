"""Custom fields in the record forms: one form field per field the user may read (read-only when
they may not edit it), named ``cf_<key>`` so the service's errors land on it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django import forms
from django.utils import timezone

from baton.core.customfields.models import CustomField, FieldType
from baton.core.customfields.schema import can_edit_field, readable_custom_fields
from baton.core.models import User
from baton.core.money import Currency

PREFIX = "cf_"


class MoneyWidget(forms.MultiWidget):
    def __init__(self, attrs: dict | None = None):
        super().__init__(
            [forms.NumberInput(attrs={"step": "any"}), forms.Select(choices=Currency.choices)], attrs
        )

    def decompress(self, value: Any) -> list[Any]:
        if isinstance(value, dict):
            return [value.get("amount"), value.get("currency")]
        return [None, Currency.KRW.value]


class MoneyField(forms.MultiValueField):
    widget = MoneyWidget

    def __init__(self, **kwargs: Any):
        fields = (
            forms.DecimalField(required=False),
            forms.ChoiceField(choices=Currency.choices, required=False),
        )
        super().__init__(fields, require_all_fields=False, **kwargs)

    def compress(self, data_list: list[Any]) -> Any:
        if not data_list or data_list[0] in (None, ""):
            return None
        return {"amount": str(data_list[0]), "currency": data_list[1] or Currency.KRW.value}


def form_field(definition: CustomField) -> forms.Field:
    """The form field of one definition; the service does the real validation (limits, required)."""
    common: dict[str, Any] = {"label": definition.label, "required": False, "help_text": definition.help_text}
    kind = definition.type
    if kind == FieldType.LONG_TEXT:
        return forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), **common)
    if kind in (FieldType.NUMBER, FieldType.PERCENT):
        return forms.DecimalField(**common)
    if kind == FieldType.MONEY:
        return MoneyField(**common)
    if kind == FieldType.DATE:
        return forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), **common)
    if kind == FieldType.DATETIME:
        return forms.DateTimeField(widget=forms.DateTimeInput(attrs={"type": "datetime-local"}), **common)
    if kind == FieldType.BOOLEAN:
        return forms.BooleanField(**common)
    if kind == FieldType.CHOICE:
        return forms.ChoiceField(choices=[("", "---------"), *definition_choices(definition)], **common)
    if kind == FieldType.MULTI_CHOICE:
        return forms.MultipleChoiceField(
            choices=definition_choices(definition), widget=forms.CheckboxSelectMultiple, **common
        )
    if kind == FieldType.USER:
        return forms.ModelChoiceField(queryset=User.objects.filter(is_active=True), **common)
    if kind == FieldType.REFERENCE:
        return forms.IntegerField(min_value=1, **common)
    if kind == FieldType.EMAIL:
        return forms.EmailField(**common)
    return forms.CharField(**common)


def definition_choices(definition: CustomField) -> list[tuple[str, str]]:
    return definition.active_choices()


def _initial(definition: CustomField, value: Any) -> Any:
    if value is None:
        return None
    if definition.type == FieldType.DATETIME and isinstance(value, str):
        try:
            return timezone.localtime(dt.datetime.fromisoformat(value)).strftime("%Y-%m-%dT%H:%M")
        except ValueError:
            return value
    return value


def add_custom_fields(form: forms.BaseForm, kind: str, data: dict[str, Any], user: User) -> list[str]:
    """Add the readable custom fields of ``kind`` to ``form``, filled from ``data`` (the record's
    ``custom_field_data``); returns the form field names added."""
    names = []
    for definition in readable_custom_fields(user, kind):
        name = PREFIX + definition.key
        field = form_field(definition)
        field.initial = _initial(definition, data.get(definition.key))
        if not can_edit_field(user, definition):
            field.disabled = True
        form.fields[name] = field
        names.append(name)
    return names


def _raw(value: Any) -> Any:
    """The form's cleaned value as the service takes it (the service coerces and checks)."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, User):
        return value.pk
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if value is False:
        return False
    return value


def custom_values(form: forms.BaseForm, names: list[str], *, changed_only: bool) -> dict[str, Any]:
    """The custom field values to write, by key (only the changed ones on edit)."""
    values = {}
    for name in names:
        field = form.fields[name]
        if field.disabled or name not in form.cleaned_data:
            continue
        if changed_only and name not in form.changed_data:
            continue
        values[name[len(PREFIX) :]] = _raw(form.cleaned_data[name])
    return values


class CustomFieldsMixin:
    """The custom-field wiring of a record form, one copy for every form: ``ServiceModelForm`` (the
    customer records) and the forms of the records that hang under them (the activity form).

    ``wire_custom_fields`` adds the fields of ``kind`` the user may read (read-only where they may not
    edit), filled from the record's values; ``add_custom_values`` puts the ones to write into the
    service's values as ``custom_field_data`` (only the changed ones when editing)."""

    custom_names: list[str]

    def wire_custom_fields(self, kind: str | None, data: dict[str, Any] | None, user: User | None) -> None:
        form: Any = self
        self.custom_names = add_custom_fields(form, kind, data or {}, user) if kind and user else []

    def add_custom_values(self, values: dict[str, Any], *, changed_only: bool) -> dict[str, Any]:
        for name in getattr(self, "custom_names", []):
            values.pop(name, None)
        form: Any = self
        custom = custom_values(form, self.custom_names, changed_only=changed_only)
        if custom:
            values["custom_field_data"] = custom
        return values
