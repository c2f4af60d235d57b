"""The rule form: the definition, with the actions as a JSON list (one object per action)."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from . import builder
from .models import ObjectKind, Trigger

ACTIONS_HELP = _(
    'A JSON list, in order, e.g. [{"type": "create_task", "subject": "Call back", "assignee": "manager", '
    '"due_in_days": 1}]. Types: set_field (field, value), assign_owner, create_task and create_request '
    "(subject, assignee: owner, manager or a user id, due_in_days), send_email (template id), notify "
    "(user, text), follow (user), start_approval, create_related (name)."
)


class RuleForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    object_kind = forms.ChoiceField(label=_("Object"), choices=ObjectKind.choices)
    trigger = forms.ChoiceField(label=_("Trigger"), choices=Trigger.choices)
    trigger_field = forms.CharField(
        label=_("Field"),
        max_length=60,
        required=False,
        help_text=_("For “field changed” and “relative to a date”, e.g. expected_close_date."),
    )
    trigger_value = forms.CharField(
        label=_("Stage"), max_length=60, required=False, help_text=_("Stage key of a deal, or a lead status.")
    )
    offset_days = forms.IntegerField(
        label=_("Days from the date"), initial=0, required=False, help_text=_("-3: three days before.")
    )
    condition = forms.CharField(
        label=_("Condition (CEL)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_('Empty: always. e.g. amount >= 10000000 && stage == "deciding"'),
    )
    # The page posts the action builder's rows (``builder``); a post without them (scripts, the
    # earlier page) sends the JSON list here.
    actions = forms.CharField(
        label=_("Actions"), required=False, widget=forms.HiddenInput, help_text=ACTIONS_HELP
    )
    sequence = forms.IntegerField(label=_("Order"), initial=100, min_value=0, max_value=100000)
    enabled = forms.BooleanField(label=_("Enabled"), required=False)

    def clean_actions(self) -> list[Any]:
        if builder.posted(self.data):
            return builder.actions_from_post(self.data)
        try:
            value = json.loads(self.cleaned_data["actions"])
        except ValueError:
            raise forms.ValidationError(_("Write the actions as a JSON list.")) from None
        if not isinstance(value, list):
            raise forms.ValidationError(_("Write the actions as a JSON list."))
        return value

    @classmethod
    def initial_for(cls, rule: Any) -> dict[str, Any]:
        return {
            "name": rule.name,
            "object_kind": rule.object_kind,
            "trigger": rule.trigger,
            "trigger_field": rule.trigger_field,
            "trigger_value": rule.trigger_value,
            "offset_days": rule.offset_days,
            "condition": rule.condition,
            "actions": json.dumps(rule.actions, ensure_ascii=False, indent=1),
            "sequence": rule.sequence,
            "enabled": rule.enabled,
        }
