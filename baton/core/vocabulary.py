"""Vocabularies: small admin-editable lists (stages, departments, lost reasons) named in both languages.

``NamedVocabulary`` holds the name in Korean and English, the archived flag and the localised
``__str__``; ``Vocabulary`` adds the sort ``sequence``. Concrete models keep their own ``Meta``
(ordering, verbose names, constraints) and may redefine a field (e.g. a wider ``sequence``).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


def localized(korean: str, english: str) -> str:
    """Names that are data are stored in both languages; show the active one (Korean by default)."""
    if translation.get_language() == "en" and english:
        return english
    return korean or english


class NamedVocabulary(models.Model):
    """A named entry of an admin-editable list: Korean and English name, archived instead of deleted."""

    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100, blank=True)
    is_archived = models.BooleanField(_("archived"), default=False)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return localized(self.name, self.name_en)


class Vocabulary(NamedVocabulary):
    """A named entry with its place in the list."""

    sequence = models.PositiveSmallIntegerField(_("sequence"), default=10)

    class Meta:
        abstract = True


def stripped_names(values: dict[str, Any]) -> dict[str, Any]:
    """``values`` with the names trimmed (an API body is not a form: nothing trimmed them yet)."""
    return {k: v.strip() if k in ("name", "name_en") and isinstance(v, str) else v for k, v in values.items()}


def refuse_duplicate_name(model: type[models.Model], pk: int | None, values: dict[str, Any]) -> None:
    """An entry may not take a name (Korean or English, any case) another entry of the same list has,
    archived or not: people, the API and imports pick entries by name, so two must never answer to one.
    Raises ValidationError on the clashing field(s)."""
    errors: dict[str, list[str]] = {}
    for field in ("name", "name_en"):
        text = str(values.get(field) or "").strip()
        if not text:
            continue
        clash = model._default_manager.filter(models.Q(name__iexact=text) | models.Q(name_en__iexact=text))
        if pk is not None:
            clash = clash.exclude(pk=pk)
        if clash.exists():
            errors[field] = [gettext("Another entry is already named “%(name)s”.") % {"name": text}]
    if errors:
        raise ValidationError(errors)
