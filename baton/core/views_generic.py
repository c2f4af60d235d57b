"""Our own small generic views: a list, a detail and a create/edit form over permission-aware queries.

Each app's views subclass these once (two levels of inheritance at most) and declare *what* to show:
the queryset for the user, the list spec, the templates, and the service functions that write.
Reads of a user-chosen record go through the app's ``get_<thing>_for_user`` (404 otherwise); writes go
through the app's services, so the audit log and the version check apply to pages as to the API.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import models
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views import View

from baton.core import fieldaccess
from baton.core.audit import history_for
from baton.core.customfields.display import keyed_custom_rows, label_custom_history
from baton.core.customfields.forms import CustomFieldsMixin
from baton.core.customfields.listing import apply_custom
from baton.core.customfields.schema import kind_for_model
from baton.core.http import AuthedHttpRequest
from baton.core.korean import format_brn
from baton.core.layouts.resolve import detail_sections, layout_for, shape_form
from baton.core.listexport import EXPORT_FORMATS, list_export
from baton.core.listing import ListSpec, apply_spec, paginate, protected_spec
from baton.core.models import User
from baton.core.money import format_money
from baton.core.params import choice_param, int_param, note_ignored, text_param
from baton.core.phones import format_phone, phone_uri, validate_phone
from baton.core.records import assignable_users
from baton.core.services import ConflictError, DuplicateError, ServiceError
from baton.core.validators import validate_web_url

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


def is_htmx(request: HttpRequest) -> bool:
    """A partial swap requested by htmx (not a history restore, which needs the whole page)."""
    return (
        request.headers.get("HX-Request") == "true"
        and request.headers.get("HX-History-Restore-Request") != "true"
    )


def active_users() -> QuerySet[User]:
    return User.objects.filter(is_active=True).select_related("team").order_by("display_name", "username")


def assignable_owners(user: User, current_owner_id: int | None = None) -> QuerySet[User]:
    """The owners a form offers: the same assignable-users rule as the API (``core.records``), plus the
    record's current owner so that an unchanged owner stays valid."""
    allowed = Q(pk__in=assignable_users(user).values("pk"))
    if current_owner_id:
        allowed |= Q(pk=current_owner_id)
    return User.objects.filter(allowed).select_related("team").order_by("display_name", "username")


# --- forms ------------------------------------------------------------------------------------------


class ServiceModelForm(CustomFieldsMixin, forms.ModelForm):
    """A ModelForm that only parses input: the service validates the model and writes.

    Django's ModelForm copies the data onto the instance and validates it in ``_post_clean``; we skip
    that so the instance stays as loaded (the service diffs it for the change log) and so there is one
    validation path, the service's ``full_clean``, whose errors we map back onto the fields.
    """

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, user: User, **kwargs: Any):
        self.user = user
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version
        else:
            del self.fields["version"]
        self.limit_choices(user)
        self.refused_fields = protect_form(self, user, self._meta.model)
        # Custom fields of the record kind the user may read (``cf_<key>``), after the built-in ones.
        kind = kind_for_model(self._meta.model)
        self.wire_custom_fields(kind, getattr(self.instance, "custom_field_data", None), user)
        # The page layout of the user's role narrows what is left (none: the form as it always was).
        layout = layout_for(user, kind)
        self.layout_sections = (
            shape_form(self, layout, kind, creating=not self.instance.pk) if layout and kind else []
        )
        self.custom_names = [n for n in self.custom_names if n in self.fields]
        style_form(self)

    def layout_groups(self) -> list[dict[str, Any]]:
        """The layout's sections with their bound fields, for the template (empty without a layout)."""
        return [{"title": title, "fields": [self[n] for n in names]} for title, names in self.layout_sections]

    def clean(self) -> dict[str, Any] | None:
        cleaned = super().clean()
        refuse_protected(self)
        return cleaned

    def limit_choices(self, user: User) -> None:
        """Restrict foreign-key choices to what ``user`` may see; apps override."""

    def _post_clean(self) -> None:
        # The model's field validators (a BRN checksum, a phone number, a web address) run in the
        # service; run them here too on a throw-away copy, so one submit reports every field's error
        # together with the form's own (a bad e-mail) instead of one round each. Relations and the
        # model's clean() stay with the service, which may fill defaults the form does not show.
        names = [n for n in self._meta.fields or [] if n in self.cleaned_data and n not in self.errors]
        plain = {
            f.name
            for f in self.instance._meta.concrete_fields
            if f.name in names and not f.is_relation and getattr(f, "validators", None)
        }
        if not plain:
            return
        probe = copy.copy(self.instance)
        for name in plain:
            setattr(probe, name, self.cleaned_data[name])
        exclude = [f.name for f in probe._meta.fields if f.name not in plain]
        try:
            probe.clean_fields(exclude=exclude)
        except ValidationError as exc:
            for name, errors in exc.message_dict.items():
                if name in self.fields and name not in self.errors:
                    for message in errors:
                        self.add_error(name, message)

    def model_choice_field(self, name: str) -> forms.ModelChoiceField[Any]:
        """The form field ``name``, typed as the foreign-key select it is (to set its queryset)."""
        return model_choice_field(self, name)

    def choice_field(self, name: str) -> forms.ChoiceField:
        """The form field ``name``, typed as the choice field it is (to set its choices)."""
        return choice_field(self, name)

    def service_values(self) -> dict[str, Any]:
        """The model fields to write: all of them on create, only the changed ones on edit."""
        names = [n for n in self._meta.fields or [] if n in self.cleaned_data]
        if self.instance.pk:
            names = [n for n in names if n in self.changed_data]
        values = {n: self.cleaned_data[n] for n in names}
        return self.add_custom_values(values, changed_only=bool(self.instance.pk))


def protect_form(form: forms.BaseForm, user: User, model: type[models.Model]) -> list[str]:
    """Take the fields the user may not see out of the form; return those a submitted form still
    sets (``refuse_protected`` turns them into an error instead of ignoring them silently)."""
    hidden = fieldaccess.hidden_fields(user, model)
    for name in [n for n in form.fields if n in hidden]:
        del form.fields[name]
    return sorted(n for n in hidden if form.is_bound and n in form.data)


def refuse_protected(form: forms.BaseForm) -> None:
    refused = getattr(form, "refused_fields", [])
    if refused:
        form.add_error(
            None,
            _("You may not change protected fields: %(fields)s.") % {"fields": ", ".join(refused)},
        )


def model_choice_field(form: forms.BaseForm, name: str) -> forms.ModelChoiceField[Any]:
    field = form.fields[name]
    if not isinstance(field, forms.ModelChoiceField):
        raise TypeError(f"{name!r} is not a model choice field")
    return field


def choice_field(form: forms.BaseForm, name: str) -> forms.ChoiceField:
    field = form.fields[name]
    if not isinstance(field, forms.ChoiceField):
        raise TypeError(f"{name!r} is not a choice field")
    return field


def style_form(form: forms.BaseForm) -> None:
    """Bootstrap classes on every widget, so templates render fields in one loop."""
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.HiddenInput):
            continue
        if isinstance(widget, forms.CheckboxInput):
            css = "form-check-input"
        elif isinstance(widget, forms.RadioSelect | forms.CheckboxSelectMultiple):
            css = ""
        elif isinstance(widget, forms.Select):
            css = "form-select"
        else:
            css = "form-control"
        if css:
            widget.attrs["class"] = (widget.attrs.get("class", "") + " " + css).strip()
        if isinstance(widget, forms.Textarea):
            widget.attrs.setdefault("rows", 3)


def apply_validation_error(form: forms.BaseForm, exc: ValidationError) -> None:
    """Put a service's ValidationError on the matching fields (others become non-field errors)."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            target = name if name in form.fields and name != NON_FIELD_ERRORS else None
            for error in errors:
                form.add_error(target, error.messages if hasattr(error, "messages") else error)
    else:
        form.add_error(None, exc.messages)


class LookupSelect(forms.Select):
    """A select for large tables: renders only the chosen record, plus a search box that fetches
    matching options from ``lookup_url`` with htmx (the list of 200,000 accounts is never rendered)."""

    template_name = "core/widgets/lookup_select.html"

    def __init__(self, lookup_url_name: str, attrs: dict | None = None):
        super().__init__(attrs)
        self.lookup_url_name = lookup_url_name

    def optgroups(self, name: str, value: list[Any], attrs: dict | None = None) -> list:
        chosen = [v for v in value if v not in ("", None)]
        options = [self.create_option(name, "", "---------", not chosen, 0)]
        queryset = getattr(self.choices, "queryset", None)
        if chosen and queryset is not None:
            try:
                for index, obj in enumerate(queryset.filter(pk__in=chosen), start=1):
                    options.append(self.create_option(name, str(obj.pk), str(obj), True, index))
            except (ValueError, TypeError):
                pass
        return [(None, options, 0)]

    def get_context(self, name: str, value: Any, attrs: dict | None) -> dict:
        context = super().get_context(name, value, attrs)
        context["widget"]["lookup_url"] = reverse(self.lookup_url_name)
        return context


# --- display helpers -----------------------------------------------------------------------------------


@dataclass
class FieldRow:
    label: str
    value: Any
    url: str = ""
    # Left out of the compact layout: hidden on narrow screens unless the reader asks for every field.
    extra: bool = False


def display_value(obj: models.Model, name: str) -> tuple[Any, str]:
    """A field's value as people read it: choice labels, money with its currency, BRN with dashes."""
    field = obj._meta.get_field(name)
    if name == "amount" or name == "budget":
        return format_money(getattr(obj, name), getattr(obj, "currency", settings.BATON_DEFAULT_CURRENCY)), ""
    if name == "brn":
        return format_brn(getattr(obj, name)), ""
    if getattr(field, "choices", None):
        return getattr(obj, f"get_{name}_display")(), ""
    if isinstance(field, models.ForeignKey):
        related = getattr(obj, name)
        if related is None:
            return "", ""
        url = related.get_absolute_url() if hasattr(related, "get_absolute_url") else ""
        return str(related), url or detail_url(related)
    if isinstance(field, models.BooleanField):
        return (_("Yes") if getattr(obj, name) else _("No")), ""
    value = getattr(obj, name)
    if value and isinstance(field, models.EmailField):
        return value, f"mailto:{value}"
    validators = getattr(field, "validators", [])
    if value and validate_phone in validators:
        return format_phone(value), phone_uri(value)
    if value and validate_web_url in validators and value.lower().startswith(("http://", "https://")):
        return value, value
    return value, ""


def field_rows(obj: models.Model, names: Iterable[str]) -> list[FieldRow]:
    rows = []
    for name in names:
        value, url = display_value(obj, name)
        field = obj._meta.get_field(name)
        if isinstance(field, models.ForeignObjectRel):
            raise TypeError(f"{name!r} is a reverse relation, not a field of {obj._meta.label}")
        rows.append(FieldRow(str(field.verbose_name), value, url))
    return rows


_DETAIL_ROUTES = {
    "accounts.account": "accounts:detail",
    "accounts.contact": "contacts:detail",
    "leads.lead": "leads:detail",
    "deals.opportunity": "deals:detail",
}


def detail_url(obj: models.Model) -> str:
    route = _DETAIL_ROUTES.get(obj._meta.label_lower)
    return reverse(route, args=[obj.pk]) if route else ""


# --- views ---------------------------------------------------------------------------------------------


class RecordListView(LoginRequiredMixin, View):
    """Search, filters, sortable columns and numbered pages; htmx swaps just the table partial."""

    spec: ClassVar[ListSpec]
    template_name: ClassVar[str] = "core/generic/list.html"
    partial_template: ClassVar[str]
    title: ClassVar[StrOrPromise]
    create_url_name: ClassVar[str] = ""
    # (public sort key, column label) for the sortable headers; the partial lays out the cells.
    sort_columns: ClassVar[list[tuple[str, str]]] = []
    # Model fields a download of the list (``?export=csv|xlsx``) carries; empty: no download.
    export_columns: ClassVar[list[str]] = []
    export_name: ClassVar[str] = "list"

    def get_queryset(self, user: User) -> QuerySet:
        raise NotImplementedError

    def filter_fields(self, user: User, state: dict) -> list[dict]:
        """Filter controls: dicts of name, label and (value, label) choices."""
        return []

    def summary(self, qs: QuerySet) -> dict:
        """Extra context computed over the whole filtered list (e.g. totals), not just the page."""
        return {}

    def get(self, request: AuthedHttpRequest) -> HttpResponse:
        qs = self.get_queryset(request.user)
        spec = protected_spec(self.spec, request.user, qs.model)
        qs, state = apply_spec(qs, spec, request.GET, strict=False)
        kind = kind_for_model(qs.model)
        if kind and any(name.startswith("cf_") for name in request.GET):
            qs, custom_state = apply_custom(qs, request.user, kind, request.GET, strict=False)
            state["_ignored"] = state.get("_ignored", []) + custom_state.pop("_ignored", [])
            state.update(custom_state)
        try:
            fmt = choice_param(request.GET, "export", EXPORT_FORMATS) if self.export_columns else ""
        except ValidationError as exc:  # an unknown format: the list, with the value noted as ignored
            state["_ignored"] = [*state.get("_ignored", []), exc]
            fmt = ""
        if fmt:
            return list_export(
                fmt,
                qs,
                self.export_columns,
                user=request.user,
                filename=self.export_name,
                what=f"{self.title} ({request.GET.urlencode()[:150]})",
            )
        if not is_htmx(request):
            for error in state.get("_ignored", []):
                note_ignored(request, error)
        try:
            number = int_param(request.GET, "page", minimum=1)
        except ValidationError as exc:
            if not is_htmx(request):
                note_ignored(request, exc)
            number = None
        page = paginate(qs, number, settings.BATON_PAGE_SIZE)
        context = {
            **self.summary(qs),
            "page": page,
            "state": state,
            "title": self.title,
            "list_url": request.path,
            "partial_template": self.partial_template,
            "sort_columns": self.sort_columns,
            "create_url": reverse(self.create_url_name) if self.create_url_name else "",
            "exportable": bool(self.export_columns),
        }
        if is_htmx(request):
            response = render(request, self.partial_template, context)
        else:
            context["filters"] = self.filter_fields(request.user, state)
            response = render(request, self.template_name, context)
        patch_vary_headers(response, ["HX-Request"])
        return response


class RecordDetailView(LoginRequiredMixin, View):
    """One record the user may see (404 otherwise), its fields and its change history."""

    template_name: ClassVar[str]
    fields: ClassVar[list[str]] = []

    def get_object(self, user: User, pk: int) -> models.Model:
        raise NotImplementedError

    def extra_context(self, request: AuthedHttpRequest, obj: Any) -> dict:
        return {}

    def get(self, request: AuthedHttpRequest, pk: int) -> HttpResponse:
        obj = self.get_object(request.user, pk)
        return self.render_detail(request, obj)

    def render_detail(
        self, request: AuthedHttpRequest, obj: Any, *, status: int = 200, **extra: Any
    ) -> HttpResponse:
        history = history_for(obj, limit=30, viewer=request.user)
        label_custom_history(request.user, obj, [h for h in history if h.object_id == obj.pk])
        names = fieldaccess.visible_names(request.user, obj, self.fields)
        rows = field_rows(obj, names)
        custom = keyed_custom_rows(request.user, obj)
        rows += [FieldRow(label, text, url) for _key, label, text, url in custom]
        context: dict[str, Any] = {"object": obj, "rows": rows, "history": history}
        layout = layout_for(request.user, kind_for_model(obj))
        if layout is not None:
            # Only what the user may read reaches the layout, which can only leave rows out.
            named = dict(zip([*names, *(f"cf_{c[0]}" for c in custom)], rows, strict=True))
            sections = detail_sections(layout, named)
            context["rows"] = [row for section in sections for row in section.rows]
            context["layout_sections"] = sections
            context["layout_compact"] = any(row.extra for row in context["rows"])
        context.update(self.extra_context(request, obj))
        context.update(extra)
        return render(request, self.template_name, context, status=status)


class RecordFormView(LoginRequiredMixin, View):
    """Create (no pk) or edit (pk) a record through the app's services.

    Stale version -> 409 with the form and a clear message; ValidationError -> field errors (400);
    ServiceError (a domain rule refused) -> a message on the form (400).
    """

    form_class: ClassVar[type[ServiceModelForm]]
    # Creating checks for existing look-alikes: the create service takes ``allow_duplicate`` and a
    # match re-shows the form with the matches and a "create anyway" button (409).
    checks_duplicates: ClassVar[bool] = False
    template_name: ClassVar[str] = "core/generic/form.html"
    create_title: ClassVar[StrOrPromise] = ""
    edit_title: ClassVar[StrOrPromise] = ""
    cancel_url_name: ClassVar[str] = ""

    def get_object(self, user: User, pk: int) -> Any:
        raise NotImplementedError

    def create(self, user: User, values: dict[str, Any]) -> Any:
        raise NotImplementedError

    def update(self, user: User, obj: Any, values: dict[str, Any], version: int | None) -> Any:
        raise NotImplementedError

    def initial(self, request: AuthedHttpRequest) -> dict[str, Any]:
        return {}

    def prefill(self, request: AuthedHttpRequest) -> dict[str, Any]:
        """A new record's ``?name=`` (quick create from the top bar's search)."""
        name = " ".join(text_param(request.GET, "name", max_length=200).split())
        if name and "name" in self.form_class.base_fields:
            return {"name": name[:120]}
        return {}

    def check_editable(self, request: AuthedHttpRequest, obj: Any) -> HttpResponse | None:
        """Return a response to refuse editing (e.g. a converted lead), or None."""
        return None

    def get(self, request: AuthedHttpRequest, pk: int | None = None) -> HttpResponse:
        obj = self.get_object(request.user, pk) if pk is not None else None
        if obj is not None and (refusal := self.check_editable(request, obj)):
            return refusal
        initial = (
            self.initial(request) if obj is not None else {**self.prefill(request), **self.initial(request)}
        )
        form = self.form_class(instance=obj, initial=initial, user=request.user)
        return self.render_form(request, form, obj)

    def post(self, request: AuthedHttpRequest, pk: int | None = None) -> HttpResponse:
        obj = self.get_object(request.user, pk) if pk is not None else None
        if obj is not None and (refusal := self.check_editable(request, obj)):
            return refusal
        form = self.form_class(request.POST, instance=obj, user=request.user)
        if not form.is_valid():
            return self.render_form(request, form, obj, status=400)
        values = form.service_values()
        if obj is None and self.checks_duplicates:
            values["allow_duplicate"] = request.POST.get("allow_duplicate") == "1"
        try:
            if obj is None:
                saved = self.create(request.user, values)
                messages.success(request, _("Created %(name)s.") % {"name": saved})
            else:
                saved = self.update(request.user, obj, values, form.cleaned_data.get("version"))
                messages.success(request, _("Saved %(name)s.") % {"name": saved})
        except ConflictError as exc:
            form.add_error(None, str(exc))
            return self.render_form(request, form, obj, status=409)
        except ValidationError as exc:
            apply_validation_error(form, exc)
            return self.render_form(request, form, obj, status=400)
        except DuplicateError as exc:
            return self.render_form(request, form, obj, status=409, duplicates=exc.matches)
        except ServiceError as exc:
            form.add_error(None, str(exc))
            messages.error(request, str(exc))
            return self.render_form(request, form, obj, status=400)
        return HttpResponseRedirect(detail_url(saved))

    def render_form(
        self,
        request: AuthedHttpRequest,
        form: forms.BaseForm,
        obj: Any,
        *,
        status: int = 200,
        duplicates: list[dict[str, Any]] | None = None,
    ) -> HttpResponse:
        if obj is not None:
            cancel = detail_url(obj)
        else:
            cancel = reverse(self.cancel_url_name) if self.cancel_url_name else "/"
        context = {
            "form": form,
            "object": obj,
            "title": (self.edit_title % {"name": obj}) if obj is not None else self.create_title,
            "cancel_url": cancel,
            "duplicates": duplicates or [],
        }
        return render(request, self.template_name, context, status=status)


def filter_field(name: str, label: str, choices: Iterable[tuple[Any, Any]], state: dict) -> dict:
    """One filter control for the list template; values compared as strings."""
    current = state.get(name, "")
    if isinstance(current, bool):
        current = "true" if current else "false"
    return {
        "name": name,
        "label": label,
        "choices": [(str(v), str(lbl)) for v, lbl in choices],
        "value": str(current),
    }


def owner_choices() -> list[tuple[int, str]]:
    return [(u.pk, str(u)) for u in active_users()]


def run_action(
    request: HttpRequest,
    action: Callable[[], Any],
    *,
    form: forms.BaseForm | None = None,
    success: str = "",
) -> bool:
    """The shape of a POST that calls one service: run ``action``; on success say ``success`` (if
    given) and return True so the view redirects; otherwise put what the service refused on ``form``
    (field errors) or in a message, and return False so the view re-renders.

    Usage: ``if form.is_valid() and run_action(request, lambda: svc(...), form=form, success=_("Saved.")):
    return redirect(...)``."""
    try:
        action()
    except ValidationError as exc:
        if form is not None:
            apply_validation_error(form, exc)
        else:
            messages.error(request, " ".join(exc.messages))
        return False
    except (ServiceError, ConflictError, PermissionDenied) as exc:
        messages.error(request, str(exc) or _("You cannot do this."))
        return False
    if success:
        messages.success(request, success)
    return True
