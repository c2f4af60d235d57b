"""The top bar's search: a results page, and the same results as an htmx partial under the box."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from baton.core.params import bool_param, text_param
from baton.search.queries import MAX_TERM, clean_term, global_search


@require_GET
@login_required
def search_page(request: HttpRequest) -> HttpResponse:
    term = clean_term(text_param(request.GET, "q", max_length=MAX_TERM * 4))
    groups = global_search(request.user, term)  # type: ignore[arg-type]
    context = {
        "term": term,
        "groups": groups,
        "found": any(group.hits for group in groups),
        "max_term": MAX_TERM,
    }
    if request.headers.get("HX-Request") and bool_param(request.GET, "partial"):
        return render(request, "search/partials/_results.html", context)
    return render(request, "search/page.html", context)
