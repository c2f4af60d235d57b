"""Forms of the hand-off pages: they parse input; the services validate and write."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from baton.core.models import Role, User
from baton.core.views_generic import style_form
from baton.deals.models import ProductFamily
from baton.delivery.models import ChecklistAnswer, HandoffPackage


def delivery_people():
    return User.objects.filter(is_active=True, role__in=[Role.DELIVERY, Role.ADMIN]).order_by(
        "display_name", "username"
    )


class PackageForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = HandoffPackage
        fields = [
            "delivery_lead",
            "scope_summary",
            "pains_goals",
            "stakeholders",
            "commitments",
            "risks",
            "timeline",
        ]
        widgets = {
            name: forms.Textarea(attrs={"rows": 3})
            for name in ("scope_summary", "pains_goals", "stakeholders", "commitments", "risks", "timeline")
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["delivery_lead"].queryset = delivery_people()
        self.fields["version"].initial = self.instance.version
        style_form(self)

    def _post_clean(self) -> None:  # the service validates and writes
        pass

    def changes(self) -> dict:
        return {n: self.cleaned_data[n] for n in self.Meta.fields if n in self.changed_data}


class AnswerForm(forms.Form):
    state = forms.ChoiceField(choices=ChecklistAnswer.State.choices)
    evidence = forms.CharField(required=False, max_length=5000)


class SubmitForm(forms.Form):
    override_reason = forms.CharField(label=_("Hand over incomplete because"), max_length=300, required=False)


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(choices=[("accept", _("Accept")), ("send_back", _("Send back"))])
    reasons = forms.CharField(label=_("Reasons"), required=False, max_length=5000)
    pm = forms.ModelChoiceField(label=_("Project manager"), queryset=User.objects.none(), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pm"].queryset = delivery_people()  # type: ignore[attr-defined]


class ChecklistItemForm(forms.Form):
    product_family = forms.ModelChoiceField(
        label=_("Product family (blank: every deal)"),
        queryset=ProductFamily.objects.filter(is_archived=False),
        required=False,
    )
    text = forms.CharField(label=_("Question"), max_length=300)
    text_en = forms.CharField(label=_("Question (English)"), max_length=300, required=False)
    sequence = forms.IntegerField(label=_("Sequence"), min_value=0, max_value=32000, initial=10)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_form(self)
