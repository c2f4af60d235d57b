"""Pages of the activities app: my day, activity forms and minutes, the record panel and feed,
notifications, calendar, the iCalendar feed and the manager's team page. Views are thin: they parse
input, fetch through queries.py (404 for what the user may not see) and call one service."""

from __future__ import annotations

import calendar as pycalendar
import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime, parse_time
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from baton.activities import queries, services
from baton.activities.forms import ActivityForm, AnswerForm, RequestForm
from baton.activities.ical import build_calendar
from baton.activities.models import Activity, EmailMessage, Notification, OpenQuestion, PersonalKeys
from baton.core.models import User
from baton.core.params import (
    bool_param,
    choice_param,
    date_param,
    datetime_param,
    id_param,
    note_ignored,
    text_param,
)
from baton.core.records import visible_team_ids
from baton.core.services import ConflictError

PANEL_ACTIVITIES = 10
FEED_PAGE = 15


def _apply_errors(form, exc: ValidationError) -> None:
    for field, msgs in exc.message_dict.items():
        form.add_error(field if field in form.fields else None, msgs)


def _error_text(exc: ValidationError) -> str:
    return " ".join(msg for msgs in exc.message_dict.values() for msg in msgs)


def _cursor(request: HttpRequest):
    """The feed's "before" cursor; a bad one (hand-edited, truncated) starts again at the newest."""
    try:
        return datetime_param(request.GET, "before")
    except ValidationError:
        return None


def _record_from_request(request: HttpRequest):
    """The record named by ?record=<kind>:<id> (or a hidden field), checked for visibility."""
    raw = request.POST.get("record") or text_param(request.GET, "record", max_length=40)
    if not raw:
        return None
    kind, _sep, pk = raw.partition(":")
    return queries.get_record_for_user(request.user, kind, id_param({"record": pk}, "record"))


@login_required
@require_GET
def my_day(request: HttpRequest) -> HttpResponse:
    user = request.user
    today = timezone.localdate()
    start, end = queries.day_bounds(today)
    now = timezone.now()
    tasks = list(queries.my_tasks(user).filter(due_at__lt=start + dt.timedelta(days=7))[:100])
    context = {
        "today": today,
        "meetings": list(queries.calendar_events([user.pk], start, end).filter(start_at__isnull=False)[:50]),
        "overdue": [t for t in tasks if t.due_at and t.due_at < now],
        "due": [t for t in tasks if t.due_at and t.due_at >= now],
        "questions": list(queries.questions_for(user)[:50]),
        "notifications": list(queries.notifications_for(user)[:8]),
        "now": now,
    }
    return render(request, "activities/my_day.html", context)


@login_required
def activity_create(request: HttpRequest) -> HttpResponse:
    record = _record_from_request(request)
    kind = choice_param(request.GET, "kind", Activity.Kind.values) if request.method == "GET" else ""
    if request.method == "POST":
        form = ActivityForm(request.POST, request.FILES)
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
                _apply_errors(form, exc)
            else:
                messages.success(request, _("Saved."))
                return redirect("activities:detail", pk=activity.pk)
    else:
        form = ActivityForm(initial={"kind": kind or Activity.Kind.TASK})
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
def activity_edit(request: HttpRequest, pk: int) -> HttpResponse:
    activity = queries.get_activity_for_user(request.user, pk)
    if not services.can_edit_activity(request.user, activity):
        raise Http404("Not found")
    if request.method == "POST":
        form = ActivityForm(request.POST, request.FILES, initial={"kind": activity.kind})
        form.fields["kind"].disabled = True  # the type is fixed once created
        if form.is_valid():
            values = form.service_values()
            values.pop("kind", None)
            try:
                with transaction.atomic():
                    services.update_activity(
                        activity,
                        actor=request.user,
                        changes=values,
                        expected_version=_int(request.POST.get("version")),
                        assignees=form.cleaned_data["assignees"],
                    )
                    if form.cleaned_data.get("attachment"):
                        services.attach_file(
                            activity, actor=request.user, upload=form.cleaned_data["attachment"]
                        )
            except ValidationError as exc:
                _apply_errors(form, exc)
            except services.ConflictError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("Saved."))
                return redirect("activities:detail", pk=activity.pk)
    else:
        initial = {name: getattr(activity, name) for name in services.EDITABLE}
        initial["kind"] = activity.kind
        initial["assignees"] = list(activity.assignees.all())
        initial["attendees"] = list(activity.attendees_internal.all())
        for name in ("start_at", "end_at", "due_at"):
            if initial[name]:
                initial[name] = timezone.localtime(initial[name])
        form = ActivityForm(initial=initial)
    form.fields["kind"].disabled = True
    return render(
        request,
        "activities/activity_form.html",
        {"form": form, "record": activity.record, "activity": activity},
    )


def _int(raw):
    try:
        return int(raw)
    except (TypeError, ValueError):
        return None


@login_required
@require_GET
def activity_detail(request: HttpRequest, pk: int) -> HttpResponse:
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
    }
    return render(request, "activities/activity_detail.html", context)


def _editable_or_404(request: HttpRequest, pk: int) -> Activity:
    activity = queries.get_activity_for_user(request.user, pk)
    if not services.can_edit_activity(request.user, activity):
        raise Http404("Not found")
    return activity


@login_required
@require_POST
def activity_complete(request: HttpRequest, pk: int) -> HttpResponse:
    activity = _editable_or_404(request, pk)
    services.complete_activity(activity, actor=request.user, outcome=request.POST.get("outcome", "")[:300])
    messages.success(request, _("Marked as done."))
    return redirect(
        request.POST.get("next") if _safe_next(request) else reverse("activities:detail", args=[pk])
    )


def _safe_next(request: HttpRequest) -> bool:
    from django.utils.http import url_has_allowed_host_and_scheme

    nxt = request.POST.get("next", "")
    return bool(nxt) and url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()})


@login_required
@require_POST
def activity_reschedule(request: HttpRequest, pk: int) -> HttpResponse:
    """Drag and drop on the calendar: to another day keeping the time of day (``date``), to a time
    slot (``date`` and ``time``, e.g. 14:00) or to a datetime (``start_at``). ``version`` is the
    version the page showed: a change made meanwhile by someone else is refused with 409."""
    activity = _editable_or_404(request, pk)
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
def question_add(request: HttpRequest, pk: int) -> HttpResponse:
    activity = _editable_or_404(request, pk)
    try:
        services.add_question(activity, actor=request.user, question=request.POST.get("question", ""))
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    return redirect("activities:detail", pk=pk)


@login_required
@require_POST
def attachment_add(request: HttpRequest, pk: int) -> HttpResponse:
    activity = _editable_or_404(request, pk)
    upload = request.FILES.get("attachment")
    try:
        if upload is None:
            raise ValidationError({"attachment": [_("Choose a file.")]})
        services.attach_file(activity, actor=request.user, upload=upload)
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    return redirect("activities:detail", pk=pk)


@login_required
@require_POST
def question_answer(request: HttpRequest, pk: int) -> HttpResponse:
    question = queries.get_question_for_user(request.user, pk)
    form = AnswerForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError({"answer": [_("Write the answer.")]})
        services.answer_question(question, actor=request.user, answer=form.cleaned_data["answer"])
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    except PermissionDenied:
        raise Http404("Not found") from None
    else:
        messages.success(request, _("Answered."))
    if _safe_next(request):
        return redirect(request.POST["next"])
    if question.activity_id:
        return redirect("activities:detail", pk=question.activity_id)
    return redirect("activities:my_day")


# --- record panel and feed -------------------------------------------------------------------------


def panel_context(request: HttpRequest, kind: str, record) -> dict:
    items, cursor = queries.record_feed(record, user=request.user, limit=FEED_PAGE)
    activities = list(queries.record_activities(record, user=request.user)[: PANEL_ACTIVITIES + 1])
    return {
        "record": record,
        "record_kind": kind,
        "activities": activities[:PANEL_ACTIVITIES],
        "more_activities": len(activities) > PANEL_ACTIVITIES,
        "open_questions": list(queries.record_open_questions(record, user=request.user)[:50]),
        "feed_items": items,
        "feed_cursor": cursor.isoformat() if cursor else "",
        "following": services.is_following(request.user, record),
        "request_form": RequestForm(),
        "kinds": Activity.Kind.choices,
        "now": timezone.now(),
    }


@login_required
@require_GET
def record_panel(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    """The activities/"?"/feed panel of a record, for the record pages to include via htmx."""
    record = queries.get_record_for_user(request.user, kind, pk)
    return render(request, "activities/partials/_record_panel.html", panel_context(request, kind, record))


@login_required
@require_GET
def record_page(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    record = queries.get_record_for_user(request.user, kind, pk)
    return render(request, "activities/record.html", panel_context(request, kind, record))


@login_required
@require_GET
def record_feed_page(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    record = queries.get_record_for_user(request.user, kind, pk)
    before = _cursor(request)
    items, cursor = queries.record_feed(record, user=request.user, before=before, limit=FEED_PAGE)
    return render(
        request,
        "activities/partials/_feed_items.html",
        {
            "record": record,
            "record_kind": kind,
            "feed_items": items,
            "feed_cursor": cursor.isoformat() if cursor else "",
        },
    )


def _back_to_panel(request: HttpRequest, kind: str, record) -> HttpResponse:
    if request.headers.get("HX-Request"):
        return render(request, "activities/partials/_record_panel.html", panel_context(request, kind, record))
    if _safe_next(request):
        return redirect(request.POST["next"])
    return redirect("activities:record", kind=kind, pk=record.pk)


@login_required
@require_POST
def comment_post(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    record = queries.get_record_for_user(request.user, kind, pk)
    try:
        services.post_comment(record, actor=request.user, text=request.POST.get("text", ""))
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
        if request.headers.get("HX-Request"):
            ctx = panel_context(request, kind, record)
            ctx["comment_error"] = _error_text(exc)
            return render(request, "activities/partials/_record_panel.html", ctx, status=422)
    return _back_to_panel(request, kind, record)


@login_required
@require_POST
def follow_toggle(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    record = queries.get_record_for_user(request.user, kind, pk)
    services.set_following(record, user=request.user, follow=request.POST.get("follow") == "1")
    return _back_to_panel(request, kind, record)


@login_required
@require_POST
def request_create(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    record = queries.get_record_for_user(request.user, kind, pk)
    form = RequestForm(request.POST)
    if form.is_valid():
        try:
            services.create_request(
                record,
                actor=request.user,
                assignee=form.cleaned_data["assignee"],
                subject=form.cleaned_data["subject"],
                body=form.cleaned_data["body"],
                due_at=form.cleaned_data["due_at"],
            )
            messages.success(request, _("Request sent."))
        except ValidationError as exc:
            messages.error(request, _error_text(exc))
    else:
        messages.error(request, _("Check the request: %(errors)s") % {"errors": form.errors.as_text()})
    return _back_to_panel(request, kind, record)


@login_required
@require_GET
def my_feed_page(request: HttpRequest) -> HttpResponse:
    before = _cursor(request)
    items, cursor = queries.my_feed_items(request.user, before=before, limit=30)
    return render(
        request,
        "activities/my_feed.html",
        {"items": items, "feed_cursor": cursor.isoformat() if cursor else ""},
    )


# --- notifications ---------------------------------------------------------------------------------


@login_required
@require_GET
def notifications_page(request: HttpRequest) -> HttpResponse:
    items = list(queries.notifications_for(request.user)[:100])
    return render(request, "activities/notifications.html", {"notifications": items})


@login_required
@require_GET
def notification_bell(request: HttpRequest) -> HttpResponse:
    context = {
        "unread": queries.unread_count(request.user),
        "latest": list(queries.notifications_for(request.user).filter(read_at__isnull=True)[:8]),
    }
    return render(request, "activities/partials/_bell.html", context)


@login_required
@require_POST
def notifications_read(request: HttpRequest) -> HttpResponse:
    ids = [_int(v) for v in request.POST.getlist("id")]
    services.mark_read(request.user, [i for i in ids if i is not None] or None)
    if request.headers.get("HX-Request"):
        return notification_bell(_as_get(request))
    return redirect("activities:notifications")


def _as_get(request: HttpRequest) -> HttpRequest:
    request.method = "GET"
    return request


# --- calendar --------------------------------------------------------------------------------------


def _team_user_ids(user: User) -> list[int]:
    if user.is_admin:
        return list(User.objects.filter(is_active=True).values_list("pk", flat=True))
    teams = visible_team_ids(user)
    ids = set(User.objects.filter(is_active=True, team_id__in=teams).values_list("pk", flat=True))
    ids.add(user.pk)
    return sorted(ids)


@login_required
@require_GET
def calendar_page(request: HttpRequest) -> HttpResponse:
    try:
        view = choice_param(request.GET, "view", ("day", "week", "month")) or "week"
        day = date_param(request.GET, "date") or timezone.localdate()
        team = bool(bool_param(request.GET, "team"))
    except ValidationError as exc:
        note_ignored(request, exc)
        return redirect("activities:calendar")
    if view == "day":
        first, last = day, day
        prev_day, next_day = day - dt.timedelta(days=1), day + dt.timedelta(days=1)
    elif view == "week":
        first = day - dt.timedelta(days=day.weekday())
        last = first + dt.timedelta(days=6)
        prev_day, next_day = first - dt.timedelta(days=7), first + dt.timedelta(days=7)
    else:
        month_first = day.replace(day=1)
        month_last = day.replace(day=pycalendar.monthrange(day.year, day.month)[1])
        first = month_first - dt.timedelta(days=month_first.weekday())
        last = month_last + dt.timedelta(days=6 - month_last.weekday())
        prev_day = (month_first - dt.timedelta(days=1)).replace(day=1)
        next_day = month_last + dt.timedelta(days=1)
    start, _end = queries.day_bounds(first)
    _start, end = queries.day_bounds(last)
    users = _team_user_ids(request.user) if team else [request.user.pk]
    events = list(queries.calendar_events(users, start, end)[:500])
    by_day: dict[dt.date, list[Activity]] = {}
    for event in events:
        by_day.setdefault(timezone.localtime(event.when).date(), []).append(event)
    days = [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]
    weeks = [
        [
            {"date": d, "events": by_day.get(d, []), "other_month": view == "month" and d.month != day.month}
            for d in days[i : i + 7]
        ]
        for i in range(0, len(days), 7)
    ]
    # Day and week views: an hour grid, each slot a drop target (drag to another day and time).
    grid = []
    if view != "month":
        by_slot: dict[tuple[dt.date, int], list[Activity]] = {}
        for event in events:
            local = timezone.localtime(event.when)
            hour = min(max(local.hour, SLOT_HOURS[0]), SLOT_HOURS[-1])
            by_slot.setdefault((local.date(), hour), []).append(event)
        grid = [
            {
                "hour": hour,
                "label": f"{hour:02d}:00",
                "cells": [{"date": d, "events": by_slot.get((d, hour), [])} for d in days],
            }
            for hour in SLOT_HOURS
        ]
    keys, _created = PersonalKeys.objects.get_or_create(user=request.user)
    context = {
        "view": view,
        "day": day,
        "team": team,
        "weeks": weeks,
        "days": days,
        "grid": grid,
        "prev_day": prev_day,
        "next_day": next_day,
        "today": timezone.localdate(),
        "ical_url": request.build_absolute_uri(reverse("activities:ical", args=[keys.calendar_token])),
    }
    return render(request, "activities/calendar.html", context)


SLOT_HOURS = list(range(6, 23))  # 06:00-22:00; earlier or later items show in the first or last slot


@login_required
@require_POST
def calendar_rotate(request: HttpRequest) -> HttpResponse:
    services.rotate_calendar_token(request.user)
    messages.success(request, _("A new calendar address was made; the old one no longer works."))
    return redirect("activities:calendar")


@require_GET
def ical_feed(request: HttpRequest, token: str) -> HttpResponse:
    """The user's calendar for subscription by Google Calendar or Outlook; the secret URL is the key."""
    keys = PersonalKeys.objects.select_related("user").filter(calendar_token=token).first()
    if keys is None or not keys.user.is_active:
        raise Http404("Not found")
    now = timezone.now()
    events = list(
        queries.calendar_events([keys.user_id], now - dt.timedelta(days=60), now + dt.timedelta(days=365))[
            :2000
        ]
    )
    body = build_calendar(events, name=_("Baton: %(user)s") % {"user": keys.user}, host=request.get_host())
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="baton.ics"'
    response["Cache-Control"] = "private, max-age=300"
    return response


# --- manager's page --------------------------------------------------------------------------------


@login_required
@require_GET
def team_page(request: HttpRequest) -> HttpResponse:
    """The team's activities this week by rep and type, and overdue work per rep."""
    user_ids = _team_user_ids(request.user)
    today = timezone.localdate()
    week_start, _e = queries.day_bounds(today - dt.timedelta(days=today.weekday()))
    week_end = week_start + dt.timedelta(days=7)
    now = timezone.now()
    people = {u.pk: u for u in User.objects.filter(pk__in=user_ids).order_by("display_name", "username")}
    counts = (
        Activity.objects.filter(owner_id__in=user_ids)
        .filter(
            Q(start_at__gte=week_start, start_at__lt=week_end)
            | Q(start_at__isnull=True, created_at__gte=week_start, created_at__lt=week_end)
        )
        .order_by()
        .values("owner_id", "kind")
        .annotate(n=Count("id"))
    )
    overdue = (
        Activity.objects.filter(owner_id__in=user_ids, status=Activity.Status.OPEN, due_at__lt=now)
        .order_by()
        .values("owner_id")
        .annotate(n=Count("id"))
    )
    open_q = (
        OpenQuestion.objects.filter(owner_id__in=user_ids, status=OpenQuestion.Status.OPEN)
        .order_by()
        .values("owner_id")
        .annotate(n=Count("id"))
    )
    kinds = Activity.Kind.choices
    table = {
        uid: {
            "user": u,
            "kinds": dict.fromkeys(Activity.Kind.values, 0),
            "overdue": 0,
            "questions": 0,
            "total": 0,
        }
        for uid, u in people.items()
    }
    for row in counts:
        table[row["owner_id"]]["kinds"][row["kind"]] = row["n"]
        table[row["owner_id"]]["total"] += row["n"]
    for row in overdue:
        table[row["owner_id"]]["overdue"] = row["n"]
    for row in open_q:
        table[row["owner_id"]]["questions"] = row["n"]
    rows = [{**r, "cells": [r["kinds"][k] for k, _label in kinds]} for r in table.values()]
    return render(
        request,
        "activities/team.html",
        {
            "rows": rows,
            "kinds": kinds,
            "chart": {
                "labels": [str(r["user"]) for r in rows],
                "series": [
                    {"label": str(label), "data": [r["kinds"][k] for r in rows]} for k, label in kinds
                ],
            },
            "week_start": week_start.date(),
            "notification_kinds": Notification.Kind,
        },
    )
