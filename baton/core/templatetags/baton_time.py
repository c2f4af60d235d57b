"""``{{ value|ago }}``: a relative time with the absolute local time as its tooltip;
``{{ value|when }}``: the absolute time in the reader's zone and language."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import template
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString

from baton.core.timefmt import absolute, as_datetime, relative

register = template.Library()


@register.filter
def ago(value: Any) -> SafeString | str:
    moment = as_datetime(value)
    if moment is None:
        return ""
    if not isinstance(moment, dt.datetime):
        return format_html('<time datetime="{}">{}</time>', moment.isoformat(), absolute(moment))
    if timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    return format_html(
        '<time datetime="{}" title="{}" data-testid="relative-time">{}</time>',
        moment.isoformat(timespec="seconds"),
        absolute(moment),
        relative(moment),
    )


@register.filter
def when(value: Any) -> str:
    moment = as_datetime(value)
    return absolute(moment) if moment is not None else ""
