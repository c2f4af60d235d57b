"""Success plan pages: the plans you can see with their progress, a plan with its milestones (add one,
mark one done), and starting a plan from an account. Each POST calls one service."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from baton.accounts.models import Account
from baton.core.http import AuthedHttpRequest
from baton.core.models import User
from baton.core.records import assignable_users, can_edit, get_for_user
from baton.core.views_generic import run_action, style_form
from baton.success.plans import services
from baton.success.plans.models import Milestone, SuccessPlan


class PlanForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Title"), max_length=200)
    goal = forms.CharField(
        label=gettext_lazy("Goal"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style_form(self)


class MilestoneForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Milestone"), max_length=200)
    due_date = forms.DateField(label=gettext_lazy("Due date"), widget=forms.DateInput(attrs={"type": "date"}))
    owner = forms.ModelChoiceField(label=gettext_lazy("Owner"), queryset=User.objects.none(), required=False)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        owner_field: Any = self.fields["owner"]
        owner_field.queryset = assignable_users(user)
        style_form(self)


def plans_for(user: Any) -> Any:
    return SuccessPlan.objects.visible_to(user)


@login_required
def plan_list(request: AuthedHttpRequest) -> HttpResponse:
    today = timezone.localdate()
    plans = list(
        plans_for(request.user)
        .select_related("account", "owner")
        .prefetch_related("milestones")
        .order_by("-created_at", "-id")[:200]
    )
    rows = [(p, services.progress_of(list(p.milestones.all()), today)) for p in plans]
    return render(request, "success/plans/plan_list.html", {"rows": rows})


def _context(
    request: AuthedHttpRequest, plan: SuccessPlan, form: MilestoneForm | None = None
) -> dict[str, Any]:
    milestones = list(plan.milestones.select_related("owner").order_by("due_date", "id"))
    today = timezone.localdate()
    return {
        "plan": plan,
        "milestones": milestones,
        "progress": services.progress_of(milestones, today),
        "today": today,
        "can_edit": can_edit(request.user, plan),
        "form": form or MilestoneForm(user=request.user),
    }


@login_required
def plan_detail(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    plan = get_for_user(SuccessPlan.objects.select_related("account", "owner"), request.user, pk)
    return render(request, "success/plans/plan_detail.html", _context(request, plan))


@login_required
def plan_new(request: AuthedHttpRequest, account_pk: int) -> HttpResponse:
    account = get_for_user(Account.objects.all(), request.user, account_pk)
    form = PlanForm(request.POST or None)
    created: list[SuccessPlan] = []
    if (
        request.method == "POST"
        and form.is_valid()
        and run_action(
            request,
            lambda: created.append(
                services.create_plan(actor=request.user, account=account, **form.cleaned_data)
            ),
            form=form,
            success=_("Plan created."),
        )
    ):
        return redirect("success:plan", created[0].pk)
    return render(request, "success/plans/plan_new.html", {"account": account, "form": form})


@login_required
@require_POST
def milestone_add(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    plan = get_for_user(SuccessPlan.objects.select_related("account", "owner"), request.user, pk)
    form = MilestoneForm(request.POST, user=request.user)
    if form.is_valid() and run_action(
        request,
        lambda: services.add_milestone(plan, actor=request.user, **form.cleaned_data),
        form=form,
        success=_("Milestone added."),
    ):
        return redirect("success:plan", plan.pk)
    return render(request, "success/plans/plan_detail.html", _context(request, plan, form), status=400)


@login_required
@require_POST
def milestone_done(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    milestone = (
        Milestone.objects.filter(pk=pk, plan__in=plans_for(request.user)).select_related("plan").first()
    )
    if milestone is None:
        raise Http404("Not found")
    done = request.POST.get("done") == "1"
    run_action(
        request,
        lambda: services.set_milestone_done(
            milestone, actor=request.user, done=done, today=timezone.localdate()
        ),
    )
    return redirect("success:plan", milestone.plan_id)
