"""Bearer-token authentication for the REST API.

Tokens are made by ``baton.core.services.create_api_token`` (profile page or ``baton create_api_token``);
only their SHA-256 is stored, so a lookup is one indexed query on ``key_hash``. Expired and revoked
tokens are refused (401); a read-only token is refused any write (403).
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja.errors import HttpError
from ninja.security import HttpBearer

from baton.core.models import ApiToken, User
from baton.core.partner_fence import is_partner_user, partner_may_call

# Recording every use would turn each read into a write; once a minute is enough to show activity.
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)
MAX_TOKEN_LENGTH = 200
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class ApiTokenAuth(HttpBearer):
    """``Authorization: Bearer <token>``: an unrevoked, unexpired token of an active user."""

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        token = token.strip()
        if not token or len(token) > MAX_TOKEN_LENGTH:
            return None
        now = timezone.now()
        found = (
            ApiToken.objects.select_related("user", "user__team")
            .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now), key_hash=ApiToken.hash_key(token))
            .filter(revoked_at__isnull=True)
            .first()
        )
        if found is None or not found.user.is_active:
            self.refused(request, token)
            return None
        if is_partner_user(found.user) and not partner_may_call(request.path):
            raise HttpError(403, _("A partner user may call only the partner portal's operations."))
        if found.scope == ApiToken.Scope.READ and request.method not in READ_METHODS:
            raise HttpError(403, _("This API token is read-only."))
        previous_use = found.last_used_at
        if previous_use is None or now - previous_use >= LAST_USED_RESOLUTION:
            # Bookkeeping, not a record change: a conditional update, so concurrent requests write once.
            ApiToken.objects.filter(pk=found.pk).exclude(last_used_at__gt=now - LAST_USED_RESOLUTION).update(
                last_used_at=now
            )
            if previous_use is None or timezone.localdate(previous_use) != timezone.localdate(now):
                self.first_use_today(request, found)
        user = found.user
        request.user = user
        request.api_token = found  # type: ignore[attr-defined]
        return user

    # Hooks for the security app (throttling, the security log); core itself records nothing more.
    def refused(self, request: HttpRequest, token: str) -> None:
        """Called for a token that matched no usable token."""

    def first_use_today(self, request: HttpRequest, token: ApiToken) -> None:
        """Called on the first use of a token each (local) day."""
