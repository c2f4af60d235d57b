"""Pages of the core app: home, language switch, profile with API tokens."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db.models import Count, Q, Sum
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from baton.accounts.models import Account, Contact
from baton.core.http import AuthedHttpRequest
from baton.core.models import ApiToken, ChangeLog
from baton.core.money import format_money
from baton.core.records import OwnedRecord
from baton.core.services import create_api_token, revoke_api_token, set_user_language
from baton.deals.models import Opportunity, Stage, localized
from baton.deals.queries import opportunities_for
from baton.leads.models import Lead
from baton.leads.queries import leads_for


def _month_bounds(today: dt.date) -> tuple[dt.date, dt.date]:
    first = today.replace(day=1)
    following = (first + dt.timedelta(days=32)).replace(day=1)
    return first, following - dt.timedelta(days=1)


def pipeline_summary(opportunities) -> list[dict]:
    """Open deals grouped by stage, with a count and a total per currency, in stage order."""
    rows = (
        opportunities.filter(stage__outcome=Stage.Outcome.OPEN)
        .order_by()
        .values("stage_id", "stage__name", "stage__name_en", "stage__sequence", "currency")
        .annotate(n=Count("id"), total=Sum("amount"))
    )
    stages: dict[int, dict] = {}
    for row in rows:
        entry = stages.setdefault(
            row["stage_id"],
            {
                "name": localized(row["stage__name"], row["stage__name_en"]),
                "sequence": row["stage__sequence"],
                "count": 0,
                "totals": [],
            },
        )
        entry["count"] += row["n"]
        entry["totals"].append(format_money(row["total"] or Decimal(0), row["currency"]))
    return sorted(stages.values(), key=lambda e: e["sequence"])


@login_required
def home(request: AuthedHttpRequest) -> HttpResponse:
    user = request.user
    mine = opportunities_for(user).filter(owner=user)
    first, last = _month_bounds(timezone.localdate())
    closing = list(
        mine.filter(stage__outcome=Stage.Outcome.OPEN, expected_close_date__range=(first, last)).order_by(
            "expected_close_date", "id"
        )[:20]
    )
    leads = list(leads_for(user).filter(owner=user).order_by("-created_at", "-id")[:10])
    owned: tuple[type[OwnedRecord], ...] = (Lead, Account, Contact, Opportunity)
    types = ContentType.objects.get_for_models(*owned)
    mine_q = Q()
    for model in owned:
        ct = types[model]
        mine_q |= Q(content_type=ct, object_id__in=model.objects.filter(owner=user).values("pk"))
    changes = list(ChangeLog.objects.filter(mine_q).select_related("actor").order_by("-time", "-id")[:15])
    context = {
        "stages": pipeline_summary(mine),
        "closing": closing,
        "leads": leads,
        "changes": changes,
        "month_start": first,
    }
    return render(request, "core/home.html", context)


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Switch the interface language: saved on the user when signed in, and in the language cookie."""
    language = request.POST.get("language", "")
    next_url = request.POST.get("next") or request.headers.get("Referer") or "/"
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, require_https=request.is_secure()):
        next_url = "/"
    response = HttpResponseRedirect(next_url)
    if language not in dict(settings.LANGUAGES):
        return response
    if request.user.is_authenticated:
        try:
            set_user_language(request.user, language)
        except ValidationError:
            return response
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE or 365 * 24 * 3600,
        path=settings.LANGUAGE_COOKIE_PATH,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )
    return response


TOKEN_LIFETIMES = [
    ("30", gettext_lazy("30 days")),
    ("90", gettext_lazy("90 days")),
    ("365", gettext_lazy("1 year")),
    ("", gettext_lazy("No expiry")),
]


class TokenForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Token name"), max_length=100)
    scope = forms.ChoiceField(
        label=gettext_lazy("Scope"), choices=ApiToken.Scope.choices, initial=ApiToken.Scope.READ
    )
    expires_in = forms.ChoiceField(
        label=gettext_lazy("Expires"), choices=TOKEN_LIFETIMES, initial="90", required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].widget.attrs.update(
            {"class": "form-control", "placeholder": gettext_lazy("e.g. ERP sync")}
        )
        for name in ("scope", "expires_in"):
            self.fields[name].widget.attrs.update({"class": "form-select", "data-testid": f"token-{name}"})

    def expires_at(self) -> dt.datetime | None:
        days = self.cleaned_data.get("expires_in")
        return timezone.now() + dt.timedelta(days=int(days)) if days else None


def _profile(
    request: AuthedHttpRequest, *, form: TokenForm | None = None, secret: str = "", status: int = 200
) -> HttpResponse:
    user = request.user
    tokens = list(ApiToken.objects.filter(user=user).order_by("-created_at"))
    context = {
        "profile_user": user,
        "tokens": tokens,
        "now": timezone.now(),
        "form": form or TokenForm(),
        "secret": secret,
    }
    return render(request, "core/profile.html", context, status=status)


@login_required
def profile(request: AuthedHttpRequest) -> HttpResponse:
    return _profile(request)


@login_required
@require_POST
def token_create(request: AuthedHttpRequest) -> HttpResponse:
    form = TokenForm(request.POST)
    if not form.is_valid():
        return _profile(request, form=form, status=400)
    try:
        _token, secret = create_api_token(
            request.user,
            name=form.cleaned_data["name"],
            actor=request.user,
            scope=form.cleaned_data["scope"],
            expires_at=form.expires_at(),
        )
    except ValidationError as exc:
        form.add_error("name", exc.messages)
        return _profile(request, form=form, status=400)
    # The secret is never stored, so it is shown in this response only (no redirect).
    return _profile(request, secret=secret)


@login_required
@require_POST
def token_revoke(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)
    if token.revoked_at is None:
        revoke_api_token(token, actor=request.user)
        messages.success(request, _("The token “%(name)s” was revoked.") % {"name": token.name})
    return redirect("core:profile")
