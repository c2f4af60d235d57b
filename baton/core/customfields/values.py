"""Coercion and validation of custom field values: the one function every write path goes through.

``check_record`` is called by ``core.services.create_record`` / ``update_record`` (so every record
service, the pages, the API, the board, imports and tasks validate the same way). Errors are keyed
``cf_<key>`` (the form field's name; the API reports the same keys); nothing is saved when any fails.

Stored values are JSON: text as strings, numbers and percents as numbers, money as
``{"amount": n, "currency": "KRW"}``, dates as ``YYYY-MM-DD``, date-times as ISO 8601 with offset,
yes/no as booleans, a choice as its value, multiple choices as a list, users and records as ids.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.validators import validate_email
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _

from baton.core.customfields.models import CustomField, FieldType, Requirement
from baton.core.customfields.rules import rule_errors
from baton.core.customfields.schema import KindSchema, can_edit_field, kind_for_model, schema_for, stage_order
from baton.core.models import User
from baton.core.money import Currency, quantize
from baton.core.phones import normalize_phone, validate_phone
from baton.core.records import record_model
from baton.core.validators import normalize_web_url, validate_web_url

TEXT_MAX: dict[str, int] = {
    FieldType.TEXT: 255,
    FieldType.LONG_TEXT: 10_000,
    FieldType.URL: 200,
    FieldType.EMAIL: 200,
}
NUMBER_LIMIT = Decimal("1e15")
MAX_CHOICES = 50


def error_key(key: str) -> str:
    return f"cf_{key}"


def is_empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def _decimal(raw: Any) -> Decimal:
    if isinstance(raw, bool):
        raise ValidationError(_("Enter a number."))
    if isinstance(raw, int | float | Decimal):
        value = Decimal(str(raw))
    elif isinstance(raw, str):
        try:
            value = Decimal(raw.strip().replace(",", ""))
        except InvalidOperation:
            raise ValidationError(_("Enter a number.")) from None
    else:
        raise ValidationError(_("Enter a number."))
    if not value.is_finite() or abs(value) >= NUMBER_LIMIT:
        raise ValidationError(_("Enter a number."))
    return value


def _number(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


def _bounds(definition: CustomField, value: Decimal, what: str) -> None:
    if definition.min_value is not None and value < definition.min_value:
        raise ValidationError(
            _("The %(what)s must be at least %(min)s.") % {"what": what, "min": _number(definition.min_value)}
        )
    if definition.max_value is not None and value > definition.max_value:
        raise ValidationError(
            _("The %(what)s must be at most %(max)s.") % {"what": what, "max": _number(definition.max_value)}
        )


def _text(definition: CustomField, raw: Any) -> str:
    if not isinstance(raw, str):
        raise ValidationError(_("Enter text."))
    if "\x00" in raw:
        raise ValidationError(_("NUL characters are not allowed."))
    text = raw.strip()
    limit = TEXT_MAX.get(definition.type, 255)
    if len(text) > limit:
        raise ValidationError(_("Enter at most %(max)d characters.") % {"max": limit})
    return text


def _choice(definition: CustomField, raw: Any, previous: Any) -> str:
    if not isinstance(raw, str):
        raise ValidationError(_("Choose one of the listed values."))
    known = {c.get("value"): c for c in definition.choices}
    choice = known.get(raw)
    kept = raw == previous or (isinstance(previous, list) and raw in previous)
    if choice is None or (choice.get("archived") and not kept):
        raise ValidationError(
            _("Choose one of: %(choices)s.")
            % {"choices": ", ".join(v for v, _label in definition.active_choices())}
        )
    return raw


def _date(raw: Any) -> str:
    if isinstance(raw, dt.datetime):
        raise ValidationError(_("Enter a date (YYYY-MM-DD)."))
    if isinstance(raw, dt.date):
        return raw.isoformat()
    if isinstance(raw, str):
        try:
            return dt.date.fromisoformat(raw.strip()).isoformat()
        except ValueError:
            pass
    raise ValidationError(_("Enter a date (YYYY-MM-DD)."))


def _datetime(raw: Any) -> str:
    value: dt.datetime | None = raw if isinstance(raw, dt.datetime) else None
    if isinstance(raw, str):
        try:
            value = dt.datetime.fromisoformat(raw.strip())
        except ValueError:
            value = None
    if value is None:
        raise ValidationError(_("Enter a date and time (YYYY-MM-DDTHH:MM)."))
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    return value.isoformat()


def _id(raw: Any) -> int:
    if isinstance(raw, bool) or not isinstance(raw, int | str):
        raise ValidationError(_("Enter an id."))
    try:
        value = int(raw)
    except ValueError:
        raise ValidationError(_("Enter an id.")) from None
    if value < 1 or value > 2**63 - 1:
        raise ValidationError(_("Enter an id."))
    return value


def coerce(definition: CustomField, raw: Any, *, previous: Any = None, actor: User | None = None) -> Any:
    """The stored form of ``raw`` for ``definition`` (None: no value), or ValidationError."""
    if is_empty(raw) or (isinstance(raw, str) and not raw.strip()):
        return None
    kind = definition.type
    if kind in (FieldType.TEXT, FieldType.LONG_TEXT):
        text = _text(definition, raw)
        _bounds(definition, Decimal(len(text)), _("length"))
        if definition.regex and not re.fullmatch(definition.regex, text):
            raise ValidationError(_("The value does not have the expected format."))
        return text
    if kind in (FieldType.NUMBER, FieldType.PERCENT):
        value = _decimal(raw)
        if kind == FieldType.PERCENT and not Decimal(0) <= value <= Decimal(100):
            raise ValidationError(_("Enter a percentage between 0 and 100."))
        _bounds(definition, value, _("value"))
        return _number(value)
    if kind == FieldType.MONEY:
        amount_raw, currency = raw, Currency.KRW.value
        if isinstance(raw, dict):
            if set(raw) - {"amount", "currency"}:
                raise ValidationError(_("Send an amount and a currency."))
            amount_raw, currency = raw.get("amount"), raw.get("currency") or Currency.KRW.value
        if currency not in Currency.values:
            raise ValidationError(_("Unknown currency."))
        amount = _decimal(amount_raw)
        _bounds(definition, amount, _("amount"))
        return {"amount": _number(quantize(amount, currency)), "currency": currency}
    if kind == FieldType.DATE:
        return _date(raw)
    if kind == FieldType.DATETIME:
        return _datetime(raw)
    if kind == FieldType.BOOLEAN:
        if not isinstance(raw, bool):
            raise ValidationError(_("Answer yes or no (true or false)."))
        return raw
    if kind == FieldType.CHOICE:
        return _choice(definition, raw, previous)
    if kind == FieldType.MULTI_CHOICE:
        if not isinstance(raw, list) or len(raw) > MAX_CHOICES:
            raise ValidationError(_("Send a list of the listed values."))
        chosen = [_choice(definition, item, previous) for item in raw]
        return list(dict.fromkeys(chosen)) or None
    if kind == FieldType.USER:
        user_id = _id(raw)
        if not User.objects.filter(pk=user_id, is_active=True).exists():
            raise ValidationError(_("No such user."))
        return user_id
    if kind == FieldType.REFERENCE:
        record_id = _id(raw)
        model = record_model(definition.reference_kind)
        qs: Any = model._default_manager.all()
        if actor is not None and hasattr(qs, "visible_to"):
            qs = qs.visible_to(actor)
        if not qs.filter(pk=record_id).exists():
            raise ValidationError(_("No such record."))
        return record_id
    if kind == FieldType.URL:
        text = _text(definition, raw)
        validate_web_url(text)
        return normalize_web_url(text)
    if kind == FieldType.EMAIL:
        text = _text(definition, raw).lower()
        validate_email(text)
        return text
    if kind == FieldType.PHONE:
        text = _text(definition, raw)
        validate_phone(text)
        return normalize_phone(text)
    raise ValidationError(_("Unknown field type."))


def is_required(definition: CustomField, record: models.Model, kind: str) -> bool:
    if definition.requirement == Requirement.ALWAYS:
        return True
    if definition.requirement == Requirement.FROM_STAGE and definition.required_from_stage:
        order = stage_order(kind)
        return order is not None and order.reached(record, definition.required_from_stage)
    return False


def must_be_filled(
    definition: CustomField,
    record: models.Model,
    kind: str,
    *,
    actor: User | None,
    incoming: dict[str, Any] | None,
    changed: set[str] | None,
) -> bool:
    """Whether this write must leave a required field filled (``changed`` None: the record is being
    created; else the model fields the write changes).

    A required field is enforced where someone could fill it in: when a person creates the record
    (page, API, import), when a write offers the field (a form or an API body that carries it), and
    when a write moves the record's stage (the "required from stage X" gate, for people and rules
    alike). Writes that touch neither the field nor the stage (a rule setting another field, the
    worker's sweeps, rescoring), and records created by the system (web-to-lead, the demo), are not
    refused because a field made required later is still empty on an older record."""
    if not is_required(definition, record, kind):
        return False
    if changed is None:
        return actor is not None
    if incoming is not None and definition.key in incoming:
        return True
    order = stage_order(kind)
    return order is not None and bool(changed & {order.field, f"{order.field}_id"})


def _messages(exc: ValidationError) -> list[str]:
    return [str(m) for m in exc.messages]


def check_record(
    record: models.Model,
    *,
    actor: User | None,
    incoming: dict[str, Any] | None,
    creating: bool,
    schema: KindSchema | None = None,
    changed: set[str] | None = None,
) -> dict[str, list[str]]:
    """Apply ``incoming`` (custom field key -> raw value) to ``record.custom_field_data`` and check
    every rule of the record's kind: known keys, the editor's right to edit the field, types and
    limits, required fields (always or from the record's stage on, where ``must_be_filled`` says this
    write must fill them; ``changed``: the model fields an update changes), uniqueness and the active
    validation rules. Returns the errors by field (empty: valid); the caller raises them together
    with the model's own. Unknown keys are refused."""
    kind = kind_for_model(record)
    errors: dict[str, list[str]] = {}
    if kind is None:
        if incoming:
            errors[NON_FIELD_ERRORS] = [_("This record has no custom fields.")]
        return errors
    schema = schema if schema is not None else schema_for(kind)
    if incoming is not None and not isinstance(incoming, dict):
        return {"custom_fields": [_("Send custom fields as an object of key and value.")]}
    by_key = schema.by_key()
    archived = {f.key for f in schema.archived}
    stored = getattr(record, "custom_field_data", None)
    stored = stored if isinstance(stored, dict) else {}
    data: dict[str, Any] = {} if creating else dict(stored)
    for key, raw in (incoming or {}).items():
        definition = by_key.get(key) if isinstance(key, str) else None
        if definition is None:
            message = _("This field is archived.") if key in archived else _("Unknown custom field.")
            errors[error_key(str(key))] = [message]
            continue
        previous = stored.get(key)
        try:
            value = coerce(definition, raw, previous=previous, actor=actor)
        except ValidationError as exc:
            errors[error_key(key)] = _messages(exc)
            continue
        if value != previous and not can_edit_field(actor, definition):
            errors[error_key(key)] = [_("You may not change this field.")]
            continue
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    if creating:
        for definition in schema.fields:
            if definition.key not in data and not is_empty(definition.default):
                data[definition.key] = definition.default
    model = type(record)
    for definition in schema.fields:
        name = error_key(definition.key)
        if name in errors:
            continue
        value = data.get(definition.key)
        filling = must_be_filled(
            definition,
            record,
            kind,
            actor=actor,
            incoming=incoming,
            changed=None if creating else changed or set(),
        )
        if is_empty(value) and filling:
            errors[name] = [_("%(field)s is required.") % {"field": definition.label}]
        elif definition.unique and not is_empty(value) and value != stored.get(definition.key):
            others = model._default_manager.filter(**{f"custom_field_data__{definition.key}": value})
            if record.pk is not None:
                others = others.exclude(pk=record.pk)
            if others.exists():
                errors[name] = [_("Another record already has this value.")]
    holder: Any = record  # an OwnedRecord (kind_for_model found it)
    holder.custom_field_data = data
    return errors


def check_rules(
    record: models.Model, *, errors: dict[str, list[str]], schema: KindSchema | None = None
) -> None:
    """Add the messages of the active validation rules the record does not meet (after its fields
    passed: a rule over a value that did not even parse would only repeat the error)."""
    kind = kind_for_model(record)
    if kind is None or errors:
        return
    schema = schema if schema is not None else schema_for(kind)
    for name, messages in rule_errors(record, kind, schema.rules, schema.fields).items():
        errors.setdefault(name, []).extend(messages)
