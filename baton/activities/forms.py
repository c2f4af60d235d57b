"""Forms of the activities pages. They only parse input; the services decide and write."""

from __future__ import annotations

import json

from django import forms
from django.utils.translation import gettext_lazy as _

from baton.activities.models import Activity
from baton.core.customfields.forms import CustomFieldsMixin
from baton.core.models import User

DT_FORMAT = "%Y-%m-%dT%H:%M"


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format=DT_FORMAT, **kwargs)


def _dt_field(label):
    return forms.DateTimeField(
        label=label, required=False, widget=DateTimeInput(), input_formats=[DT_FORMAT, "%Y-%m-%d %H:%M"]
    )


class StyledForm(forms.Form):
    """Bootstrap classes on every widget."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.style()

    def style(self) -> None:
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, forms.Select | forms.SelectMultiple):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs.setdefault("class", css)


class ActivityForm(CustomFieldsMixin, StyledForm):
    kind = forms.ChoiceField(label=_("Type"), choices=Activity.Kind.choices)
    event_type = forms.ChoiceField(
        label=_("Event type"), choices=[("", "—"), *Activity.EventType.choices], required=False
    )
    subject = forms.CharField(label=_("Subject"), max_length=200)
    start_at = _dt_field(_("Starts"))
    end_at = _dt_field(_("Ends"))
    due_at = _dt_field(_("Due"))
    remind_minutes = forms.IntegerField(
        label=_("Remind minutes before"), required=False, min_value=0, max_value=60 * 24 * 14
    )
    location = forms.CharField(label=_("Location"), max_length=200, required=False)
    assignees = forms.ModelMultipleChoiceField(
        label=_("Assignees"), queryset=User.objects.none(), required=False
    )
    body = forms.CharField(
        label=_("Description / notes"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_('In minutes, start a line with "?" for an open question to follow up.'),
    )
    preparation = forms.CharField(
        label=_("Preparation notes"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    attendees = forms.ModelMultipleChoiceField(
        label=_("Our attendees"), queryset=User.objects.none(), required=False
    )
    attendees_external = forms.CharField(
        label=_("Their attendees"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    agenda = forms.CharField(label=_("Agenda"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    decisions = forms.CharField(
        label=_("Decisions"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    next_steps = forms.CharField(
        label=_("Next steps"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    outcome = forms.CharField(label=_("Outcome"), max_length=300, required=False)
    attachment = forms.FileField(label=_("Recording or file"), required=False)

    def __init__(self, *args, user=None, custom_data=None, **kwargs):
        super().__init__(*args, **kwargs)
        people = User.objects.filter(is_active=True).order_by("display_name", "username")
        self.fields["assignees"].queryset = people
        self.fields["attendees"].queryset = people
        # The activity custom fields the user may read (cf_<key>), after the built-in ones: the same
        # wiring as every record form (ServiceModelForm).
        self.wire_custom_fields("activity", custom_data, user)
        if self.custom_names:
            self.style()

    # Which activity types show a field (the form hides the others; the services accept them all).
    FIELD_KINDS = {
        "event_type": ["event"],
        "start_at": ["event", "minutes", "call"],
        "end_at": ["event", "minutes"],
        "due_at": ["task", "call", "email"],
        "remind_minutes": ["event"],
        "location": ["event", "minutes"],
        "preparation": ["event"],
        "assignees": ["task", "event", "call"],
        "attendees": ["event", "minutes"],
        "attendees_external": ["event", "minutes"],
        "agenda": ["event", "minutes"],
        "decisions": ["minutes"],
        "next_steps": ["minutes"],
        "outcome": ["task", "event", "call", "email"],
        "attachment": ["minutes", "event", "note", "call"],
    }

    def rows(self):
        """(bound field, JSON list of kinds it applies to or "" for all) for the template."""
        return [(f, json.dumps(self.FIELD_KINDS[f.name]) if f.name in self.FIELD_KINDS else "") for f in self]

    def service_values(self, *, editing: bool = False) -> dict:
        data = dict(self.cleaned_data)
        for key in ("assignees", "attendees", "attachment"):
            data.pop(key, None)
        return self.add_custom_values(data, changed_only=editing)


class AnswerForm(StyledForm):
    answer = forms.CharField(label=_("Answer"), max_length=5000, widget=forms.Textarea(attrs={"rows": 2}))


class RequestForm(StyledForm):
    assignee = forms.ModelChoiceField(label=_("Ask"), queryset=User.objects.filter(is_active=True))
    subject = forms.CharField(label=_("What do you need?"), max_length=200)
    body = forms.CharField(label=_("Details"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    due_at = forms.DateTimeField(label=_("Due"), widget=DateTimeInput(), input_formats=[DT_FORMAT])


class ComposeForm(StyledForm):
    to = forms.CharField(label=_("To"), max_length=1000)
    cc = forms.CharField(label=_("Cc"), max_length=1000, required=False)
    subject = forms.CharField(label=_("Subject"), max_length=300)
    body = forms.CharField(label=_("Message"), widget=forms.Textarea(attrs={"rows": 12}), max_length=100_000)
    marketing = forms.BooleanField(
        label=_("Marketing mail (sent only to people who consented)"), required=False
    )


class TemplateForm(StyledForm):
    name = forms.CharField(label=_("Name"), max_length=120)
    language = forms.ChoiceField(label=_("Language"), choices=[("ko", _("Korean")), ("en", _("English"))])
    subject = forms.CharField(label=_("Subject"), max_length=200)
    body = forms.CharField(label=_("Body"), widget=forms.Textarea(attrs={"rows": 10}))
    is_shared = forms.BooleanField(label=_("Shared with everyone"), required=False, initial=True)
