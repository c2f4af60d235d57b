"""Sign-in (throttled, with the second factor), sign-out, the user's security page, and the admin's
security log, lockouts and policy. Password change and reset: ``views_password.py``."""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render, resolve_url
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from baton.core.http import AuthedHttpRequest
from baton.core.models import Role
from baton.core.params import text_param
from baton.security import oidc, services, throttle, totp
from baton.security.forms import CodeForm, PolicyForm
from baton.security.models import SecurityEvent, SignInThrottle, TotpDevice, UserSession

SSO_ONLY_MESSAGE = gettext_lazy(
    "Sign in with single sign-on: passwords are turned off for this organisation."
)
LOCKED_MESSAGE = gettext_lazy(
    "Too many failed sign-ins. Wait a few minutes and try again, or ask an administrator."
)


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or text_param(request.GET, "next", max_length=2000)
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def _locked(request: HttpRequest, username: str) -> bool:
    return throttle.is_locked(SignInThrottle.Kind.ACCOUNT, username) or throttle.is_locked(
        SignInThrottle.Kind.ADDRESS, throttle.client_address(request)
    )


def _count_failure(request: HttpRequest, username: str, kind: str = SecurityEvent.Kind.LOGIN_FAILED) -> None:
    """One failure for the typed username and for the client address; a lockout is logged once."""
    account = throttle.register_failure(SignInThrottle.Kind.ACCOUNT, username)
    address = throttle.register_failure(SignInThrottle.Kind.ADDRESS, throttle.client_address(request))
    services.record_event(kind, request=request, username=username)
    if account.locked_now or address.locked_now:
        which = "account" if account.locked_now else "address"
        services.record_event(
            SecurityEvent.Kind.LOCKOUT, request=request, username=username, detail=f"{which} locked"
        )


@sensitive_post_parameters("password")
@csrf_protect
@never_cache
def login_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return HttpResponseRedirect(_next_url(request))
    form = AuthenticationForm(request, data=request.POST or None)
    status = 200
    locked_message = None
    if request.method == "POST":
        username = (request.POST.get("username") or "")[:150]
        if _locked(request, username):
            # Checked before the password, and worded the same for every username, existing or not.
            services.record_event(
                SecurityEvent.Kind.LOGIN_FAILED, request=request, username=username, detail="locked"
            )
            form = AuthenticationForm(request, initial={"username": username})
            locked_message = LOCKED_MESSAGE
            status = 429
        elif form.is_valid() and oidc.sso_only() and not form.get_user().is_admin:
            # Only administrators keep a password sign-in (to repair a broken provider setup).
            services.record_event(
                SecurityEvent.Kind.LOGIN_FAILED, request=request, user=form.get_user(), detail="sso only"
            )
            form = AuthenticationForm(request, initial={"username": username})
            locked_message = SSO_ONLY_MESSAGE
            status = 403
        elif form.is_valid():
            user = form.get_user()
            throttle.clear(SignInThrottle.Kind.ACCOUNT, username)
            backend = getattr(user, "backend", settings.AUTHENTICATION_BACKENDS[0])
            if services.has_second_factor(user):
                services.pending_second_factor(request.session, user, backend=backend)
                query = urlencode({"next": _next_url(request)})
                return redirect(f"{reverse('security:two_factor_verify')}?{query}")
            services.complete_sign_in(request, user, backend=backend)
            if request.session.get(services.ENROL_KEY):
                return redirect("security:two_factor_setup")
            return HttpResponseRedirect(_next_url(request))
        else:
            _count_failure(request, username)
    context = {
        "form": form,
        "locked_message": locked_message,
        "sso_enabled": oidc.enabled(),
        "sso_only": oidc.sso_only(),
        "sso_name": settings.BATON_OIDC_PROVIDER_NAME,
        "next": _next_url(request)
        if request.method == "POST"
        else text_param(request.GET, "next", max_length=2000),
    }
    return render(request, "registration/login.html", context, status=status)


@sensitive_post_parameters("code")
@csrf_protect
@never_cache
def two_factor_verify(request: HttpRequest) -> HttpResponse:
    """The second step of signing in for users with an authenticator."""
    pending = services.pending_user(request.session)
    if pending is None:
        return redirect("login")
    user, backend = pending
    form = CodeForm(request.POST or None)
    status = 200
    locked_message = None
    if request.method == "POST":
        if throttle.is_locked(SignInThrottle.Kind.ACCOUNT, user.get_username()):
            form = CodeForm()
            locked_message = LOCKED_MESSAGE
            status = 429
        elif form.is_valid() and services.verify_second_factor(
            user, form.cleaned_data["code"], request=request
        ):
            request.session.pop(services.PENDING_KEY, None)
            throttle.clear(SignInThrottle.Kind.ACCOUNT, user.get_username())
            services.complete_sign_in(request, user, backend=backend, detail="two-factor")
            return HttpResponseRedirect(_next_url(request))
        else:
            _count_failure(request, user.get_username(), SecurityEvent.Kind.TWO_FACTOR_FAILED)
            form.add_error("code", _("That code does not match."))
            status = 400
    return render(
        request,
        "security/two_factor_verify.html",
        {"form": form, "next": _next_url(request), "locked_message": locked_message},
        status=status,
    )


@require_POST
@csrf_protect
def logout_view(request: HttpRequest) -> HttpResponse:
    services.sign_out(request)
    return redirect(settings.LOGOUT_REDIRECT_URL)


# --- the user's own security page ----------------------------------------------------------------


def _security_page(request: AuthedHttpRequest, *, status: int = 200, **extra) -> HttpResponse:
    user = request.user
    device = TotpDevice.objects.filter(user=user).first()
    context = {
        "sessions": UserSession.objects.filter(user=user).order_by("-last_seen_at")[:50],
        "current_key": request.session.session_key,
        "device": device,
        "recovery_left": user.recovery_codes.filter(used_at__isnull=True).count(),
        "required": services.get_policy().requires_two_factor(user),
        "enrol_required": bool(request.session.get(services.ENROL_KEY)),
        "events": SecurityEvent.objects.filter(user=user).order_by("-time")[:20],
        "form": extra.pop("form", None) or CodeForm(),
        **extra,
    }
    if device is not None and device.confirmed_at is None:
        context["otpauth_uri"] = totp.provisioning_uri(device.secret, account=user.get_username())
    return render(request, "security/security.html", context, status=status)


@login_required
def security_page(request: AuthedHttpRequest) -> HttpResponse:
    return _security_page(request)


@login_required
def two_factor_setup(request: AuthedHttpRequest) -> HttpResponse:
    """Start (GET shows the key of a fresh secret) and confirm (POST with a code) an authenticator."""
    if request.method == "POST":
        form = CodeForm(request.POST)
        if form.is_valid():
            try:
                codes = services.confirm_enrolment(request.user, form.cleaned_data["code"], request=request)
            except ValidationError as exc:
                form.add_error("code", exc.messages)
            else:
                return _security_page(request, recovery_codes=codes)
        return _security_page(request, form=form, status=400)
    if not services.has_second_factor(request.user):
        services.start_enrolment(request.user)
    return _security_page(request)


@login_required
@require_POST
def two_factor_disable(request: AuthedHttpRequest) -> HttpResponse:
    if services.get_policy().requires_two_factor(request.user):
        raise PermissionDenied(_("Your organisation requires two-factor sign-in."))
    form = CodeForm(request.POST)
    if form.is_valid():
        try:
            services.disable_two_factor(request.user, form.cleaned_data["code"], request=request)
        except ValidationError as exc:
            form.add_error("code", exc.messages)
        else:
            messages.success(request, _("Two-factor sign-in is off."))
            return redirect("security:page")
    return _security_page(request, form=form, status=400)


@login_required
@require_POST
def recovery_codes_renew(request: AuthedHttpRequest) -> HttpResponse:
    try:
        codes = services.regenerate_recovery_codes(request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("security:page")
    return _security_page(request, recovery_codes=codes)


@login_required
@require_POST
def session_revoke(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    row = get_object_or_404(UserSession, pk=pk, user=request.user)
    services.revoke_sessions(request.user, request=request, session_ids=[row.pk])
    if row.session_key == request.session.session_key:
        return redirect("login")
    messages.success(request, _("The session was signed out."))
    return redirect("security:page")


@login_required
@require_POST
def sessions_revoke_all(request: AuthedHttpRequest) -> HttpResponse:
    """Sign out everywhere, this browser included."""
    user = request.user
    services.revoke_sessions(user, request=request)
    services.sign_out(request)
    return redirect("login")


# --- administrators ------------------------------------------------------------------------------


def _require_admin(request: AuthedHttpRequest) -> None:
    if not request.user.is_admin:
        raise PermissionDenied(_("Only administrators see this page."))


@login_required
def admin_events(request: AuthedHttpRequest) -> HttpResponse:
    _require_admin(request)
    events = SecurityEvent.objects.select_related("user").order_by("-time", "-id")
    kind = text_param(request.GET, "kind", max_length=40)
    if kind in SecurityEvent.Kind.values:
        events = events.filter(kind=kind)
    return render(
        request,
        "security/admin_events.html",
        {"events": events[:200], "kinds": SecurityEvent.Kind.choices, "kind": kind},
    )


@login_required
def admin_lockouts(request: AuthedHttpRequest) -> HttpResponse:
    _require_admin(request)
    rows = SignInThrottle.objects.filter(locked_until__gt=timezone.now()).order_by("-last_failure_at")[:200]
    return render(request, "security/admin_lockouts.html", {"rows": rows})


@login_required
@require_POST
def admin_unlock(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    _require_admin(request)
    row = get_object_or_404(SignInThrottle, pk=pk)
    services.unlock(row, actor=request.user, request=request)
    messages.success(request, _("Unlocked %(key)s.") % {"key": row.key})
    return redirect("security:admin_lockouts")


@login_required
def admin_policy(request: AuthedHttpRequest) -> HttpResponse:
    _require_admin(request)
    policy = services.get_policy()
    initial = {"require_for_all": policy.require_two_factor_for_all, "roles": policy.two_factor_roles}
    form = PolicyForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            services.update_policy(
                actor=request.user,
                require_for_all=form.cleaned_data["require_for_all"],
                roles=form.cleaned_data["roles"],
            )
            messages.success(request, _("The sign-in policy was saved."))
            return redirect("security:admin_policy")
        status = 400
    return render(request, "security/admin_policy.html", {"form": form, "roles": Role.choices}, status=status)
