"""The partner fence: a partner user (``Role.PARTNER``, a person at a reseller or SI) reaches only the
pages and API operations the partner portal opens to them, and reads records only through the grants
registered for partners (``records.register_partner_grant``), never through the role-wide or ownership
rules that internal people use.

``core`` does not know the portal: the partners app registers its page namespace, its API path prefix
and its landing page in ``AppConfig.ready()``. Everything else answers 403 to a partner user (the
records they may not see already answer 404 inside the portal's own pages)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from baton.core.models import Role

# Pages every signed-in person keeps: signing in and out, the language, their own profile and security.
_OPEN_PAGES = {
    "login",
    "logout",
    "core:set_language",
    "core:profile",
    "core:profile_time_zone",
    "core:token_create",
    "core:token_revoke",
    "security:page",
    "security:two_factor_verify",
    "security:two_factor_setup",
    "security:two_factor_disable",
    "security:recovery_codes_renew",
    "security:session_revoke",
    "security:sessions_revoke_all",
    "security:password_change",
    "security:password_change_done",
    "security:password_reset",
    "security:password_reset_done",
    "security:password_reset_confirm",
    "security:password_reset_complete",
    "security:sso_login",
    "security:sso_callback",
}
_PORTAL: dict[str, Any] = {"namespaces": set(), "api_prefixes": set(), "home": ""}


def is_partner_user(user: Any) -> bool:
    """A signed-in person of a partner organisation (administrators are never fenced)."""
    return bool(
        user is not None
        and getattr(user, "is_authenticated", False)
        and getattr(user, "role", None) == Role.PARTNER
        and not user.is_superuser
    )


def open_to_partners(*, namespace: str, api_prefix: str, home: str) -> None:
    """Called by the partners app: its page ``namespace`` and API path prefix are the portal, and
    ``home`` (a URL name) is where a partner user lands instead of the internal home page."""
    _PORTAL["namespaces"].add(namespace)
    _PORTAL["api_prefixes"].add(api_prefix)
    _PORTAL["home"] = home


def partner_may_open(view_name: str) -> bool:
    namespace = view_name.rpartition(":")[0]
    return view_name in _OPEN_PAGES or namespace in _PORTAL["namespaces"]


def partner_may_call(path: str) -> bool:
    """An API path (``/api/v1/...``) a partner user's token may call."""
    return any(path.startswith(prefix) for prefix in _PORTAL["api_prefixes"])


class PartnerFenceMiddleware:
    """403 for a partner user on any page outside the portal; the home page sends them to the portal."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func: Any, view_args: Any, view_kwargs: Any) -> Any:
        user = getattr(request, "user", None)
        match = request.resolver_match
        if not is_partner_user(user) or match is None:
            return None
        if match.namespace == "api" or match.view_name.startswith("api:"):
            return None  # the API fences partner tokens itself (core.api_auth)
        if match.view_name == "home" and _PORTAL["home"]:
            return redirect(_PORTAL["home"])
        if partner_may_open(match.view_name):
            return None
        raise PermissionDenied
