"""The offer of a deal: its line items, delivery effort and economics, and creating a quote from it.

Views are thin: parse a form, call one service, redirect; refused writes come back as a message
(domain rule, 409-like) or as field errors (400), never as a 500.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from baton.core.http import AuthedHttpRequest
from baton.core.records import can_edit
from baton.core.views_generic import run_action
from baton.deals import catalog, quoting
from baton.deals.forms import (
    EffortForm,
    LineItemForm,
    QuoteForm,
)
from baton.deals.models import (
    EffortEstimate,
    LineItem,
    Opportunity,
    Quote,
)
from baton.deals.queries import get_opportunity_for_user

# --- the offer -------------------------------------------------------------------------------------------


def _offer_context(request: AuthedHttpRequest, opp: Opportunity, **forms: Any) -> dict[str, Any]:
    lines = list(opp.line_items.select_related("product__family").order_by("sequence", "id"))
    efforts = list(opp.efforts.order_by("role", "id"))
    quotes = list(opp.quotes.order_by("-revision"))
    return {
        "opportunity": opp,
        "eco": catalog.economics(opp, lines, efforts),
        "quotes": quotes,
        "locked": any(q.status == Quote.Status.PENDING for q in quotes),
        "can_edit": can_edit(request.user, opp),
        "line_form": forms.get("line_form") or LineItemForm(user=request.user),
        "effort_form": forms.get("effort_form") or EffortForm(),
        "quote_form": forms.get("quote_form") or QuoteForm(initial={"language": request.LANGUAGE_CODE[:2]}),
    }


@login_required
def offer(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    opp = get_opportunity_for_user(request.user, pk)
    return render(request, "deals/sales/offer.html", _offer_context(request, opp))


@login_required
@require_POST
def line_add(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    opp = get_opportunity_for_user(request.user, pk)
    form = LineItemForm(request.POST, user=request.user)
    if form.is_valid():
        data = form.cleaned_data
        if (
            run_action(
                request,
                lambda: catalog.add_line_item(
                    opp,
                    actor=request.user,
                    product=data["product"],
                    quantity=data["quantity"],
                    discount_percent=data.get("discount_percent") or 0,
                    list_price=data["list_price"],
                    description=data["description"],
                ),
                form=form,
            )
            and not form.errors
        ):
            return redirect("deals:offer", opp.pk)
    return render(request, "deals/sales/offer.html", _offer_context(request, opp, line_form=form), status=400)


@login_required
@require_POST
def line_remove(request: AuthedHttpRequest, pk: int, line_id: int) -> HttpResponse:
    opp = get_opportunity_for_user(request.user, pk)
    line = get_object_or_404(LineItem, pk=line_id, opportunity=opp)
    run_action(request, lambda: catalog.remove_line_item(line, actor=request.user))
    return redirect("deals:offer", opp.pk)


@login_required
@require_POST
def effort_add(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    opp = get_opportunity_for_user(request.user, pk)
    form = EffortForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        if (
            run_action(request, lambda: catalog.add_effort(opp, actor=request.user, **data), form=form)
            and not form.errors
        ):
            return redirect("deals:offer", opp.pk)
    return render(
        request, "deals/sales/offer.html", _offer_context(request, opp, effort_form=form), status=400
    )


@login_required
@require_POST
def effort_remove(request: AuthedHttpRequest, pk: int, effort_id: int) -> HttpResponse:
    opp = get_opportunity_for_user(request.user, pk)
    effort = get_object_or_404(EffortEstimate, pk=effort_id, opportunity=opp)
    run_action(request, lambda: catalog.remove_effort(effort, actor=request.user))
    return redirect("deals:offer", opp.pk)


@login_required
@require_POST
def quote_create(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    opp = get_opportunity_for_user(request.user, pk)
    form = QuoteForm(request.POST)
    created: list[Quote] = []
    if form.is_valid() and (
        run_action(
            request,
            lambda: created.append(quoting.create_quote(opp, actor=request.user, **form.cleaned_data)),
            form=form,
        )
        and created
    ):
        messages.success(request, _("Created quote %(number)s.") % {"number": created[0].number})
        return redirect("deals:quote", created[0].pk)
    return render(
        request, "deals/sales/offer.html", _offer_context(request, opp, quote_form=form), status=400
    )
