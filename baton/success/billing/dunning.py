"""Dunning: what happens to an open invoice as the days after its due date pass.

The ladder is data an administrator edits (``DunningStep``): each active step says "``days`` after the
due date, do this" — a reminder e-mail to the contract's billing contact (sent in the name of the
follow-up owner, so the customer's answer reaches them), a follow-up task for the follow-up owner (the
account's owner), or an escalation to the CSM and the owner's manager. Until an administrator saves a
ladder the defaults apply: D+1 e-mail, D+15 task, D+30 escalation.

The worker's periodic sweep (claimed through ``PeriodicRun``) runs ``sweep_dunning`` for the day. On
day D an invoice that is open, issued and ``late = D - due date`` days past due gets the latest step whose
``days <= late``, unless that step or a later one was already done on it: a worker that was down for a
week does the step the invoice is at now, not every step it missed. Each step done is a ``DunningRun``
row, unique per invoice and step and written while the invoice is locked, so of two workers only one
does it; it becomes the invoice's ``last_dunning`` and is audited. A paid or voided invoice is no
longer open, so the ladder stops there.
"""

from __future__ import annotations

import contextlib
import datetime as dt

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from baton.activities import services as activities
from baton.activities.mail.outgoing import send_record_email
from baton.activities.models import Activity, Notification
from baton.core.audit import log_change, snapshot
from baton.core.i18n_text import Msg
from baton.core.models import Team, User
from baton.success.billing.models import DunningRun, DunningStep, Invoice

DEFAULT_LADDER: tuple[tuple[int, str], ...] = (
    (1, DunningStep.Action.EMAIL),
    (15, DunningStep.Action.TASK),
    (30, DunningStep.Action.ESCALATE),
)
MAX_DAYS = 365


def ladder() -> list[DunningStep]:
    """The active steps by day (the defaults are written the first time the ladder is read)."""
    if not DunningStep.objects.exists():
        with contextlib.suppress(IntegrityError), transaction.atomic():
            for days, action in DEFAULT_LADDER:
                DunningStep.objects.create(days=days, action=action)
    return list(DunningStep.objects.filter(is_active=True).order_by("days", "id"))


def _require_admin(actor: User | None) -> None:
    if actor is not None and not actor.is_admin:
        raise PermissionDenied(_("Only an administrator changes the dunning steps."))


@transaction.atomic
def save_step(
    *,
    actor: User | None,
    days: int,
    action: str,
    is_active: bool = True,
    step: DunningStep | None = None,
) -> DunningStep:
    """Add a step to the ladder, or change one (its day, its action, or switch it off/on)."""
    _require_admin(actor)
    ladder()  # the defaults exist before the first change, so a change never hides them
    errors: dict[str, list[str]] = {}
    if action not in DunningStep.Action.values:
        errors["action"] = [_("Choose an action.")]
    if not isinstance(days, int) or not 1 <= days <= MAX_DAYS:
        errors["days"] = [_("Between 1 and 365 days.")]
    elif is_active:
        taken = DunningStep.objects.filter(is_active=True, days=days)
        if step is not None:
            taken = taken.exclude(pk=step.pk)
        if taken.exists():
            errors["days"] = [_("Another active step already runs on that day.")]
    if errors:
        raise ValidationError(errors)
    if step is None:
        step = DunningStep.objects.create(days=days, action=action, is_active=is_active)
        log_change(actor=actor, action="create", instance=step, after=snapshot(step))
        return step
    step = DunningStep.objects.select_for_update().get(pk=step.pk)
    before = snapshot(step, ["days", "action", "is_active"])
    step.days, step.action, step.is_active = days, action, is_active
    step.save(update_fields=["days", "action", "is_active"])
    log_change(
        actor=actor,
        action="update",
        instance=step,
        before=before,
        after=snapshot(step, ["days", "action", "is_active"]),
    )
    return step


def invoice_url(invoice: Invoice) -> str:
    return reverse("success:invoice", args=[invoice.pk])


def _step_for(steps: list[DunningStep], late: int) -> DunningStep | None:
    due = [s for s in steps if s.days <= late]
    return due[-1] if due else None


def sweep_dunning(today: dt.date | None = None) -> dict[str, int]:
    """Do today's dunning steps on every open invoice; safe from any number of workers at once."""
    today = today or timezone.localdate()
    steps = ladder()
    counts = {"done": 0, **{action: 0 for action in DunningStep.Action.values}}
    if not steps:
        return counts
    candidates = list(
        Invoice.objects.filter(
            status=Invoice.Status.OPEN,
            tax_invoice_date__lte=today,
            due_date__lte=today - dt.timedelta(days=steps[0].days),
        )
        .order_by("due_date", "id")
        .values_list("pk", "due_date", "last_dunning__days")
    )
    for pk, due_date, done_days in candidates:
        step = _step_for(steps, (today - due_date).days)
        if step is None or (done_days is not None and done_days >= step.days):
            continue
        if do_step(pk, step, today) is not None:
            counts["done"] += 1
            counts[step.action] += 1
    return counts


def do_step(invoice_pk: int, step: DunningStep, today: dt.date) -> DunningRun | None:
    """Do one step on one invoice, once: None when the invoice is settled, already past this step, or
    another worker did it first."""
    try:
        with transaction.atomic():
            locked = (
                Invoice.objects.select_for_update(of=("self",))
                .select_related(
                    "last_dunning",
                    "contract__account__owner",
                    "contract__account__csm",
                    "contract__billing_contact",
                    "contract__owner",
                    "contract__csm",
                )
                .get(pk=invoice_pk)
            )
            if locked.status != Invoice.Status.OPEN or locked.outstanding <= 0:
                return None
            if locked.last_dunning is not None and locked.last_dunning.days >= step.days:
                return None
            run = DunningRun.objects.create(
                invoice=locked, step=step, days=step.days, action=step.action, done_on=today
            )
            run.outcome = _act(locked, step, today)[:300]
            run.save(update_fields=["outcome"])
            before = {"last_dunning": str(locked.last_dunning.label) if locked.last_dunning else ""}
            locked.last_dunning = run
            locked.save(update_fields=["last_dunning"])
            log_change(
                actor=None,
                action="dunning",
                instance=locked,
                before=before,
                after={"last_dunning": run.label, "done_on": today.isoformat()},
                note=run.outcome,
                parent=locked.contract,
            )
            return run
    except IntegrityError:
        return None  # another worker claimed this step on this invoice


def _follow_up(invoice: Invoice) -> User | None:
    """The account's owner follows the money up (as on the collections page); else the contract's."""
    for person in (invoice.contract.account.owner, invoice.contract.owner):
        if person is not None and person.is_active:
            return person
    return None


def _amount(invoice: Invoice) -> str:
    return number_format(invoice.outstanding.quantize(1), force_grouping=True)


def _act(invoice: Invoice, step: DunningStep, today: dt.date) -> str:
    late = (today - invoice.due_date).days
    # The language in force (the worker's is the site default; the Korean demo sets Korean).
    with translation.override(translation.get_language() or settings.LANGUAGE_CODE):
        if step.action == DunningStep.Action.EMAIL:
            return _remind_customer(invoice)
        if step.action == DunningStep.Action.TASK:
            return _task(invoice, late, today)
        return _escalate(invoice, late)


def _remind_customer(invoice: Invoice) -> str:
    contract = invoice.contract
    contact = contract.billing_contact
    sender = _follow_up(invoice)
    if contact is None or not contact.email or sender is None:
        if sender is not None:
            activities.notify(
                [sender.pk],
                kind=Notification.Kind.OVERDUE,
                text=Msg(
                    gettext_noop(
                        "No reminder sent for %(invoice)s: "
                        "the contract has no billing contact with an e-mail address."
                    ),
                    invoice=invoice.number,
                ),
                url=invoice_url(invoice),
            )
        return _("Not sent: the contract has no billing contact with an e-mail address.")
    subject = _("Payment reminder: invoice %(number)s (due %(due)s)") % {
        "number": invoice.number,
        "due": f"{invoice.due_date:%Y-%m-%d}",
    }
    body = _(
        "Dear %(name)s,\n\n"
        "Invoice %(number)s for %(contract)s was due on %(due)s; %(amount)s %(currency)s of it is still "
        "outstanding.\n"
        "If you have already paid, please disregard this message. Otherwise please arrange the payment, "
        "or reply to this e-mail if anything about the invoice is unclear.\n\n"
        "Thank you,\n%(sender)s"
    ) % {
        "name": contact.name,
        "number": invoice.number,
        "contract": contract.name,
        "due": f"{invoice.due_date:%Y-%m-%d}",
        "amount": _amount(invoice),
        "currency": invoice.currency,
        "sender": sender.display_name or sender.get_username(),
    }
    try:
        with transaction.atomic():
            send_record_email(contact, actor=sender, to=contact.email, subject=subject, body=body)
    except ValidationError as exc:
        return _("Not sent: %(error)s") % {"error": "; ".join(exc.messages)}
    return _("Reminder e-mailed to %(email)s.") % {"email": contact.email}


def _task(invoice: Invoice, late: int, today: dt.date) -> str:
    owner = _follow_up(invoice)
    if owner is None:
        return _("No follow-up owner: no task created.")
    # The task is read by its owner: in their language, else the one in force (the site default).
    with translation.override(owner.language or translation.get_language() or settings.LANGUAGE_CODE):
        subject = _("Overdue %(days)s days: call about invoice %(number)s (%(amount)s %(currency)s)") % {
            "days": late,
            "number": invoice.number,
            "amount": _amount(invoice),
            "currency": invoice.currency,
        }
    due = timezone.make_aware(dt.datetime.combine(today, dt.time(18)))
    try:
        with transaction.atomic():
            activities.create_activity(
                actor=owner,
                record=invoice.contract.account,
                kind=Activity.Kind.TASK,
                subject=subject[:200],
                due_at=due,
                assignees=[owner],
            )
    except ValidationError as exc:
        return _("No task created: %(error)s") % {"error": "; ".join(exc.messages)}
    return _("Follow-up task for %(person)s.") % {"person": owner}


def _managers_of(user: User | None) -> list[User]:
    if user is None or user.team_id is None:
        return []
    team = Team.objects.select_related("manager").filter(pk=user.team_id).first()
    manager = team.manager if team is not None else None
    return [manager] if manager is not None and manager.is_active and manager.pk != user.pk else []


def _escalate(invoice: Invoice, late: int) -> str:
    contract = invoice.contract
    owner = _follow_up(invoice)
    people: dict[int, User] = {}
    for person in (contract.account.csm, contract.csm, *_managers_of(owner), owner):
        if person is not None and person.is_active:
            people.setdefault(person.pk, person)
    if not people:
        return _("Nobody to escalate to.")
    activities.notify(
        list(people),
        kind=Notification.Kind.OVERDUE,
        text=Msg(
            gettext_noop("Escalated: invoice %(invoice)s of %(account)s is %(days)s days overdue."),
            invoice=invoice.number,
            account=contract.account.name,
            days=late,
        ),
        url=invoice_url(invoice),
    )
    return _("Escalated to %(people)s.") % {"people": ", ".join(str(p) for p in people.values())}
