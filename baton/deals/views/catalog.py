"""Pages of the catalogue: the product list (with quick adds), product families, products, price lists
and their prices.

Everyone signed in reads them (reps pick products and see list prices); administrators and operations
(``catalog.can_manage_catalog``) create, edit and archive. Catalogue records are shared by the whole
organisation, so there is no per-user visibility to apply. Every write goes through ``catalog``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from baton.core.http import AuthedHttpRequest
from baton.core.models import User
from baton.core.views_generic import run_action
from baton.deals import catalog
from baton.deals.forms import (
    EntryForm,
    FamilyForm,
    PriceForm,
    PriceListForm,
    ProductForm,
    StyledForm,
)
from baton.deals.models import (
    PriceList,
    PriceListEntry,
    Product,
    ProductFamily,
)

CATALOG_FORMS: dict[str, type[StyledForm]] = {
    "family": FamilyForm,
    "product": ProductForm,
    "price": PriceForm,
}


def _save_catalog(user: User, kind: str, data: dict[str, Any]) -> None:
    if kind == "family":
        catalog.create_family(actor=user, **data)
    elif kind == "product":
        catalog.create_product(actor=user, **data)
    else:
        catalog.set_price(data["price_list"], data["product"], data["unit_price"], actor=user)


@login_required
def products(request: AuthedHttpRequest) -> HttpResponse:
    """The catalog; administrators add families, products and list prices here."""
    manager = catalog.can_manage_catalog(request.user)  # type: ignore[arg-type]
    forms = {kind: cls() for kind, cls in CATALOG_FORMS.items()} if manager else {}
    status = 200
    if request.method == "POST":
        if not manager:
            raise PermissionDenied
        kind = request.POST.get("form", "")
        if kind not in CATALOG_FORMS:
            raise Http404("Not found")
        form = CATALOG_FORMS[kind](request.POST)
        forms[kind] = form
        if (
            form.is_valid()
            and run_action(request, lambda: _save_catalog(request.user, kind, form.cleaned_data), form=form)
            and not form.errors
        ):
            messages.success(request, _("Saved."))
            return redirect("deals:products")
        status = 400
    items = (
        Product.objects.select_related("family").prefetch_related("prices__price_list").order_by("code")[:500]
    )
    context = {"products": items, "forms": forms, "manager": manager, "tab": "products"}
    return render(request, "deals/sales/products.html", context, status=status)


def _actor(request: AuthedHttpRequest) -> User:
    return cast(User, request.user)  # login_required: never anonymous here


def _require_manager(request: AuthedHttpRequest) -> None:
    if not catalog.can_manage_catalog(request.user):  # type: ignore[arg-type]
        raise PermissionDenied


def _save(request: AuthedHttpRequest, form: StyledForm, write: Callable[[dict[str, Any]], Any]) -> bool:
    """Validate the form and run the write; field errors land on the form. True when it wrote."""
    return (
        form.is_valid()
        and run_action(request, lambda: write(form.cleaned_data), form=form)
        and not form.errors
    )


def _edit_page(request: AuthedHttpRequest, form: StyledForm, *, title: str, back: str, status: int = 200):
    return render(
        request, "deals/catalog/form.html", {"form": form, "title": title, "back": back}, status=status
    )


# --- families --------------------------------------------------------------------------------------------


@login_required
def families(request: AuthedHttpRequest) -> HttpResponse:
    manager = catalog.can_manage_catalog(_actor(request))
    form = FamilyForm(request.POST or None) if manager else None
    status = 200
    if request.method == "POST":
        _require_manager(request)
        assert form is not None
        if _save(request, form, lambda data: catalog.create_family(actor=_actor(request), **data)):
            messages.success(request, _("Saved."))
            return redirect("deals:families")
        status = 400
    rows = ProductFamily.objects.annotate(
        product_count=Count("products", filter=Q(products__is_archived=False))
    ).order_by("is_archived", "name")
    context = {"families": rows, "form": form, "manager": manager, "tab": "families"}
    return render(request, "deals/catalog/families.html", context, status=status)


@login_required
def family_edit(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    _require_manager(request)
    family = get_object_or_404(ProductFamily, pk=pk)
    form = FamilyForm(request.POST or None, initial={"name": family.name, "name_en": family.name_en})
    if request.method == "POST":
        if _save(
            request, form, lambda data: catalog.update_family(family, actor=_actor(request), changes=data)
        ):
            messages.success(request, _("Saved."))
            return redirect("deals:families")
        return _edit_page(request, form, title=str(family), back="deals:families", status=400)
    return _edit_page(request, form, title=str(family), back="deals:families")


@login_required
@require_POST
def family_archive(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    _require_manager(request)
    family = get_object_or_404(ProductFamily, pk=pk)
    changes = {"is_archived": not family.is_archived}
    run_action(request, lambda: catalog.update_family(family, actor=_actor(request), changes=changes))
    return redirect("deals:families")


# --- products --------------------------------------------------------------------------------------------

PRODUCT_FORM_FIELDS = (
    "code",
    "name",
    "name_en",
    "family",
    "unit",
    "unit_cost",
    "cost_currency",
    "vat_exempt",
    "description",
)


@login_required
def product_new(request: AuthedHttpRequest) -> HttpResponse:
    _require_manager(request)
    form = ProductForm(request.POST or None)
    if request.method == "POST":
        if _save(request, form, lambda data: catalog.create_product(actor=_actor(request), **data)):
            messages.success(request, _("Saved."))
            return redirect("deals:products")
        return _edit_page(request, form, title=_("New product"), back="deals:products", status=400)
    return _edit_page(request, form, title=_("New product"), back="deals:products")


@login_required
def product_edit(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    _require_manager(request)
    product = get_object_or_404(Product.objects.select_related("family"), pk=pk)
    initial = {name: getattr(product, name) for name in PRODUCT_FORM_FIELDS}
    form = ProductForm(request.POST or None, initial=initial)
    if request.method == "POST":
        if _save(
            request, form, lambda data: catalog.update_product(product, actor=_actor(request), changes=data)
        ):
            messages.success(request, _("Saved."))
            return redirect("deals:products")
        return _edit_page(request, form, title=str(product), back="deals:products", status=400)
    return _edit_page(request, form, title=str(product), back="deals:products")


@login_required
@require_POST
def product_archive(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    _require_manager(request)
    product = get_object_or_404(Product, pk=pk)
    changes = {"is_archived": not product.is_archived}
    run_action(request, lambda: catalog.update_product(product, actor=_actor(request), changes=changes))
    return redirect("deals:products")


# --- price lists ------------------------------------------------------------------------------------------


@login_required
def price_lists(request: AuthedHttpRequest) -> HttpResponse:
    manager = catalog.can_manage_catalog(_actor(request))
    form = PriceListForm(request.POST or None) if manager else None
    status = 200
    if request.method == "POST":
        _require_manager(request)
        assert form is not None
        created: list[PriceList] = []
        if _save(
            request,
            form,
            lambda data: created.append(catalog.create_price_list(actor=_actor(request), **data)),
        ):
            messages.success(request, _("Saved."))
            return redirect("deals:price_list", created[0].pk)
        status = 400
    rows = PriceList.objects.annotate(entry_count=Count("entries")).order_by(
        "is_archived", "-is_default", "name"
    )
    context = {"price_lists": rows, "form": form, "manager": manager, "tab": "price_lists"}
    return render(request, "deals/catalog/price_lists.html", context, status=status)


@login_required
def price_list_detail(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    """A price list's prices; managers set a product's price here (a new one or a change)."""
    price_list = get_object_or_404(PriceList, pk=pk)
    manager = catalog.can_manage_catalog(_actor(request))
    form = EntryForm(request.POST or None) if manager else None
    status = 200
    if request.method == "POST":
        _require_manager(request)
        assert form is not None
        if _save(
            request,
            form,
            lambda data: catalog.set_price(
                price_list, data["product"], data["unit_price"], actor=_actor(request)
            ),
        ):
            messages.success(request, _("Saved."))
            return redirect("deals:price_list", price_list.pk)
        status = 400
    entries = PriceListEntry.objects.filter(price_list=price_list).select_related("product__family")
    context = {
        "price_list": price_list,
        "entries": entries.order_by("product__code"),
        "form": form,
        "manager": manager,
        "tab": "price_lists",
    }
    return render(request, "deals/catalog/price_list.html", context, status=status)


@login_required
def price_list_edit(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    _require_manager(request)
    price_list = get_object_or_404(PriceList, pk=pk)
    initial = {"name": price_list.name, "currency": price_list.currency, "is_default": price_list.is_default}
    form = PriceListForm(request.POST or None, initial=initial)
    if request.method == "POST":
        if _save(
            request,
            form,
            lambda data: catalog.update_price_list(price_list, actor=_actor(request), changes=data),
        ):
            messages.success(request, _("Saved."))
            return redirect("deals:price_list", price_list.pk)
        return _edit_page(request, form, title=str(price_list), back="deals:price_lists", status=400)
    return _edit_page(request, form, title=str(price_list), back="deals:price_lists")


@login_required
@require_POST
def price_list_archive(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    _require_manager(request)
    price_list = get_object_or_404(PriceList, pk=pk)
    changes = {"is_archived": not price_list.is_archived}
    run_action(request, lambda: catalog.update_price_list(price_list, actor=_actor(request), changes=changes))
    return redirect("deals:price_lists")


@login_required
@require_POST
def price_remove(request: AuthedHttpRequest, pk: int, entry_id: int) -> HttpResponse:
    _require_manager(request)
    entry = get_object_or_404(PriceListEntry, pk=entry_id, price_list_id=pk)
    run_action(request, lambda: catalog.remove_price(entry, actor=_actor(request)))
    return redirect("deals:price_list", pk)
