# mypy: disable-error-code="valid-type"
# (Annotation factories such as Text(200) build pydantic types at import time; mypy cannot follow.)
"""REST endpoints of the core app (``/me``), and the building blocks every app's API uses.

Input schemas are strict (rule 8): unknown fields are rejected, ids must be JSON integers, strings
are bounded by the model's ``max_length`` so that nothing too long ever reaches the database, dates
are ISO strings. Lists share one query schema per ``ListSpec`` and one ``{"items", "next"}`` page.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
from collections.abc import Callable, Iterable
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any, ClassVar, Literal

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Path, Query, Router, Schema
from pydantic import (
    AfterValidator,
    BeforeValidator,
    ConfigDict,
    SerializationInfo,
    SerializerFunctionWrapHandler,
    StrictInt,
    StrictStr,
    WithJsonSchema,
    create_model,
    model_serializer,
)

from baton.core import fieldaccess
from baton.core.api_errors import ERROR_RESPONSES
from baton.core.korean import normalize_company, normalize_domain
from baton.core.listing import ListSpec, apply_spec, keyset_page, protected_spec
from baton.core.models import Role, User
from baton.core.records import assignable_users as assignable_users

router = Router(tags=["me"])

BIGINT_MAX = 2**63 - 1
DEFAULT_LIMIT = 50
MAX_LIMIT = 200
MAX_CURSOR_LENGTH = 600
MAX_SEARCH_LENGTH = 100


# --- input types ------------------------------------------------------------------------------


def keep_operation_ids(router: Router, module: str) -> None:
    """Give the operations of ``router`` the ids they had when they lived in one module ``module``
    (``baton_deals_api_<function>``): an API package split by topic keeps its published operation
    ids, so generated clients keep their method names."""
    prefix = module.replace(".", "_")
    for path in router.path_operations.values():
        for operation in path.operations:
            operation.operation_id = operation.operation_id or f"{prefix}_{operation.view_func.__name__}"


def _clean_text(value: str) -> str:
    if "\x00" in value:
        raise ValueError("NUL characters are not allowed.")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("The text is not valid Unicode.") from None
    return value


def Text(max_length: int, *, required: bool = False) -> Any:
    """A JSON string of at most ``max_length`` characters, without NUL; ``required`` rejects blanks."""

    def not_blank(value: str) -> str:
        if required and not value.strip():
            raise ValueError("This field cannot be blank.")
        return value

    return Annotated[
        StrictStr, Field(max_length=max_length), AfterValidator(_clean_text), AfterValidator(not_blank)
    ]


def _company_key_fits(value: str) -> str:
    # The comparison key is NFKC-normalised, which can lengthen a string; it must fit its column too.
    if len(normalize_company(value)) > 200:
        raise ValueError("The company name is too long once normalised.")
    return value


def _domain_fits(value: str) -> str:
    if len(normalize_domain(value)) > 120:
        raise ValueError("The web domain is at most 120 characters.")
    return value


def _lower_fits(value: str) -> str:
    # Emails are stored lower-cased; a few characters grow when lower-cased.
    if len(value.strip().lower()) > 200:
        raise ValueError("Ensure this value has at most 200 characters.")
    return value


CompanyName = Annotated[Text(200), AfterValidator(_company_key_fits)]
RequiredCompanyName = Annotated[Text(200, required=True), AfterValidator(_company_key_fits)]
Website = Annotated[Text(200), AfterValidator(_domain_fits)]
Email = Annotated[Text(200), AfterValidator(_lower_fits)]

Id = Annotated[StrictInt, Field(ge=1, le=BIGINT_MAX)]

ALLOW_DUPLICATE_DOC = (
    "Create the record even though it matches existing ones. Without it, a match answers 409 with "
    "`matches` (records you may not read are listed without name or id)."
)
Version = Annotated[StrictInt, Field(ge=1, le=2**31 - 1, description="The record's `version` as last read.")]
Percent = Annotated[StrictInt, Field(ge=0, le=100)]


def _require_string(value: Any) -> Any:
    if not isinstance(value, str):
        raise ValueError("Use an ISO 8601 string.")
    return value


def _aware(value: dt.datetime) -> dt.datetime:
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    try:
        value.astimezone(dt.UTC)
    except OverflowError:
        raise ValueError("The date and time is out of range.") from None
    return value


IsoDate = Annotated[
    dt.date, BeforeValidator(_require_string), WithJsonSchema({"type": "string", "format": "date"})
]
IsoDateTime = Annotated[
    dt.datetime,
    BeforeValidator(_require_string),
    AfterValidator(_aware),
    WithJsonSchema({"type": "string", "format": "date-time"}),
]


def Amount() -> Any:
    """A non-negative decimal (JSON number or string) that fits the DecimalField(18, 2) columns."""
    return Annotated[
        Decimal,
        Field(ge=0, max_digits=18, decimal_places=2, description="Decimal; KRW and JPY take no decimals."),
    ]


def choice(values: Iterable[str], *, blank: bool = False) -> Any:
    """A Literal of a TextChoices' values (documented as an enum in the OpenAPI); ``blank`` adds ""."""
    options = list(values) + ([""] if blank else [])
    return Literal[tuple(options)]  # type: ignore[valid-type]


def _drop_null_defaults(schema: dict[str, Any]) -> None:
    # A PATCH field may be left out, but `null` is only valid where the type says so.
    for prop in schema.get("properties", {}).values():
        if prop.get("default", 0) is None:
            prop.pop("default")


class InputSchema(Schema):
    """Base of request bodies: unknown fields are an error, not silently ignored."""

    model_config = ConfigDict(extra="forbid")


class PatchSchema(InputSchema):
    """Base of PATCH bodies: send only the fields to change, plus the ``version`` you last read."""

    model_config = ConfigDict(extra="forbid", json_schema_extra=_drop_null_defaults)


# --- output types -----------------------------------------------------------------------------


class Ref(Schema):
    """A small reference to a related record."""

    id: int
    name: str

    @staticmethod
    def resolve_name(obj: Any) -> str:
        return str(obj)


class ProtectedOut(Schema):
    """Base of an output whose fields an admin may protect (core.fieldaccess): the keys the caller
    may not see are left out of the response (and so of every page of a list)."""

    protected_model: ClassVar[str] = ""

    @model_serializer(mode="wrap")
    def _leave_out_protected(self, handler: SerializerFunctionWrapHandler, info: SerializationInfo) -> Any:
        data = handler(self)
        request = (info.context or {}).get("request")
        user = getattr(request, "auth", None) or getattr(request, "user", None)
        if not self.protected_model or user is None or not isinstance(data, dict):
            return data
        return fieldaccess.redact(user, self.protected_model, data)


def refuse_protected(request: HttpRequest, model: str, data: dict[str, Any]) -> None:
    """A write that sets a field the caller may not see is refused (422 naming the field)."""
    fieldaccess.refuse_hidden(actor(request), model, data)


class StageRef(Ref):
    key: str
    outcome: str


class TeamRef(Ref):
    pass


def path_id() -> Any:
    """The ``{id}`` of a record in a URL: a positive BIGINT (anything else never names a record)."""
    return Path(..., ge=1, le=BIGINT_MAX)


def version_query() -> Any:
    return Query(None, ge=1, le=2**31 - 1, description="Refuse with 409 if the record's version differs.")


def page_schema(name: str, item: type[Schema]) -> type[Schema]:
    return create_model(  # type: ignore[call-overload]
        name,
        __base__=Schema,
        items=(list[item], ...),  # type: ignore[valid-type]
        next=(str | None, Field(None, description="Pass as `cursor` to get the next page; null at the end.")),
    )


def responses(ok: dict[int, Any]) -> dict[int, Any]:
    return {**ok, **ERROR_RESPONSES}


# --- lists ------------------------------------------------------------------------------------


class ListQuery(Schema):
    model_config = ConfigDict(extra="forbid")


def list_query_schema(name: str, spec: ListSpec, *, defaults: dict[str, Any] | None = None) -> type[Schema]:
    """The query parameters a list takes, generated from its ListSpec so the two cannot drift."""
    defaults = defaults or {}
    orderings = [o for key in spec.orderings for o in (key, f"-{key}")]
    fields: dict[str, Any] = {
        "search": (Text(MAX_SEARCH_LENGTH) | None, Field(None, description="Text to look for.")),
        "ordering": (
            Literal[tuple(orderings)] | None,  # type: ignore[valid-type]
            Field(None, description=f"Sort key, `-` for descending; default `{spec.default_ordering}`."),
        ),
        "limit": (int, Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)),
        "cursor": (
            Text(MAX_CURSOR_LENGTH) | None,
            Field(None, description="The `next` of the previous page."),
        ),
    }
    for key, (_lookup, allowed) in spec.filters.items():
        if allowed is None or allowed is int:
            kind: Any = Annotated[int, Field(ge=1, le=BIGINT_MAX)]
        elif allowed is bool:
            kind = bool
        else:
            kind = Literal[tuple(allowed)]  # type: ignore[valid-type]
        fields[key] = (kind | None, Field(defaults.get(key)))
    return create_model(name, __base__=ListQuery, **fields)  # type: ignore[call-overload]


def _param_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _check_cursor(model: type[models.Model], state: dict[str, Any], cursor: str) -> None:
    """Refuse cursors whose values could not have come from us before they reach SQL.

    keyset_page decodes and checks the envelope; a hand-made cursor could still carry a value of the
    wrong type or size for the column (a string for a date, an id past BIGINT), which the database
    would reject with an error instead of an empty page.
    """
    bad = ValidationError({"cursor": ["Invalid cursor; start again without one."]})
    try:
        data = json.loads(base64.urlsafe_b64decode((cursor + "=" * (-len(cursor) % 4)).encode()))
    except (ValueError, binascii.Error):
        raise bad from None
    if not isinstance(data, dict):
        raise bad
    pk = data.get("id")
    if not isinstance(pk, int) or isinstance(pk, bool) or not 0 <= pk <= BIGINT_MAX:
        raise bad
    value = data.get("v")
    field = model._meta.get_field(state["_column"].split("__")[0])
    kind = value.get("t") if isinstance(value, dict) else None
    raw = value.get("v") if isinstance(value, dict) else None
    try:
        if isinstance(field, models.DateTimeField):
            ok = kind == "dt" and isinstance(raw, str) and _aware(dt.datetime.fromisoformat(raw)) is not None
        elif isinstance(field, models.DateField):
            ok = kind == "d" and isinstance(raw, str) and dt.date.fromisoformat(raw) is not None
        elif isinstance(field, models.DecimalField):
            number = Decimal(str(raw)) if kind == "dec" and isinstance(raw, str) and len(raw) <= 40 else None
            digits = (field.max_digits or 0) - (field.decimal_places or 0)
            ok = number is not None and number.is_finite() and abs(number) < Decimal(10) ** digits
        elif isinstance(field, models.CharField):
            text = value if isinstance(value, str) else None
            ok = text is not None and len(text) <= (field.max_length or 0) and _clean_text(text) is not None
        else:
            ok = isinstance(value, int) and not isinstance(value, bool) and abs(value) <= BIGINT_MAX
    except (ValueError, TypeError, InvalidOperation, OverflowError):
        ok = False
    if not ok:
        raise bad


def list_page(request: HttpRequest, qs: QuerySet, spec: ListSpec, query: Schema) -> dict[str, Any]:
    """One page of ``qs`` filtered, searched and ordered per ``spec``: ``{"items", "next"}``."""
    unknown = sorted(set(request.GET) - set(type(query).model_fields))
    if unknown:
        # Ninja flattens query schemas, so `extra="forbid"` cannot catch a misspelt filter; we do.
        raise ValidationError({key[:40]: ["Unknown parameter."] for key in unknown[:10]})
    params = {k: _param_text(v) for k, v in query.model_dump(exclude_none=True).items()}
    limit = int(params.pop("limit", DEFAULT_LIMIT))
    cursor = params.pop("cursor", None)
    qs, state = apply_spec(qs, protected_spec(spec, actor(request), qs.model), params, strict=True)
    if cursor:
        _check_cursor(qs.model, state, cursor)
    items, next_cursor = keyset_page(qs, state, limit=limit, cursor=cursor)
    return {"items": items, "next": next_cursor}


# --- references in input ----------------------------------------------------------------------


def actor(request: HttpRequest) -> User:
    """The user the bearer token belongs to (set by ApiTokenAuth)."""
    return request.auth  # type: ignore[attr-defined,no-any-return]


RefSource = tuple[str, QuerySet | Callable[[], QuerySet], str]


def resolve_refs(data: dict[str, Any], sources: dict[str, RefSource]) -> dict[str, Any]:
    """Turn ``<field>_id`` inputs into records the caller may use, or a 422 naming each bad field.

    ``sources`` maps an input field to (model field name, queryset of allowed records, message).
    A null stays null (the schema decides where null is allowed). Returns the model-level values.
    """
    values: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    for key, value in data.items():
        if key not in sources:
            values[key] = value
            continue
        target, qs, message = sources[key]
        if value is None:
            values[target] = None
            continue
        queryset = qs() if callable(qs) else qs
        record = queryset.filter(pk=value).first()
        if record is None:
            errors[key] = [message]
        else:
            values[target] = record
    if errors:
        raise ValidationError(errors)
    return values


# --- /me --------------------------------------------------------------------------------------


class MeOut(Schema):
    id: int
    username: str
    name: str
    email: str
    role: choice(Role.values)  # type: ignore[valid-type]
    is_admin: bool
    language: str
    team: TeamRef | None

    @staticmethod
    def resolve_name(obj: User) -> str:
        return str(obj)


@router.get("/me", response=responses({200: MeOut}), summary="The user the token belongs to")
def me(request: HttpRequest) -> User:
    return actor(request)
