"""Price lists and files for partners: the channel team publishes and withdraws them; partner users
see only those that reach their organisation, read a price list with their agreement's prices, and
download a file (served as an attachment with a fixed content type; ``nosniff``)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from baton.core.http import AuthedHttpRequest
from baton.core.views_generic import run_action
from baton.partners import resources
from baton.partners.forms import PublishForm
from baton.partners.models import Partner, Resource
from baton.partners.views import _channel
from baton.partners.views_portal import _partner


@login_required
def manage(request: AuthedHttpRequest) -> HttpResponse:
    _channel(request)
    form = PublishForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        common = {
            "actor": request.user,
            "title": data["title"],
            "tiers": data["tiers"],
            "partner": data["partner"],
        }

        def publish() -> None:
            if data["price_list"] is not None:
                resources.publish_price_list(price_list=data["price_list"], **common)
            else:
                resources.publish_file(upload=data["file"], **common)

        if run_action(request, publish, form=form, success=_("Published to the partners.")):
            return redirect("partners:resources")
    rows = list(Resource.objects.select_related("partner__account", "price_list")[:200])
    return render(request, "partners/resources.html", {"form": form, "rows": rows})


@login_required
@require_POST
def withdraw(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    _channel(request)
    resource = get_object_or_404(Resource, pk=pk)
    run_action(request, lambda: resources.withdraw(resource, actor=request.user), success=_("Withdrawn."))
    return redirect("partners:resources")


# --- the portal ------------------------------------------------------------------------------------------


@login_required
def portal_resources(request: AuthedHttpRequest) -> HttpResponse:
    partner = _partner(request)
    return render(
        request,
        "partners/portal/resources.html",
        {"partner": partner, "rows": resources.for_partner(partner)},
    )


def _mine(request: AuthedHttpRequest, pk: int, kind: str) -> tuple[Resource, Partner]:
    partner = _partner(request)
    resource = resources.get_for_partner(partner, pk)
    if resource is None or resource.kind != kind:
        raise Http404
    return resource, partner


@login_required
def portal_price_list(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    resource, partner = _mine(request, pk, Resource.Kind.PRICE_LIST)
    return render(
        request,
        "partners/portal/price_list.html",
        {"partner": partner, "resource": resource, "rows": resources.price_rows(resource, partner)},
    )


@login_required
def portal_download(request: AuthedHttpRequest, pk: int) -> FileResponse:
    resource, _owner = _mine(request, pk, Resource.Kind.FILE)
    try:
        handle = resource.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(
        handle, as_attachment=True, filename=resource.file_name, content_type=resources.content_type(resource)
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response
