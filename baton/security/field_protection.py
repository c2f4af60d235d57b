"""The admin's field protection page and its write: which roles see a protectable field.

The decision itself is made in ``core.fieldaccess`` (one module for every page, API, export and
history); this module only edits the rules, each change audited.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from baton.core import fieldaccess
from baton.core.audit import log_change, snapshot
from baton.core.http import AuthedHttpRequest
from baton.core.models import ChangeLog, FieldProtection, Role, User

#: Roles an admin may choose (administrators always see everything).
CHOOSABLE_ROLES = [(value, label) for value, label in Role.choices if value != Role.ADMIN]


@transaction.atomic
def set_field_protection(*, actor: User, model: str, field: str, protected: bool, roles: list[str]) -> None:
    """Protect ``model.field`` so only administrators and ``roles`` see it, or lift the protection.

    Unknown fields or roles are refused; every change writes an audit row with the roles before/after."""
    if not actor.is_admin:
        raise PermissionDenied(_("Only administrators manage field protection."))
    if fieldaccess.protectable(model, field) is None:
        raise ValidationError({"field": [_("This field cannot be protected.")]})
    allowed = {value for value, _label in CHOOSABLE_ROLES}
    unknown = [r for r in roles if r not in allowed]
    if unknown:
        raise ValidationError({"roles": [_("Unknown role: %(role)s") % {"role": ", ".join(unknown)}]})
    rule = FieldProtection.objects.select_for_update().filter(model_label=model, field_name=field).first()
    if not protected:
        if rule is not None:
            before = snapshot(rule, ["model_label", "field_name", "roles"])
            log_change(actor=actor, action=ChangeLog.Action.DELETE, instance=rule, before=before)
            rule.delete()
            _announce()
        return
    names = ["model_label", "field_name", "roles"]
    if rule is None:
        rule = FieldProtection.objects.create(model_label=model, field_name=field, roles=sorted(set(roles)))
        log_change(actor=actor, action=ChangeLog.Action.CREATE, instance=rule, after=snapshot(rule, names))
    elif sorted(set(roles)) != sorted(rule.roles):
        before = snapshot(rule, names)
        rule.roles = sorted(set(roles))
        rule.save(update_fields=["roles", "updated_at"])
        log_change(
            actor=actor,
            action=ChangeLog.Action.UPDATE,
            instance=rule,
            before=before,
            after=snapshot(rule, names),
        )
    _announce()


def _announce() -> None:
    # Now for this process, and again after the commit so no process keeps what it read in between.
    fieldaccess.rules_changed()
    transaction.on_commit(fieldaccess.rules_changed)


class FieldProtectionForm(forms.Form):
    """One field's rule: protected or not, and the roles that still see it."""

    key = forms.CharField(widget=forms.HiddenInput)
    protected = forms.BooleanField(label=gettext_lazy("Protected"), required=False)
    roles = forms.MultipleChoiceField(
        label=gettext_lazy("Roles that see it"),
        choices=CHOOSABLE_ROLES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )


@login_required
def admin_fields(request: AuthedHttpRequest) -> HttpResponse:
    """Administrators: every protectable field, whether it is protected and which roles see it."""
    if not request.user.is_admin:
        raise PermissionDenied
    status = 200
    if request.method == "POST":
        form = FieldProtectionForm(request.POST)
        if form.is_valid():
            model, _dot, field = form.cleaned_data["key"].rpartition(".")
            try:
                set_field_protection(
                    actor=request.user,
                    model=model,
                    field=field,
                    protected=form.cleaned_data["protected"],
                    roles=form.cleaned_data["roles"],
                )
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
                status = 400
            else:
                messages.success(request, _("Field protection saved."))
                return redirect("security:admin_fields")
        else:
            messages.error(request, _("Check the roles you chose."))
            status = 400
    rules = {(r.model_label, r.field_name): r for r in FieldProtection.objects.all()}
    role_labels = dict(Role.choices)
    rows = []
    for entry in fieldaccess.protectables():
        rule = rules.get((entry.model, entry.field))
        rows.append(
            {
                "entry": entry,
                "rule": rule,
                "roles": [str(role_labels.get(r, r)) for r in (rule.roles if rule else [])],
                "chosen": set(rule.roles) if rule else set(),
            }
        )
    return render(
        request,
        "security/admin_fields.html",
        {"rows": rows, "choosable": CHOOSABLE_ROLES},
        status=status,
    )
