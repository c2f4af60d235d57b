"""Template helpers for list pages (query strings, sort headers, page numbers) and record display."""

from __future__ import annotations

from typing import Any

from django import template
from django.conf import settings
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from baton.core import fieldaccess
from baton.core.korean import format_brn
from baton.core.listing import Page
from baton.core.money import format_money
from baton.core.phones import format_phone, phone_uri

register = template.Library()


@register.simple_tag(takes_context=True)
def query(context: template.Context, **changes: Any) -> str:
    """The current list's query string with ``changes`` applied (None removes a parameter)."""
    request = context["request"]
    params = request.GET.copy()
    for key, value in changes.items():
        if value is None or value == "":
            params.pop(key, None)
        else:
            params[key] = value
    encoded = params.urlencode()
    return f"?{encoded}" if encoded else "?"


@register.inclusion_tag("core/partials/_sort_header.html", takes_context=True)
def sort_header(context: template.Context, key: str, label: str) -> dict:
    state = context.get("state") or {}
    current = state.get("ordering", "")
    active = current.lstrip("-") == key
    desc = active and current.startswith("-")
    next_ordering = key if (active and desc) else ("-" + key if active else key)
    return {
        "request": context["request"],
        "list_url": context.get("list_url", ""),
        "label": label,
        "active": active,
        "desc": desc,
        "next_ordering": next_ordering,
    }


@register.simple_tag
def page_numbers(page: Page) -> list[int | None]:
    """Page numbers to link: the first, a window around the current one and, when known, the last.
    None marks a gap."""
    last = None if page.count_capped else max(1, -(-page.count // page.per_page))
    window = range(max(1, page.number - 2), page.number + 3)
    numbers: list[int | None] = []
    for n in [1, *window]:
        if n < 1 or (last is not None and n > last) or n in numbers:
            continue
        if n > page.number and not page.has_next and last is None:
            continue
        if numbers and numbers[-1] is not None and n - numbers[-1] > 1:
            numbers.append(None)
        numbers.append(n)
    if last is not None and last not in numbers:
        if numbers and numbers[-1] is not None and last - numbers[-1] > 1:
            numbers.append(None)
        numbers.append(last)
    return numbers


@register.filter
def money(amount: Any, currency: str | None = None) -> str:
    return format_money(amount, currency or settings.BATON_DEFAULT_CURRENCY)


@register.filter
def brn(value: str) -> str:
    return format_brn(value or "")


@register.filter
def phone_link(value: str) -> str | SafeString:
    """``{{ contact.phone|phone_link }}``: the number as people read it, as a ``tel:`` link."""
    if not value:
        return ""
    uri = phone_uri(value)
    if not uri:
        return value
    return format_html('<a href="{}" class="text-nowrap">{}</a>', uri, format_phone(value))


@register.filter
def email_link(value: str) -> str | SafeString:
    """``{{ contact.email|email_link }}``: a ``mailto:`` link."""
    if not value:
        return ""
    return format_html('<a href="mailto:{}">{}</a>', value, value)


@register.simple_tag
def result_count(page: Page) -> str:
    if page.count_capped:
        return _("%(count)s+ results") % {"count": f"{page.count:,}"}
    return _("%(count)s results") % {"count": f"{page.count:,}"}


@register.filter
def field_label(model_or_obj: Any, name: str) -> str:
    return str(model_or_obj._meta.get_field(name).verbose_name)


PK_PLACEHOLDER = 999_999_999


@register.filter
def with_pk(url_pattern: str, pk: Any) -> str:
    """``{{ detail_url|with_pk:o.pk }}``: fill a URL reversed once with PK_PLACEHOLDER.

    Reversing a URL costs tens of microseconds; a board of hundreds of cards reverses it once."""
    return url_pattern.replace(str(PK_PLACEHOLDER), str(int(pk)))


@register.simple_tag(takes_context=True)
def sees(context: template.Context, model: str, name: str) -> bool:
    """Whether the signed-in user sees ``model``'s field ``name`` (core.fieldaccess):
    ``{% sees "deals.opportunity" "amount" as see_amount %}``."""
    return fieldaccess.can_see(context.get("user"), model, name)


@register.simple_tag(takes_context=True)
def shown(context: template.Context, obj: Any, name: str) -> Any:
    """``obj.name``, or None when the field is protected from the signed-in user (core.fieldaccess):
    ``{% shown contact "phone" as phone %}{{ phone|default:"–" }}``."""
    if obj is None or not fieldaccess.can_see(context.get("user"), obj, name):
        return None
    return getattr(obj, name, None)
