"""The merge pages: pick the duplicate, choose field by field side by side, see what moved, undo."""

from __future__ import annotations

from typing import Any

from django import forms
from django.apps import apps
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from baton.accounts.merge import MODELS, choosable_fields, merge_records, undo_merge
from baton.accounts.models import Account, Contact, Merge
from baton.accounts.queries import accounts_for, contacts_for, get_account_for_user, get_contact_for_user
from baton.core.http import AuthedHttpRequest
from baton.core.models import User
from baton.core.params import id_param
from baton.core.records import can_edit
from baton.core.services import ConflictError, ServiceError
from baton.core.views_generic import LookupSelect, detail_url, display_value, style_form

TARGET, SOURCE = "target", "source"


def _get(kind: str, user: User, pk: Any) -> Account | Contact:
    return get_account_for_user(user, pk) if kind == Merge.Kind.ACCOUNT else get_contact_for_user(user, pk)


class PickForm(forms.Form):
    other = forms.ModelChoiceField(queryset=Account.objects.none())

    def __init__(self, *args: Any, kind: str, user: User, target: models.Model, **kwargs: Any):
        super().__init__(*args, **kwargs)
        field = self.fields["other"]
        assert isinstance(field, forms.ModelChoiceField)
        if kind == Merge.Kind.ACCOUNT:
            field.queryset = accounts_for(user).filter(is_archived=False).exclude(pk=target.pk)
            field.widget = LookupSelect("accounts:lookup")
            field.label = _("Account to merge into this one")
        else:
            field.queryset = contacts_for(user).filter(is_archived=False).exclude(pk=target.pk)
            field.widget = LookupSelect("contacts:lookup")
            field.label = _("Contact to merge into this one")
        field.widget.choices = field.choices
        style_form(self)


def _rows(target: models.Model, source: models.Model, chosen: dict[str, str]) -> list[dict[str, Any]]:
    rows = []
    for field in choosable_fields(type(target)):
        mine, _url = display_value(target, field.name)
        theirs, _url = display_value(source, field.name)
        default = SOURCE if getattr(target, field.attname) in ("", None) and mine != theirs else TARGET
        rows.append(
            {
                "name": field.attname,
                "label": str(field.verbose_name),
                "target": mine,
                "source": theirs,
                "same": getattr(target, field.attname) == getattr(source, field.attname),
                "choice": chosen.get(field.attname, default),
            }
        )
    return rows


def _merge_page(request: AuthedHttpRequest, kind: str, pk: int) -> HttpResponse:
    user = request.user
    target = _get(kind, user, pk)
    other_id = id_param(request.POST if request.method == "POST" else request.GET, "other")
    other = str(other_id) if other_id is not None else ""
    context: dict[str, Any] = {"kind": kind, "target": target, "target_url": detail_url(target)}
    if not other:
        context["pick_form"] = PickForm(kind=kind, user=user, target=target)
        return render(request, "accounts/merge.html", context)
    pick = PickForm({"other": other}, kind=kind, user=user, target=target)
    if not pick.is_valid():
        context["pick_form"] = pick
        return render(request, "accounts/merge.html", context, status=400)
    source = pick.cleaned_data["other"]
    chosen = {
        f.attname: request.POST.get(f"field_{f.attname}", TARGET)
        for f in choosable_fields(type(target))
        if request.method == "POST"
    }
    status = 200
    if request.method == "POST":
        take = [name for name, side in chosen.items() if side == SOURCE]
        try:
            merge = merge_records(
                target,
                source,
                actor=user,
                take_from_source=take,
                target_version=_int(request.POST.get("target_version")),
                source_version=_int(request.POST.get("source_version")),
            )
        except PermissionDenied as exc:
            context["error"], status = str(exc), 403
        except ConflictError as exc:
            context["error"], status = str(exc), 409
            target, source = _get(kind, user, target.pk), _get(kind, user, source.pk)
        except (ServiceError, ValidationError) as exc:
            context["error"] = "; ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
            status = 400
        else:
            messages.success(request, _("Merged. You can undo the merge from this page."))
            return redirect("accounts:merge_detail", merge.pk)
    context.update(
        source=source,
        source_url=detail_url(source),
        rows=_rows(target, source, chosen),
        can_merge=can_edit(user, target) and can_edit(user, source),
    )
    return render(request, "accounts/merge.html", context, status=status)


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() and len(value) < 10 else None


@login_required
def account_merge(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    return _merge_page(request, Merge.Kind.ACCOUNT, pk)


@login_required
def contact_merge(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    return _merge_page(request, Merge.Kind.CONTACT, pk)


def _get_merge_for_user(user: User, merge_id: int) -> tuple[Merge, Any, Any]:
    """A merge is seen by those who may see its kept record; 404 otherwise."""
    merge = Merge.objects.filter(pk=merge_id).first()
    if merge is None:
        raise Http404("Not found")
    model = MODELS[merge.kind]
    visible = model._default_manager.visible_to(user)  # type: ignore[attr-defined]
    records = {r.pk: r for r in visible.filter(pk__in=[merge.target_id, merge.source_id])}
    if merge.target_id not in records:
        raise Http404("Not found")
    return merge, records[merge.target_id], records.get(merge.source_id)


@login_required
def merge_detail(request: AuthedHttpRequest, merge_id: int) -> HttpResponse:
    merge, target, source = _get_merge_for_user(request.user, merge_id)
    moved = []
    for label, ids in merge.moved.items():
        model_label, _attname = label.rsplit(".", 1)
        moved.append((str(apps.get_model(model_label)._meta.verbose_name_plural), len(ids)))
    context = {
        "merge": merge,
        "kind_label": type(target)._meta.verbose_name,
        "target": target,
        "target_url": detail_url(target),
        "source": source,
        "source_url": detail_url(source) if source is not None else "",
        "moved": sorted(moved),
        "can_undo": not merge.is_undone
        and source is not None
        and can_edit(request.user, target)
        and can_edit(request.user, source),
    }
    return render(request, "accounts/merge_detail.html", context)


@login_required
@require_POST
def merge_undo(request: AuthedHttpRequest, merge_id: int) -> HttpResponse:
    merge, _target, source = _get_merge_for_user(request.user, merge_id)
    if source is None:
        raise Http404("Not found")
    try:
        undo_merge(merge, actor=request.user)
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    except ServiceError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The merge was undone."))
    return redirect("accounts:merge_detail", merge.pk)
