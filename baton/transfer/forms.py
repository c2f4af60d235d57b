from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from baton.core.views_generic import style_form
from baton.transfer.models import DuplicatePolicy, Kind, SavedMapping


class UploadForm(forms.Form):
    kind = forms.ChoiceField(label=_("The file holds"), choices=Kind.choices)
    source = forms.CharField(
        label=_("Source system"), max_length=60, help_text=_("e.g. salesforce, hubspot, old-crm")
    )
    duplicates = forms.ChoiceField(
        label=_("Duplicates"), choices=DuplicatePolicy.choices, initial=DuplicatePolicy.MATCH
    )
    mapping = forms.ModelChoiceField(
        label=_("Saved mapping"), queryset=SavedMapping.objects.all(), required=False
    )
    file = forms.FileField(label=_("CSV or XLSX file"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style_form(self)
