"""Case pages: the list with filters, opening a case on an account, the case page (comments, status,
assignment, SLA clocks) and the SLA settings an administrator edits. Thin: each POST calls one service."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from baton.accounts.models import Account
from baton.activities.models import EmailMessage
from baton.core.audit import history_for
from baton.core.http import AuthedHttpRequest
from baton.core.params import bool_param, choice_param, int_param, text_param
from baton.core.records import can_edit, get_for_user
from baton.core.views_generic import run_action
from baton.success.cases import queries, services
from baton.success.cases.forms import AssignForm, CaseForm, CommentForm, HoursForm, PolicyForm
from baton.success.cases.models import Case, Priority
from baton.success.cases.sla import support_hours


@login_required
def case_list(request: AuthedHttpRequest) -> HttpResponse:
    filters = {
        "status": choice_param(request.GET, "status", ["open", *Case.Status.values]),
        "priority": choice_param(request.GET, "priority", Priority.values),
        "category": choice_param(request.GET, "category", Case.Category.values),
        "breached": bool_param(request.GET, "breached"),
        "mine": bool_param(request.GET, "mine"),
        "account": int_param(request.GET, "account"),
        "q": text_param(request.GET, "q", max_length=100),
    }
    cases = list(queries.filtered_cases(request.user, filters)[:200])
    return render(
        request,
        "success/cases/case_list.html",
        {
            "cases": cases,
            "filters": filters,
            "statuses": Case.Status.choices,
            "priorities": Priority.choices,
            "categories": Case.Category.choices,
            "now": timezone.now(),
        },
    )


@login_required
def case_new(request: AuthedHttpRequest, account_pk: int) -> HttpResponse:
    account = get_for_user(Account.objects.all(), request.user, account_pk)
    form = CaseForm(request.POST or None, account=account, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        created: list[Case] = []
        if run_action(
            request,
            lambda: created.append(
                services.open_case(
                    actor=request.user,
                    account=account,
                    subject=data["subject"],
                    description=data["description"],
                    priority=data["priority"],
                    category=data["category"],
                    contact=data["contact"],
                    contract=data["contract"],
                )
            ),
            form=form,
            success=_("Case opened."),
        ):
            return redirect("success:case", created[0].pk)
    return render(request, "success/cases/case_new.html", {"account": account, "form": form})


def _context(request: AuthedHttpRequest, case: Case, **forms: Any) -> dict[str, Any]:
    editable = can_edit(request.user, case)
    return {
        "case": case,
        "comments": list(queries.comments_of(case)),
        "mails": list(
            case.mails.filter(email__direction=EmailMessage.Direction.INBOUND)
            .select_related("email")
            .order_by("created_at", "id")[:100]
        ),
        "contact_email": case.contact.email if case.contact_id and case.contact else "",
        "subject_tag": f"[{case.number}]",
        "can_edit": editable,
        "next_statuses": [(s, Case.Status(s).label) for s in services.TRANSITIONS[case.status]]
        if editable
        else [],
        "comment_form": forms.get("comment_form")
        or CommentForm(initial={"send_email": bool(case.contact_id and case.contact and case.contact.email)}),
        "assign_form": forms.get("assign_form")
        or AssignForm(user=request.user, initial={"owner": case.owner_id, "team": case.team_id}),
        "history": history_for(case, limit=20),
        "now": timezone.now(),
    }


@login_required
def case_detail(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    case = queries.get_case_for_user(request.user, pk)
    return render(request, "success/cases/case_detail.html", _context(request, case))


@login_required
@require_POST
def case_status(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    case = queries.get_case_for_user(request.user, pk)
    status = choice_param(request.POST, "status", Case.Status.values)
    run_action(
        request,
        lambda: services.change_status(case, actor=request.user, status=status),
        success=_("Status changed."),
    )
    return redirect("success:case", case.pk)


@login_required
@require_POST
def case_comment(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    case = queries.get_case_for_user(request.user, pk)
    form = CommentForm(request.POST)
    if form.is_valid() and run_action(
        request,
        lambda: services.add_comment(
            case,
            actor=request.user,
            body=form.cleaned_data["body"],
            is_internal=form.cleaned_data["is_internal"],
            send_email=form.cleaned_data["send_email"],
        ),
        form=form,
        success=_("Comment added."),
    ):
        return redirect("success:case", case.pk)
    return render(
        request, "success/cases/case_detail.html", _context(request, case, comment_form=form), status=400
    )


@login_required
@require_POST
def case_assign(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    case = queries.get_case_for_user(request.user, pk)
    form = AssignForm(request.POST, user=request.user)
    if form.is_valid() and run_action(
        request,
        lambda: services.assign(
            case, actor=request.user, owner=form.cleaned_data["owner"], team=form.cleaned_data["team"]
        ),
        form=form,
        success=_("Case assigned."),
    ):
        return redirect("success:case", case.pk)
    return render(
        request, "success/cases/case_detail.html", _context(request, case, assign_form=form), status=400
    )


@login_required
def sla_settings(request: AuthedHttpRequest) -> HttpResponse:
    """The SLA policy per priority and the business hours (administrators change them; all may read)."""
    policy_form = PolicyForm()
    hours = support_hours("business")
    hours_form = HoursForm(initial={"day_start": hours.start, "day_end": hours.end})
    if request.method == "POST":
        if not request.user.is_admin:
            raise PermissionDenied
        if request.POST.get("form") == "hours":
            hours_form = HoursForm(request.POST)
            if hours_form.is_valid() and run_action(
                request,
                lambda: services.set_support_hours(actor=request.user, **hours_form.cleaned_data),
                form=hours_form,
                success=_("Saved."),
            ):
                return redirect("success:sla_settings")
        else:
            policy_form = PolicyForm(request.POST)
            if policy_form.is_valid() and run_action(
                request,
                lambda: services.set_sla_policy(actor=request.user, **policy_form.cleaned_data),
                form=policy_form,
                success=_("Saved."),
            ):
                return redirect("success:sla_settings")
    return render(
        request,
        "success/cases/sla_settings.html",
        {
            "policies": [services.policy_for(p) for p in Priority.values],
            "policy_form": policy_form,
            "hours_form": hours_form,
            "hours": hours,
        },
    )
