"""Hand-off pages: the package (sales prepares, delivery decides), the delivery inbox with the
rework-loop metrics, delivery projects, and the admin page for checklists per product family."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from baton.activities.models import Activity, OpenQuestion
from baton.core.audit import history_for
from baton.core.http import AuthedHttpRequest
from baton.core.records import can_edit
from baton.core.views_generic import run_action
from baton.deals import catalog
from baton.deals.queries import get_opportunity_for_user
from baton.delivery import services
from baton.delivery.forms import AnswerForm, ChecklistItemForm, PackageForm, ReviewForm, SubmitForm
from baton.delivery.models import ChecklistItem, HandoffPackage
from baton.delivery.queries import get_package_for_user, get_project_for_user, metrics, packages_for


@login_required
def inbox(request: AuthedHttpRequest) -> HttpResponse:
    """Packages handed to me, and the packages of deals I can see; with the rework-loop metrics."""
    visible = packages_for(request.user)
    mine = list(visible.filter(delivery_lead=request.user).exclude(status=HandoffPackage.Status.DRAFT)[:100])
    others = list(visible.exclude(delivery_lead=request.user)[:100])
    return render(
        request,
        "delivery/inbox.html",
        {"mine": mine, "others": others, "metrics": metrics(visible)},
    )


@login_required
def handoff(request: AuthedHttpRequest, opportunity_pk: int) -> HttpResponse:
    """The deal's package: start it on first visit (sales), then show it."""
    opportunity = get_opportunity_for_user(request.user, opportunity_pk)
    package = HandoffPackage.objects.filter(opportunity=opportunity).first()
    if package is None:
        if request.method != "POST":
            return render(request, "delivery/start.html", {"opportunity": opportunity})
        created: list[HandoffPackage] = []
        if not run_action(
            request, lambda: created.append(services.start_package(opportunity, actor=request.user))
        ):
            return redirect("deals:detail", opportunity.pk)
        package = created[0]
    return redirect("delivery:package", package.pk)


def _package_context(request: AuthedHttpRequest, package: HandoffPackage, **forms: Any) -> dict[str, Any]:
    opportunity = package.opportunity
    items = services.checklist_for(opportunity)
    answers = list(package.answers.all())
    by_item = {a.item_id: a for a in answers}
    eco = catalog.economics(opportunity)
    ready = services.readiness(
        package, items, answers=answers, has_lines=bool(eco.lines), has_efforts=bool(eco.efforts)
    )
    is_sales = can_edit(request.user, opportunity)
    return {
        "package": package,
        "opportunity": opportunity,
        "checklist": [(item, by_item.get(item.pk)) for item in items],
        "ready": ready,
        "eco": eco,
        "minutes": list(
            Activity.objects.filter(opportunity=opportunity, kind=Activity.Kind.MINUTES).order_by(
                "-start_at", "-id"
            )[:20]
        ),
        "questions": list(OpenQuestion.objects.filter(opportunity=opportunity).order_by("status", "id")[:50]),
        "reviews": list(package.reviews.select_related("reviewer")),
        "is_sales": is_sales,
        "is_reviewer": request.user.is_admin or request.user.pk == package.delivery_lead_id,
        "form": forms.get("form") or PackageForm(instance=package),
        "submit_form": forms.get("submit_form") or SubmitForm(),
        "review_form": forms.get("review_form") or ReviewForm(initial={"pm": package.delivery_lead_id}),
        "history": history_for(package, limit=30, viewer=request.user),
        "project": getattr(package, "project", None)
        if package.status == HandoffPackage.Status.ACCEPTED
        else None,
    }


@login_required
def package_detail(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    package = get_package_for_user(request.user, pk)
    return render(request, "delivery/package.html", _package_context(request, package))


@login_required
@require_POST
def package_edit(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    package = get_package_for_user(request.user, pk)
    form = PackageForm(request.POST, instance=package)
    if form.is_valid():
        version = form.cleaned_data.get("version")
        if (
            run_action(
                request,
                lambda: services.update_package(
                    package, actor=request.user, changes=form.changes(), expected_version=version
                ),
                form=form,
            )
            and not form.errors
        ):
            messages.success(request, _("Saved."))
            return redirect("delivery:package", package.pk)
    package.refresh_from_db()
    return render(request, "delivery/package.html", _package_context(request, package, form=form), status=400)


@login_required
@require_POST
def answer(request: AuthedHttpRequest, pk: int, item_id: int) -> HttpResponse:
    package = get_package_for_user(request.user, pk)
    item = ChecklistItem.objects.filter(pk=item_id, is_archived=False).first()
    if item is None:
        raise Http404("Not found")
    form = AnswerForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Answer it or mark it unknown."))
    else:
        run_action(
            request, lambda: services.answer_item(package, item, actor=request.user, **form.cleaned_data)
        )
    return redirect("delivery:package", package.pk)


@login_required
@require_POST
def submit(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    package = get_package_for_user(request.user, pk)
    form = SubmitForm(request.POST)
    if form.is_valid() and run_action(
        request, lambda: services.submit_package(package, actor=request.user, **form.cleaned_data), form=form
    ):
        messages.success(request, _("Handed to delivery."))
        return redirect("delivery:package", package.pk)
    return render(
        request, "delivery/package.html", _package_context(request, package, submit_form=form), status=400
    )


@login_required
@require_POST
def review(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    package = get_package_for_user(request.user, pk)
    form = ReviewForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        if data["decision"] == "accept":
            made: list = []
            if run_action(
                request,
                lambda: made.append(
                    services.accept(package, actor=request.user, pm=data["pm"], note=data["reasons"])
                ),
                form=form,
            ):
                messages.success(request, _("Accepted: the delivery project is created."))
                return redirect("delivery:project", made[0].pk)
        elif run_action(
            request,
            lambda: services.send_back(package, actor=request.user, reasons=data["reasons"]),
            form=form,
        ):
            messages.success(request, _("Sent back to sales."))
            return redirect("delivery:package", package.pk)
    return render(
        request, "delivery/package.html", _package_context(request, package, review_form=form), status=400
    )


@login_required
def project_detail(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    project = get_project_for_user(request.user, pk)
    return render(
        request,
        "delivery/project.html",
        {"project": project, "history": history_for(project, limit=20, viewer=request.user)},
    )


@login_required
def checklists(request: AuthedHttpRequest) -> HttpResponse:
    if not request.user.is_admin:
        raise PermissionDenied
    form = ChecklistItemForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if (
            form.is_valid()
            and run_action(
                request,
                lambda: services.save_checklist_item(actor=request.user, **form.cleaned_data),
                form=form,
            )
            and not form.errors
        ):
            messages.success(request, _("Saved."))
            return redirect("delivery:checklists")
        status = 400
    items = ChecklistItem.objects.filter(is_archived=False).select_related("product_family")
    return render(request, "delivery/checklists.html", {"items": items, "form": form}, status=status)
