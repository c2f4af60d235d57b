"""Report subscriptions: subscribing to a saved report, and the worker's e-mailing of due ones.

Each due subscription is claimed with one conditional UPDATE (``next_send_at`` moved on only while it
still holds the value this worker read), the way ``activities.periodic.claim`` claims a job: of two
workers racing, exactly one sends a period's mail. The report is run as the recipient (their
visibility) and the mail written in their language; a recipient who may no longer open the report gets
nothing and the subscription ends."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from baton.core.audit import log_change, snapshot
from baton.core.csvout import safe_cell
from baton.core.models import ChangeLog, User
from baton.core.xlsxout import XLSX_TYPE, xlsx_bytes
from baton.insights.models import ReportSubscription, SavedReport
from baton.insights.reports import parse_definition, run_report
from baton.insights.reports.table import result_table
from baton.insights.services import reports_for

log = logging.getLogger(__name__)
MAIL_ROWS = 50  # rows in the mail's body; the attachment has them all


def next_send_after(frequency: str, after: dt.datetime) -> dt.datetime:
    """The first send time strictly after ``after``: SEND_HOUR local time on the next day, Monday or 1st."""
    local = timezone.localtime(after)
    hour = ReportSubscription.SEND_HOUR
    day = local.date()
    candidate = timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))
    if frequency == ReportSubscription.Frequency.DAILY:
        return candidate if candidate > after else candidate + dt.timedelta(days=1)
    if frequency == ReportSubscription.Frequency.WEEKLY:
        monday = day - dt.timedelta(days=day.weekday())
        candidate = timezone.make_aware(dt.datetime.combine(monday, dt.time(hour)))
        return candidate if candidate > after else candidate + dt.timedelta(days=7)
    first = day.replace(day=1)
    candidate = timezone.make_aware(dt.datetime.combine(first, dt.time(hour)))
    if candidate > after:
        return candidate
    following = (first + dt.timedelta(days=32)).replace(day=1)
    return timezone.make_aware(dt.datetime.combine(following, dt.time(hour)))


@transaction.atomic
def subscribe(*, actor: User, report: SavedReport, frequency: str) -> ReportSubscription:
    """Subscribe (or change how often): only to a report the person may open, and only themselves."""
    if not reports_for(actor).filter(pk=report.pk).exists():
        raise PermissionDenied(_("You may not open this report."))
    if frequency not in ReportSubscription.Frequency.values:
        raise ValidationError({"frequency": [_("Choose daily, weekly or monthly.")]})
    if not actor.email:
        raise ValidationError({"frequency": [_("Your account has no e-mail address to send the report to.")]})
    now = timezone.now()
    sub = ReportSubscription.objects.select_for_update().filter(report=report, user=actor).first()
    if sub is None:
        sub = ReportSubscription.objects.create(
            report=report, user=actor, frequency=frequency, next_send_at=next_send_after(frequency, now)
        )
        log_change(actor=actor, action=ChangeLog.Action.CREATE, instance=sub, after=snapshot(sub))
        return sub
    before = snapshot(sub)
    sub.frequency = frequency
    sub.next_send_at = next_send_after(frequency, now)
    sub.save(update_fields=["frequency", "next_send_at"])
    log_change(actor=actor, action=ChangeLog.Action.UPDATE, instance=sub, before=before, after=snapshot(sub))
    return sub


@transaction.atomic
def unsubscribe(*, actor: User, subscription: ReportSubscription) -> None:
    if subscription.user_id != actor.pk and not actor.is_admin:
        raise PermissionDenied(_("Only the recipient ends a subscription."))
    log_change(
        actor=actor, action=ChangeLog.Action.DELETE, instance=subscription, before=snapshot(subscription)
    )
    subscription.delete()


def claim(sub_id: int, seen_next: dt.datetime, frequency: str, *, now: dt.datetime, worker: str) -> bool:
    """True for exactly one caller per period: the UPDATE only matches while ``next_send_at`` is unchanged."""
    return (
        ReportSubscription.objects.filter(pk=sub_id, next_send_at=seen_next, next_send_at__lte=now).update(
            next_send_at=next_send_after(frequency, now), last_sent_at=now, last_worker=worker[:64]
        )
        == 1
    )


@dataclass
class Rendered:
    subject: str
    text: str
    html: str
    attachment: bytes
    filename: str


def render(sub: ReportSubscription, *, now: dt.datetime) -> Rendered:
    """The report as the recipient sees it, in the recipient's language."""
    user = sub.user
    language = user.language or settings.LANGUAGE_CODE
    with translation.override(language):
        report = sub.report
        definition = parse_definition(report.definition)
        result = run_report(definition, user, today=timezone.localdate(now))
        header, rows = result_table(result)
        name = report.name_en if (language == "en" and report.name_en) else report.name
        day = timezone.localdate(now).isoformat()
        subject = _("[Baton] %(report)s, %(day)s") % {"report": name, "day": day}
        shown = [[str(c) for c in row] for row in rows[:MAIL_ROWS]]
        context = {
            "name": name,
            "day": day,
            "header": [str(h) for h in header],
            "rows": shown,
            "count": len(rows),
            "more": len(rows) > MAIL_ROWS,
            "frequency": sub.get_frequency_display(),
            "url": str(getattr(settings, "BATON_BASE_URL", "")).rstrip("/")
            + reverse("insights:report", args=[report.pk]),
        }
        text = render_to_string("insights/mail/subscription.txt", context)
        html = render_to_string("insights/mail/subscription.html", context)
        attachment = xlsx_bytes([safe_cell(h) for h in header], rows, title=name[:31])
    return Rendered(subject, text, html, attachment, f"report-{report.pk}-{day}.xlsx")


def send(sub: ReportSubscription, *, now: dt.datetime) -> None:
    rendered = render(sub, now=now)
    mail = EmailMultiAlternatives(
        subject=rendered.subject,
        body=rendered.text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[sub.user.email],
        connection=get_connection(fail_silently=False),
    )
    mail.attach_alternative(rendered.html, "text/html")
    mail.attach(rendered.filename, rendered.attachment, XLSX_TYPE)
    mail.send()


def send_due(*, now: dt.datetime | None = None, worker: str = "", limit: int = 500) -> dict[str, int]:
    """E-mail every subscription due by ``now`` that this worker claims; a failure is recorded on the row
    and the next period tries again (a period's mail is never sent twice)."""
    now = now or timezone.now()
    counts = {"sent": 0, "failed": 0, "skipped": 0, "ended": 0}
    due = list(
        ReportSubscription.objects.filter(next_send_at__lte=now)
        .order_by("next_send_at", "id")
        .values_list("pk", "next_send_at", "frequency")[:limit]
    )
    for pk, seen_next, frequency in due:
        if not claim(pk, seen_next, frequency, now=now, worker=worker):
            counts["skipped"] += 1
            continue
        sub = ReportSubscription.objects.select_related("report", "user").get(pk=pk)
        user = sub.user
        if not user.is_active or not user.email or not reports_for(user).filter(pk=sub.report_id).exists():
            log_change(
                actor=None,
                action=ChangeLog.Action.DELETE,
                instance=sub,
                before=snapshot(sub),
                note="the recipient may no longer receive this report",
            )
            sub.delete()
            counts["ended"] += 1
            continue
        try:
            send(sub, now=now)
        except (OSError, ValueError, RuntimeError) as exc:  # smtplib errors are OSErrors
            log.warning("report subscription %s not sent: %s", pk, exc)
            ReportSubscription.objects.filter(pk=pk).update(
                last_error=(str(exc) or exc.__class__.__name__)[:300]
            )
            counts["failed"] += 1
            continue
        ReportSubscription.objects.filter(pk=pk).update(last_error="", sent_count=F("sent_count") + 1)
        counts["sent"] += 1
    return counts
