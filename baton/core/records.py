"""The base of every owned CRM record, and the one place that decides who may see and edit it.

Rule, by ownership: a user sees and edits records they own, records owned by their team, and records
of the teams they manage (and those teams' sub-teams); administrators see everything.

Rule, by relationship and role: the apps that know a relationship register a *grant* here in their
``AppConfig.ready()`` -- a function that, for a user, returns a ``Q`` over a model's rows the user may
read through that relationship (the deal team of an opportunity, the approver of a pending step, the
delivery team of an accepted hand-off, the account's CSM, the marketing role on leads and campaigns).
``core`` never imports those apps; ``visible_to`` combines the ownership rule with the registered
grants, so it stays the one function that decides. Grants give read access; edit access stays with
the ownership rule unless a grant says ``edit=True``.

Rule, by organisation-wide default and share (customer record kinds: lead, account, contact,
opportunity): an administrator sets each kind *private* (owner and the managers of their team chain),
*team* (the ownership rule above, the default) or *read-all* (every internal user reads; edit stays
with ownership), and a record can be shared with a user or a team to read or edit, until an expiry.
``sharing_q`` builds that part; ``visibility_q`` and ``can_edit`` call it (see "sharing" below).

Views and the API fetch user-chosen records only through ``visible_to`` / ``get_for_user``, so an
outsider gets a 404. Grants must only build a ``Q`` (subqueries are fine): they run no query.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.db.models import Exists, Q
from django.db.models.functions import Now
from django.http import Http404
from django.urls import NoReverseMatch, reverse
from django.utils.encoding import force_str
from django.utils.translation import gettext_lazy as _

from baton.core.models import RecordShare, ShareAccess, SharingDefault, SharingMode, Team, User
from baton.core.partner_fence import is_partner_user

M = TypeVar("M", bound=models.Model)

#: A grant's rule: the rows of its model a user may read through one relationship, or None for none.
GrantRule = Callable[[Any], "Q | None"]

#: Every row (a grant that gives a role the whole table, e.g. marketing on leads).
ALL_ROWS = Q(pk__isnull=False)


@dataclass(frozen=True)
class Grant:
    """Read (and optionally edit) access to ``model``'s rows through one relationship or role."""

    model: str  # "app_label.modelname"
    name: str  # what the relationship is, for documentation and tests ("deal team")
    rule: GrantRule
    edit: bool = False


_GRANTS: dict[str, list[Grant]] = {}


def _label(model: type[models.Model] | str) -> str:
    if isinstance(model, str):
        return model.lower()
    return model._meta.label_lower


def register_grant(
    model: type[models.Model] | str, name: str, rule: GrantRule, *, edit: bool = False
) -> None:
    """Let users read ``model``'s rows chosen by ``rule`` (called from a higher app's ``ready()``).

    Registering the same (model, name) twice replaces the earlier grant (``ready()`` may run twice)."""
    label = _label(model)
    kept = [g for g in _GRANTS.get(label, []) if g.name != name]
    _GRANTS[label] = [*kept, Grant(label, name, rule, edit)]


def grants_for(model: type[models.Model] | str) -> list[Grant]:
    return list(_GRANTS.get(_label(model), []))


# --- partner users: their organisation's grants only, never ownership or role-wide grants -----------

_PARTNER_GRANTS: dict[str, list[Grant]] = {}


def register_partner_grant(
    model: type[models.Model] | str, name: str, rule: GrantRule, *, edit: bool = False
) -> None:
    """Let partner users (``core.partner_fence``) read ``model``'s rows chosen by ``rule``. For a partner
    user these are the only grants that count: the internal rules and grants above never apply."""
    label = _label(model)
    kept = [g for g in _PARTNER_GRANTS.get(label, []) if g.name != name]
    _PARTNER_GRANTS[label] = [*kept, Grant(label, name, rule, edit)]


def partner_grants_for(model: type[models.Model] | str) -> list[Grant]:
    return list(_PARTNER_GRANTS.get(_label(model), []))


def _partner_q(model: type[models.Model] | str, user: Any, *, edit: bool = False) -> Q:
    cond = Q(pk__in=[])
    for grant in partner_grants_for(model):
        extra = grant.rule(user) if grant.edit or not edit else None
        if extra is not None:
            cond |= extra
    return cond


def visible_team_ids(user: User) -> frozenset[int]:
    """The user's own team, every team they manage, and all sub-teams of those. Cached per user object."""
    cached = getattr(user, "_baton_team_ids", None)
    if cached is not None:
        return cached
    parents: dict[int, int | None] = {}
    managed: list[int] = []
    for tid, parent_id, manager_id in Team.objects.values_list("id", "parent_id", "manager_id"):
        parents[tid] = parent_id
        if manager_id == user.pk:
            managed.append(tid)
    result = set(managed)
    # Walk down: a team is visible when any ancestor is managed by the user.
    managed_set = set(managed)
    for tid in parents:
        seen: set[int] = set()
        node: int | None = tid
        while node is not None and node not in seen:
            if node in managed_set:
                result.add(tid)
                break
            seen.add(node)
            node = parents.get(node)
    user._baton_sharing_managed_ids = frozenset(result)  # type: ignore[attr-defined]
    if user.team_id:
        result.add(user.team_id)
    frozen = frozenset(result)
    user._baton_team_ids = frozen  # type: ignore[attr-defined]
    return frozen


def managed_team_ids(user: User) -> frozenset[int]:
    """The teams the user manages and all their sub-teams (not the user's own team unless managed)."""
    visible_team_ids(user)
    return user._baton_sharing_managed_ids  # type: ignore[attr-defined,no-any-return]


def _active(user: Any) -> bool:
    return user is not None and user.is_authenticated and user.is_active


def owned_q(user: User | Any, prefix: str = "") -> Q:
    """The ownership rule on a row with ``owner`` and ``team`` columns (records, and the process rows
    that copy them): owned by the user, or by a team the user belongs to or manages."""
    return Q(**{f"{prefix}owner_id": user.pk}) | Q(**{f"{prefix}team_id__in": visible_team_ids(user)})


def visibility_q(model: type[models.Model] | str, user: User | Any) -> Q | None:
    """Rows of an owned ``model`` the user may read: ownership, or any grant registered for the model.

    None means every row (administrators). Inactive and anonymous users get an empty condition."""
    if not _active(user):
        return Q(pk__in=[])
    if user.is_admin:
        return None
    if is_partner_user(user):
        return _partner_q(model, user)
    cond = sharing_q(model, user) or owned_q(user)
    for grant in grants_for(model):
        extra = grant.rule(user)
        if extra is not None:
            cond |= extra
    return cond


# --- sharing: organisation-wide defaults and per-record shares (customer record kinds only) ----------


def _default_is(label: str, mode: str) -> Exists:
    return Exists(SharingDefault.objects.filter(record_type=label, mode=mode))


def shares_q(label: str, user: User | Any, *, edit: bool = False) -> Q:
    """Rows shared with the user or one of their teams (a manager's teams included), unexpired now.

    A subquery on ``RecordShare`` (indexed by record type + user / team); expiry is compared with the
    database's clock in the same query, so a share stops working the moment it expires."""
    shares = RecordShare.objects.filter(
        Q(user_id=user.pk) | Q(team_id__in=visible_team_ids(user)),
        Q(expires_at__isnull=True) | Q(expires_at__gt=Now()),
        record_type=label,
    )
    if edit:
        shares = shares.filter(access=ShareAccess.EDIT)
    return Q(pk__in=shares.values("record_id"))


def sharing_q(model: type[models.Model] | str, user: User | Any, *, edit: bool = False) -> Q | None:
    """The ownership rule of a customer record kind under its organisation-wide default, with shares.

    ``edit=False``: what the user reads -- owned, of a team they manage, of their own team unless the
    default is *private*, every row when it is *read-all*, or shared with them. ``edit=True``: the part
    of edit access that needs the database (own team unless *private*, shares to edit); the caller
    checks owner and managed teams first. None for models that are not customer record kinds (the
    plain ownership rule applies). Runs no query: the defaults are read in the same SQL statement."""
    label = _label(model)
    if label not in {_label(entry.model) for entry in _KINDS.values()}:
        return None
    managed = managed_team_ids(user)
    own_team = visible_team_ids(user) - managed
    cond = shares_q(label, user, edit=edit)
    if own_team:
        cond |= Q(team_id__in=own_team) & ~Q(_default_is(label, SharingMode.PRIVATE))
    if not edit:
        cond |= Q(owner_id=user.pk) | Q(team_id__in=managed) | Q(_default_is(label, SharingMode.READ_ALL))
    return cond


def team_child_q(user: User | Any, about: dict[str, str]) -> Q:
    """The team part of a child model's rule (activities): rows of teams the user manages, and rows of
    the user's own team unless the row is about a record (``about``: record kind -> link field) whose
    kind is *private* by default -- then the row is seen through that record only. Runs no query."""
    managed = managed_team_ids(user)
    own_team = visible_team_ids(user) - managed
    cond = Q(team_id__in=managed)
    if own_team:
        private = Q(pk__in=[])
        for kind, field in about.items():
            label = _label(record_model(kind))
            private |= Q(**{f"{field}__isnull": False}) & Q(_default_is(label, SharingMode.PRIVATE))
        cond |= Q(team_id__in=own_team) & ~private
    return cond


class OwnedQuerySet(models.QuerySet):
    def visible_to(self, user: User | Any) -> OwnedQuerySet:
        if not _active(user):
            return self.none()
        cond = visibility_q(self.model, user)
        return self.all() if cond is None else self.filter(cond)


def can_edit(user: User | Any, record: OwnedRecord | Any) -> bool:
    """Edit access: the ownership rule, or a grant registered with ``edit=True`` (checked in one query)."""
    if not _active(user):
        return False
    if is_partner_user(user):
        manager_: models.Manager[Any] = type(record)._default_manager
        return manager_.filter(_partner_q(type(record), user, edit=True), pk=record.pk).exists()
    if user.is_admin or record.owner_id == user.pk:
        return True
    shared = sharing_q(type(record), user, edit=True)
    team_ids = managed_team_ids(user) if shared is not None else visible_team_ids(user)
    if record.team_id is not None and record.team_id in team_ids:
        return True
    rules = [g.rule(user) for g in grants_for(type(record)) if g.edit] + [shared]
    cond = Q(pk__in=[])
    for rule in rules:
        if rule is not None:
            cond |= rule
    if not any(r is not None for r in rules):
        return False
    manager: models.Manager[Any] = type(record)._default_manager
    return manager.filter(cond, pk=record.pk).exists()


def editable_ids(user: User | Any, records: list[Any]) -> set[int]:
    """Of ``records`` (one model), the ids the user may edit: the same rule as ``can_edit``, decided in
    Python for owners and their teams, and in one query for the rest (shares to edit, edit grants) --
    no query when every record is decided without one (a board of one's own and one's team's deals)."""
    if not records or not _active(user):
        return set()
    model = type(records[0])
    if is_partner_user(user):
        manager_: models.Manager[Any] = model._default_manager
        return set(
            manager_.filter(_partner_q(model, user, edit=True), pk__in=[r.pk for r in records]).values_list(
                "pk", flat=True
            )
        )
    if user.is_admin:
        return {r.pk for r in records}
    shared = sharing_q(model, user, edit=True)
    team_ids = managed_team_ids(user) if shared is not None else visible_team_ids(user)
    result = {
        r.pk for r in records if r.owner_id == user.pk or (r.team_id is not None and r.team_id in team_ids)
    }
    rest = [r.pk for r in records if r.pk not in result]
    rules = [
        rule for rule in [*(g.rule(user) for g in grants_for(model) if g.edit), shared] if rule is not None
    ]
    if rest and rules:
        cond = Q(pk__in=[])
        for rule in rules:
            cond |= rule
        manager: models.Manager[Any] = model._default_manager
        result |= set(manager.filter(cond, pk__in=rest).values_list("pk", flat=True))
    return result


def readers_among(record: models.Model, user_ids: set[int] | list[int]) -> set[int]:
    """Of these users, those who may read ``record`` (one query per user beyond the first; followers
    of a record are few)."""
    ids = {uid for uid in user_ids if uid}
    if not ids:
        return set()
    manager = type(record)._default_manager
    readers = set()
    for user in User.objects.filter(pk__in=ids, is_active=True):
        qs = manager.all()
        if hasattr(qs, "visible_to"):
            qs = qs.visible_to(user)
        if user.is_admin or qs.filter(pk=record.pk).exists():
            readers.add(user.pk)
    return readers


def get_for_user(queryset: models.QuerySet[M], user: User | Any, pk: Any) -> M:
    """Fetch one record the user may see, or raise Http404 (never reveal that it exists)."""
    model_qs = queryset
    if hasattr(model_qs, "visible_to"):
        model_qs = model_qs.visible_to(user)
    try:
        return model_qs.get(pk=int(pk))
    except (ValueError, TypeError, OverflowError, ObjectDoesNotExist):
        raise Http404("Not found") from None


def assignable_users(user: User | Any) -> models.QuerySet[User]:
    """Whom the user may make the owner of a record (pages and API alike): themselves and active people
    on the teams they see; administrators anyone active."""
    qs = User.objects.filter(is_active=True)
    if user.is_admin:
        return qs
    return qs.filter(Q(pk=user.pk) | Q(team_id__in=visible_team_ids(user)))


# --- record kinds: one name, one model, one page per kind of customer record ----------------------


@dataclass(frozen=True)
class RecordType:
    kind: str  # "lead", "account", "contact", "opportunity"
    model: type[models.Model]
    url_name: str  # the record's page, reversed with its pk


_KINDS: dict[str, RecordType] = {}


def register_record_kind(kind: str, model: type[models.Model], url_name: str) -> None:
    """Called by the app that owns the model, in its ``ready()``."""
    _KINDS[kind] = RecordType(kind, model, url_name)


def record_kinds() -> dict[str, RecordType]:
    return dict(_KINDS)


def record_model(kind: str) -> type[models.Model]:
    try:
        return _KINDS[kind].model
    except KeyError:
        raise Http404("Unknown record type") from None


def is_customer_record(record: models.Model) -> bool:
    return any(isinstance(record, entry.model) for entry in _KINDS.values())


def kind_of(record: models.Model) -> str:
    for entry in _KINDS.values():
        if isinstance(record, entry.model):
            return entry.kind
    raise ValueError(f"not a customer record: {record!r}")


def get_record_for_user(user: User | Any, kind: str, pk: Any, *, kinds: Any = None) -> Any:
    """A customer record of ``kind`` the user may see, or 404 (also for a kind outside ``kinds``)."""
    if kinds is not None and kind not in kinds:
        raise Http404("Unknown record type")
    model = record_model(kind)
    return get_for_user(model._default_manager.all(), user, pk)


def record_url(record: models.Model | str | None, pk: int | None = None) -> str:
    """The page of a record, given the record or its kind and id ("" when there is none)."""
    if record is None:
        return ""
    if isinstance(record, str):
        kind, record_id = record, pk
    else:
        kind, record_id = kind_of(record), record.pk
    entry = _KINDS.get(kind)
    if entry is None or record_id is None:
        return ""
    try:
        return reverse(entry.url_name, args=[record_id])
    except NoReverseMatch:
        return ""


def choice_label(field: models.Field, value: Any) -> Any:
    """The label of ``value`` among ``field``'s choices (the value itself when it is not one), as
    Django's ``get_FOO_display`` gives it, in the active language."""
    labels = field.__dict__.get("_baton_choice_labels")
    if labels is None:
        labels = {key: label for key, label in field.flatchoices}
        field.__dict__["_baton_choice_labels"] = labels
    try:
        label = labels.get(value, value)
    except TypeError:  # an unhashable value (JSON) is never one of the choices' keys
        label = value
    return force_str(label, strings_only=True)


class OwnedRecord(models.Model):
    """Abstract base: an owner, the owner's team (denormalised for fast visibility filters), a version
    for optimistic concurrency, timestamps and custom fields."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    team = models.ForeignKey(
        "core.Team",
        verbose_name=_("team"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    custom_field_data = models.JSONField(default=dict, blank=True, editable=False)

    objects = OwnedQuerySet.as_manager()

    class Meta:
        abstract = True

    def _get_FIELD_display(self, field: models.Field) -> Any:
        """``get_<field>_display`` from a label table built once per field: Django's own builds the
        table on every call and hashes each lazy label, which translates it (a list page spent ~20 %
        of its time there)."""
        return choice_label(field, getattr(self, field.attname))
