# mypy: disable-error-code="valid-type"
# (Schemas use annotation factories such as Text(100); pydantic understands them, mypy cannot.)
"""REST endpoints of page layouts, mounted under /api/v1/ (administrators): the same service as the
settings page, so a layout saved here is checked and audited the same way. ``role`` is a role value,
or ``all`` for the layout of every role without its own."""

from typing import Annotated

from django.http import Http404, HttpRequest
from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError
from pydantic import StrictBool, StrictInt

from baton.core.api import InputSchema, Text, actor, choice, responses, version_query
from baton.core.customfields.schema import RECORD_OBJECTS
from baton.core.layouts import services
from baton.core.layouts.models import PageLayout
from baton.core.layouts.registry import EVERY_ROLE
from baton.core.models import Role, User

router = Router(tags=["page layouts"])

LayoutObject = choice(RECORD_OBJECTS)
LayoutRole = choice([EVERY_ROLE, *Role.values])


def _admin(request: HttpRequest) -> User:
    user = actor(request)
    if not user.is_admin:
        raise HttpError(403, "Only administrators edit page layouts.")
    return user


def _stored(role: str) -> str:
    return "" if role == EVERY_ROLE else role


class LayoutFieldIn(InputSchema):
    name: Text(60, required=True) = Field(
        description="A field of the record, or `cf_<key>` for a custom field."
    )
    readonly: StrictBool = False
    compact: StrictBool = Field(False, description="Shown in the compact layout of narrow screens.")


class LayoutSectionIn(InputSchema):
    title_ko: Text(100) = ""
    title_en: Text(100) = ""
    fields: Annotated[list[LayoutFieldIn], Field(max_length=300)] = []


class PageLayoutIn(InputSchema):
    sections: Annotated[list[LayoutSectionIn], Field(max_length=10)]
    version: Annotated[StrictInt, Field(ge=1, le=2**31 - 1)] | None = Field(
        None, description="The version you loaded: a newer one answers 409. Leave out to create."
    )


class LayoutFieldOut(Schema):
    name: str
    readonly: bool
    compact: bool


class LayoutSectionOut(Schema):
    title_ko: str
    title_en: str
    fields: list[LayoutFieldOut]


class PageLayoutOut(Schema):
    id: int
    object: str
    role: str
    sections: list[LayoutSectionOut]
    version: int

    @staticmethod
    def resolve_role(obj: PageLayout) -> str:
        return obj.role or EVERY_ROLE


@router.get("/page-layouts", response=responses({200: list[PageLayoutOut]}), summary="Page layouts")
def list_layouts(request: HttpRequest):
    _admin(request)
    return list(PageLayout.objects.all())


@router.put(
    "/page-layouts/{kind}/{role}",
    response=responses({200: PageLayoutOut}),
    summary="Set the page layout of a record type for a role",
)
def put_layout(request: HttpRequest, kind: LayoutObject, role: LayoutRole, payload: PageLayoutIn):
    """Creates or replaces the layout. A layout that leaves off a field a person must fill in is
    refused (422). A layout only narrows what field protection and custom field roles allow."""
    user = _admin(request)
    sections = [section.model_dump() for section in payload.sections]
    return services.save_layout(
        actor=user, object=kind, role=_stored(role), sections=sections, expected_version=payload.version
    )


@router.delete(
    "/page-layouts/{kind}/{role}",
    response=responses({204: None}),
    summary="Remove the page layout of a record type for a role",
)
def delete_layout(
    request: HttpRequest, kind: LayoutObject, role: LayoutRole, version: int | None = version_query()
):
    user = _admin(request)
    layout = PageLayout.objects.filter(object=kind, role=_stored(role)).first()
    if layout is None:
        raise Http404("No such page layout.")
    services.reset_layout(layout, actor=user, expected_version=version)
    return Status(204, None)
