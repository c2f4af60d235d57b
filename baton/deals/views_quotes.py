"""The printable quote: the customer-facing sheet alone, in the quote's language, without the app's
navigation or any internal number (cost, margin, effort). The PDF is made from the same sheet."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from baton.deals.quote_sheet import build_sheet
from baton.deals.views_sales import get_quote_for_user


@login_required
def quote_print(request: HttpRequest, pk: int) -> HttpResponse:
    quote = get_quote_for_user(request.user, pk)  # type: ignore[arg-type]
    return render(request, "deals/sales/quote_print.html", {"sheet": build_sheet(quote)})
