# mypy: disable-error-code="valid-type,assignment"
# (Schemas use annotation factories such as Text(120) and PATCH fields default to "absent" (None)
# without admitting null; pydantic understands both, mypy cannot.)
"""REST endpoints of custom field definitions and validation rules, mounted under /api/v1/.

Every signed-in caller may list the fields they may read (to know the keys of ``custom_fields``);
administrators define, change, archive, restore and convert fields, and keep the validation rules.
"""

from decimal import Decimal
from typing import Annotated, Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError
from pydantic import StrictBool, StrictInt, StrictStr

from baton.core.api import InputSchema, PatchSchema, Text, actor, choice, path_id, responses
from baton.core.customfields import services
from baton.core.customfields.models import CustomField, FieldType, Requirement, ValidationRule
from baton.core.customfields.schema import OBJECTS, RECORD_OBJECTS, readable_custom_fields
from baton.core.models import Role, User
from baton.core.records import get_for_user, record_model

router = Router(tags=["custom fields"])

Key = Annotated[StrictStr, Field(pattern=r"^[a-z][a-z0-9_]{0,39}$")]
RoleValue = choice(Role.values)
Roles = Annotated[list[RoleValue], Field(max_length=20)]
Limit = Annotated[Decimal, Field(max_digits=20, decimal_places=4)]


def _admin(request: HttpRequest) -> User:
    user = actor(request)
    if not user.is_admin:
        raise HttpError(403, "Only administrators define custom fields and validation rules.")
    return user


class CustomFieldChoice(Schema):
    value: Text(60, required=True)
    label_ko: Text(100) = ""
    label_en: Text(100) = ""
    archived: StrictBool = False


class CustomFieldOut(Schema):
    id: int
    object: str
    key: str
    label_ko: str
    label_en: str
    help_text: str
    type: choice(FieldType.values)
    requirement: choice(Requirement.values)
    required_from_stage: str
    default: Any = None
    unique: bool
    min_value: Decimal | None
    max_value: Decimal | None
    regex: str
    choices: list[CustomFieldChoice]
    reference_kind: str
    read_roles: list[str]
    edit_roles: list[str]
    searchable: bool
    filterable: bool
    show_on_card: bool
    order: int
    archived: bool
    version: int

    @staticmethod
    def resolve_archived(obj: CustomField) -> bool:
        return obj.is_archived


class CustomFieldIn(InputSchema):
    object: choice(OBJECTS)
    key: Key
    label_ko: Text(100, required=True)
    label_en: Text(100, required=True)
    help_text: Text(300) = ""
    type: choice(FieldType.values)
    requirement: choice(Requirement.values) = Requirement.OPTIONAL.value
    required_from_stage: Text(40) = ""
    default: Any = None
    unique: StrictBool = False
    min_value: Limit | None = None
    max_value: Limit | None = None
    regex: Text(200) = ""
    choices: Annotated[list[CustomFieldChoice], Field(max_length=200)] = []
    reference_kind: choice(RECORD_OBJECTS, blank=True) = ""
    read_roles: Roles = []
    edit_roles: Roles = []
    searchable: StrictBool = False
    filterable: StrictBool = False
    show_on_card: StrictBool = Field(False, description="Deals: shown on the pipeline board's cards.")
    order: Annotated[StrictInt, Field(ge=0, le=10_000)] = 100


class CustomFieldPatch(PatchSchema):
    """The key, record type and type do not change here (the type: POST /custom-fields/{id}/type).
    Choices left out of `choices` are archived when some record uses them."""

    version: Annotated[StrictInt, Field(ge=1)]
    label_ko: Text(100, required=True) = None
    label_en: Text(100, required=True) = None
    help_text: Text(300) = None
    requirement: choice(Requirement.values) = None
    required_from_stage: Text(40) = None
    default: Any = None
    unique: StrictBool = None
    min_value: Limit | None = None
    max_value: Limit | None = None
    regex: Text(200) = None
    choices: Annotated[list[CustomFieldChoice], Field(max_length=200)] = None
    read_roles: Roles = None
    edit_roles: Roles = None
    searchable: StrictBool = None
    filterable: StrictBool = None
    show_on_card: StrictBool = None
    order: Annotated[StrictInt, Field(ge=0, le=10_000)] = None


class CustomFieldQuery(Schema):
    object: choice(OBJECTS) | None = None


@router.get("/custom-fields", response=responses({200: list[CustomFieldOut]}), summary="Custom fields")
def list_fields(request: HttpRequest, query: Query[CustomFieldQuery]):
    """Administrators see every field (archived ones too); others the active fields they may read."""
    user = actor(request)
    if user.is_admin:
        qs = CustomField.objects.all()
        return list(qs.filter(object=query.object) if query.object else qs)
    kinds = [query.object] if query.object else list(OBJECTS)
    return [f for kind in kinds for f in readable_custom_fields(user, kind)]


@router.post("/custom-fields", response=responses({201: CustomFieldOut}), summary="Define a custom field")
def create_field(request: HttpRequest, payload: CustomFieldIn):
    user = _admin(request)
    data = payload.model_dump()
    obj, key = data.pop("object"), data.pop("key")
    return Status(201, services.create_field(actor=user, object=obj, key=key, **data))


@router.patch(
    "/custom-fields/{id}", response=responses({200: CustomFieldOut}), summary="Change a custom field"
)
def update_field(request: HttpRequest, payload: CustomFieldPatch, id: int = path_id()):
    user = _admin(request)
    definition = get_object_or_404(CustomField, pk=id)
    data = payload.model_dump(exclude_unset=True)
    version = data.pop("version")
    return services.update_field(definition, actor=user, changes=data, expected_version=version)


@router.post(
    "/custom-fields/{id}/archive", response=responses({200: CustomFieldOut}), summary="Archive a custom field"
)
def archive_field(request: HttpRequest, id: int = path_id()):
    """The field disappears from forms, pages and the API; records keep their values."""
    user = _admin(request)
    return services.archive_field(get_object_or_404(CustomField, pk=id), actor=user)


@router.post(
    "/custom-fields/{id}/restore", response=responses({200: CustomFieldOut}), summary="Restore a custom field"
)
def restore_field(request: HttpRequest, id: int = path_id()):
    user = _admin(request)
    return services.restore_field(get_object_or_404(CustomField, pk=id), actor=user)


class CustomFieldTypeIn(InputSchema):
    type: choice(FieldType.values)
    choices: Annotated[list[CustomFieldChoice], Field(max_length=200)] | None = None
    drop_unconvertible: StrictBool = Field(
        False, description="Keep values that cannot convert aside (`<key>__before_<type>`) and convert."
    )


class TypeChangeFailureOut(Schema):
    id: int
    value: Any = None
    error: str


class TypeChangePreviewOut(Schema):
    converted: int
    failed: int
    failures: list[TypeChangeFailureOut]


class TypeChangePreviewQuery(Schema):
    type: choice(FieldType.values) | None = Field(None, description="The new type (required).")


@router.get(
    "/custom-fields/{id}/type-preview",
    response=responses({200: TypeChangePreviewOut}),
    summary="Preview a custom field's type change",
)
def preview_type(request: HttpRequest, query: Query[TypeChangePreviewQuery], id: int = path_id()):
    _admin(request)
    definition = get_object_or_404(CustomField, pk=id)
    if query.type is None:
        raise HttpError(422, "Say which type to preview (?type=).")
    return services.preview_type_change(definition, query.type)


@router.post(
    "/custom-fields/{id}/type",
    response=responses({200: CustomFieldOut}),
    summary="Change a custom field's type",
)
def change_type(request: HttpRequest, payload: CustomFieldTypeIn, id: int = path_id()):
    """Values that cannot convert refuse the change (422) unless `drop_unconvertible`."""
    user = _admin(request)
    choices = [c.model_dump() for c in payload.choices] if payload.choices is not None else None
    return services.change_type(
        get_object_or_404(CustomField, pk=id),
        actor=user,
        new_type=payload.type,
        choices=choices,
        drop_unconvertible=payload.drop_unconvertible,
    )


# --- validation rules ------------------------------------------------------------------------------


class ValidationRuleOut(Schema):
    id: int
    object: str
    name: str
    expression: str
    message_ko: str
    message_en: str
    error_field: str
    is_active: bool
    version: int


class ValidationRuleIn(InputSchema):
    """A new rule starts switched off: test it, then PATCH `is_active`."""

    object: choice(RECORD_OBJECTS)
    name: Text(120, required=True)
    expression: Text(1000, required=True)
    message_ko: Text(300, required=True)
    message_en: Text(300, required=True)
    error_field: Text(40) = ""


class ValidationRulePatch(PatchSchema):
    name: Text(120, required=True) = None
    expression: Text(1000, required=True) = None
    message_ko: Text(300, required=True) = None
    message_en: Text(300, required=True) = None
    error_field: Text(40) = None
    is_active: StrictBool = None


class ValidationRuleTestIn(InputSchema):
    record_id: Annotated[StrictInt, Field(ge=1, le=2**63 - 1)]
    expression: Text(1000) = Field("", description="Test this expression instead of the saved one.")


class ValidationRuleTestOut(Schema):
    met: bool
    evidence: dict[str, Any]
    error: str


@router.get(
    "/validation-rules", response=responses({200: list[ValidationRuleOut]}), summary="Validation rules"
)
def list_rules(request: HttpRequest):
    _admin(request)
    return list(ValidationRule.objects.all())


@router.post(
    "/validation-rules", response=responses({201: ValidationRuleOut}), summary="Add a validation rule"
)
def create_rule(request: HttpRequest, payload: ValidationRuleIn):
    user = _admin(request)
    data = payload.model_dump()
    obj = data.pop("object")
    return Status(201, services.create_rule(actor=user, object=obj, **data))


@router.patch(
    "/validation-rules/{id}", response=responses({200: ValidationRuleOut}), summary="Change a validation rule"
)
def update_rule(request: HttpRequest, payload: ValidationRulePatch, id: int = path_id()):
    user = _admin(request)
    rule = get_object_or_404(ValidationRule, pk=id)
    return services.update_rule(rule, actor=user, changes=payload.model_dump(exclude_unset=True))


@router.post(
    "/validation-rules/{id}/test",
    response=responses({200: ValidationRuleTestOut}),
    summary="Test a validation rule on a record",
)
def test_rule(request: HttpRequest, payload: ValidationRuleTestIn, id: int = path_id()):
    """Nothing is written: says whether the record meets the rule, with the facts it read."""
    user = _admin(request)
    rule = get_object_or_404(ValidationRule, pk=id)
    record = get_for_user(record_model(rule.object)._default_manager.all(), user, payload.record_id)
    return services.try_rule(rule.object, payload.expression or rule.expression, record)
