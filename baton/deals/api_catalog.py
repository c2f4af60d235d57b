# mypy: disable-error-code="valid-type,assignment"
# (Schemas use annotation factories such as Text(120) and PATCH fields default to "absent" (None).)
"""REST endpoints of the catalogue, mounted under /api/v1/: product families, products, price lists and
their prices. Everyone with a token reads; administrators and operations write (403 otherwise), through
the same services as the pages. Archive with ``PATCH {"is_archived": true}``; nothing is deleted except
a price taken off a list.
"""

from decimal import Decimal
from typing import Annotated, Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Schema, Status
from ninja.errors import HttpError
from pydantic import Field, StrictBool

from baton.core.api import (
    Id,
    InputSchema,
    PatchSchema,
    Ref,
    Text,
    actor,
    choice,
    path_id,
    resolve_refs,
    responses,
)
from baton.core.api_errors import ErrorOut
from baton.core.money import Currency
from baton.deals import catalog
from baton.deals.models import PriceList, PriceListEntry, Product, ProductFamily

router = Router(tags=["catalog"])
WRITE = {**responses({}), 403: ErrorOut}
Money = Annotated[Decimal, Field(ge=0, max_digits=18, decimal_places=2)]
Code = Annotated[str, Field(min_length=1, max_length=40, pattern=r"^[-a-zA-Z0-9_]+$")]


def _write(request: HttpRequest, call) -> Any:
    """Run a catalogue service; a caller without the right gets 403 (the catalogue is no secret)."""
    try:
        return call(actor(request))
    except PermissionDenied:
        raise HttpError(403, "Only administrators and operations can change the catalog.") from None


def _family_refs() -> dict:
    return {"family_id": ("family", ProductFamily.objects.all(), "No such product family.")}


# --- families ---------------------------------------------------------------------------------------------


class FamilyOut(Schema):
    id: int
    name: str
    name_en: str
    is_archived: bool


class FamilyIn(InputSchema):
    name: Text(100, required=True)
    name_en: Text(100) = ""


class FamilyPatch(PatchSchema):
    name: Text(100, required=True) = None
    name_en: Text(100) = None
    is_archived: StrictBool = None


@router.get("/catalog/families", response=responses({200: list[FamilyOut]}), summary="Product families")
def list_families(request: HttpRequest):
    return ProductFamily.objects.order_by("is_archived", "name")[:1000]


@router.post("/catalog/families", response={**WRITE, 201: FamilyOut}, summary="Create a product family")
def create_family(request: HttpRequest, payload: FamilyIn):
    return Status(
        201, _write(request, lambda user: catalog.create_family(actor=user, **payload.model_dump()))
    )


@router.patch(
    "/catalog/families/{id}", response={**WRITE, 200: FamilyOut}, summary="Update or archive a family"
)
def update_family(request: HttpRequest, payload: FamilyPatch, id: int = path_id()):
    family = get_object_or_404(ProductFamily, pk=id)
    changes = payload.model_dump(exclude_unset=True)
    return _write(request, lambda user: catalog.update_family(family, actor=user, changes=changes))


# --- products ---------------------------------------------------------------------------------------------


class ProductOut(Schema):
    id: int
    code: str
    name: str
    name_en: str
    family: Ref
    unit: str
    unit_cost: Decimal
    cost_currency: str
    description: str
    vat_exempt: bool
    is_archived: bool


class ProductIn(InputSchema):
    code: Code
    name: Text(200, required=True)
    name_en: Text(200) = ""
    family_id: Id
    unit: Text(30) = ""
    unit_cost: Money = Decimal(0)
    cost_currency: choice(Currency.values) = Currency.KRW.value
    description: Text(5000) = ""
    vat_exempt: StrictBool = False


class ProductPatch(PatchSchema):
    code: Code = None
    name: Text(200, required=True) = None
    name_en: Text(200) = None
    family_id: Id = None
    unit: Text(30) = None
    unit_cost: Money = None
    cost_currency: choice(Currency.values) = None
    description: Text(5000) = None
    vat_exempt: StrictBool = None
    is_archived: StrictBool = None


@router.get("/catalog/products", response=responses({200: list[ProductOut]}), summary="Products")
def list_products(request: HttpRequest):
    return Product.objects.select_related("family").order_by("is_archived", "code")[:1000]


@router.get("/catalog/products/{id}", response=responses({200: ProductOut}), summary="A product")
def get_product(request: HttpRequest, id: int = path_id()):
    return get_object_or_404(Product.objects.select_related("family"), pk=id)


@router.post("/catalog/products", response={**WRITE, 201: ProductOut}, summary="Create a product")
def create_product(request: HttpRequest, payload: ProductIn):
    values = resolve_refs(payload.model_dump(), _family_refs())
    return Status(201, _write(request, lambda user: catalog.create_product(actor=user, **values)))


@router.patch(
    "/catalog/products/{id}", response={**WRITE, 200: ProductOut}, summary="Update or archive a product"
)
def update_product(request: HttpRequest, payload: ProductPatch, id: int = path_id()):
    product = get_object_or_404(Product, pk=id)
    changes = resolve_refs(payload.model_dump(exclude_unset=True), _family_refs())
    return _write(request, lambda user: catalog.update_product(product, actor=user, changes=changes))


# --- price lists ------------------------------------------------------------------------------------------


class PriceOut(Schema):
    id: int
    product: Ref
    product_code: str
    unit_price: Decimal

    @staticmethod
    def resolve_product_code(obj: PriceListEntry) -> str:
        return obj.product.code


class PriceListOut(Schema):
    id: int
    name: str
    currency: str
    is_default: bool
    is_archived: bool


class PriceListDetailOut(PriceListOut):
    prices: list[PriceOut]

    @staticmethod
    def resolve_prices(obj: PriceList) -> list[PriceListEntry]:
        return list(obj.entries.select_related("product").order_by("product__code"))


class PriceListIn(InputSchema):
    name: Text(100, required=True)
    currency: choice(Currency.values) = Currency.KRW.value
    is_default: StrictBool = False


class PriceListPatch(PatchSchema):
    name: Text(100, required=True) = None
    currency: choice(Currency.values) = None
    is_default: StrictBool = None
    is_archived: StrictBool = None


class PriceIn(InputSchema):
    unit_price: Money


@router.get("/catalog/price-lists", response=responses({200: list[PriceListOut]}), summary="Price lists")
def list_price_lists(request: HttpRequest):
    return PriceList.objects.order_by("is_archived", "-is_default", "name")[:1000]


@router.get(
    "/catalog/price-lists/{id}",
    response=responses({200: PriceListDetailOut}),
    summary="A price list and its prices",
)
def get_price_list(request: HttpRequest, id: int = path_id()):
    return get_object_or_404(PriceList, pk=id)


@router.post(
    "/catalog/price-lists", response={**WRITE, 201: PriceListDetailOut}, summary="Create a price list"
)
def create_price_list(request: HttpRequest, payload: PriceListIn):
    return Status(
        201, _write(request, lambda user: catalog.create_price_list(actor=user, **payload.model_dump()))
    )


@router.patch(
    "/catalog/price-lists/{id}",
    response={**WRITE, 200: PriceListDetailOut},
    summary="Update, make default or archive a price list",
)
def update_price_list(request: HttpRequest, payload: PriceListPatch, id: int = path_id()):
    price_list = get_object_or_404(PriceList, pk=id)
    changes = payload.model_dump(exclude_unset=True)
    return _write(request, lambda user: catalog.update_price_list(price_list, actor=user, changes=changes))


@router.put(
    "/catalog/price-lists/{id}/prices/{product_id}",
    response={**WRITE, 200: PriceOut},
    summary="Set a product's price on a price list",
)
def set_price(request: HttpRequest, payload: PriceIn, id: int = path_id(), product_id: int = path_id()):
    price_list = get_object_or_404(PriceList, pk=id)
    product = get_object_or_404(Product, pk=product_id)
    return _write(
        request, lambda user: catalog.set_price(price_list, product, payload.unit_price, actor=user)
    )


@router.delete(
    "/catalog/price-lists/{id}/prices/{product_id}",
    response={**WRITE, 204: None},
    summary="Take a product off a price list",
)
def remove_price(request: HttpRequest, id: int = path_id(), product_id: int = path_id()):
    entry = get_object_or_404(PriceListEntry, price_list_id=id, product_id=product_id)
    _write(request, lambda user: catalog.remove_price(entry, actor=user))
    return Status(204, None)
