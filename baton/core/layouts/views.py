"""The page layout settings: every record type by role, and the editor of one layout."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from baton.core.audit import history_for
from baton.core.customfields.admin_forms import object_choices
from baton.core.http import AuthedHttpRequest
from baton.core.layouts import builder, services
from baton.core.layouts.models import PageLayout
from baton.core.layouts.registry import EVERY_ROLE, layout_kinds
from baton.core.models import Role
from baton.core.services import ConflictError


def _require_admin(request: AuthedHttpRequest) -> None:
    if not request.user.is_admin:
        raise PermissionDenied(_("Only administrators edit page layouts."))


def _target(kind: str, role: str) -> tuple[str, str]:
    """The kind and stored role a URL names (404 for an unknown one)."""
    if kind not in layout_kinds():
        raise Http404(_("This record type has no page layouts."))
    if role == EVERY_ROLE:
        return kind, ""
    if role not in Role.values:
        raise Http404(_("Unknown role."))
    return kind, role


def _role_label(role: str) -> str:
    return str(Role(role).label) if role else _("Every role")


def _kind_label(kind: str) -> str:
    return str(dict(object_choices()).get(kind, kind))


@login_required
def layout_list(request: AuthedHttpRequest) -> HttpResponse:
    _require_admin(request)
    stored = {(row.object, row.role): row for row in PageLayout.objects.all()}
    kinds = [(k, label) for k, label in object_choices() if k in layout_kinds()]
    roles = [(EVERY_ROLE, "", _("Every role")), *((r.value, r.value, r.label) for r in Role)]
    rows = [
        {
            "slug": slug,
            "label": label,
            "cells": [{"kind": kind, "layout": stored.get((kind, role))} for kind, _label in kinds],
        }
        for slug, role, label in roles
    ]
    return render(request, "core/layouts/list.html", {"kinds": kinds, "rows": rows})


@login_required
def layout_edit(request: AuthedHttpRequest, kind: str, role: str) -> HttpResponse:
    _require_admin(request)
    kind, stored_role = _target(kind, role)
    layout = PageLayout.objects.filter(object=kind, role=stored_role).first()
    sections: Any = layout.sections if layout else builder.default_sections(kind)
    errors: list[str] = []
    status = 200
    if request.method == "POST":
        sections = builder.sections_from_post(kind, request.POST)
        version_raw = str(request.POST.get("version") or "").strip()
        version = int(version_raw) if version_raw.isdigit() else None
        try:
            services.save_layout(
                actor=request.user, object=kind, role=stored_role, sections=sections, expected_version=version
            )
        except ValidationError as exc:
            errors = exc.messages
            status = 400
        except ConflictError as exc:
            errors = [str(exc)]
            status = 409
        else:
            messages.success(request, _("Layout saved."))
            return redirect("core:page_layout", kind=kind, role=role)
    context = {
        "kind": kind,
        "kind_label": _kind_label(kind),
        "role": role,
        "role_label": _role_label(stored_role),
        "layout": layout,
        "editor": builder.editor_rows(kind, sections),
        "errors": errors,
        "history": history_for(layout, limit=20, viewer=request.user) if layout else [],
    }
    return render(request, "core/layouts/edit.html", context, status=status)


@login_required
@require_POST
def layout_reset(request: AuthedHttpRequest, kind: str, role: str) -> HttpResponse:
    """Remove the layout: the role gets the one for every role, or else the page as it comes."""
    _require_admin(request)
    kind, stored_role = _target(kind, role)
    layout = PageLayout.objects.filter(object=kind, role=stored_role).first()
    if layout is None:
        raise Http404(_("There is no layout to remove."))
    version_raw = str(request.POST.get("version") or "").strip()
    try:
        services.reset_layout(
            layout, actor=request.user, expected_version=int(version_raw) if version_raw.isdigit() else None
        )
    except ConflictError as exc:
        messages.error(request, str(exc))
        return redirect("core:page_layout", kind=kind, role=role)
    messages.success(request, _("Layout removed."))
    return redirect("core:page_layouts")
