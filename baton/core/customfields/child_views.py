"""The custom fields of the records that hang under the customer records (contracts and support
cases): one box on their pages, loaded after the page, and one form, for every such kind the apps
register (``schema.register_custom_field_model``). Visibility and edit rights are the record's own
(``core.records``); the values go through ``update_record`` like every write, so types, limits,
required fields and roles are checked in one place."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from baton.core.customfields.display import custom_rows
from baton.core.customfields.forms import CustomFieldsMixin
from baton.core.customfields.schema import child_model, child_url_name, readable_custom_fields
from baton.core.http import AuthedHttpRequest
from baton.core.records import can_edit, get_for_user
from baton.core.services import ConflictError, update_record
from baton.core.views_generic import apply_validation_error, style_form

# Activities have their own form and page (the activities app draws the fields itself).
CHILD_PAGES = ("contract", "case")


def _record(request: AuthedHttpRequest, kind: str, pk: int) -> Any:
    model = child_model(kind) if kind in CHILD_PAGES else None
    if model is None:
        raise Http404("Not found")
    return get_for_user(model._default_manager.all(), request.user, pk)


class ChildValuesForm(CustomFieldsMixin, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, kind: str, record: Any, user: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["version"].initial = record.version
        self.wire_custom_fields(kind, record.custom_field_data, user)
        style_form(self)


@login_required
def child_panel(request: AuthedHttpRequest, kind: str, pk: int) -> HttpResponse:
    """The box on a contract's or case's page: the values the reader may read, and a link to edit."""
    record = _record(request, kind, pk)
    context = {
        "kind": kind,
        "record": record,
        "rows": custom_rows(request.user, record),
        "has_fields": bool(readable_custom_fields(request.user, kind)),
        "can_edit": can_edit(request.user, record),
    }
    return render(request, "core/customfields/_child_panel.html", context)


@login_required
def child_edit(request: AuthedHttpRequest, kind: str, pk: int) -> HttpResponse:
    record = _record(request, kind, pk)
    if not can_edit(request.user, record):
        raise PermissionDenied(_("You may read this record but not change it."))
    form = ChildValuesForm(request.POST or None, kind=kind, record=record, user=request.user)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            values = form.add_custom_values({}, changed_only=True).get("custom_field_data", {})
            try:
                with transaction.atomic():  # a refusal rolls back to here, and the page goes on
                    update_record(
                        record,
                        actor=request.user,
                        changes={"custom_field_data": values},
                        expected_version=form.cleaned_data["version"],
                    )
            except ValidationError as exc:
                apply_validation_error(form, exc)
            except ConflictError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("Saved."))
                page = child_url_name(kind)
                return (
                    redirect(page, record.pk)
                    if page
                    else redirect("core:custom_field_values", kind, record.pk)
                )
    return render(
        request,
        "core/customfields/child_edit.html",
        {"form": form, "kind": kind, "record": record, "back": child_url_name(kind)},
        status=status,
    )
