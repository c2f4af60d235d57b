"""Pages of the core app: language switch, profile with time zone and API tokens."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from baton.core.http import AuthedHttpRequest
from baton.core.models import ApiToken
from baton.core.services import create_api_token, revoke_api_token, set_user_language, set_user_time_zone
from baton.core.timefmt import zone_choices


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


class TimeZoneForm(forms.Form):
    time_zone = forms.ChoiceField(label=gettext_lazy("Time zone"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["time_zone"]
        field.choices = [("", gettext_lazy("Site default (%(zone)s)") % {"zone": settings.TIME_ZONE})]
        field.choices += zone_choices()
        field.widget.attrs.update({"class": "form-select"})


def _profile(
    request: AuthedHttpRequest,
    *,
    form: TokenForm | None = None,
    zone_form: TimeZoneForm | None = None,
    secret: str = "",
    status: int = 200,
) -> HttpResponse:
    user = request.user
    tokens = list(ApiToken.objects.filter(user=user).order_by("-created_at"))
    context = {
        "profile_user": user,
        "tokens": tokens,
        "now": timezone.now(),
        "form": form or TokenForm(),
        "zone_form": zone_form or TimeZoneForm(initial={"time_zone": user.time_zone}),
        "secret": secret,
    }
    return render(request, "core/profile.html", context, status=status)


@login_required
def profile(request: AuthedHttpRequest) -> HttpResponse:
    return _profile(request)


@login_required
@require_POST
def profile_time_zone(request: AuthedHttpRequest) -> HttpResponse:
    form = TimeZoneForm(request.POST)
    if not form.is_valid():
        return _profile(request, zone_form=form, status=400)
    try:
        set_user_time_zone(request.user, form.cleaned_data["time_zone"])
    except ValidationError as exc:
        form.add_error("time_zone", exc.messages)
        return _profile(request, zone_form=form, status=400)
    messages.success(request, _("Your time zone was saved."))
    return redirect("core:profile")


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
