"""The actions a rule can take, each through the owning app's service (so every write is validated
and audited as if a person had done it, with the rule version's author as the actor).

Each action has a ``plan`` (what it would do to this record: the dry run shows it, the run log stores
it) and an ``execute`` that does exactly the plan. Adding an action is one ``register_action`` call:
the integrator wires "call a webhook" here once webhooks exist.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from baton.accounts.models import Account, Contact
from baton.accounts.services import update_account, update_contact
from baton.activities.mail.outgoing import send_record_email
from baton.activities.mail.templates import default_recipient, render_template
from baton.activities.models import Activity, EmailTemplate, Notification
from baton.activities.services import (
    create_activity,
    create_request,
    notify,
    set_following,
    update_activity,
)
from baton.core.i18n_text import Msg
from baton.core.models import User
from baton.core.records import record_url
from baton.deals.approvals import submit_quote
from baton.deals.models import Opportunity, Quote
from baton.deals.services import create_opportunity, update_opportunity
from baton.leads.models import Lead
from baton.leads.services import update_lead
from baton.scoring.routing import route_lead

from .facts import FIELDS


@dataclass
class Context:
    kind: str
    record: Any
    actor: User
    rule_name: str


@dataclass(frozen=True)
class Param:
    """One setting of an action, as the rule page's action builder asks for it. ``input``: "text",
    "textarea", "number" or "choice" (``choices()`` lists (value, label) pairs, read when the page is
    drawn)."""

    name: str
    label: Any
    input: str = "text"
    choices: Callable[[], list[tuple[Any, Any]]] | None = None
    help: Any = ""


@dataclass(frozen=True)
class ActionType:
    key: str
    label: Any
    kinds: tuple[str, ...]  # record kinds it applies to
    plan: Callable[[Context, dict[str, Any]], dict[str, Any]]
    execute: Callable[[Context, dict[str, Any], dict[str, Any]], dict[str, Any]]
    params: tuple[Param, ...] = ()


ACTIONS: dict[str, ActionType] = {}
ALL = ("lead", "account", "contact", "opportunity", "activity")


def register_action(action: ActionType) -> None:
    ACTIONS[action.key] = action


def _linked_record(ctx: Context) -> Any:
    """The customer record an action files things under (an activity's own record)."""
    if ctx.kind != "activity":
        return ctx.record
    for name in ("opportunity", "lead", "contact", "account"):
        linked = getattr(ctx.record, name, None)
        if linked is not None:
            return linked
    return None


def _user(ctx: Context, who: Any) -> User:
    """``owner`` (of the record), ``manager`` (of the owner's team) or a user id."""
    record = ctx.record
    if who in (None, "", "owner"):
        user = getattr(record, "owner", None)
    elif who == "manager":
        owner = getattr(record, "owner", None)
        team = getattr(owner, "team", None)
        user = getattr(team, "manager", None)
        while user is None and team is not None and team.parent_id:
            team = team.parent
            user = team.manager
    else:
        user = User.objects.filter(pk=int(who), is_active=True).first()
    if user is None:
        raise ValidationError(_("No user to give this to (%(who)s).") % {"who": who})
    return user


def _due(params: dict[str, Any]) -> dt.datetime:
    days = int(params.get("due_in_days") or 0)
    day = timezone.localdate() + dt.timedelta(days=days)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(18, 0)))


# --- set field ------------------------------------------------------------------------------------------


def _coerce(ctx: Context, field: str, value: Any) -> Any:
    model_field = type(ctx.record)._meta.get_field(field)
    return model_field.to_python(value)


def _plan_set(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    field = str(params.get("field", ""))
    if field not in FIELDS[ctx.kind]:
        raise ValidationError(_("This field cannot be set by a rule: %(field)s") % {"field": field})
    value = _coerce(ctx, field, params.get("value", ""))
    return {"field": field, "value": str(value) if value is not None else None}


def _do_set(ctx: Context, params: dict[str, Any], plan: dict[str, Any]) -> dict[str, Any]:
    changes = {plan["field"]: _coerce(ctx, plan["field"], params.get("value", ""))}
    record = ctx.record
    if isinstance(record, Lead):
        update_lead(record, actor=ctx.actor, changes=changes, expected_version=None)
    elif isinstance(record, Opportunity):
        update_opportunity(record, actor=ctx.actor, changes=changes, expected_version=None)
    elif isinstance(record, Account):
        update_account(record, actor=ctx.actor, changes=changes, expected_version=None)
    elif isinstance(record, Contact):
        update_contact(record, actor=ctx.actor, changes=changes, expected_version=None)
    else:
        update_activity(record, actor=ctx.actor, changes=changes)
    return {}


# --- assign owner through routing -------------------------------------------------------------------------


def _plan_route(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    return {"routing": True}


def _do_route(ctx: Context, params: dict[str, Any], plan: dict[str, Any]) -> dict[str, Any]:
    assignment = route_lead(ctx.record, actor=ctx.actor)
    return {"assignee": assignment.assignee_id}


# --- tasks and requests ---------------------------------------------------------------------------------


def _plan_task(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    subject = str(params.get("subject") or "").strip()
    if not subject:
        raise ValidationError(_("A task needs a subject."))
    assignee = _user(ctx, params.get("assignee"))
    return {"subject": subject[:200], "assignee": assignee.pk, "due": _due(params).date().isoformat()}


def _do_task(ctx: Context, params: dict[str, Any], plan: dict[str, Any]) -> dict[str, Any]:
    assignee = User.objects.get(pk=plan["assignee"])
    activity = create_activity(
        actor=ctx.actor,
        record=_linked_record(ctx),
        kind=Activity.Kind.TASK,
        subject=plan["subject"],
        due_at=_due(params),
        owner=assignee,
        assignees=[assignee],
    )
    return {"activity": activity.pk}


def _do_request(ctx: Context, params: dict[str, Any], plan: dict[str, Any]) -> dict[str, Any]:
    record = _linked_record(ctx)
    if record is None:
        raise ValidationError(_("A request needs a record to be about."))
    activity = create_request(
        record,
        actor=ctx.actor,
        assignee=User.objects.get(pk=plan["assignee"]),
        subject=plan["subject"],
        body=str(params.get("body") or ""),
        due_at=_due(params),
    )
    return {"activity": activity.pk}


# --- e-mail, notification, follow ------------------------------------------------------------------------


def _plan_mail(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    template = EmailTemplate.objects.filter(pk=int(params.get("template") or 0)).first()
    if template is None:
        raise ValidationError(_("Choose an e-mail template."))
    to = default_recipient(_linked_record(ctx))
    if not to:
        raise ValidationError(_("The record has no e-mail address to write to."))
    return {"template": template.pk, "to": to}


def _do_mail(ctx: Context, params: dict[str, Any], plan: dict[str, Any]) -> dict[str, Any]:
    template = EmailTemplate.objects.get(pk=plan["template"])
    record = _linked_record(ctx)
    subject, body = render_template(template, record, ctx.actor)
    mail = send_record_email(record, actor=ctx.actor, to=plan["to"], subject=subject, body=body)
    return {"email": mail.pk}


def _plan_notify(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    text = str(params.get("text") or "").strip()
    return {"user": _user(ctx, params.get("user")).pk, "text": text[:200]}


def _do_notify(ctx: Context, params: dict[str, Any], plan: dict[str, Any]) -> dict[str, Any]:
    message = Msg(
        gettext_noop("Automation “%(rule)s” on %(record)s: %(text)s"),
        rule=ctx.rule_name,
        record=str(ctx.record),
        text=plan["text"],
    )
    rows = notify(
        [plan["user"]],
        kind=Notification.Kind.CHANGE,
        text=message,
        url=record_url(_linked_record(ctx)),
    )
    return {"notifications": len(rows)}


def _plan_follow(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    if _linked_record(ctx) is None:
        raise ValidationError(_("There is no record to follow."))
    return {"user": _user(ctx, params.get("user")).pk}


def _do_follow(ctx: Context, params: dict[str, Any], plan: dict[str, Any]) -> dict[str, Any]:
    set_following(_linked_record(ctx), user=User.objects.get(pk=plan["user"]), follow=True)
    return {}


# --- approval and related record ------------------------------------------------------------------------


def _plan_approval(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    quote = Quote.objects.filter(opportunity=ctx.record, status=Quote.Status.DRAFT).order_by("-id").first()
    if quote is None:
        raise ValidationError(_("The deal has no draft quote to submit for approval."))
    return {"quote": quote.pk}


def _do_approval(ctx: Context, params: dict[str, Any], plan: dict[str, Any]) -> dict[str, Any]:
    quote = submit_quote(Quote.objects.get(pk=plan["quote"]), actor=ctx.actor)
    return {"status": quote.status}


def _account_of(ctx: Context) -> Account | None:
    record = ctx.record
    if isinstance(record, Account):
        return record
    return getattr(record, "account", None)


def _plan_related(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    account = _account_of(ctx)
    if account is None:
        raise ValidationError(_("A new deal needs an account; this record has none."))
    name = str(params.get("name") or "").strip() or f"{account.name} - {ctx.rule_name}"
    return {"object": "opportunity", "account": account.pk, "name": name[:200]}


def _do_related(ctx: Context, params: dict[str, Any], plan: dict[str, Any]) -> dict[str, Any]:
    account = Account.objects.get(pk=plan["account"])
    deal = create_opportunity(actor=ctx.actor, name=plan["name"], account=account, owner=account.owner)
    return {"opportunity": deal.pk}


def _people() -> list[tuple[Any, Any]]:
    users = User.objects.filter(is_active=True).order_by("first_name", "username")
    return [("owner", _("The record's owner")), ("manager", _("The owner's manager"))] + [
        (user.pk, user.get_full_name() or user.username) for user in users
    ]


def _templates() -> list[tuple[Any, Any]]:
    return [(t.pk, t.name) for t in EmailTemplate.objects.order_by("name")]


def _fields() -> list[tuple[Any, Any]]:
    names = sorted({name for fields in FIELDS.values() for name in fields})
    return [(name, name) for name in names]


FIELD = Param("field", gettext_lazy("Field"), "choice", _fields)
VALUE = Param("value", gettext_lazy("Value"), help=gettext_lazy("Empty clears the field."))
SUBJECT = Param("subject", gettext_lazy("Subject"))
ASSIGNEE = Param("assignee", gettext_lazy("Assignee"), "choice", _people)
DUE = Param("due_in_days", gettext_lazy("Due in days"), "number")
WHO = Param("user", gettext_lazy("User"), "choice", _people)

for _action in (
    ActionType("set_field", gettext_lazy("Set a field"), ALL, _plan_set, _do_set, (FIELD, VALUE)),
    ActionType(
        "assign_owner", gettext_lazy("Assign the owner by routing"), ("lead",), _plan_route, _do_route
    ),
    ActionType(
        "create_task", gettext_lazy("Create a task"), ALL, _plan_task, _do_task, (SUBJECT, ASSIGNEE, DUE)
    ),
    ActionType(
        "create_request",
        gettext_lazy("Ask a colleague (request)"),
        ALL,
        _plan_task,
        _do_request,
        (SUBJECT, Param("body", gettext_lazy("Message"), "textarea"), ASSIGNEE, DUE),
    ),
    ActionType(
        "send_email",
        gettext_lazy("Send an e-mail template"),
        ALL,
        _plan_mail,
        _do_mail,
        (Param("template", gettext_lazy("E-mail template"), "choice", _templates),),
    ),
    ActionType(
        "notify",
        gettext_lazy("Notify a user"),
        ALL,
        _plan_notify,
        _do_notify,
        (WHO, Param("text", gettext_lazy("Text"))),
    ),
    ActionType("follow", gettext_lazy("Follow the record"), ALL, _plan_follow, _do_follow, (WHO,)),
    ActionType(
        "start_approval",
        gettext_lazy("Submit the draft quote for approval"),
        ("opportunity",),
        _plan_approval,
        _do_approval,
    ),
    ActionType(
        "create_related",
        gettext_lazy("Create a deal on the account"),
        ("account", "contact", "opportunity"),
        _plan_related,
        _do_related,
        (
            Param(
                "name",
                gettext_lazy("Deal name"),
                help=gettext_lazy("Empty: the account's name and the rule's."),
            ),
        ),
    ),
):
    register_action(_action)


def validate_actions(kind: str, actions: Any) -> list[dict[str, Any]]:
    """The actions as stored: a list of {"type": ..., params...}; refused with a readable message."""
    if not isinstance(actions, list) or not actions:
        raise ValidationError(_("Give at least one action."))
    if len(actions) > 10:
        raise ValidationError(_("At most 10 actions per rule."))
    clean = []
    for index, action in enumerate(actions, start=1):
        if not isinstance(action, dict) or action.get("type") not in ACTIONS:
            raise ValidationError(
                _("Action %(n)s: unknown type. Known: %(known)s.") % {"n": index, "known": ", ".join(ACTIONS)}
            )
        spec = ACTIONS[action["type"]]
        if kind not in spec.kinds:
            raise ValidationError(
                _("Action %(n)s (%(type)s) does not apply to this object.") % {"n": index, "type": spec.key}
            )
        params = {k: v for k, v in action.items() if isinstance(v, str | int | float | bool | None)}
        if spec.key == "set_field" and params.get("field") not in FIELDS[kind]:
            raise ValidationError(
                _("Action %(n)s: a rule may set %(fields)s.")
                % {"n": index, "fields": ", ".join(FIELDS[kind])}
            )
        if spec.key in ("create_task", "create_request") and not str(params.get("subject") or "").strip():
            raise ValidationError(_("Action %(n)s: a task needs a subject.") % {"n": index})
        clean.append(params)
    return clean
