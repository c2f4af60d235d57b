"""Web-to-lead pages: the administrators' list and editor of web forms (with the embeddable snippet), and
the public form itself (shown and posted without signing in, keyed by the form's token)."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from baton.accounts.queries import get_account_for_user
from baton.core.http import AuthedHttpRequest
from baton.core.xlsxout import XLSX_TYPE
from baton.integrations import webforms
from baton.integrations.accountexport import account_workbook
from baton.integrations.forms import WebFormForm
from baton.integrations.models import WebForm
from baton.integrations.webhooks import require_admin
from baton.security.throttle import client_address

MAX_BODY = 64 * 1024


def _save(request: AuthedHttpRequest, form: WebFormForm, target: WebForm | None) -> WebForm | None:
    if not form.is_valid():
        return None
    try:
        values = dict(form.cleaned_data)
        values["fields"] = values.pop("asked", [])
        return webforms.save_webform(target, actor=request.user, values=values)
    except ValidationError as exc:
        for field, errors in exc.message_dict.items():
            name = "asked" if field == "fields" else field
            form.add_error(name if name in form.fields else None, errors)
    return None


@login_required
def webforms_page(request: AuthedHttpRequest) -> HttpResponse:
    require_admin(request.user)
    form = WebFormForm(request.POST or None)
    if request.method == "POST" and (saved := _save(request, form, None)) is not None:
        messages.success(request, _("Web form added; put its snippet on your site."))
        return redirect("integrations:webform", pk=saved.pk)
    return render(
        request,
        "integrations/webforms.html",
        {"form": form, "webforms": WebForm.objects.select_related("campaign")},
    )


def _field_rows(target: WebForm) -> list[dict[str, Any]]:
    labels = dict(WebForm.FIELD_CHOICES)
    rows = [{"name": "name", "label": _("name"), "required": True}]
    return rows + [{"name": f, "label": labels[f], "required": False} for f in target.fields]


@login_required
def webform_edit(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    require_admin(request.user)
    target = get_object_or_404(WebForm, pk=pk)
    initial = {name: getattr(target, name) for name in ("name", "source", "route", "is_active")}
    initial["asked"] = target.fields
    initial |= {
        "campaign": target.campaign_id,
        "thank_you_url": target.thank_you_url,
        "thank_you_message": target.thank_you_message,
        "allowed_origins": target.allowed_origins,
        "consent_text": target.consent_text,
    }
    form = WebFormForm(request.POST or None, initial=initial)
    if request.method == "POST" and _save(request, form, target) is not None:
        messages.success(request, _("Web form saved."))
        return redirect("integrations:webform", pk=pk)
    action = request.build_absolute_uri(reverse("integrations:webform_public", args=[target.token]))
    snippet = render_to_string(
        "integrations/_webform_snippet.html",
        {"webform": target, "action": action, "rows": _field_rows(target), "honeypot": webforms.HONEYPOT},
    )
    return render(
        request,
        "integrations/webform.html",
        {"webform": target, "form": form, "snippet": snippet.strip(), "action": action},
    )


def _wants_json(request: HttpRequest) -> bool:
    return request.content_type == "application/json" or "application/json" in request.headers.get(
        "Accept", ""
    )


def _answer(request: HttpRequest, target: WebForm, status: int, body: dict[str, Any]) -> HttpResponse:
    response = JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})
    origin = request.headers.get("Origin")
    if origin and target.origins() and webforms.origin_allowed(target, origin):
        response["Access-Control-Allow-Origin"] = origin
        response["Vary"] = "Origin"
    return response


@csrf_exempt
def webform_public(request: HttpRequest, token: str) -> HttpResponse:
    """GET: the form as a page of its own. POST (form-encoded or JSON): create the lead. Cross-site by
    design, so no CSRF token: the form's token names it and only its fields are read."""
    target = WebForm.objects.filter(token=token[:40], is_active=True).select_related("campaign").first()
    if target is None:
        raise Http404
    if request.method == "OPTIONS":  # a CORS preflight of a JSON post
        response = _answer(request, target, 204, {})
        response["Access-Control-Allow-Methods"] = "POST"
        response["Access-Control-Allow-Headers"] = "Content-Type"
        return response
    context = {"webform": target, "rows": _field_rows(target), "honeypot": webforms.HONEYPOT, "errors": {}}
    if request.method != "POST":
        return render(request, "integrations/webform_public.html", context)
    wants_json = _wants_json(request)
    if not webforms.origin_allowed(target, request.headers.get("Origin")):
        return _answer(request, target, 403, {"detail": _("This site may not send this form.")})
    data: Any = request.POST
    if request.content_type == "application/json":
        try:
            data = json.loads(request.body[:MAX_BODY] or b"{}")
        except ValueError:
            data = None
        if not isinstance(data, dict):
            return _answer(request, target, 400, {"detail": _("Send a JSON object.")})
    try:
        webforms.submit(target, data, address=client_address(request))
    except webforms.RateLimited:
        return _answer(request, target, 429, {"detail": _("Too many submissions; try again later.")})
    except ValidationError as exc:
        if wants_json:
            return _answer(request, target, 422, {"errors": exc.message_dict})
        context["errors"] = exc.message_dict
        context["values"] = {k: data.get(k, "") for k in ("name", *target.fields)}
        return render(request, "integrations/webform_public.html", context, status=422)
    message = target.thank_you_message or _("Thank you. We will be in touch soon.")
    if wants_json:
        return _answer(request, target, 201, {"ok": True, "message": message})
    if target.thank_you_url:
        return redirect(target.thank_you_url)
    return render(request, "integrations/webform_thanks.html", {"webform": target, "message": message})


@login_required
def account_export(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    """The account with its contacts, opportunities and activities as one XLSX (what the reader may see)."""
    account = get_account_for_user(request.user, pk)
    response = HttpResponse(account_workbook(account, user=request.user), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="account-{account.pk}.xlsx"'
    return response
