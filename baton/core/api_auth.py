"""Bearer-token authentication for the REST API.

Tokens are made by ``baton.core.services.create_api_token`` (profile page or ``baton create_api_token``);
only their SHA-256 is stored, so a lookup is one indexed query on ``key_hash``.
"""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from django.utils import timezone
from ninja.security import HttpBearer

from baton.core.models import ApiToken, User

# Recording every use would turn each read into a write; once a minute is enough to show activity.
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)
MAX_TOKEN_LENGTH = 200


class ApiTokenAuth(HttpBearer):
    """``Authorization: Bearer <token>``: an unrevoked token of an active user."""

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        token = token.strip()
        if not token or len(token) > MAX_TOKEN_LENGTH:
            return None
        found = (
            ApiToken.objects.select_related("user", "user__team")
            .filter(key_hash=ApiToken.hash_key(token), revoked_at__isnull=True)
            .first()
        )
        if found is None or not found.user.is_active:
            return None
        now = timezone.now()
        if found.last_used_at is None or now - found.last_used_at >= LAST_USED_RESOLUTION:
            # Bookkeeping, not a record change: a conditional update, so concurrent requests write once.
            ApiToken.objects.filter(pk=found.pk).exclude(last_used_at__gt=now - LAST_USED_RESOLUTION).update(
                last_used_at=now
            )
        user = found.user
        request.user = user
        request.api_token = found  # type: ignore[attr-defined]
        return user
