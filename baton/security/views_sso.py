"""Single sign-on pages: start the OpenID Connect flow and receive the provider's answer."""

from __future__ import annotations

import logging

from authlib.integrations.base_client.errors import OAuthError
from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from joserfc.errors import JoseError
from requests import RequestException

from baton.security import oidc, services
from baton.security.models import SecurityEvent
from baton.security.views import _next_url

log = logging.getLogger(__name__)
NEXT_KEY = "_baton_sso_next"
PROVIDER_BACKEND = "django.contrib.auth.backends.ModelBackend"


def _callback_uri(request: HttpRequest) -> str:
    return request.build_absolute_uri(reverse("security:sso_callback"))


@never_cache
def sso_login(request: HttpRequest) -> HttpResponse:
    """Send the browser to the provider (state, nonce and the PKCE verifier stay in the session)."""
    if not oidc.enabled():
        raise Http404
    request.session[NEXT_KEY] = _next_url(request)
    try:
        return oidc.client().authorize_redirect(request, _callback_uri(request))
    except (RequestException, ValueError, OAuthError) as exc:
        log.warning("OpenID provider unreachable: %s", exc)
        services.record_event(SecurityEvent.Kind.SSO_FAILED, request=request, detail="provider unreachable")
        messages.error(request, _("The single sign-on provider cannot be reached. Try again later."))
        return redirect("login")


@never_cache
def sso_callback(request: HttpRequest) -> HttpResponse:
    if not oidc.enabled():
        raise Http404
    try:
        claims = oidc.fetch_claims(request)
        user = oidc.user_for_claims(claims, request=request)
    except oidc.SsoRefused as exc:
        reason = exc.reason
    except (OAuthError, JoseError) as exc:
        reason = f"{type(exc).__name__}: {getattr(exc, 'description', '') or exc}"
    except (RequestException, ValueError, KeyError) as exc:
        reason = f"{type(exc).__name__}: {exc}"
    else:
        next_url = request.session.pop(NEXT_KEY, None) or reverse(settings.LOGIN_REDIRECT_URL)
        services.complete_sign_in(
            request,
            user,
            backend=PROVIDER_BACKEND,
            detail=f"sso {claims['iss']}"[:200],
            second_factor_by_provider=True,
        )
        return HttpResponseRedirect(next_url)
    log.info("single sign-on refused: %s", reason)
    services.record_event(SecurityEvent.Kind.SSO_FAILED, request=request, detail=reason[:200])
    messages.error(request, _("Single sign-on did not succeed. Try again, or ask an administrator."))
    return redirect("login")
