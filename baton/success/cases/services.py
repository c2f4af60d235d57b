"""Every write of support cases: opening one (with its SLA copied from the priority's policy), moving
it through its statuses (the resolution clock stops while it waits on the customer), comments (the
first customer-visible reply is the first response), assignment, the SLA settings, and the sweep that
sends breach warnings and raises the breached flags.

Each function runs in one transaction with its audit row; refusals raise ValidationError (input),
PermissionDenied (not yours) or ServiceError (not in this state) and leave nothing behind."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from baton.accounts.models import Account, Contact
from baton.activities import services as activities
from baton.activities.mail.outgoing import send_record_email
from baton.activities.models import EmailMessage, Notification
from baton.core.audit import log_change, snapshot
from baton.core.i18n_text import Msg
from baton.core.models import Team, User
from baton.core.records import can_edit
from baton.core.services import ServiceError
from baton.success.cases.models import Case, CaseComment, CaseMail, Priority, SlaPolicy, SupportHours
from baton.success.cases.sla import add_business_minutes, business_minutes_between, support_hours
from baton.success.models import Contract

# Targets in business minutes when an admin has not set a priority's policy (a 9-hour business day).
DEFAULT_TARGETS: dict[str, tuple[int, int]] = {
    Priority.URGENT: (60, 540),
    Priority.HIGH: (240, 960),
    Priority.NORMAL: (480, 2700),
    Priority.LOW: (960, 5400),
}

TRANSITIONS: dict[str, tuple[str, ...]] = {
    Case.Status.NEW: (Case.Status.IN_PROGRESS, Case.Status.WAITING, Case.Status.RESOLVED),
    Case.Status.IN_PROGRESS: (Case.Status.WAITING, Case.Status.RESOLVED),
    Case.Status.WAITING: (Case.Status.IN_PROGRESS, Case.Status.RESOLVED),
    Case.Status.RESOLVED: (Case.Status.IN_PROGRESS, Case.Status.CLOSED),
    Case.Status.CLOSED: (),
}

SLA_FIELDS = [
    "status",
    "first_response_at",
    "first_response_breached",
    "resolution_used_minutes",
    "clock_started_at",
    "resolution_due",
    "resolution_warn_at",
    "resolution_breached",
    "waiting_since",
    "resolved_at",
    "closed_at",
]


def case_url(case: Case) -> str:
    return reverse("success:case", args=[case.pk])


def policy_for(priority: str) -> SlaPolicy:
    """The priority's policy, or the defaults (unsaved) when an admin has not set one."""
    policy = SlaPolicy.objects.filter(priority=priority).first()
    if policy is None:
        first, resolution = DEFAULT_TARGETS[priority]
        policy = SlaPolicy(priority=priority, first_response_minutes=first, resolution_minutes=resolution)
    return policy


def _require_admin(actor: User | None) -> None:
    if actor is not None and not actor.is_admin:
        raise PermissionDenied(_("Only an administrator changes the SLA settings."))


@transaction.atomic
def set_sla_policy(
    *,
    actor: User | None,
    priority: str,
    first_response_minutes: int,
    resolution_minutes: int,
    calendar: str = SlaPolicy.Calendar.BUSINESS,
    warn_percent: int = 80,
) -> SlaPolicy:
    """Set one priority's targets (cases opened from now on use them; open cases keep theirs)."""
    _require_admin(actor)
    errors: dict[str, list[str]] = {}
    if priority not in Priority.values:
        errors["priority"] = [_("Choose a priority.")]
    if calendar not in SlaPolicy.Calendar.values:
        errors["calendar"] = [_("Choose a calendar.")]
    if not 1 <= first_response_minutes <= 525600:
        errors["first_response_minutes"] = [_("Between 1 minute and a year.")]
    if not 1 <= resolution_minutes <= 525600:
        errors["resolution_minutes"] = [_("Between 1 minute and a year.")]
    elif resolution_minutes < first_response_minutes:
        errors["resolution_minutes"] = [_("Resolution cannot come before the first response.")]
    if not 1 <= warn_percent <= 99:
        errors["warn_percent"] = [_("Between 1 and 99.")]
    if errors:
        raise ValidationError(errors)
    policy = SlaPolicy.objects.select_for_update().filter(priority=priority).first() or SlaPolicy(
        priority=priority
    )
    before = snapshot(policy) if policy.pk else None
    policy.first_response_minutes = first_response_minutes
    policy.resolution_minutes = resolution_minutes
    policy.calendar = calendar
    policy.warn_percent = warn_percent
    policy.save()
    log_change(
        actor=actor,
        action="update" if before else "create",
        instance=policy,
        before=before,
        after=snapshot(policy),
    )
    return policy


@transaction.atomic
def set_support_hours(*, actor: User | None, day_start: dt.time, day_end: dt.time) -> SupportHours:
    """Set the business day business-hours SLAs count in (deadlines of open cases are not moved)."""
    _require_admin(actor)
    if day_end <= day_start:
        raise ValidationError({"day_end": [_("The business day must end after it starts.")]})
    row = SupportHours.objects.select_for_update().order_by("pk").first() or SupportHours()
    before = snapshot(row) if row.pk else None
    row.day_start, row.day_end = day_start, day_end
    row.save()
    log_change(
        actor=actor, action="update" if before else "create", instance=row, before=before, after=snapshot(row)
    )
    return row


def _start_clock(case: Case, now: dt.datetime) -> None:
    """Run the resolution clock from ``now`` with what is left of the target."""
    hours = support_hours(case.calendar)
    left = max(case.resolution_minutes - case.resolution_used_minutes, 0)
    warn_left = case.resolution_minutes * case.warn_percent // 100 - case.resolution_used_minutes
    case.clock_started_at = now
    case.resolution_due = add_business_minutes(now, left, hours)
    case.resolution_warn_at = add_business_minutes(now, warn_left, hours) if warn_left > 0 else None


def _stop_clock(case: Case, now: dt.datetime) -> None:
    if case.clock_started_at is not None:
        used = business_minutes_between(case.clock_started_at, now, support_hours(case.calendar))
        case.resolution_used_minutes += used
    case.clock_started_at = None
    case.resolution_warn_at = None


def _next_number() -> str:
    last = Case.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    return f"CS-{last + 1:06d}"


@transaction.atomic
def open_case(
    *,
    actor: User | None,
    account: Account,
    subject: str,
    description: str = "",
    priority: str = Priority.NORMAL,
    category: str = Case.Category.QUESTION,
    contact: Contact | None = None,
    contract: Contract | None = None,
    owner: User | None = None,
    team: Team | None = None,
    now: dt.datetime | None = None,
) -> Case:
    """Open a case on an account the actor reads; its SLA deadlines start at ``now``."""
    now = now or timezone.now()
    if actor is not None and not Account.objects.visible_to(actor).filter(pk=account.pk).exists():
        raise PermissionDenied(_("You cannot open a case on this account."))
    errors: dict[str, list[str]] = {}
    subject = (subject or "").strip()
    if not subject:
        errors["subject"] = [_("This field is required.")]
    if priority not in Priority.values:
        errors["priority"] = [_("Choose a priority.")]
    if category not in Case.Category.values:
        errors["category"] = [_("Choose a category.")]
    if contact is not None and contact.account_id != account.pk:
        errors["contact"] = [_("This contact is not at this account.")]
    if contract is not None and contract.account_id != account.pk:
        errors["contract"] = [_("This contract is not this account's.")]
    if errors:
        raise ValidationError(errors)
    policy = policy_for(priority)
    hours = support_hours(policy.calendar)
    warn = policy.first_response_minutes * policy.warn_percent // 100
    case = Case(
        number=_next_number(),
        subject=subject[:200],
        description=description or "",
        account=account,
        contact=contact,
        contract=contract,
        priority=priority,
        category=category,
        owner=owner if owner is not None else actor if actor is not None and actor.pk else None,
        team=team,
        opened_at=now,
        calendar=policy.calendar,
        first_response_minutes=policy.first_response_minutes,
        resolution_minutes=policy.resolution_minutes,
        warn_percent=policy.warn_percent,
        first_response_due=add_business_minutes(now, policy.first_response_minutes, hours),
        first_response_warn_at=add_business_minutes(now, warn, hours) if warn > 0 else None,
    )
    _start_clock(case, now)
    case.save()
    log_change(actor=actor, action="create", instance=case, after=snapshot(case))
    if case.owner_id and (actor is None or case.owner_id != actor.pk):
        activities.notify(
            [case.owner_id],
            kind=Notification.Kind.ASSIGNMENT,
            actor=actor,
            text=Msg(gettext_noop("Case assigned to you: %(case)s"), case=str(case)),
            url=case_url(case),
        )
    return case


def _lock(case: Case, actor: User | None) -> Case:
    if actor is not None and not can_edit(actor, case):
        raise PermissionDenied(_("You cannot change this case."))
    return Case.objects.select_for_update().get(pk=case.pk)


def _respond(case: Case, now: dt.datetime) -> None:
    if case.first_response_at is None:
        case.first_response_at = now
        if now > case.first_response_due:
            case.first_response_breached = True
        case.first_response_warn_at = None


@transaction.atomic
def change_status(case: Case, *, actor: User | None, status: str, now: dt.datetime | None = None) -> Case:
    """Move a case along its flow. Waiting on the customer stops the resolution clock, going back to
    work restarts it with what is left; resolving stops it for good and settles the breached flags."""
    now = now or timezone.now()
    case = _lock(case, actor)
    if status not in Case.Status.values:
        raise ValidationError({"status": [_("Choose a status.")]})
    if status not in TRANSITIONS[case.status]:
        raise ServiceError(
            _("A case cannot go from %(old)s to %(new)s.")
            % {"old": case.get_status_display(), "new": Case.Status(status).label}
        )
    before = snapshot(case, SLA_FIELDS)
    old = case.status
    if old in (Case.Status.NEW, Case.Status.IN_PROGRESS):
        _stop_clock(case, now)
    if old == Case.Status.WAITING:
        case.waiting_since = None
    if status == Case.Status.WAITING:
        _respond(case, now)  # asking the customer is an answer
        case.waiting_since = now
        case.resolution_due = None
    elif status == Case.Status.IN_PROGRESS:
        if old == Case.Status.RESOLVED:
            case.resolved_at = None
        _start_clock(case, now)
    elif status == Case.Status.RESOLVED:
        _respond(case, now)
        case.resolved_at = now
        late = case.resolution_due is not None and now > case.resolution_due
        if late or case.resolution_used_minutes > case.resolution_minutes:
            case.resolution_breached = True
        case.resolution_due = None
    elif status == Case.Status.CLOSED:
        case.closed_at = now
    case.status = status
    case.version += 1
    case.save(update_fields=[*SLA_FIELDS, "first_response_warn_at", "version", "updated_at"])
    log_change(actor=actor, action="status", instance=case, before=before, after=snapshot(case, SLA_FIELDS))
    return case


@transaction.atomic
def add_comment(
    case: Case,
    *,
    actor: User,
    body: str,
    is_internal: bool = False,
    send_email: bool = False,
    now: dt.datetime | None = None,
) -> CaseComment:
    """A customer-visible reply (the first is the case's first response) or an internal note.

    With ``send_email`` a reply is also e-mailed to the case's contact: the subject carries the case's
    tag (``[CS-…]``), answers go to the support address, and the mail answers the customer's latest
    mail on the case (In-Reply-To/References), so the customer's reply threads back into this case.
    An internal note is never mailed."""
    now = now or timezone.now()
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": [_("This field is required.")]})
    if len(body) > 10000:
        raise ValidationError({"body": [_("At most 10,000 characters.")]})
    case = _lock(case, actor)
    if case.status == Case.Status.CLOSED:
        raise ServiceError(_("This case is closed."))
    mailing = send_email and not is_internal
    contact = case.contact
    if mailing and (contact is None or not contact.email):
        raise ValidationError({"send_email": [_("The case has no contact with an e-mail address.")]})
    comment = CaseComment.objects.create(case=case, author=actor, body=body, is_internal=is_internal)
    if not is_internal and case.first_response_at is None:
        _respond(case, now)
        case.save(update_fields=["first_response_at", "first_response_breached", "first_response_warn_at"])
    if mailing:
        assert contact is not None
        comment.email = _mail_reply(case, contact, actor, body)
        comment.save(update_fields=["email"])
    log_change(actor=actor, action="comment", instance=comment, after=snapshot(comment))
    return comment


def reply_subject(case: Case) -> str:
    """``Re: <subject> [CS-…]``: the tag lets the customer's answer find the case."""
    tag = f"[{case.number}]"
    subject = case.subject if tag in case.subject else f"{case.subject} {tag}"
    return subject if subject.lower().startswith("re:") else f"Re: {subject}"


def support_address() -> str:
    """Where customers write to support (and where the answers to a case's replies go)."""
    configured = str(getattr(settings, "BATON_SUPPORT_ADDRESS", "") or "").strip().lower()
    return configured or f"support@{settings.BATON_INBOUND_DOMAIN}".lower()


def _mail_reply(case: Case, contact: Contact, actor: User, body: str) -> EmailMessage:
    # Logged on the contact's timeline, or on the account's when the contact is not the actor's to read.
    record: Contact | Account = contact
    try:
        activities.check_visible(actor, contact)
    except ValidationError:
        record = case.account
    references = list(
        CaseMail.objects.filter(case=case)
        .exclude(email__message_id="")
        .order_by("created_at", "id")
        .values_list("email__message_id", flat=True)
    )[-20:]
    stored = send_record_email(
        record,
        actor=actor,
        to=contact.email,
        subject=reply_subject(case)[:300],
        body=body,
        reply_to=support_address(),
        references=references,
    )
    CaseMail.objects.create(case=case, email=stored, opened_case=False)
    return stored


@transaction.atomic
def assign(case: Case, *, actor: User | None, owner: User | None, team: Team | None) -> Case:
    """Give the case to an assignee and/or a queue (team)."""
    case = _lock(case, actor)
    if owner is not None and not owner.is_active:
        raise ValidationError({"owner": [_("This user is inactive.")]})
    before = snapshot(case, ["owner", "team"])
    previous_owner = case.owner_id
    case.owner, case.team = owner, team
    case.version += 1
    case.save(update_fields=["owner", "team", "version", "updated_at"])
    log_change(
        actor=actor, action="assign", instance=case, before=before, after=snapshot(case, ["owner", "team"])
    )
    if owner is not None and owner.pk != previous_owner:
        activities.notify(
            [owner.pk],
            kind=Notification.Kind.ASSIGNMENT,
            actor=actor,
            text=Msg(gettext_noop("Case assigned to you: %(case)s"), case=str(case)),
            url=case_url(case),
        )
    return case


def _escalation_ids(case: Case) -> list[int]:
    """Who hears of an SLA warning or breach: the assignee, the account's CSM and the contract's CSM."""
    ids = [case.owner_id, case.account.csm_id, case.contract.csm_id if case.contract else None]
    return sorted({i for i in ids if i})


def _claim(case: Case, flag: str, extra: dict[str, Any]) -> bool:
    """Set a one-time flag with a conditional update, so only one worker sends its notification."""
    return Case.objects.filter(pk=case.pk, **{flag: False}, **extra).update(**{flag: True}) == 1


def sweep_sla(now: dt.datetime | None = None) -> dict[str, int]:
    """Warn before a target is missed and flag it missed; safe from any number of workers."""
    now = now or timezone.now()
    counts = {"warned": 0, "breached": 0}
    open_statuses = [Case.Status.NEW, Case.Status.IN_PROGRESS, Case.Status.WAITING]
    base = Case.objects.filter(status__in=open_statuses).select_related("account", "contract")
    checks: list[tuple[str, Q, dict[str, Any], str, str]] = [
        (
            "first_response_breached",
            Q(first_response_at__isnull=True, first_response_due__lte=now),
            {"first_response_at__isnull": True},
            Notification.Kind.OVERDUE,
            gettext_noop("First response SLA breached: %(case)s"),
        ),
        (
            "resolution_breached",
            Q(clock_started_at__isnull=False, resolution_due__lte=now),
            {"clock_started_at__isnull": False},
            Notification.Kind.OVERDUE,
            gettext_noop("Resolution SLA breached: %(case)s"),
        ),
    ]
    for flag, cond, extra, kind, text in checks:
        for case in base.filter(cond, **{flag: False})[:1000]:
            with transaction.atomic():
                if _claim(case, flag, extra):
                    counts["breached"] += 1
                    _tell(case, kind, text)
    warnings = [
        (
            "first_response_warn_at",
            Q(first_response_at__isnull=True),
            gettext_noop("First response due soon: %(case)s"),
        ),
        (
            "resolution_warn_at",
            Q(clock_started_at__isnull=False),
            gettext_noop("Resolution due soon: %(case)s"),
        ),
    ]
    for field, cond, text in warnings:
        for case in base.filter(cond, **{f"{field}__lte": now})[:1000]:
            with transaction.atomic():
                # Clearing the warning time is the claim: the notification goes out once.
                if Case.objects.filter(pk=case.pk, **{f"{field}__lte": now}).update(**{field: None}) == 1:
                    counts["warned"] += 1
                    _tell(case, Notification.Kind.REMINDER, text)
    return counts


def _tell(case: Case, kind: str, text: str) -> None:
    activities.notify(
        _escalation_ids(case), kind=kind, actor=None, text=Msg(text, case=str(case)), url=case_url(case)
    )
    log_change(actor=None, action="sla", instance=case, note=text % {"case": case.number})
