"""The API's bearer-token authentication with the sign-in throttle and the security log on top.

A client address that sends ``4 × BATON_LOGIN_MAX_FAILURES`` unusable tokens within the window is
locked, with the same doubling as sign-in: while locked, every unusable token is answered 429 (and
still counted). A valid token keeps working from a locked address (integrations behind the same NAT
are not shut out by someone else's noise; a 256-bit token cannot be guessed), and checking the lock
only on the failure path keeps a valid request at one query.
"""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja.errors import HttpError

from baton.core.api_auth import ApiTokenAuth as CoreApiTokenAuth
from baton.core.models import ApiToken
from baton.security import services, throttle
from baton.security.models import SecurityEvent, SignInThrottle


class ApiTokenAuth(CoreApiTokenAuth):
    """Same name as core's: OpenAPI names the security scheme after the class (a published contract)."""

    def refused(self, request: HttpRequest, token: str) -> None:
        address = throttle.client_address(request)
        outcome = throttle.register_failure(SignInThrottle.Kind.TOKEN, address)
        services.record_event(SecurityEvent.Kind.TOKEN_FAILED, request=request, detail=f"prefix {token[:10]}")
        if outcome.locked_now:
            services.record_event(SecurityEvent.Kind.LOCKOUT, request=request, detail="token address locked")
        if throttle.is_locked(SignInThrottle.Kind.TOKEN, address):
            raise HttpError(429, _("Too many refused API tokens from this address. Try again later."))

    def first_use_today(self, request: HttpRequest, token: ApiToken) -> None:
        services.record_event(
            SecurityEvent.Kind.TOKEN_USE,
            request=request,
            user=token.user,
            detail=f"{token.name} ({token.prefix})",
        )
