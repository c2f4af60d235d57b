"""The catalogue is managed in pages and in the API (before, price lists could be made only in tests):
families, products, price lists and their prices; administrators and operations write, everyone reads,
every write audited, bad input changes nothing."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from baton.core.models import ChangeLog, Role, User
from baton.core.services import create_api_token
from baton.deals import catalog
from baton.deals.models import PriceList, PriceListEntry, Product, ProductFamily
from baton.deals.tests.factories import make_catalog


@pytest.fixture
def olga(personas):
    """Sales operations: keeps the catalogue."""
    return User.objects.create_user(username="olga", password="x", role=Role.OPERATIONS, display_name="Olga")


@pytest.fixture
def cat(db):
    return make_catalog()


def _audited(instance, action="create", pk=None) -> bool:
    return ChangeLog.objects.filter(
        object_id=str(pk or instance.pk), action=action, content_type__model=type(instance)._meta.model_name
    ).exists()


# --- services ----------------------------------------------------------------------------------------


def test_operations_and_admins_write_reps_do_not(olga, root, alice, cat):
    assert catalog.can_manage_catalog(olga) and catalog.can_manage_catalog(root)
    assert not catalog.can_manage_catalog(alice)
    with pytest.raises(PermissionDenied):
        catalog.create_price_list(actor=alice, name="USD", currency="USD")
    with pytest.raises(PermissionDenied):
        catalog.update_product(cat["erp"], actor=alice, changes={"is_archived": True})
    family = catalog.create_family(actor=olga, name="보안", name_en="Security")
    product = catalog.create_product(
        actor=olga, code="sec-fw", name="방화벽", family=family, unit_cost=Decimal(100), vat_exempt=True
    )
    price_list = catalog.create_price_list(actor=olga, name="USD list", currency="USD")
    entry = catalog.set_price(price_list, product, "12.50", actor=olga)
    for instance in (family, product, price_list, entry):
        assert _audited(instance), instance
    catalog.update_family(family, actor=root, changes={"is_archived": True})
    assert _audited(family, "update")
    with pytest.raises(ValidationError):  # an archived family takes no new products
        catalog.create_product(actor=olga, code="sec-2", name="x", family=family)
    entry_pk = entry.pk
    catalog.remove_price(entry, actor=olga)
    assert not PriceListEntry.objects.filter(pk=entry_pk).exists() and _audited(entry, "delete", entry_pk)


def test_one_default_price_list_per_currency(olga, cat):
    first = cat["price_list"]
    assert first.is_default
    second = catalog.create_price_list(actor=olga, name="2027 가격표", currency="KRW", is_default=True)
    first.refresh_from_db()
    assert second.is_default and not first.is_default
    usd = catalog.create_price_list(actor=olga, name="USD", currency="USD", is_default=True)
    second.refresh_from_db()
    assert usd.is_default and second.is_default  # other currencies keep theirs
    catalog.update_price_list(second, actor=olga, changes={"is_archived": True})
    second.refresh_from_db()
    assert second.is_archived and not second.is_default


def test_price_list_currency_fixed_once_priced_and_unknown_fields_refused(olga, cat):
    with pytest.raises(ValidationError) as exc:
        catalog.update_price_list(cat["price_list"], actor=olga, changes={"currency": "USD"})
    assert "currency" in exc.value.message_dict
    with pytest.raises(ValidationError):
        catalog.update_product(cat["erp"], actor=olga, changes={"id": 5})
    cat["price_list"].refresh_from_db()
    assert cat["price_list"].currency == "KRW"


# --- pages ----------------------------------------------------------------------------------------


def test_everyone_reads_the_catalogue_pages(client, alice, cat, django_assert_max_num_queries):
    client.force_login(alice)
    for url, text in [
        ("/deals/products/", "erp-core"),
        ("/deals/product-families/", "클라우드"),
        ("/deals/price-lists/", "표준 가격표"),
        (f"/deals/price-lists/{cat['price_list'].pk}/", "erp-seat"),
    ]:
        with django_assert_max_num_queries(8):
            page = client.get(url)
        assert page.status_code == 200, url
        assert text in page.content.decode(), url
        assert "/edit/" not in page.content.decode(), url  # no edit links for a rep


def test_list_pages_do_not_grow_with_rows(client, olga, cat, django_assert_num_queries):
    """The lists' query counts are fixed whatever the number of rows (no N+1)."""
    client.force_login(olga)
    urls = ["/deals/products/", "/deals/product-families/", "/deals/price-lists/"]
    urls.append(f"/deals/price-lists/{cat['price_list'].pk}/")
    counts = {}
    for url in urls:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        counts[url] = len(ctx.captured_queries)
    for n in range(5):
        family = ProductFamily.objects.create(name=f"F{n}")
        product = Product.objects.create(code=f"p-{n}", name=f"P{n}", family=family)
        PriceListEntry.objects.create(price_list=cat["price_list"], product=product, unit_price=n + 1)
        PriceList.objects.create(name=f"L{n}", currency="USD")
    for url, count in counts.items():
        with django_assert_num_queries(count):
            assert client.get(url).status_code == 200


def test_rep_cannot_write_through_pages(client, alice, cat):
    client.force_login(alice)
    product = cat["erp"]
    posts = [
        ("/deals/product-families/", {"name": "X"}),
        (f"/deals/product-families/{cat['families']['erp'].pk}/archive/", {}),
        ("/deals/products/new/", {"code": "x", "name": "x"}),
        (f"/deals/products/{product.pk}/edit/", {"code": "x"}),
        (f"/deals/products/{product.pk}/archive/", {}),
        ("/deals/price-lists/", {"name": "X", "currency": "KRW"}),
        (f"/deals/price-lists/{cat['price_list'].pk}/", {"product": product.pk, "unit_price": "1"}),
        (f"/deals/price-lists/{cat['price_list'].pk}/archive/", {}),
    ]
    for url, data in posts:
        assert client.post(url, data).status_code == 403, url
    assert client.get(f"/deals/products/{product.pk}/edit/").status_code == 403
    product.refresh_from_db()
    assert not product.is_archived and PriceList.objects.count() == 1 and ProductFamily.objects.count() == 2


def test_operations_manage_the_catalogue_in_pages(client, olga, cat):
    client.force_login(olga)
    r = client.post("/deals/product-families/", {"name": "보안", "name_en": "Security"})
    assert r.status_code == 302
    family = ProductFamily.objects.get(name="보안")
    r = client.post(
        "/deals/products/new/",
        {
            "code": "sec-fw",
            "name": "방화벽",
            "name_en": "Firewall",
            "family": family.pk,
            "unit": "대",
            "unit_cost": "700000",
            "cost_currency": "KRW",
            "vat_exempt": "on",
        },
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    product = Product.objects.get(code="sec-fw")
    assert product.vat_exempt and _audited(product)
    page = client.get(f"/deals/products/{product.pk}/edit/").content.decode()
    assert 'value="방화벽"' in page
    data = {
        "code": "sec-fw",
        "name": "차세대 방화벽",
        "family": family.pk,
        "unit_cost": "710000",
        "cost_currency": "KRW",
    }
    assert client.post(f"/deals/products/{product.pk}/edit/", data).status_code == 302
    product.refresh_from_db()
    assert product.name == "차세대 방화벽" and product.unit_cost == Decimal(710000) and not product.vat_exempt
    r = client.post("/deals/price-lists/", {"name": "2027 표준", "currency": "KRW", "is_default": "on"})
    price_list = PriceList.objects.get(name="2027 표준")
    assert r.status_code == 302 and r["Location"] == f"/deals/price-lists/{price_list.pk}/"
    r = client.post(f"/deals/price-lists/{price_list.pk}/", {"product": product.pk, "unit_price": "1200000"})
    assert r.status_code == 302
    entry = PriceListEntry.objects.get(price_list=price_list, product=product)
    assert entry.unit_price == Decimal(1_200_000)
    # The new default list prices deals from now on.
    assert catalog.list_price_for(product, "KRW") == Decimal(1_200_000)
    r = client.post(f"/deals/price-lists/{price_list.pk}/edit/", {"name": "2027 표준가", "currency": "KRW"})
    assert r.status_code == 302
    price_list.refresh_from_db()
    assert price_list.name == "2027 표준가" and not price_list.is_default
    assert client.post(f"/deals/price-lists/{price_list.pk}/prices/{entry.pk}/remove/").status_code == 302
    assert not PriceListEntry.objects.filter(pk=entry.pk).exists()
    assert client.post(f"/deals/products/{product.pk}/archive/").status_code == 302
    product.refresh_from_db()
    assert product.is_archived
    assert client.post(f"/deals/price-lists/{price_list.pk}/archive/").status_code == 302
    price_list.refresh_from_db()
    assert price_list.is_archived


def test_bad_input_on_pages_shows_errors_and_saves_nothing(client, olga, cat):
    client.force_login(olga)
    r = client.post(
        "/deals/products/new/",
        {
            "code": "erp-core",
            "name": "dup",
            "family": cat["families"]["erp"].pk,
            "unit_cost": "1.5",
            "cost_currency": "KRW",
        },
    )
    assert r.status_code == 400
    assert 'data-testid="error-code"' in r.content.decode()
    r = client.post("/deals/price-lists/", {"name": "표준 가격표", "currency": "KRW"})  # the name is taken
    assert r.status_code == 400
    r = client.post(
        f"/deals/price-lists/{cat['price_list'].pk}/", {"product": cat["erp"].pk, "unit_price": "-1"}
    )
    assert r.status_code == 400
    r = client.post(f"/deals/price-lists/{cat['price_list'].pk}/edit/", {"name": "x", "currency": "USD"})
    assert r.status_code == 400 and 'data-testid="error-currency"' in r.content.decode()
    assert Product.objects.count() == 3 and PriceList.objects.count() == 1
    assert client.get("/deals/products/999999/edit/").status_code == 404


# --- API ----------------------------------------------------------------------------------------


def _api(client, user):
    _token, secret = create_api_token(user, name="t")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}

    def call(method, url, body=None):
        kwargs = dict(auth)
        if body is not None:
            kwargs.update(data=body, content_type="application/json")
        return getattr(client, method)(f"/api/v1{url}", **kwargs)

    return call


def test_api_reads_for_everyone_writes_for_operations(client, alice, olga, cat):
    rep = _api(client, alice)
    assert {p["code"] for p in rep("get", "/catalog/products").json()} == {
        "erp-core",
        "erp-seat",
        "cloud-std",
    }
    assert len(rep("get", "/catalog/families").json()) == 2
    detail = rep("get", f"/catalog/price-lists/{cat['price_list'].pk}").json()
    assert {p["product_code"]: p["unit_price"] for p in detail["prices"]}["erp-core"] in (
        "10000000.00",
        10000000.0,
    )
    assert rep("post", "/catalog/price-lists", {"name": "USD", "currency": "USD"}).status_code == 403
    assert rep("patch", f"/catalog/products/{cat['erp'].pk}", {"is_archived": True}).status_code == 403
    assert (
        rep("delete", f"/catalog/price-lists/{cat['price_list'].pk}/prices/{cat['erp'].pk}").status_code
        == 403
    )
    assert PriceList.objects.count() == 1

    ops = _api(client, olga)
    r = ops("post", "/catalog/families", {"name": "보안"})
    assert r.status_code == 201, r.content
    family_id = r.json()["id"]
    r = ops(
        "post",
        "/catalog/products",
        {
            "code": "sec-fw",
            "name": "방화벽",
            "family_id": family_id,
            "unit_cost": "700000",
            "vat_exempt": True,
        },
    )
    assert r.status_code == 201, r.content
    product_id = r.json()["id"]
    assert r.json()["vat_exempt"] is True and r.json()["family"]["id"] == family_id
    r = ops("post", "/catalog/price-lists", {"name": "USD list", "currency": "USD", "is_default": True})
    assert r.status_code == 201, r.content
    usd = r.json()["id"]
    r = ops("put", f"/catalog/price-lists/{usd}/prices/{product_id}", {"unit_price": "650.50"})
    assert r.status_code == 200, r.content
    assert len(ops("get", f"/catalog/price-lists/{usd}").json()["prices"]) == 1
    r = ops("patch", f"/catalog/products/{product_id}", {"name": "차세대 방화벽", "is_archived": True})
    assert r.status_code == 200 and r.json()["is_archived"] is True and r.json()["name"] == "차세대 방화벽"
    r = ops("patch", f"/catalog/families/{family_id}", {"is_archived": True})
    assert r.status_code == 200 and r.json()["is_archived"] is True
    assert ops("delete", f"/catalog/price-lists/{usd}/prices/{product_id}").status_code == 204
    assert ops("delete", f"/catalog/price-lists/{usd}/prices/{product_id}").status_code == 404
    r = ops("patch", f"/catalog/price-lists/{usd}", {"is_archived": True})
    assert r.status_code == 200 and r.json()["is_archived"] is True and r.json()["is_default"] is False
    assert ChangeLog.objects.filter(actor=olga).count() >= 8


def test_api_bad_input_is_422_and_saves_nothing(client, olga, cat):
    ops = _api(client, olga)
    family = cat["families"]["erp"].pk
    bad = [
        ("post", "/catalog/products", {"code": "has space", "name": "x", "family_id": family}),
        ("post", "/catalog/products", {"code": "ok", "name": "x", "family_id": 999999}),
        ("post", "/catalog/products", {"code": "erp-core", "name": "dup", "family_id": family}),
        ("post", "/catalog/products", {"code": "ok", "name": "x", "family_id": family, "unit_cost": "-5"}),
        ("post", "/catalog/products", {"code": "ok", "name": "x", "family_id": family, "extra": 1}),
        ("post", "/catalog/price-lists", {"name": "x", "currency": "XYZ"}),
        ("put", f"/catalog/price-lists/{cat['price_list'].pk}/prices/{cat['erp'].pk}", {"unit_price": "1.5"}),
        ("patch", f"/catalog/price-lists/{cat['price_list'].pk}", {"currency": "USD"}),
        ("patch", f"/catalog/products/{cat['erp'].pk}", {"is_archived": "yes"}),
    ]
    for method, url, body in bad:
        r = ops(method, url, body)
        assert r.status_code == 422, (url, body, r.status_code, r.content)
    assert Product.objects.count() == 3 and PriceList.objects.count() == 1
    assert PriceListEntry.objects.get(price_list=cat["price_list"], product=cat["erp"]).unit_price == Decimal(
        10_000_000
    )
    assert ops("patch", "/catalog/products/999999", {"name": "x"}).status_code == 404
