"""Pages: for administrators the rules (list, edit with CEL errors, on/off, dry run) and the run log
with retry; for anyone who may see a record, the runs on that record."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from baton.core.http import AuthedHttpRequest
from baton.core.params import int_param, text_param

from . import builder, queries, services
from .forms import RuleForm
from .models import Rule, Run
from .panels import PANEL_LIMIT


def _require_admin(request: AuthedHttpRequest) -> None:
    if not request.user.is_admin:
        raise PermissionDenied(_("Only administrators may manage automation rules."))


@login_required
def rule_list(request: AuthedHttpRequest) -> HttpResponse:
    _require_admin(request)
    return render(request, "automation/rules.html", {"rules": Rule.objects.select_related("created_by")})


def _form_errors(form: RuleForm, exc: ValidationError) -> None:
    for name, msgs in exc.message_dict.items():
        form.add_error(name if name in form.fields else None, msgs)


@login_required
def rule_edit(request: AuthedHttpRequest, pk: int | None = None) -> HttpResponse:
    _require_admin(request)
    rule = get_object_or_404(Rule, pk=pk) if pk is not None else None
    initial = RuleForm.initial_for(rule) if rule is not None else {"actions": "[]"}
    form = RuleForm(request.POST or None, initial=initial)
    status = 200
    dry = None
    if request.method == "POST":
        if form.is_valid():
            try:
                if "dry_run" in request.POST:
                    definition = services.clean_definition(form.cleaned_data)
                    dry = services.dry_run(definition, actor=request.user)
                else:
                    rule = services.save_rule(rule, actor=request.user, values=form.cleaned_data)
                    messages.success(request, _("The rule was saved as version %(n)s.") % {"n": rule.version})
                    return redirect("automation:edit", rule.pk)
            except ValidationError as exc:
                _form_errors(form, exc)
                status = 400
        else:
            status = 400
    return render(
        request,
        "automation/rule_form.html",
        {
            "form": form,
            "rule": rule,
            "dry": dry,
            "versions": rule.versions.all()[:20] if rule else [],
            "builder": _builder(request, rule),
        },
        status=status,
    )


def _builder(request: AuthedHttpRequest, rule: Rule | None) -> dict[str, Any]:
    """The action rows to draw: as posted (a refused save keeps what was entered), else the rule's."""
    if builder.posted(request.POST):
        actions: Any = builder.actions_from_post(request.POST)
        kind = str(request.POST.get("object_kind") or "")
    else:
        actions = rule.actions if rule is not None else []
        kind = rule.object_kind if rule is not None else ""
    return builder.rows_for(kind, actions)


@login_required
@require_POST
def rule_toggle(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    _require_admin(request)
    rule = get_object_or_404(Rule, pk=pk)
    services.set_enabled(rule, actor=request.user, enabled=not rule.enabled)
    return redirect("automation:list")


def _dry_page(request: AuthedHttpRequest, rule: Rule | None, definition: dict[str, Any]) -> HttpResponse:
    dry = services.dry_run(definition, actor=request.user)
    return render(request, "automation/dry_run.html", {"rule": rule, "dry": dry})


@login_required
def rule_dry_run(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    _require_admin(request)
    rule = get_object_or_404(Rule, pk=pk)
    version = rule.versions.order_by("-number").first()
    if version is None:
        raise Http404
    return _dry_page(request, rule, version.definition)


@login_required
@require_POST
def draft_dry_run(request: AuthedHttpRequest) -> HttpResponse:
    _require_admin(request)
    form = RuleForm(request.POST)
    context = {"form": form, "rule": None, "builder": _builder(request, None)}
    if not form.is_valid():
        return render(request, "automation/rule_form.html", context, status=400)
    try:
        definition = services.clean_definition(form.cleaned_data)
    except ValidationError as exc:
        _form_errors(form, exc)
        return render(request, "automation/rule_form.html", context, status=400)
    return _dry_page(request, None, definition)


@login_required
def run_log(request: AuthedHttpRequest) -> HttpResponse:
    _require_admin(request)
    status = text_param(request.GET, "status", max_length=16)
    if status not in Run.Status.values:
        status = ""
    page = Paginator(queries.log(status), 50).get_page(
        int_param(request.GET, "page", minimum=1, maximum=10**6) or 1
    )
    return render(
        request, "automation/log.html", {"page": page, "status": status, "statuses": Run.Status.choices}
    )


@login_required
@require_POST
def run_retry(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    _require_admin(request)
    run = get_object_or_404(Run, pk=pk)
    try:
        services.retry_run(run, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The run is queued again."))
    return redirect("automation:log")


@login_required
def record_panel(request: AuthedHttpRequest, kind: str, pk: int) -> HttpResponse:
    """The automation box on the lead and deal pages, loaded after the page (htmx): the newest runs of
    rules on this record, for those who may see the record (404 otherwise)."""
    record, runs = queries.record_runs_for_user(request.user, kind, pk)
    return render(
        request,
        "automation/panels/_runs.html",
        {"record_kind": kind, "record_pk": record.pk, "automation_runs": list(runs[:PANEL_LIMIT])},
    )


@login_required
def record_runs(request: AuthedHttpRequest, kind: str, pk: int) -> HttpResponse:
    record, runs = queries.record_runs_for_user(request.user, kind, pk)
    return render(
        request, "automation/record_runs.html", {"record": record, "automation_runs": list(runs[:100])}
    )
