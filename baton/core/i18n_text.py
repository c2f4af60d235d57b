"""Text stored now, read later in the reader's language: a message code (the untranslated source
string) plus its parameters, translated when it is rendered rather than when it is written.

``Msg(gettext_noop("%(user)s commented on %(record)s"), user=actor, record=lead)`` is stored as JSON
(``Msg.as_json()``) next to a rendered copy; pages call ``render_message(data)`` at read time, so a
notification written for a Korean reader reads in English once they switch. Parameters are plain
text (names), numbers, lists, nested messages or lazy labels, bilingual data names (``Bilingual``)
or times (``Moment``).
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any

from django.utils import translation
from django.utils.dateparse import parse_datetime
from django.utils.functional import Promise
from django.utils.translation import gettext

from baton.core.timefmt import absolute

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Bilingual:
    """A name that is data stored in both languages (stage, reason names)."""

    ko: str
    en: str = ""


@dataclass(frozen=True)
class Moment:
    """A point in time, shown in the reader's zone and format."""

    at: dt.datetime


class Msg:
    """A translatable message with parameters; ``str()`` renders it in the active language."""

    def __init__(self, source: str, **params: Any):
        self.source = source
        self.params = params

    def as_json(self) -> dict[str, Any]:
        return {"m": self.source, "p": {key: _encode(value) for key, value in self.params.items()}}

    def __str__(self) -> str:
        return render_message(self.as_json())


def _encode(value: Any) -> Any:
    if isinstance(value, Msg):
        return {"msg": value.as_json()}
    if isinstance(value, Bilingual):
        return {"ko": value.ko, "en": value.en}
    if isinstance(value, Moment):
        return {"at": value.at.isoformat()}
    if isinstance(value, list | tuple):
        return {"list": [_encode(item) for item in value]}
    if isinstance(value, Promise):
        # A lazy gettext label (a choice label): keep its source so it is translated when read.
        args: tuple[Any, ...] = getattr(value, "_args", ())
        if len(args) == 1 and isinstance(args[0], str):
            return {"msg": {"m": args[0], "p": {}}}
        return str(value)
    if isinstance(value, int | float | str) or value is None:
        return value
    return str(value)


def _decode(value: Any) -> Any:
    if isinstance(value, dict):
        if "list" in value:
            return ", ".join(str(_decode(item)) for item in value["list"])
        if "msg" in value:
            return render_message(value["msg"])
        if "ko" in value:
            english = value.get("en") or ""
            return english if translation.get_language() == "en" and english else value["ko"] or english
        if "at" in value:
            moment = parse_datetime(str(value["at"]))
            return absolute(moment) if moment else ""
    return "" if value is None else value


def render_message(data: dict[str, Any] | None, fallback: str = "") -> str:
    """The stored message in the active language; ``fallback`` (the stored text) if it cannot be."""
    if not data or not data.get("m"):
        return fallback
    params = {key: _decode(value) for key, value in (data.get("p") or {}).items()}
    template = gettext(data["m"])
    try:
        return template % params if params else template
    except (KeyError, TypeError, ValueError):
        log.warning("message %r does not fit its parameters", data["m"])
        return fallback or data["m"]
