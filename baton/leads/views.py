"""Lead pages: list, detail with the interaction log and status actions, create/edit, conversion."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from baton.accounts.queries import get_account_for_user, get_contact_for_user
from baton.core.choices import CompanySize, Industry, Region
from baton.core.http import AuthedHttpRequest
from baton.core.models import User
from baton.core.money import Currency
from baton.core.services import ConflictError, ServiceError
from baton.core.views_generic import (
    RecordDetailView,
    RecordFormView,
    RecordListView,
    apply_validation_error,
    detail_url,
    filter_field,
    owner_choices,
)
from baton.deals.models import Stage
from baton.deals.services import default_pipeline
from baton.leads.forms import NEW, ConvertForm, InteractionForm, LeadForm, LeadStatusForm
from baton.leads.models import Lead, LeadSource, LeadStatus
from baton.leads.queries import LEAD_LIST, campaigns_for, get_lead_for_user, leads_for
from baton.leads.services import conversion_matches, convert_lead, create_lead, log_interaction, update_lead


class LeadListView(RecordListView):
    export_columns = [
        "name",
        "company",
        "title",
        "email",
        "phone",
        "industry",
        "region",
        "size",
        "source",
        "campaign",
        "status",
        "owner",
        "team",
        "created_at",
    ]
    export_name = "leads"
    spec = LEAD_LIST
    partial_template = "leads/partials/_table.html"
    title = gettext_lazy("Leads")
    create_url_name = "leads:create"

    def get_queryset(self, user: User):
        return leads_for(user)

    def filter_fields(self, user: User, state: dict) -> list[dict]:
        return [
            filter_field("status", _("Status"), LeadStatus.choices, state),
            filter_field("source", _("Source"), LeadSource.choices, state),
            filter_field("industry", _("Industry"), Industry.choices, state),
            filter_field("region", _("Region"), Region.choices, state),
            filter_field("size", _("Size"), CompanySize.choices, state),
            filter_field(
                "campaign", _("Campaign"), [(c.pk, c.name) for c in campaigns_for(user)[:200]], state
            ),
            filter_field("owner", _("Owner"), owner_choices(), state),
        ]


STATUS_ACTIONS = [
    (LeadStatus.WORKING, gettext_lazy("Mark working"), "bi-telephone"),
    (LeadStatus.NURTURING, gettext_lazy("Nurture"), "bi-flower1"),
    (LeadStatus.QUALIFIED, gettext_lazy("Mark qualified"), "bi-patch-check"),
]


class LeadDetailView(RecordDetailView):
    template_name = "leads/lead_detail.html"
    fields = [
        "name",
        "company",
        "title",
        "email",
        "phone",
        "brn",
        "website",
        "industry",
        "region",
        "size",
        "source",
        "campaign",
        "status",
        "owner",
        "disqualify_reason",
        "description",
    ]

    def get_object(self, user: User, pk: int) -> Lead:
        return get_lead_for_user(user, pk)

    def extra_context(self, request: AuthedHttpRequest, obj: Lead) -> dict[str, Any]:
        return {
            "interactions": list(obj.interactions.select_related("actor", "campaign")[:50]),
            "interaction_form": InteractionForm(),
            "status_actions": [a for a in STATUS_ACTIONS if a[0] != obj.status],
            "can_convert": not obj.is_converted and obj.status != LeadStatus.DISQUALIFIED,
        }


lead_detail = LeadDetailView.as_view()


class LeadFormView(RecordFormView):
    form_class = LeadForm
    checks_duplicates = True
    create_title = gettext_lazy("New lead")
    edit_title = gettext_lazy("Edit %(name)s")
    cancel_url_name = "leads:list"

    def get_object(self, user: User, pk: int) -> Lead:
        return get_lead_for_user(user, pk)

    def check_editable(self, request: AuthedHttpRequest, obj: Lead) -> HttpResponse | None:
        if obj.is_converted:
            messages.error(
                request, _("A converted lead is read-only; edit the account, contact or opportunity instead.")
            )
            return redirect("leads:detail", obj.pk)
        return None

    def create(self, user: User, values: dict[str, Any]) -> Lead:
        return create_lead(actor=user, **values)

    def update(self, user: User, obj: Lead, values: dict[str, Any], version: int | None) -> Lead:
        return update_lead(obj, actor=user, changes=values, expected_version=version)


@login_required
@require_POST
def lead_status(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    """The status buttons: working, nurturing, qualified, or disqualified with a reason."""
    lead = get_lead_for_user(request.user, pk)
    form = LeadStatusForm(request.POST)
    if not form.is_valid():
        errors = [e for errs in form.errors.values() for e in errs]
        return LeadDetailView().render_detail(request, lead, status=400, status_errors=errors)
    changes: dict[str, Any] = {"status": form.cleaned_data["status"]}
    if changes["status"] == LeadStatus.DISQUALIFIED:
        changes["disqualify_reason"] = form.cleaned_data["disqualify_reason"].strip()
    try:
        update_lead(lead, actor=request.user, changes=changes, expected_version=form.cleaned_data["version"])
    except ConflictError as exc:
        lead = get_lead_for_user(request.user, pk)
        return LeadDetailView().render_detail(request, lead, status=409, status_errors=[str(exc)])
    except ValidationError as exc:
        return LeadDetailView().render_detail(request, lead, status=400, status_errors=exc.messages)
    except ServiceError as exc:
        messages.error(request, str(exc))
        return redirect("leads:detail", lead.pk)
    messages.success(request, _("Status changed to “%(status)s”.") % {"status": lead.get_status_display()})
    return redirect("leads:detail", lead.pk)


@login_required
@require_POST
def lead_interaction(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    lead = get_lead_for_user(request.user, pk)
    form = InteractionForm(request.POST)
    if form.is_valid():
        try:
            log_interaction(
                lead,
                actor=request.user,
                kind=form.cleaned_data["kind"],
                occurred_at=form.cleaned_data.get("occurred_at"),
                note=form.cleaned_data.get("note") or "",
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Interaction logged."))
            return redirect("leads:detail", lead.pk)
    return LeadDetailView().render_detail(request, lead, status=400, interaction_form=form)


def _convert_context(user: User, lead: Lead) -> dict[str, Any]:
    account_matches, contact_matches = conversion_matches(lead, user)
    return {"lead": lead, "account_matches": account_matches, "contact_matches": contact_matches}


def _convert_form(lead: Lead, data: Any = None, context: dict[str, Any] | None = None) -> ConvertForm:
    pipeline = default_pipeline()
    stages = pipeline.stages.filter(is_archived=False, outcome=Stage.Outcome.OPEN).order_by("sequence", "id")
    initial = {"version": lead.version, "opportunity_name": lead.company or lead.name, "currency": "KRW"}
    if context is not None:
        # Duplicates are never the default: the strongest match is chosen; "create new" is a click away.
        account_matches, contact_matches = context["account_matches"], context["contact_matches"]
        initial["account_choice"] = str(account_matches[0].record.pk) if account_matches else NEW
        initial["contact_choice"] = str(contact_matches[0].record.pk) if contact_matches else NEW
    return ConvertForm(data, initial=initial, stages=stages, currencies=Currency.choices)


@login_required
def lead_convert(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    """Show the duplicate matches and convert: new or existing account and contact, optional deal."""
    user = request.user
    lead = get_lead_for_user(user, pk)
    if lead.is_converted:
        messages.error(request, _("This lead was already converted."))
        return redirect("leads:detail", lead.pk)
    if request.method != "POST":
        context = _convert_context(user, lead)
        return render(
            request, "leads/lead_convert.html", {**context, "form": _convert_form(lead, context=context)}
        )

    form = _convert_form(lead, request.POST)
    status = 400
    if form.is_valid():
        data = form.cleaned_data
        account = (
            None if data["account_choice"] == NEW else get_account_for_user(user, data["account_choice"])
        )
        contact = (
            None if data["contact_choice"] == NEW else get_contact_for_user(user, data["contact_choice"])
        )
        try:
            account, _contact, opportunity = convert_lead(
                lead,
                actor=user,
                expected_version=data["version"],
                account=account,
                contact=contact,
                create_opportunity_too=data["create_opportunity"],
                opportunity_name=data["opportunity_name"],
                amount=data["amount"],
                currency=data["currency"],
                expected_close_date=data["expected_close_date"],
                stage=data["stage"],
                allow_duplicate=True,  # "create new" is an explicit choice on this screen
            )
        except ServiceError as exc:
            messages.error(request, str(exc))
            return redirect("leads:detail", lead.pk)
        except ConflictError as exc:
            form.add_error(None, str(exc))
            status = 409
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Lead converted."))
            return redirect(detail_url(opportunity) if opportunity else detail_url(account))
    context = {**_convert_context(user, lead), "form": form}
    return render(request, "leads/lead_convert.html", context, status=status)
