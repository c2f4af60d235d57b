"""Forms of the case pages: they parse input; the services validate and write."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from baton.accounts.models import Contact
from baton.core.models import Team, User
from baton.core.records import assignable_users
from baton.core.views_generic import style_form
from baton.success.cases.models import Case, Priority, SlaPolicy
from baton.success.models import Contract


class CaseForm(forms.Form):
    subject = forms.CharField(label=_("Subject"), max_length=200)
    description = forms.CharField(
        label=_("Description"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    priority = forms.ChoiceField(label=_("Priority"), choices=Priority.choices, initial=Priority.NORMAL)
    category = forms.ChoiceField(label=_("Category"), choices=Case.Category.choices)
    contact = forms.ModelChoiceField(label=_("Contact"), queryset=Contact.objects.none(), required=False)
    contract = forms.ModelChoiceField(label=_("Contract"), queryset=Contract.objects.none(), required=False)

    def __init__(self, *args: Any, account: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        contact_field: Any = self.fields["contact"]
        contact_field.queryset = Contact.objects.visible_to(user).filter(account=account).order_by("name")
        contract_field: Any = self.fields["contract"]
        contract_field.queryset = (
            Contract.objects.visible_to(user).filter(account=account).order_by("-end_date")
        )
        style_form(self)


class CommentForm(forms.Form):
    body = forms.CharField(label=_("Comment"), widget=forms.Textarea(attrs={"rows": 3}), max_length=10000)
    is_internal = forms.BooleanField(label=_("Internal note (not shown to the customer)"), required=False)
    send_email = forms.BooleanField(
        label=_("E-mail this reply to the case's contact (never an internal note)"), required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style_form(self)


class AssignForm(forms.Form):
    owner = forms.ModelChoiceField(label=_("Assignee"), queryset=User.objects.none(), required=False)
    team = forms.ModelChoiceField(label=_("Queue"), queryset=Team.objects.order_by("name"), required=False)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        owner_field: Any = self.fields["owner"]
        owner_field.queryset = assignable_users(user)
        style_form(self)


class PolicyForm(forms.Form):
    priority = forms.ChoiceField(label=_("Priority"), choices=Priority.choices)
    first_response_minutes = forms.IntegerField(label=_("First response target (minutes)"), min_value=1)
    resolution_minutes = forms.IntegerField(label=_("Resolution target (minutes)"), min_value=1)
    calendar = forms.ChoiceField(label=_("Calendar"), choices=SlaPolicy.Calendar.choices)
    warn_percent = forms.IntegerField(
        label=_("Warn when this percentage of the target is used"), min_value=1, max_value=99, initial=80
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style_form(self)


class HoursForm(forms.Form):
    day_start = forms.TimeField(
        label=_("Business day starts"), widget=forms.TimeInput(attrs={"type": "time"})
    )
    day_end = forms.TimeField(label=_("Business day ends"), widget=forms.TimeInput(attrs={"type": "time"}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style_form(self)
