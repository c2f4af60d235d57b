"""Pages where administrators define custom fields and validation rules."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from baton.core.customfields import services
from baton.core.customfields.admin_forms import FieldForm, RuleForm, RuleTestForm, initial_of, object_choices
from baton.core.customfields.models import CustomField, FieldType, SchemaRevision, ValidationRule
from baton.core.customfields.schema import OBJECTS
from baton.core.http import AuthedHttpRequest
from baton.core.params import choice_param
from baton.core.records import get_for_user, record_model
from baton.core.views_generic import apply_validation_error, run_action


def _require_admin(request: AuthedHttpRequest) -> None:
    if not request.user.is_admin:
        raise PermissionDenied(_("Only administrators define custom fields and validation rules."))


@login_required
def field_list(request: AuthedHttpRequest) -> HttpResponse:
    _require_admin(request)
    fields = list(CustomField.objects.all())
    groups = [(kind, label, [f for f in fields if f.object == kind]) for kind, label in object_choices()]
    return render(
        request,
        "core/customfields/list.html",
        {
            "groups": groups,
            "rules": ValidationRule.objects.all(),
            "revisions": SchemaRevision.objects.select_related("created_by")[:10],
        },
    )


@login_required
def field_edit(request: AuthedHttpRequest, pk: int | None = None) -> HttpResponse:
    _require_admin(request)
    definition = get_object_or_404(CustomField, pk=pk) if pk is not None else None
    try:
        kind = choice_param(request.GET, "object", OBJECTS) or "lead"
    except ValidationError:
        kind = "lead"
    initial = initial_of(definition) if definition else {"object": kind}
    form = FieldForm(request.POST or None, initial=initial, definition=definition)
    if request.method == "POST" and form.is_valid():
        values = form.values()
        if definition is None:
            obj, key = values.pop("object"), values.pop("key")
            action: Any = lambda: services.create_field(actor=request.user, object=obj, key=key, **values)  # noqa: E731
        else:
            for name in ("object", "key", "type"):
                values.pop(name, None)
            action = lambda: services.update_field(definition, actor=request.user, changes=values)  # noqa: E731
        if run_action(request, action, form=form, success=_("Field saved.")):
            return redirect("core:custom_fields")
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "core/customfields/field_form.html",
        {"form": form, "definition": definition, "types": FieldType.choices},
        status=status,
    )


@login_required
@require_POST
def field_archive(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    _require_admin(request)
    definition = get_object_or_404(CustomField, pk=pk)
    if request.POST.get("restore") == "1":
        services.restore_field(definition, actor=request.user)
        messages.success(request, _("Field restored with its values."))
    else:
        services.archive_field(definition, actor=request.user)
        messages.success(request, _("Field archived; its values are kept."))
    return redirect("core:custom_fields")


@login_required
def field_type(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    """GET ?type=: the preview of a type change; POST: apply it."""
    _require_admin(request)
    definition = get_object_or_404(CustomField, pk=pk)
    source = request.POST if request.method == "POST" else request.GET
    new_type = str(source.get("type") or "")
    preview = None
    error = ""
    if new_type:
        try:
            preview = services.preview_type_change(definition, new_type)
        except ValidationError as exc:
            error = " ".join(exc.messages)
    if request.method == "POST" and preview is not None:
        drop = request.POST.get("drop_unconvertible") == "1"
        if run_action(
            request,
            lambda: services.change_type(
                definition, actor=request.user, new_type=new_type, drop_unconvertible=drop
            ),
            success=_("Type changed."),
        ):
            return redirect("core:custom_fields")
    return render(
        request,
        "core/customfields/type_change.html",
        {
            "definition": definition,
            "types": [t for t in FieldType.choices if t[0] != definition.type],
            "new_type": new_type,
            "preview": preview,
            "error": error,
        },
        status=400 if error else 200,
    )


@login_required
def rule_edit(request: AuthedHttpRequest, pk: int | None = None) -> HttpResponse:
    _require_admin(request)
    rule = get_object_or_404(ValidationRule, pk=pk) if pk is not None else None
    form = RuleForm(request.POST or None, instance=rule)
    test_form = RuleTestForm()
    result = None
    if request.method == "POST" and form.is_valid():
        values = {
            k: form.cleaned_data[k] for k in ("name", "expression", "message_ko", "message_en", "error_field")
        }
        if rule is None:
            obj = form.cleaned_data["object"]
            action: Any = lambda: services.create_rule(actor=request.user, object=obj, **values)  # noqa: E731
        else:
            action = lambda: services.update_rule(rule, actor=request.user, changes=values)  # noqa: E731
        if run_action(request, action, form=form, success=_("Rule saved. Test it, then switch it on.")):
            return redirect("core:custom_fields")
    return render(
        request,
        "core/customfields/rule_form.html",
        {"form": form, "rule": rule, "test_form": test_form, "result": result},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_POST
def rule_test(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    """Run the rule (or the expression being edited) on one record, without saving anything."""
    _require_admin(request)
    rule = get_object_or_404(ValidationRule, pk=pk)
    test_form = RuleTestForm(request.POST)
    result = None
    status = 400
    if test_form.is_valid():
        expression = test_form.cleaned_data["expression"] or rule.expression
        record = get_for_user(
            record_model(rule.object)._default_manager.all(),
            request.user,
            test_form.cleaned_data["record_id"],
        )
        try:
            result = services.try_rule(rule.object, expression, record)
            status = 200
        except ValidationError as exc:
            apply_validation_error(test_form, exc)
    return render(
        request,
        "core/customfields/rule_form.html",
        {"form": RuleForm(instance=rule), "rule": rule, "test_form": test_form, "result": result},
        status=status,
    )


@login_required
@require_POST
def rule_toggle(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    _require_admin(request)
    rule = get_object_or_404(ValidationRule, pk=pk)
    active = request.POST.get("active") == "1"
    run_action(
        request,
        lambda: services.update_rule(rule, actor=request.user, changes={"is_active": active}),
        success=_("Rule switched on.") if active else _("Rule switched off."),
    )
    return redirect("core:custom_fields")
