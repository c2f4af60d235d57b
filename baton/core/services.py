"""Generic write helpers every domain service builds on: validate, save, bump the version, audit.

Domain services (``baton/<app>/services.py``) call these inside their own ``transaction.atomic``
blocks and add their domain rules; views, the API, imports and tasks call the domain services.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable
from typing import Any, TypeVar

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from baton.core.audit import diff, field_names, log_change, snapshot
from baton.core.customfields.schema import KindSchema, kind_for_model, schema_for
from baton.core.customfields.search import token_texts
from baton.core.customfields.values import check_record, check_rules
from baton.core.models import ApiToken, ChangeLog, User
from baton.core.records import OwnedRecord, can_edit, is_customer_record
from baton.core.textsearch import refresh_search_fields
from baton.core.timefmt import available_time_zones

R = TypeVar("R", bound=models.Model)


class ConflictError(Exception):
    """The record changed since the caller loaded it; nothing was written."""

    def __init__(self, instance: models.Model, current_version: int | None = None):
        self.instance = instance
        self.current_version = current_version
        super().__init__(
            _(
                "This record was changed by someone else since you opened it. "
                "Reload it and apply your changes again."
            )
        )


class ServiceError(Exception):
    """A domain rule refused the write (e.g. converting a lead twice); nothing was written."""


class DuplicateError(ServiceError):
    """The new record looks like existing ones; nothing was written. ``matches`` describes them as
    the caller may see them (see ``accounts.duplicates.describe_matches``); the caller confirms with
    ``allow_duplicate``."""

    def __init__(self, matches: list[dict[str, Any]]):
        self.matches = matches
        super().__init__(
            _(
                "This looks like a record that already exists. Use the existing one, or confirm "
                "that you want to create it anyway."
            )
        )


def _apply_owner_team(instance: models.Model) -> None:
    if isinstance(instance, OwnedRecord):
        owner = instance.owner
        instance.team_id = owner.team_id if owner is not None else None


def _known_relations(instance: models.Model) -> set[str]:
    """Foreign keys of ``instance`` that point at a row known to exist, so validating them needs no
    query: the related object was loaded from the database and is still attached (an actor, a lead
    passed by the caller), or it is a record's team copied from its loaded owner. A key with
    ``limit_choices_to`` is always checked (the choice is limited by a query)."""
    known: set[str] = set()
    for field in instance._meta.concrete_fields:
        if not isinstance(field, models.ForeignKey) or field.get_limit_choices_to():
            continue
        value = getattr(instance, field.attname)
        if value is None or not field.is_cached(instance):
            continue
        related = field.get_cached_value(instance)
        if (
            related is not None
            and not related._state.adding
            and getattr(related, field.target_field.attname) == value
        ):
            known.add(field.name)
    if isinstance(instance, OwnedRecord) and "owner" in known:
        owner = instance.owner
        if owner is not None and instance.team_id is not None and instance.team_id == owner.team_id:
            known.add("team")
    return known


def full_clean_known_relations(instance: models.Model) -> None:
    """``instance.full_clean()`` without the existence query of the foreign keys that point at rows
    already loaded (see ``_known_relations``: two of a lead's create queries, two of an interaction's).
    Uniqueness and constraints are still checked over every field, as ``full_clean`` does."""
    known = _known_relations(instance)
    errors: dict[str, Any] = {}
    try:
        instance.clean_fields(exclude=known)
    except ValidationError as exc:
        errors = exc.update_error_dict(errors)
    try:
        instance.clean()
    except ValidationError as exc:
        errors = exc.update_error_dict(errors)
    failed = {name for name in errors if name != NON_FIELD_ERRORS}
    for check in (instance.validate_unique, instance.validate_constraints):
        try:
            check(exclude=failed)
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
    if errors:
        raise ValidationError(errors)


def _full_clean(
    instance: models.Model,
    *,
    actor: User | None,
    incoming: dict[str, Any] | None,
    creating: bool,
    changed: set[str] | None = None,
) -> KindSchema | None:
    """The model's validation and its custom fields' (types, required, unique, validation rules),
    reported together: one submit shows every field's error. Returns the custom field schema read
    (for the search tokens of searchable custom fields), or None."""
    errors: dict[str, list[str]] = {}
    kind = kind_for_model(instance) if isinstance(instance, OwnedRecord) else None
    schema = schema_for(kind) if kind else None  # read once (one query) for both checks
    if isinstance(instance, OwnedRecord):
        errors = check_record(
            instance, actor=actor, incoming=incoming, creating=creating, schema=schema, changed=changed
        )
    elif incoming:
        errors = {NON_FIELD_ERRORS: [_("This record has no custom fields.")]}
    try:
        full_clean_known_relations(instance)
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            errors.setdefault(name, []).extend(messages)
    if isinstance(instance, OwnedRecord):
        check_rules(instance, errors=errors, schema=schema)
    if errors:
        raise ValidationError(errors)
    return schema


# The generic writes join the caller's transaction without a savepoint of their own (a SAVEPOINT and
# a RELEASE per call were a third of a lead's create): a caller that goes on after catching a refusal
# wraps the call in its own atomic block, as every domain service's decorator does.
@transaction.atomic(savepoint=False)
def create_record(
    model: type[R],
    *,
    actor: User | None,
    note: str = "",
    check: Callable[[R], str] | None = None,
    **values: Any,
) -> R:
    """Validate and insert a record, audited. ``check`` runs on the valid, unsaved record (e.g. the
    duplicate guard): it raises to refuse, or returns a note for the audit row."""
    incoming = values.pop("custom_field_data", None)
    instance = model(**values)
    _apply_owner_team(instance)
    schema = _full_clean(instance, actor=actor, incoming=incoming, creating=True)
    if check is not None:
        extra = check(instance)
        note = "; ".join(n for n in (note, extra) if n)
    refresh_search_fields(instance, token_texts(instance, schema))
    instance.save(force_insert=True)
    log_change(
        actor=actor, action=ChangeLog.Action.CREATE, instance=instance, after=snapshot(instance), note=note
    )
    return instance


@transaction.atomic(savepoint=False)
def update_record(
    instance: R,
    *,
    actor: User | None,
    changes: dict[str, Any],
    expected_version: int | None = None,
    action: str = ChangeLog.Action.UPDATE,
    note: str = "",
    validate: bool = True,
) -> R:
    """Apply ``changes`` when the stored version still equals ``expected_version``.

    The conditional UPDATE makes the check and the write one statement, so two editors racing
    cannot both succeed. ``expected_version=None`` is for system writes that must not conflict.

    A person changing a customer record (lead, account, contact, opportunity) must be allowed to edit
    it (``core.records.can_edit``): reading it through a relationship (deal team, CSM, …) is not enough.
    """
    if actor is not None and is_customer_record(instance) and not can_edit(actor, instance):
        raise PermissionDenied(_("You may read this record but not change it."))
    names = field_names(instance)
    before_all = snapshot(instance, names)
    changes = dict(changes)
    incoming = changes.pop("custom_field_data", None)
    for key, value in changes.items():
        setattr(instance, key, value)
    if "owner" in changes or "owner_id" in changes:
        _apply_owner_team(instance)
    schema = None
    if validate:
        schema = _full_clean(instance, actor=actor, incoming=incoming, creating=False, changed=set(changes))
    elif incoming is not None:
        holder: Any = instance
        holder.custom_field_data = {**getattr(instance, "custom_field_data", {}), **incoming}
    after_all = snapshot(instance, names)
    before, after = diff(before_all, after_all)
    model = type(instance)
    values: dict[str, Any] = {name: getattr(instance, name) for name in after}
    values.update(refresh_search_fields(instance, token_texts(instance, schema)))
    has_version = any(f.name == "version" for f in model._meta.concrete_fields)
    qs = model._default_manager.filter(pk=instance.pk)
    if has_version:
        if expected_version is not None:
            qs = qs.filter(version=expected_version)
        values["version"] = F("version") + 1
    if any(f.name == "updated_at" for f in model._meta.concrete_fields):
        values["updated_at"] = timezone.now()
    if not after:
        if has_version and expected_version is not None:
            current = model._default_manager.filter(pk=instance.pk).values_list("version", flat=True).first()
            if current != expected_version:
                raise ConflictError(instance, current)
        return instance
    updated = qs.update(**values)
    if updated == 0:
        current = model._default_manager.filter(pk=instance.pk).values_list("version", flat=True).first()
        raise ConflictError(instance, current)
    if has_version:
        instance.refresh_from_db(fields=["version", "updated_at"])
    if after:
        log_change(actor=actor, action=action, instance=instance, before=before, after=after, note=note)
    return instance


def check_version(instance: models.Model, expected_version: int | None) -> None:
    if expected_version is not None and getattr(instance, "version", None) != expected_version:
        raise ConflictError(instance, getattr(instance, "version", None))


def raise_if_invalid(errors: dict[str, list[str]]) -> None:
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def create_api_token(
    user: User,
    *,
    name: str,
    actor: User | None = None,
    scope: str = ApiToken.Scope.WRITE,
    expires_at: dt.datetime | None = None,
) -> tuple[ApiToken, str]:
    """Create a token and return it with its secret, which is never stored and shown only once."""
    name = (name or "").strip()
    errors: dict[str, list[str]] = {}
    if not name:
        errors["name"] = [_("Give the token a name.")]
    if scope not in ApiToken.Scope.values:
        errors["scope"] = [_("Choose read only or read and write.")]
    if expires_at is not None and expires_at <= timezone.now():
        errors["expires_at"] = [_("The expiry date must be in the future.")]
    raise_if_invalid(errors)
    secret = "bt_" + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=name[:100],
        prefix=secret[:10],
        key_hash=ApiToken.hash_key(secret),
        scope=scope,
        expires_at=expires_at,
    )
    log_change(
        actor=actor or user,
        action=ChangeLog.Action.TOKEN,
        instance=token,
        after={
            "name": token.name,
            "scope": scope,
            "expires_at": expires_at.isoformat() if expires_at else None,
        },
    )
    return token, secret


@transaction.atomic
def revoke_api_token(token: ApiToken, *, actor: User) -> None:
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    log_change(actor=actor, action=ChangeLog.Action.TOKEN, instance=token, after={"revoked": True})


@transaction.atomic
def set_user_language(user: User, language: str) -> None:
    if language not in ("ko", "en"):
        raise ValidationError({"language": [_("Unknown language.")]})
    if user.language != language:
        before = {"language": user.language}
        user.language = language
        user.save(update_fields=["language"])
        log_change(
            actor=user,
            action=ChangeLog.Action.UPDATE,
            instance=user,
            before=before,
            after={"language": language},
        )


@transaction.atomic
def set_user_time_zone(user: User, time_zone: str) -> None:
    """Save the zone the user reads times in (blank: the site default); audited."""
    time_zone = (time_zone or "").strip()
    if time_zone and time_zone not in available_time_zones():
        raise ValidationError({"time_zone": [_("Unknown time zone.")]})
    if user.time_zone != time_zone:
        before = {"time_zone": user.time_zone}
        user.time_zone = time_zone
        user.save(update_fields=["time_zone"])
        log_change(
            actor=user,
            action=ChangeLog.Action.UPDATE,
            instance=user,
            before=before,
            after={"time_zone": time_zone},
        )


def save_checklist_answer(
    existing: R | None, blank: R, *, answer: bool, evidence: str, actor: User | None
) -> R:
    """Write one checklist answer (BANT, The Model's four conditions, MEDDPICC): the answer, its
    evidence, who and when; audited. ``existing`` is the locked current row or None, ``blank`` the
    unsaved row to use when there is none. The caller checks permission and the item; the evidence
    rule lives here, so every path (page, API, import, demo) obeys it: a confirmed item says what
    confirms it."""
    evidence = (evidence or "").strip()
    if answer and not evidence:
        raise ValidationError({"evidence": [_("Say what confirms it (who said what, where).")]})
    before = snapshot(existing, ["answer", "evidence"]) if existing is not None else {}
    row = existing if existing is not None else blank
    row.answer = bool(answer)  # type: ignore[attr-defined]
    row.evidence = evidence[:500]  # type: ignore[attr-defined]
    row.answered_by = actor if actor is not None and actor.pk else None  # type: ignore[attr-defined]
    row.answered_at = timezone.now()  # type: ignore[attr-defined]
    row.save()
    log_change(
        actor=actor,
        action=ChangeLog.Action.UPDATE if existing is not None else ChangeLog.Action.CREATE,
        instance=row,
        before=before,
        after=snapshot(row, ["item", "answer", "evidence"]),
    )
    return row
