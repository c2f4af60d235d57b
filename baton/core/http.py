"""Request types for annotations.

``HttpRequest.user`` is ``User | AnonymousUser`` to the type checker; behind ``@login_required`` (or
``LoginRequiredMixin``) it is always one of our users. Annotate such views with ``AuthedHttpRequest``.
It is never instantiated: Django still passes a plain ``HttpRequest``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest

if TYPE_CHECKING:
    from baton.core.models import User


class AuthedHttpRequest(HttpRequest):
    """An ``HttpRequest`` whose user is signed in (for annotations only)."""

    user: User
