"""Vocabularies: small admin-editable lists (stages, departments, lost reasons) named in both languages.

``NamedVocabulary`` holds the name in Korean and English, the archived flag and the localised
``__str__``; ``Vocabulary`` adds the sort ``sequence``. Concrete models keep their own ``Meta``
(ordering, verbose names, constraints) and may redefine a field (e.g. a wider ``sequence``).
"""

from __future__ import annotations

from django.db import models
from django.utils import translation
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
