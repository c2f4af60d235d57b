"""Pages: the consent panel on leads and contacts; for administrators the data-subject requests
(find, see, export, erase), retention rules with their preview and log, and the export/erasure logs."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from baton.core.http import AuthedHttpRequest
from baton.core.params import text_param
from baton.core.records import can_edit, get_record_for_user
from baton.privacy import consent as consent_services
from baton.privacy import retention, subjects
from baton.privacy.exports import record_export
from baton.privacy.forms import ConsentForm, EraseForm, RetentionRuleForm
from baton.privacy.models import ErasureLog, ExportLog, Purpose, RetentionRule, RetentionRun

PERSON_KINDS = ("lead", "contact")


def _require_admin(request: AuthedHttpRequest) -> None:
    if not request.user.is_admin:
        raise PermissionDenied(_("Only administrators may handle personal-information requests."))


def _ids(params: Mapping[str, Any], name: str) -> list[int]:
    raw = text_param(params, name, max_length=2000)
    return sorted({int(x) for x in re.findall(r"\d{1,18}", raw)})[:200]


# --- consent -------------------------------------------------------------------------------------------


def _consent_panel(
    request: AuthedHttpRequest, kind: str, person: Any, form: ConsentForm | None = None, status: int = 200
):
    state = consent_services.current_state(person)
    return render(
        request,
        "privacy/partials/consent_panel.html",
        {
            "kind": kind,
            "person": person,
            "state": [(label, state[value]) for value, label in Purpose.choices],
            "history": consent_services.history(person)[:50],
            "form": form
            or ConsentForm(initial={"given_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M")}),
            "may_edit": can_edit(request.user, person),
        },
        status=status,
    )


@login_required
def consent_panel(request: AuthedHttpRequest, kind: str, pk: int) -> HttpResponse:
    person = get_record_for_user(request.user, kind, pk, kinds=PERSON_KINDS)
    return _consent_panel(request, kind, person)


@login_required
@require_POST
def consent_add(request: AuthedHttpRequest, kind: str, pk: int) -> HttpResponse:
    person = get_record_for_user(request.user, kind, pk, kinds=PERSON_KINDS)
    form = ConsentForm(request.POST)
    if form.is_valid():
        try:
            consent_services.record_consent(
                person,
                actor=request.user,
                purpose=form.cleaned_data["purpose"],
                granted=form.cleaned_data["granted"],
                channel=form.cleaned_data["channel"],
                source=form.cleaned_data["source"],
                given_at=form.cleaned_data["given_at"],
            )
        except ValidationError as exc:
            for field, msgs in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, msgs)
        else:
            if request.headers.get("HX-Request"):
                return _consent_panel(request, kind, person)
            messages.success(request, _("The consent statement was recorded."))
            return redirect(reverse(f"{'leads' if kind == 'lead' else 'contacts'}:detail", args=[person.pk]))
    # htmx swaps only 2xx answers: the panel with its field errors comes back as 200 there.
    return _consent_panel(
        request, kind, person, form, status=200 if request.headers.get("HX-Request") else 400
    )


# --- data-subject requests --------------------------------------------------------------------------


@login_required
def home(request: AuthedHttpRequest) -> HttpResponse:
    _require_admin(request)
    term = text_param(request.GET, "q", max_length=200)
    leads, contacts = subjects.find_people(term) if term else ([], [])
    return render(
        request,
        "privacy/home.html",
        {
            "q": term,
            "leads": leads,
            "contacts": contacts,
            "searched": bool(term),
            "erasures": ErasureLog.objects.select_related("actor")[:20],
        },
    )


def _subject(params: Mapping[str, Any]) -> subjects.Subject:
    subject = subjects.subject_from_ids(_ids(params, "leads"), _ids(params, "contacts"))
    if not subject:
        raise Http404("No such person records")
    return subject


@login_required
def subject(request: AuthedHttpRequest) -> HttpResponse:
    _require_admin(request)
    person = _subject(request.GET)
    scope = subjects.collect(person)
    record_export(
        request.user,
        kind=ExportLog.Kind.SUBJECT_VIEW,
        what=subjects._ids_text(person),
        rows=sum(map(len, scope.values())),
    )
    rows = subjects.rows_by_model(scope)
    names, identifiers = subjects.personal_values(person)
    return render(
        request,
        "privacy/subject.html",
        {
            "subject": person,
            "summary": subjects.summary(scope),
            "tables": sorted(rows.items()),
            "values": sorted(names | identifiers),
            "lead_ids": ",".join(str(p.pk) for p in person.leads),
            "contact_ids": ",".join(str(p.pk) for p in person.contacts),
            "erase_form": EraseForm(),
        },
    )


@login_required
@require_POST
def subject_export(request: AuthedHttpRequest) -> HttpResponse:
    _require_admin(request)
    person = _subject(request.POST)
    data = subjects.archive(person, actor=request.user)
    response = HttpResponse(data, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="data-subject-{timezone.localdate():%Y%m%d}.zip"'
    return response


@login_required
@require_POST
def subject_erase(request: AuthedHttpRequest) -> HttpResponse:
    _require_admin(request)
    person = _subject(request.POST)
    form = EraseForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Tick the confirmation to erase."))
        url = (
            reverse("privacy:subject") + f"?leads={_joined(person.leads)}&contacts={_joined(person.contacts)}"
        )
        return redirect(url)
    entry = subjects.erase(person, actor=request.user)
    messages.success(
        request, _("The personal data was erased (reference %(ref)s).") % {"ref": entry.reference}
    )
    return redirect("privacy:home")


def _joined(records: list[Any]) -> str:
    return ",".join(str(p.pk) for p in records)


# --- retention ---------------------------------------------------------------------------------------


@login_required
def retention_rules(request: AuthedHttpRequest) -> HttpResponse:
    _require_admin(request)
    form = RetentionRuleForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                retention.save_rule(actor=request.user, **form.cleaned_data)
            except ValidationError as exc:
                for field, msgs in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, msgs)
            else:
                messages.success(request, _("The retention rule was saved."))
                return redirect("privacy:retention")
        status = 400
    return render(
        request,
        "privacy/retention.html",
        {
            "rules": RetentionRule.objects.all(),
            "runs": RetentionRun.objects.all()[:50],
            "form": form,
        },
        status=status,
    )


@login_required
def retention_preview(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    _require_admin(request)
    rule = get_object_or_404(RetentionRule, pk=pk)
    qs = retention.candidates(rule)
    return render(
        request,
        "privacy/retention_preview.html",
        {"rule": rule, "records": list(qs[:200]), "total": qs.count(), "batch": retention.BATCH},
    )


@login_required
@require_POST
def retention_apply(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    _require_admin(request)
    rule = get_object_or_404(RetentionRule, pk=pk)
    run = retention.apply_rule(rule, actor=request.user)
    messages.success(request, _("%(n)s records erased.") % {"n": run.erased})
    return redirect("privacy:retention")


@login_required
@require_POST
def retention_delete(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    _require_admin(request)
    rule = get_object_or_404(RetentionRule, pk=pk)
    retention.delete_rule(rule, actor=request.user)
    messages.success(request, _("The retention rule was deleted."))
    return redirect("privacy:retention")


@login_required
def logs(request: AuthedHttpRequest) -> HttpResponse:
    _require_admin(request)
    return render(
        request,
        "privacy/logs.html",
        {
            "exports": ExportLog.objects.select_related("user")[:200],
            "erasures": ErasureLog.objects.select_related("actor")[:100],
        },
    )
