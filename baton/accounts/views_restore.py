"""Restoring an archived account or contact (the list's "Archived" filter finds them)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from baton.accounts import services
from baton.accounts.queries import get_account_for_user, get_contact_for_user
from baton.core.http import AuthedHttpRequest
from baton.core.services import ConflictError, ServiceError


def _version(request: AuthedHttpRequest) -> int | None:
    raw = request.POST.get("version", "")
    return int(raw) if raw.isdigit() and len(raw) < 12 else None


@login_required
@require_POST
def account_restore(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    """Those who may edit the account restore it (a reader gets 403, someone blind to it 404)."""
    account = get_account_for_user(request.user, pk)
    try:
        services.restore_account(account, actor=request.user, expected_version=_version(request))
    except (ServiceError, ConflictError) as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The account was restored."))
    return redirect("accounts:detail", account.pk)


@login_required
@require_POST
def contact_restore(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    contact = get_contact_for_user(request.user, pk)
    try:
        services.restore_contact(contact, actor=request.user, expected_version=_version(request))
    except (ServiceError, ConflictError) as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The contact was restored."))
    return redirect("contacts:detail", contact.pk)
