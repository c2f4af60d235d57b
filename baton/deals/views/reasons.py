"""The administrators' list of lost reasons (issue 11: reasons are data): add, rename, archive.

An archived reason is no longer offered when a deal is lost and stays on the deals that have it."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from baton.core.http import AuthedHttpRequest
from baton.core.views_generic import run_action, style_form
from baton.deals.models import LostReason, Opportunity
from baton.deals.services import save_lost_reason


class LostReasonForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=100)
    name_en = forms.CharField(label=gettext_lazy("Name (English)"), max_length=100, required=False)
    is_no_decision = forms.BooleanField(label=gettext_lazy("No decision"), required=False)
    is_archived = forms.BooleanField(label=gettext_lazy("Archived"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_form(self)


def _initial(reason: LostReason) -> dict[str, object]:
    return {
        "name": reason.name,
        "name_en": reason.name_en,
        "is_no_decision": reason.is_no_decision,
        "is_archived": reason.is_archived,
    }


@login_required
def lost_reasons(request: AuthedHttpRequest) -> HttpResponse:
    if not request.user.is_admin:
        raise PermissionDenied
    new_form = LostReasonForm(prefix="new")
    edited: tuple[int, LostReasonForm] | None = None
    status = 200
    if request.method == "POST":
        reason = None
        pk = request.POST.get("pk") or ""
        if pk:
            reason = get_object_or_404(LostReason, pk=int(pk) if pk.isdigit() else 0)
        form = LostReasonForm(request.POST, prefix=f"r{reason.pk}" if reason else "new")
        if form.is_valid() and run_action(
            request, lambda: save_lost_reason(reason, actor=request.user, values=form.cleaned_data), form=form
        ):
            messages.success(request, _("Reason saved."))
            return redirect("deals:lost_reasons")
        status = 400
        if reason is None:
            new_form = form
        else:
            edited = (reason.pk, form)
    uses = dict(
        Opportunity.objects.filter(lost_reason__isnull=False)
        .values("lost_reason")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("lost_reason", "n")
    )
    reasons = list(LostReason.objects.order_by("is_archived", "name"))
    for r in reasons:
        r.uses = uses.get(r.pk, 0)  # type: ignore[attr-defined]
    rows = [
        (
            r,
            edited[1]
            if edited and edited[0] == r.pk
            else LostReasonForm(prefix=f"r{r.pk}", initial=_initial(r)),
        )
        for r in reasons
    ]
    return render(request, "deals/lost_reasons.html", {"rows": rows, "new_form": new_form}, status=status)
