"""The channel team's routing rules of passed leads: the ordered list (move up and down, enable and
disable), a new rule, and a rule's edit page. ``partners.routing`` validates, writes and audits."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from baton.core.http import AuthedHttpRequest
from baton.core.views_generic import run_action
from baton.partners import routing
from baton.partners.forms import RoutingRuleForm
from baton.partners.models import RoutingRule
from baton.partners.views import _channel


def _rule(request: AuthedHttpRequest, pk: int) -> RoutingRule:
    _channel(request)
    return get_object_or_404(RoutingRule.objects.select_related("partner__account", "product_family"), pk=pk)


def _values(data: dict[str, Any]) -> dict[str, Any]:
    return {name: data[name] for name in routing.RULE_FIELDS}


@login_required
def rules(request: AuthedHttpRequest) -> HttpResponse:
    _channel(request)
    rows = list(RoutingRule.objects.select_related("partner__account", "product_family"))
    return render(request, "partners/routing.html", {"rules": rows})


@login_required
def rule_new(request: AuthedHttpRequest) -> HttpResponse:
    _channel(request)
    form = RoutingRuleForm(request.POST or None)
    if (
        request.method == "POST"
        and form.is_valid()
        and run_action(
            request,
            lambda: routing.create_rule(actor=request.user, **_values(form.cleaned_data)),
            form=form,
            success=_("Routing rule added."),
        )
    ):
        return redirect("partners:routing")
    return render(request, "partners/routing_rule.html", {"form": form, "rule": None})


@login_required
def rule_edit(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    rule = _rule(request, pk)
    initial = {name: getattr(rule, name) for name in routing.RULE_FIELDS} | {"version": rule.version}
    form = RoutingRuleForm(request.POST or None, initial=initial)
    if (
        request.method == "POST"
        and form.is_valid()
        and run_action(
            request,
            lambda: routing.update_rule(
                rule,
                actor=request.user,
                changes=_values(form.cleaned_data),
                expected_version=form.cleaned_data["version"],
            ),
            form=form,
            success=_("Saved."),
        )
    ):
        return redirect("partners:routing")
    return render(request, "partners/routing_rule.html", {"form": form, "rule": rule})


@login_required
@require_POST
def rule_move(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    rule = _rule(request, pk)
    up = request.POST.get("direction") != "down"
    run_action(request, lambda: routing.move_rule(rule, actor=request.user, up=up))
    return redirect("partners:routing")


@login_required
@require_POST
def rule_toggle(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    rule = _rule(request, pk)
    run_action(
        request,
        lambda: routing.update_rule(rule, actor=request.user, changes={"is_active": not rule.is_active}),
        success=_("Routing rule enabled.") if not rule.is_active else _("Routing rule disabled."),
    )
    return redirect("partners:routing")
