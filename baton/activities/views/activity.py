"""Pages of one activity: my day, the activity form and detail, completing, rescheduling (drag and
drop on the calendar), "?" questions and attachments."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime, parse_time
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from baton.activities import queries, services
from baton.activities.forms import ActivityForm, AnswerForm
from baton.activities.models import Activity, EmailMessage
from baton.activities.views.common import (
    apply_errors,
    editable_or_404,
    error_text,
    int_or_none,
    record_from_request,
    safe_next,
)
from baton.core.customfields.display import custom_rows
from baton.core.http import AuthedHttpRequest
from baton.core.params import (
    choice_param,
    text_param,
)
from baton.core.services import ConflictError


@login_required
@require_GET
def my_day(request: AuthedHttpRequest) -> HttpResponse:
    user = request.user
    today = timezone.localdate()
    start, end = queries.day_bounds(today)
    now = timezone.now()
    tasks = list(queries.my_tasks(user).filter(due_at__lt=start + dt.timedelta(days=7))[:100])
    context = {
        "today": today,
        "meetings": list(queries.calendar_events([user.id], start, end).filter(start_at__isnull=False)[:50]),
        "overdue": [t for t in tasks if t.due_at and t.due_at < now],
        "due": [t for t in tasks if t.due_at and t.due_at >= now],
        "questions": list(queries.questions_for(user)[:50]),
        "notifications": list(queries.notifications_for(user)[:8]),
        "now": now,
    }
    return render(request, "activities/my_day.html", context)


@login_required
def activity_create(request: AuthedHttpRequest) -> HttpResponse:
    record = record_from_request(request)
    kind = choice_param(request.GET, "kind", Activity.Kind.values) if request.method == "GET" else ""
    if request.method == "POST":
        form = ActivityForm(request.POST, request.FILES, user=request.user)
        if form.is_valid():
            try:
                with transaction.atomic():
                    activity = services.create_activity(
                        actor=request.user,
                        record=record,
                        assignees=form.cleaned_data["assignees"],
                        attendees=form.cleaned_data["attendees"],
                        **form.service_values(),
                    )
                    if form.cleaned_data.get("attachment"):
                        services.attach_file(
                            activity, actor=request.user, upload=form.cleaned_data["attachment"]
                        )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("Saved."))
                return redirect("activities:detail", pk=activity.pk)
    else:
        form = ActivityForm(initial={"kind": kind or Activity.Kind.TASK}, user=request.user)
    return render(
        request,
        "activities/activity_form.html",
        {
            "form": form,
            "record": record,
            "record_param": text_param(request.GET, "record", max_length=40),
            "activity": None,
        },
    )


@login_required
def activity_edit(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    activity = queries.get_activity_for_user(request.user, pk)
    if not services.can_edit_activity(request.user, activity):
        raise Http404("Not found")
    if request.method == "POST":
        form = ActivityForm(
            request.POST,
            request.FILES,
            initial={"kind": activity.kind},
            user=request.user,
            custom_data=activity.custom_field_data,
        )
        form.fields["kind"].disabled = True  # the type is fixed once created
        if form.is_valid():
            values = form.service_values(editing=True)
            values.pop("kind", None)
            try:
                with transaction.atomic():
                    services.update_activity(
                        activity,
                        actor=request.user,
                        changes=values,
                        expected_version=int_or_none(request.POST.get("version")),
                        assignees=form.cleaned_data["assignees"],
                    )
                    if form.cleaned_data.get("attachment"):
                        services.attach_file(
                            activity, actor=request.user, upload=form.cleaned_data["attachment"]
                        )
            except ValidationError as exc:
                apply_errors(form, exc)
            except services.ConflictError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("Saved."))
                return redirect("activities:detail", pk=activity.pk)
    else:
        initial = {name: getattr(activity, name) for name in services.EDITABLE - {"custom_field_data"}}
        initial["kind"] = activity.kind
        initial["assignees"] = list(activity.assignees.all())
        initial["attendees"] = list(activity.attendees_internal.all())
        for name in ("start_at", "end_at", "due_at"):
            if initial[name]:
                initial[name] = timezone.localtime(initial[name])
        form = ActivityForm(initial=initial, user=request.user, custom_data=activity.custom_field_data)
    form.fields["kind"].disabled = True
    return render(
        request,
        "activities/activity_form.html",
        {"form": form, "record": activity.record, "activity": activity},
    )


@login_required
@require_GET
def activity_detail(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    activity = queries.get_activity_for_user(request.user, pk)
    context = {
        "activity": activity,
        "record": activity.record,
        "can_edit": services.can_edit_activity(request.user, activity),
        "questions": list(activity.questions.select_related("owner", "answered_by").order_by("id")),
        "assignees": list(activity.assignees.all()),
        "attendees": list(activity.attendees_internal.all()),
        "attachments": list(activity.attachments.all()),
        "email": EmailMessage.objects.filter(activity=activity).first(),
        "answer_form": AnswerForm(),
        "custom_rows": custom_rows(request.user, activity),
    }
    return render(request, "activities/activity_detail.html", context)


@login_required
@require_POST
def activity_complete(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    activity = editable_or_404(request, pk)
    services.complete_activity(activity, actor=request.user, outcome=request.POST.get("outcome", "")[:300])
    messages.success(request, _("Marked as done."))
    return redirect(
        request.POST.get("next", "") if safe_next(request) else reverse("activities:detail", args=[pk])
    )


@login_required
@require_POST
def activity_reschedule(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    """Drag and drop on the calendar: to another day keeping the time of day (``date``), to a time
    slot (``date`` and ``time``, e.g. 14:00) or to a datetime (``start_at``). ``version`` is the
    version the page showed: a change made meanwhile by someone else is refused with 409."""
    activity = editable_or_404(request, pk)
    when = None
    raw_dt = request.POST.get("start_at", "")
    raw_date = request.POST.get("date", "")
    raw_time = request.POST.get("time", "")
    raw_version = request.POST.get("version", "")
    if raw_version and not raw_version.isdigit():
        return JsonResponse({"errors": {"version": [_("Reload the page and try again.")]}}, status=422)
    expected_version = int(raw_version) if raw_version else None
    try:
        if raw_dt:
            when = parse_datetime(raw_dt)
            if when is not None and timezone.is_naive(when):
                when = timezone.make_aware(when)
        elif raw_date:
            day = parse_date(raw_date)
            current = activity.start_at or activity.due_at
            if day is not None and raw_time:
                slot = parse_time(raw_time)
                if slot is not None:
                    slot = slot.replace(second=0, microsecond=0)
                    when = timezone.make_aware(dt.datetime.combine(day, slot))
            elif day is not None and current is not None:
                local = timezone.localtime(current)
                when = local.replace(year=day.year, month=day.month, day=day.day)
    except ValueError:
        when = None
    if when is None:
        return JsonResponse({"errors": {"start_at": [_("Enter a valid date and time.")]}}, status=422)
    try:
        if activity.start_at is not None:
            activity = services.reschedule_activity(
                activity, actor=request.user, start_at=when, expected_version=expected_version
            )
        else:
            activity = services.reschedule_activity(
                activity, actor=request.user, due_at=when, expected_version=expected_version
            )
    except ValidationError as exc:
        return JsonResponse({"errors": exc.message_dict}, status=422)
    except ConflictError as exc:
        return JsonResponse({"errors": {"version": [str(exc)]}}, status=409)
    return JsonResponse(
        {"ok": True, "start": timezone.localtime(when).isoformat(), "version": activity.version}
    )


@login_required
@require_POST
def question_add(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    activity = editable_or_404(request, pk)
    try:
        services.add_question(activity, actor=request.user, question=request.POST.get("question", ""))
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    return redirect("activities:detail", pk=pk)


@login_required
@require_POST
def attachment_add(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    activity = editable_or_404(request, pk)
    upload = request.FILES.get("attachment")
    try:
        if upload is None:
            raise ValidationError({"attachment": [_("Choose a file.")]})
        services.attach_file(activity, actor=request.user, upload=upload)
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    return redirect("activities:detail", pk=pk)


@login_required
@require_POST
def question_answer(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    question = queries.get_question_for_user(request.user, pk)
    form = AnswerForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError({"answer": [_("Write the answer.")]})
        services.answer_question(question, actor=request.user, answer=form.cleaned_data["answer"])
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    except PermissionDenied:
        raise Http404("Not found") from None
    else:
        messages.success(request, _("Answered."))
    if safe_next(request):
        return redirect(request.POST["next"])
    if question.activity_id:
        return redirect("activities:detail", pk=question.activity_id)
    return redirect("activities:my_day")
