from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from baton.activities.forms import StyledForm
from baton.core.models import ShareAccess, SharingMode, Team, User
from baton.sharing.services import SHARABLE_KINDS


class ShareForm(StyledForm):
    user = forms.ModelChoiceField(
        label=_("User"), queryset=User.objects.filter(is_active=True), required=False
    )
    team = forms.ModelChoiceField(label=_("Team"), queryset=Team.objects.all(), required=False)
    access = forms.ChoiceField(label=_("Access"), choices=ShareAccess.choices, initial=ShareAccess.READ)
    expires_at = forms.DateTimeField(
        label=_("Expires (empty: until revoked)"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )


class DefaultsForm(StyledForm):
    """One choice per kind of record, named by kind."""

    def __init__(self, *args: Any, labels: dict[str, str], initial_modes: dict[str, str], **kwargs: Any):
        super().__init__(*args, **kwargs)
        for kind in SHARABLE_KINDS:
            self.fields[kind] = forms.ChoiceField(
                label=labels[kind], choices=SharingMode.choices, initial=initial_modes[kind]
            )
            self.fields[kind].widget.attrs.setdefault("class", "form-select")
