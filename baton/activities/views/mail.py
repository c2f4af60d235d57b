"""Mail pages: compose from a record (with a template), templates, the inbound review queue; and
the permission-checked download of activity attachments."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from baton.activities import mail, queries
from baton.activities.forms import ComposeForm, TemplateForm
from baton.activities.models import Attachment
from baton.core.customfields.merge import merge_fields
from baton.core.http import AuthedHttpRequest
from baton.core.params import id_param


def _errors(form, exc: ValidationError) -> None:
    for field, msgs in exc.message_dict.items():
        form.add_error(field if field in form.fields else None, msgs)


@login_required
def compose(request: AuthedHttpRequest, kind: str, pk: int) -> HttpResponse:
    record = queries.get_record_for_user(request.user, kind, pk)
    templates = list(mail.templates_for(request.user))
    if request.method == "POST":
        form = ComposeForm(request.POST)
        if form.is_valid():
            try:
                mail.send_record_email(
                    record,
                    actor=request.user,
                    to=form.cleaned_data["to"],
                    cc=form.cleaned_data["cc"],
                    subject=form.cleaned_data["subject"],
                    body=form.cleaned_data["body"],
                    marketing=form.cleaned_data["marketing"],
                )
            except ValidationError as exc:
                _errors(form, exc)
            else:
                messages.success(request, _("Queued for sending and logged on the record."))
                return redirect("activities:record", kind=kind, pk=pk)
    else:
        initial = {"to": mail.default_recipient(record)}
        chosen = id_param(request.GET, "template")
        if chosen:
            template = next((t for t in templates if t.pk == chosen), None)
            if template is None:
                raise Http404("Unknown template")
            initial["subject"], initial["body"] = mail.render_template(template, record, request.user)
        form = ComposeForm(initial=initial)
    return render(
        request,
        "activities/compose.html",
        {"form": form, "record": record, "record_kind": kind, "templates": templates},
    )


def _merge_fields(user) -> dict:
    """The built-in merge fields, then the custom fields the user may read (``{{ deal.budget }}``)."""
    return {**mail.MERGE_FIELDS, **dict(merge_fields(user))}


@login_required
@require_GET
def template_list(request: AuthedHttpRequest) -> HttpResponse:
    return render(
        request,
        "activities/templates_list.html",
        {
            "templates": list(mail.templates_for(request.user).select_related("owner")),
            "fields": _merge_fields(request.user),
        },
    )


@login_required
def template_edit(request: AuthedHttpRequest, pk: int | None = None) -> HttpResponse:
    template = None
    if pk is not None:
        template = mail.templates_for(request.user).filter(pk=pk).first()
        if template is None:
            raise Http404("Not found")
    if request.method == "POST":
        form = TemplateForm(request.POST)
        if form.is_valid():
            try:
                mail.save_template(template, actor=request.user, **form.cleaned_data)
            except ValidationError as exc:
                _errors(form, exc)
            except PermissionDenied:
                raise Http404("Not found") from None
            else:
                messages.success(request, _("Template saved."))
                return redirect("activities:templates")
    else:
        form = TemplateForm(
            initial={
                "name": template.name,
                "language": template.language,
                "subject": template.subject,
                "body": template.body,
                "is_shared": template.is_shared,
            }
            if template
            else None
        )
    return render(
        request,
        "activities/template_form.html",
        {"form": form, "template": template, "fields": _merge_fields(request.user)},
    )


@login_required
@require_GET
def review_list(request: AuthedHttpRequest) -> HttpResponse:
    items = list(
        mail.review_queue(request.user).prefetch_related("attachments").order_by("-created_at", "-id")[:100]
    )
    return render(
        request,
        "activities/review.html",
        {"items": items, "logging_address": mail.logging_address(request.user)},
    )


@login_required
@require_POST
def review_resolve(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    message = mail.review_queue(request.user).filter(pk=pk).first()
    if message is None:
        raise Http404("Not found")
    record = None
    if request.POST.get("action") != "discard":
        kind, _sep, rid = (request.POST.get("record") or "").partition(":")
        record = queries.get_record_for_user(request.user, kind, rid)
    try:
        mail.resolve_review(message, actor=request.user, record=record)
    except ValidationError as exc:
        messages.error(request, " ".join(m for ms in exc.message_dict.values() for m in ms))
    return redirect("activities:review")


@login_required
@require_GET
def attachment_download(request: AuthedHttpRequest, pk: int) -> FileResponse:
    try:
        attachment = Attachment.objects.select_related("activity").get(pk=int(pk))
    except Attachment.DoesNotExist:
        raise Http404("Not found") from None
    if attachment.activity_id is not None:
        queries.get_activity_for_user(request.user, attachment.activity_id)  # 404 unless visible
    elif (
        attachment.email_id is None
        or not mail.review_queue(request.user).filter(pk=attachment.email_id).exists()
    ):
        raise Http404("Not found")  # a file of inbound mail still waiting in someone's review queue
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        raise Http404("Not found") from None
    return FileResponse(handle, as_attachment=True, filename=attachment.name)
