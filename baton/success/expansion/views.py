"""Opening an expansion deal from the whitespace of the account's installed base panel (one POST)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from baton.accounts.models import Account
from baton.core.http import AuthedHttpRequest
from baton.core.params import choice_param, id_param
from baton.core.records import get_for_user
from baton.core.views_generic import run_action
from baton.deals.models import Opportunity, ProductFamily
from baton.success.expansion import services
from baton.success.expansion.models import ExpansionDeal


@login_required
@require_POST
def open_expansion(request: AuthedHttpRequest, account_pk: int) -> HttpResponse:
    account = get_for_user(Account.objects.all(), request.user, account_pk)
    family_id = id_param(request.POST, "family")
    kind = choice_param(request.POST, "kind", ExpansionDeal.Kind.values) or ExpansionDeal.Kind.EXPANSION
    family = ProductFamily.objects.filter(pk=family_id, is_archived=False).first() if family_id else None
    if family is None:
        messages.error(request, _("Choose a product family."))
        return redirect("accounts:detail", account.pk)
    made: list[Opportunity] = []
    if run_action(
        request,
        lambda: made.append(
            services.open_expansion(
                actor=request.user, account=account, family=family, kind=kind, today=timezone.localdate()
            )
        ),
        success=_("Expansion deal opened."),
    ):
        return redirect("deals:detail", made[0].pk)
    return redirect("accounts:detail", account.pk)
