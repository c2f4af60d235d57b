"""The stored page layout of one record kind for one role (or for every role without its own)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class PageLayout(models.Model):
    """Sections of fields for the detail page and the edit form of ``object`` as seen by ``role``
    (blank: every role that has no layout of its own). ``sections`` is
    ``[{"title_ko", "title_en", "fields": [{"name", "readonly", "compact"}]}]`` in display order; a field
    name is a model field or ``cf_<key>`` for a custom field. No row means today's page, unchanged."""

    object = models.CharField(_("record type"), max_length=20)
    role = models.CharField(_("role"), max_length=32, blank=True)
    sections = models.JSONField(_("sections"), default=list, blank=True)
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["object", "role"]
        verbose_name = _("page layout")
        verbose_name_plural = _("page layouts")
        constraints = [models.UniqueConstraint(fields=["object", "role"], name="pagelayout_unique_role")]

    def __str__(self) -> str:
        return f"{self.object} / {self.role or '*'}"
