"""Every write to custom field definitions and validation rules: validated, audited, versioned.

Each write adds a ``SchemaRevision`` (so every process reloads the schema on its next write) and a
change-log row with the before/after of the definition. Fields are never deleted: archiving keeps
their values in the records and restoring brings them back. A type change converts stored values;
``preview_type_change`` lists the ones that cannot convert before anything is written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from baton.core.audit import log_change, snapshot
from baton.core.customfields import search
from baton.core.customfields.imports import known_choice
from baton.core.customfields.models import (
    CustomField,
    FieldType,
    Requirement,
    SchemaRevision,
    ValidationRule,
)
from baton.core.customfields.rules import facts_for, run_rule, validate_rule_expression
from baton.core.customfields.schema import (
    OBJECTS,
    RECORD_OBJECTS,
    invalidate_schema_cache,
    schema_for,
    stage_order,
)
from baton.core.customfields.values import coerce, is_empty
from baton.core.models import ChangeLog, Role, User
from baton.core.records import record_model

FIELD_ATTRS = (
    "label_ko", "label_en", "help_text", "type", "requirement", "required_from_stage", "default", "unique",
    "min_value", "max_value", "regex", "choices", "reference_kind", "read_roles", "edit_roles", "searchable",
    "filterable", "order", "show_on_card",
)  # fmt: skip
CHOICE_TYPES = (FieldType.CHOICE, FieldType.MULTI_CHOICE)
MAX_FIELDS_PER_OBJECT = 200


def _revise(actor: User | None, summary: str) -> None:
    number = (SchemaRevision.objects.aggregate(n=Max("number"))["n"] or 0) + 1
    SchemaRevision.objects.create(number=number, created_by=actor, summary=summary[:300])
    transaction.on_commit(invalidate_schema_cache)


def _clean_choices(raw: Any, existing: list[dict[str, Any]], used: set[str]) -> list[dict[str, Any]]:
    """Choices as sent, keeping every existing choice: one left out is archived (a used choice is never
    deleted; an unused one left out is dropped)."""
    if not isinstance(raw, list):
        raise ValidationError({"choices": [_("Send the choices as a list.")]})
    result: list[dict[str, Any]] = []
    seen: set[str] = set()
    for item in raw:
        if not isinstance(item, dict) or not isinstance(item.get("value"), str):
            raise ValidationError({"choices": [_("Each choice needs a value and labels.")]})
        value = item["value"].strip()
        if not value or len(value) > 60 or value in seen:
            raise ValidationError({"choices": [_("Choice values must be unique and 1 to 60 characters.")]})
        seen.add(value)
        label_ko = str(item.get("label_ko") or value)[:100]
        label_en = str(item.get("label_en") or label_ko)[:100]
        result.append(
            {
                "value": value,
                "label_ko": label_ko,
                "label_en": label_en,
                "archived": bool(item.get("archived")),
            }
        )
    for old in existing:
        if old["value"] not in seen and old["value"] in used:
            result.append({**old, "archived": True})
    if not any(not c["archived"] for c in result):
        raise ValidationError({"choices": [_("Give at least one choice.")]})
    return result


def used_values(definition: CustomField) -> set[str]:
    """The choice values some record holds (archived choices stay because of these)."""
    model = record_model(definition.object)
    used: set[str] = set()
    rows = model._default_manager.filter(**{"custom_field_data__has_key": definition.key}).values_list(
        "custom_field_data", flat=True
    )
    for data in rows.iterator(chunk_size=2000):
        value = (data or {}).get(definition.key)
        if isinstance(value, list):
            used.update(str(v) for v in value)
        elif value is not None:
            used.add(str(value))
    return used


def _check_definition(definition: CustomField, *, check_unique: bool = True) -> None:
    errors: dict[str, list[str]] = {}
    if definition.object not in OBJECTS:
        errors["object"] = [_("Choose a record type.")]
    roles = set(Role.values)
    for name in ("read_roles", "edit_roles"):
        value = getattr(definition, name)
        if not isinstance(value, list) or any(r not in roles for r in value):
            errors[name] = [_("Choose roles from the list.")]
    if definition.requirement == Requirement.FROM_STAGE:
        order = stage_order(definition.object)
        keys = [k for k, _label in order.choices()] if order else []
        if definition.required_from_stage not in keys:
            errors["required_from_stage"] = [_("Choose the stage from which the field is required.")]
    else:
        definition.required_from_stage = ""
    if definition.type == FieldType.REFERENCE and definition.reference_kind not in RECORD_OBJECTS:
        errors["reference_kind"] = [_("Choose the type of record the field refers to.")]
    if definition.type not in CHOICE_TYPES:
        definition.choices = []
    if definition.regex:
        try:
            re.compile(definition.regex)
        except re.error:
            errors["regex"] = [_("The pattern is not a valid regular expression.")]
    if (
        definition.min_value is not None
        and definition.max_value is not None
        and definition.min_value > definition.max_value
    ):
        errors["max_value"] = [_("The maximum must not be below the minimum.")]
    if definition.unique and definition.type in (
        FieldType.BOOLEAN,
        FieldType.MULTI_CHOICE,
        FieldType.LONG_TEXT,
    ):
        errors["unique"] = [_("This type cannot be unique.")]
    try:
        definition.full_clean(
            exclude=["default", "choices", "read_roles", "edit_roles"],
            validate_unique=check_unique,
            validate_constraints=check_unique,
        )
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            errors.setdefault(name, []).extend(messages)
    if not errors and not is_empty(definition.default):
        try:
            definition.default = coerce(definition, definition.default)
        except ValidationError as exc:
            errors["default"] = list(exc.messages)
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def create_field(*, actor: User | None, object: str, key: str, **values: Any) -> CustomField:
    """Define a new field on ``object`` (a record kind)."""
    unknown = set(values) - set(FIELD_ATTRS)
    if unknown:
        raise ValidationError(
            {"__all__": [_("Unknown settings: %(names)s.") % {"names": ", ".join(sorted(unknown))}]}
        )
    if CustomField.objects.filter(object=object).count() >= MAX_FIELDS_PER_OBJECT:
        raise ValidationError({"key": [_("A record type has at most 200 custom fields.")]})
    if CustomField.objects.filter(object=object, key=key).exists():
        raise ValidationError({"key": [_("A field with this key exists (perhaps archived).")]})
    choices = values.pop("choices", [])
    definition = CustomField(object=object, key=key, **values)
    if definition.type in CHOICE_TYPES:
        definition.choices = _clean_choices(choices, [], set())
    _check_definition(definition)
    definition.save()
    log_change(actor=actor, action=ChangeLog.Action.CREATE, instance=definition, after=snapshot(definition))
    _revise(actor, f"field {object}.{key} created")
    if definition.filterable:
        ensure_index(definition)
    return definition


@transaction.atomic
def update_field(
    definition: CustomField,
    *,
    actor: User | None,
    changes: dict[str, Any],
    expected_version: int | None = None,
) -> CustomField:
    """Change a field's settings (not its key or record type; the type through ``change_type``)."""
    locked = CustomField.objects.select_for_update().get(pk=definition.pk)
    if expected_version is not None and locked.version != expected_version:
        raise ValidationError({"__all__": [_("The field was changed by someone else; reload it.")]})
    unknown = set(changes) - set(FIELD_ATTRS)
    if unknown or ("type" in changes and changes["type"] != locked.type):
        raise ValidationError({"type": [_("Change the type through the type change, with its preview.")]})
    before = snapshot(locked)
    choices = changes.pop("choices", None)
    for name, value in changes.items():
        setattr(locked, name, value)
    if locked.type in CHOICE_TYPES and choices is not None:
        locked.choices = _clean_choices(choices, locked.choices, used_values(locked))
    _check_definition(locked)
    locked.version += 1  # the row is locked: no one else bumps it meanwhile
    locked.save()
    after = snapshot(locked)
    changed = {k: v for k, v in after.items() if before.get(k) != v}
    log_change(
        actor=actor,
        action=ChangeLog.Action.UPDATE,
        instance=locked,
        before={k: before.get(k) for k in changed},
        after=changed,
    )
    _revise(actor, f"field {locked.object}.{locked.key} changed")
    if locked.filterable:
        ensure_index(locked)
    if locked.searchable and not before.get("searchable"):
        search.reindex(locked)  # the values already stored feed the search tokens from now on
    return locked


@transaction.atomic
def add_choices(definition: CustomField, values: list[str], *, actor: User | None) -> CustomField | None:
    """Add ``values`` as choices (labelled as they are) to a choice field, as the importer's mapping
    asks; a value that already names a choice is left alone, an archived one is restored. Returns the
    field, or None when nothing changed (no revision then)."""
    locked = CustomField.objects.get(pk=definition.pk)
    if locked.type not in CHOICE_TYPES:
        raise ValidationError({"choices": [_("This field has no choices.")]})
    choices = [dict(c) for c in locked.choices]
    by_value = {c["value"]: c for c in choices}
    changed = False
    for value in dict.fromkeys(v.strip() for v in values if v and v.strip()):
        found = known_choice(locked, value)
        if found is None:
            choices.append({"value": value, "label_ko": value, "label_en": value, "archived": False})
            changed = True
        elif by_value[found].get("archived"):
            by_value[found]["archived"] = False
            changed = True
    if not changed:
        return None
    return update_field(locked, actor=actor, changes={"choices": choices})


def _set_archived(definition: CustomField, *, actor: User | None, archived: bool) -> CustomField:
    locked = CustomField.objects.select_for_update().get(pk=definition.pk)
    if locked.is_archived == archived:
        return locked
    before = {"archived_at": locked.archived_at.isoformat() if locked.archived_at else None}
    locked.archived_at = timezone.now() if archived else None
    locked.version += 1
    locked.save(update_fields=["archived_at", "version", "updated_at"])
    after = {"archived_at": locked.archived_at.isoformat() if locked.archived_at else None}
    log_change(actor=actor, action=ChangeLog.Action.UPDATE, instance=locked, before=before, after=after)
    verb = "archived" if archived else "restored"
    _revise(actor, f"field {locked.object}.{locked.key} {verb}")
    return locked


@transaction.atomic
def archive_field(definition: CustomField, *, actor: User | None) -> CustomField:
    """Hide the field everywhere; the records keep their values (restore brings them back)."""
    return _set_archived(definition, actor=actor, archived=True)


@transaction.atomic
def restore_field(definition: CustomField, *, actor: User | None) -> CustomField:
    return _set_archived(definition, actor=actor, archived=False)


@dataclass
class TypeChangePreview:
    """What a type change would do: how many values convert, and the records whose values cannot."""

    converted: int
    failures: list[dict[str, Any]]  # {"id", "value", "error"}; at most ``limit`` listed
    failed: int


def _convert(target: CustomField, value: Any) -> Any:
    if target.type in (FieldType.TEXT, FieldType.LONG_TEXT, FieldType.URL, FieldType.EMAIL, FieldType.PHONE):
        if isinstance(value, dict):
            value = value.get("amount")
        if isinstance(value, list):
            value = ", ".join(str(v) for v in value)
        if not isinstance(value, str):
            value = str(value).lower() if isinstance(value, bool) else str(value)
    elif target.type == FieldType.MULTI_CHOICE and not isinstance(value, list):
        value = [value]
    elif target.type in (FieldType.NUMBER, FieldType.PERCENT) and isinstance(value, dict):
        value = value.get("amount")
    return coerce(target, value)


def _target(definition: CustomField, new_type: str, choices: list[dict[str, Any]] | None) -> CustomField:
    if new_type not in FieldType.values:
        raise ValidationError({"type": [_("Choose a type from the list.")]})
    target = CustomField(
        **{f.attname: getattr(definition, f.attname) for f in CustomField._meta.concrete_fields}
    )
    target.type = new_type
    target.default = None
    if new_type in CHOICE_TYPES:
        target.choices = _clean_choices(choices if choices is not None else definition.choices, [], set())
    _check_definition(target, check_unique=False)  # a copy of the stored field, not a new one
    return target


def preview_type_change(
    definition: CustomField, new_type: str, *, choices: list[dict[str, Any]] | None = None, limit: int = 50
) -> TypeChangePreview:
    """Try converting every stored value to ``new_type`` without writing anything."""
    target = _target(definition, new_type, choices)
    model = record_model(definition.object)
    converted = failed = 0
    failures: list[dict[str, Any]] = []
    rows = model._default_manager.filter(custom_field_data__has_key=definition.key).values_list(
        "pk", "custom_field_data"
    )
    for pk, data in rows.order_by("pk").iterator(chunk_size=2000):
        value = (data or {}).get(definition.key)
        try:
            _convert(target, value)
            converted += 1
        except ValidationError as exc:
            failed += 1
            if len(failures) < limit:
                failures.append({"id": pk, "value": value, "error": " ".join(str(m) for m in exc.messages)})
    return TypeChangePreview(converted, failures, failed)


@transaction.atomic
def change_type(
    definition: CustomField,
    *,
    actor: User | None,
    new_type: str,
    choices: list[dict[str, Any]] | None = None,
    drop_unconvertible: bool = False,
) -> CustomField:
    """Convert the field and every stored value. Values that cannot convert refuse the change unless
    ``drop_unconvertible``: then they move to ``<key>__before_<type>`` in the record (kept, not lost)
    and the audit row lists the records."""
    locked = CustomField.objects.select_for_update().get(pk=definition.pk)
    target = _target(locked, new_type, choices)
    preview = preview_type_change(locked, new_type, choices=choices, limit=1000)
    if preview.failed and not drop_unconvertible:
        raise ValidationError(
            {"type": [_("%(n)d values cannot be converted; see the preview.") % {"n": preview.failed}]}
        )
    model = record_model(locked.object)
    key, kept_key = locked.key, f"{locked.key}__before_{locked.type}"
    moved: list[int] = []
    rows = model._default_manager.select_for_update().filter(custom_field_data__has_key=key)
    for record in rows.only("pk", "custom_field_data").iterator(chunk_size=2000):
        data = dict(getattr(record, "custom_field_data", None) or {})
        try:
            data[key] = _convert(target, data[key])
        except ValidationError:
            data[kept_key] = data.pop(key)
            moved.append(record.pk)
        model._default_manager.filter(pk=record.pk).update(custom_field_data=data)
    before = {"type": locked.type}
    locked.type = target.type
    locked.choices = target.choices
    locked.default = None
    locked.version += 1
    locked.save()
    log_change(
        actor=actor,
        action=ChangeLog.Action.UPDATE,
        instance=locked,
        before=before,
        after={"type": locked.type, "unconverted_records": moved[:1000]},
        note=f"{preview.converted} values converted, {len(moved)} kept aside",
    )
    _revise(actor, f"field {locked.object}.{locked.key} type changed")
    return locked


def index_name(definition: CustomField) -> str:
    return f"cf_{definition.object}_{definition.key}"[:63]


def ensure_index(definition: CustomField) -> bool:
    """On PostgreSQL, an expression index on the field's value for a filterable field, created
    after the commit (CONCURRENTLY cannot run in a transaction). SQLite reads json_extract unindexed.
    Returns whether an index is (being) created."""
    if connection.vendor != "postgresql" or not definition.filterable:
        return False
    model = record_model(definition.object)
    table = connection.ops.quote_name(model._meta.db_table)
    name = connection.ops.quote_name(index_name(definition))
    key = definition.key  # validated: [a-z][a-z0-9_]*
    statements = [
        f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {name} ON {table} ((custom_field_data->>'{key}'))"
    ]
    if definition.type in (FieldType.NUMBER, FieldType.PERCENT):
        # Numbers sort by their value (listing.sort_expression casts to double precision).
        numeric = connection.ops.quote_name(index_name(definition)[:58] + "_num")
        statements.append(
            f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {numeric} ON {table} "
            f"(((custom_field_data->>'{key}')::double precision))"
        )

    def create() -> None:
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)

    if connection.in_atomic_block:
        transaction.on_commit(create)
    else:
        create()
    return True


# --- validation rules -----------------------------------------------------------------------------------

RULE_ATTRS = ("name", "expression", "message_ko", "message_en", "error_field")


def _check_rule(rule: ValidationRule) -> None:
    errors: dict[str, list[str]] = {}
    if rule.object not in RECORD_OBJECTS:
        errors["object"] = [_("Choose a record type.")]
        raise ValidationError(errors)
    schema = schema_for(rule.object)
    try:
        validate_rule_expression(rule.object, rule.expression, schema.fields)
    except ValidationError as exc:
        errors["expression"] = list(exc.messages)
    model = record_model(rule.object)
    names = {f.name for f in model._meta.concrete_fields} | {f.key for f in schema.fields}
    if rule.error_field and rule.error_field not in names:
        errors["error_field"] = [_("Choose a field of the record, or leave it empty.")]
    try:
        rule.full_clean()
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            errors.setdefault(name, []).extend(messages)
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def create_rule(*, actor: User | None, object: str, **values: Any) -> ValidationRule:
    """A new rule starts inactive: test it on a sample record, then switch it on."""
    if set(values) - set(RULE_ATTRS):
        raise ValidationError({"__all__": [_("Unknown settings.")]})
    rule = ValidationRule(object=object, is_active=False, **values)
    rule.expression = (rule.expression or "").strip()
    _check_rule(rule)
    rule.save()
    log_change(actor=actor, action=ChangeLog.Action.CREATE, instance=rule, after=snapshot(rule))
    _revise(actor, f"rule {rule.name} created")
    return rule


@transaction.atomic
def update_rule(rule: ValidationRule, *, actor: User | None, changes: dict[str, Any]) -> ValidationRule:
    locked = ValidationRule.objects.select_for_update().get(pk=rule.pk)
    unknown = set(changes) - {*RULE_ATTRS, "is_active"}
    if unknown:
        raise ValidationError({"__all__": [_("Unknown settings.")]})
    before = snapshot(locked)
    for name, value in changes.items():
        setattr(locked, name, value.strip() if isinstance(value, str) else value)
    _check_rule(locked)
    locked.version += 1
    locked.save()
    after = snapshot(locked)
    changed = {k: v for k, v in after.items() if before.get(k) != v}
    log_change(
        actor=actor,
        action=ChangeLog.Action.UPDATE,
        instance=locked,
        before={k: before.get(k) for k in changed},
        after=changed,
    )
    _revise(actor, f"rule {locked.name} changed")
    return locked


@dataclass
class RuleTest:
    met: bool
    evidence: dict[str, Any]
    error: str


def try_rule(object: str, expression: str, record: Any) -> RuleTest:
    """Run an expression (saved or not) on one record without writing: what the rule would say."""
    schema = schema_for(object)
    validate_rule_expression(object, expression, schema.fields)
    met, evidence, error = run_rule(expression.strip(), facts_for(record, object, schema.fields))
    return RuleTest(met, evidence, error)
