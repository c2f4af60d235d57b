"""Forms of the custom field and validation rule pages (administrators only). They parse; the
services validate and write."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from baton.core.customfields.models import CustomField, FieldType, Requirement, ValidationRule
from baton.core.customfields.schema import OBJECTS, RECORD_OBJECTS, stage_order
from baton.core.models import Role
from baton.core.views_generic import choice_field, style_form


def object_choices(kinds: tuple[str, ...] = OBJECTS) -> list[tuple[str, Any]]:
    labels = {
        "lead": _("Lead"),
        "account": _("Account"),
        "contact": _("Contact"),
        "opportunity": _("Opportunity"),
        "activity": _("Activity"),
        "contract": _("Contract"),
        "case": _("Support case"),
    }
    return [(kind, labels[kind]) for kind in kinds]


def stage_choices() -> list[tuple[str, Any]]:
    choices: list[tuple[str, Any]] = [("", "---------")]
    for kind in OBJECTS:
        order = stage_order(kind)
        if order is not None:
            choices.extend((key, f"{label} ({kind})") for key, label in order.choices())
    return list(dict(choices).items())


def parse_choices(text: str) -> list[dict[str, Any]]:
    """One choice a line: ``value|한국어|English`` (labels optional)."""
    result = []
    for line in (text or "").splitlines():
        if not line.strip():
            continue
        parts = [p.strip() for p in line.split("|")]
        value = parts[0]
        label_ko = parts[1] if len(parts) > 1 and parts[1] else value
        label_en = parts[2] if len(parts) > 2 and parts[2] else label_ko
        result.append({"value": value, "label_ko": label_ko, "label_en": label_en})
    return result


def choices_text(choices: list[dict[str, Any]]) -> str:
    return "\n".join(
        f"{c['value']}|{c['label_ko']}|{c['label_en']}" for c in choices if not c.get("archived")
    )


class FieldForm(forms.Form):
    object = forms.ChoiceField(label=_("Record type"))
    key = forms.CharField(
        label=_("Key"), max_length=40, help_text=_("e.g. budget_code; cannot change later.")
    )
    label_ko = forms.CharField(label=_("Label (Korean)"), max_length=100)
    label_en = forms.CharField(label=_("Label (English)"), max_length=100)
    help_text = forms.CharField(label=_("Help text"), max_length=300, required=False)
    type = forms.ChoiceField(label=_("Type"), choices=FieldType.choices)
    requirement = forms.ChoiceField(label=_("Required"), choices=Requirement.choices)
    required_from_stage = forms.ChoiceField(label=_("Required from stage"), required=False)
    choices = forms.CharField(
        label=_("Choices"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One a line: value|Korean label|English label. A used choice left out is archived."),
    )
    reference_kind = forms.ChoiceField(label=_("Referenced record type"), required=False)
    default = forms.CharField(label=_("Default"), max_length=200, required=False)
    min_value = forms.DecimalField(label=_("Minimum"), required=False, max_digits=20, decimal_places=4)
    max_value = forms.DecimalField(label=_("Maximum"), required=False, max_digits=20, decimal_places=4)
    regex = forms.CharField(label=_("Pattern (regular expression)"), max_length=200, required=False)
    read_roles = forms.MultipleChoiceField(
        label=_("Who may read"), choices=Role.choices, required=False, widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: everyone who sees the record."),
    )  # fmt: skip
    edit_roles = forms.MultipleChoiceField(
        label=_("Who may edit"), choices=Role.choices, required=False, widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: everyone who may edit the record."),
    )  # fmt: skip
    unique = forms.BooleanField(label=_("Unique"), required=False)
    searchable = forms.BooleanField(label=_("Searchable"), required=False)
    filterable = forms.BooleanField(label=_("Filterable and sortable in lists"), required=False)
    show_on_card = forms.BooleanField(
        label=_("Shown on the deal board's cards"), required=False, help_text=_("Deals only.")
    )
    order = forms.IntegerField(label=_("Order"), min_value=0, max_value=10_000, initial=100)

    def __init__(self, *args: Any, definition: CustomField | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        choice_field(self, "object").choices = object_choices()
        choice_field(self, "reference_kind").choices = [("", "---------"), *object_choices(RECORD_OBJECTS)]
        choice_field(self, "required_from_stage").choices = stage_choices()
        if definition is not None:
            for name in ("object", "key", "type"):
                self.fields[name].disabled = True
        style_form(self)

    def clean_default(self) -> Any:
        raw = self.cleaned_data.get("default") or ""
        if not raw.strip():
            return None
        try:
            return json.loads(raw)
        except ValueError:
            return raw.strip()

    def values(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["choices"] = parse_choices(data.get("choices") or "")
        for name in ("reference_kind", "required_from_stage", "help_text", "regex"):
            data[name] = data.get(name) or ""
        return data


def initial_of(definition: CustomField) -> dict[str, Any]:
    initial = {f.name: getattr(definition, f.name) for f in CustomField._meta.concrete_fields}
    initial["choices"] = choices_text(definition.choices)
    initial["default"] = (
        "" if definition.default is None else json.dumps(definition.default, ensure_ascii=False)
    )
    return initial


class RuleForm(forms.ModelForm):
    class Meta:
        model = ValidationRule
        fields = ["object", "name", "expression", "message_ko", "message_en", "error_field"]
        widgets = {"expression": forms.Textarea(attrs={"rows": 3})}
        help_texts = {
            "expression": _(
                'A record must meet this to be saved, e.g. stage_key != "lost" || cf_competitor != "". '
                "Custom fields are cf_<key>."
            )
        }

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["object"] = forms.ChoiceField(
            label=_("Record type"), choices=object_choices(RECORD_OBJECTS)
        )
        if self.instance.pk:
            self.fields["object"].disabled = True
        style_form(self)

    def _post_clean(self) -> None:
        pass  # the service validates


class RuleTestForm(forms.Form):
    record_id = forms.IntegerField(label=_("Sample record id"), min_value=1, max_value=2**63 - 1)
    expression = forms.CharField(widget=forms.HiddenInput, required=False)

    def clean_expression(self) -> str:
        value = self.cleaned_data.get("expression") or ""
        if len(value) > 1000:
            raise ValidationError(_("The expression is too long (at most 1,000 characters)."))
        return value
