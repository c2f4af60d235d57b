"""Opportunity pages: list, detail with stage moves, create/edit, and the pipeline board."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from baton.core.customfields.cards import mark_cards
from baton.core.http import AuthedHttpRequest
from baton.core.models import Role, User
from baton.core.params import choice_param, id_param, note_ignored
from baton.core.services import ConflictError
from baton.core.templatetags.baton_tags import PK_PLACEHOLDER
from baton.core.views_generic import (
    RecordDetailView,
    RecordFormView,
    RecordListView,
    filter_field,
    owner_choices,
)
from baton.deals import board_marks
from baton.deals.catalog import pending_quote
from baton.deals.forms import MoveForm, OpportunityForm
from baton.deals.models import ForecastCategory, Opportunity, Pipeline, Stage
from baton.deals.queries import (
    BOARD_CLOSED_DAYS,
    OPPORTUNITY_LIST,
    BoardColumn,
    board_totals,
    get_opportunity_for_user,
    list_totals,
    offered_lost_reasons,
    opportunities_for,
)
from baton.deals.services import create_opportunity, default_pipeline, move_opportunity, update_opportunity

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class OpportunityListView(RecordListView):
    export_columns = [
        "name",
        "account",
        "stage",
        "amount",
        "currency",
        "expected_close_date",
        "forecast_category",
        "owner",
        "team",
        "created_at",
    ]
    export_name = "opportunities"
    spec = OPPORTUNITY_LIST
    partial_template = "deals/partials/_table.html"
    title = gettext_lazy("Opportunities")
    create_url_name = "deals:create"

    def get_queryset(self, user: User):
        return opportunities_for(user)

    def summary(self, qs) -> dict:
        return {"totals": list_totals(qs)}

    def filter_fields(self, user: User, state: dict) -> list[dict]:
        stages = Stage.objects.filter(is_archived=False, pipeline__is_archived=False).order_by(
            "pipeline_id", "sequence", "id"
        )
        return [
            filter_field("stage", _("Stage"), [(s.pk, str(s)) for s in stages], state),
            filter_field("outcome", _("Outcome"), Stage.Outcome.choices, state),
            filter_field("forecast_category", _("Forecast category"), ForecastCategory.choices, state),
            filter_field("owner", _("Owner"), owner_choices(), state),
        ]


class OpportunityDetailView(RecordDetailView):
    template_name = "deals/opportunity_detail.html"
    fields = [
        "name",
        "account",
        "primary_contact",
        "amount",
        "expected_close_date",
        "stage",
        "probability",
        "forecast_category",
        "next_step",
        "lost_reason",
        "lost_note",
        "owner",
        "description",
    ]

    def get_object(self, user: User, pk: int) -> Opportunity:
        return get_opportunity_for_user(user, pk)

    def extra_context(self, request: AuthedHttpRequest, obj: Opportunity) -> dict[str, Any]:
        stages = list(
            Stage.objects.filter(pipeline_id=obj.pipeline_id, is_archived=False).order_by("sequence", "id")
        )
        return {
            "opportunity": obj,
            "stages": stages,
            "open_stages": [s for s in stages if s.outcome in (Stage.Outcome.OPEN, Stage.Outcome.WON)],
            "lost_stages": [
                s for s in stages if s.outcome in (Stage.Outcome.LOST, Stage.Outcome.NO_DECISION)
            ],
            "lost_reasons": list(offered_lost_reasons()),
            "kind_badges": board_marks.kind_badges([obj.pk]).get(obj.pk, []),
        }


class OpportunityFormView(RecordFormView):
    form_class = OpportunityForm
    create_title = gettext_lazy("New opportunity")
    edit_title = gettext_lazy("Edit %(name)s")
    cancel_url_name = "deals:list"

    def get_object(self, user: User, pk: int) -> Opportunity:
        return get_opportunity_for_user(user, pk)

    def check_editable(self, request: AuthedHttpRequest, obj: Opportunity) -> HttpResponse | None:
        if pending_quote(obj) is not None:
            messages.error(request, _("A quote of this deal is pending approval; recall it to make changes."))
            return redirect("deals:detail", obj.pk)
        return None

    def initial(self, request: AuthedHttpRequest) -> dict[str, Any]:
        account = id_param(request.GET, "account")
        return {"account": account} if account else {}

    def create(self, user: User, values: dict[str, Any]) -> Opportunity:
        if values.get("stage") is None:
            values.pop("stage", None)
        return create_opportunity(actor=user, **values)

    def update(
        self, user: User, obj: Opportunity, values: dict[str, Any], version: int | None
    ) -> Opportunity:
        return update_opportunity(obj, actor=user, changes=values, expected_version=version)


# --- the board -----------------------------------------------------------------------------------------

SCOPES = [
    ("mine", gettext_lazy("Mine")),
    ("team", gettext_lazy("My team")),
    ("all", gettext_lazy("All visible")),
]


def _scope(value: str | None, user: User | None = None) -> str:
    """The board's scope: the one asked for, else a rep's own deals, a manager's teams (what they
    see), everything for an administrator."""
    if value in dict(SCOPES):
        return str(value)
    if user is None or user.is_admin or user.role == Role.SALES_MANAGER:
        return "all"
    return "mine"


def _pipeline(request: AuthedHttpRequest, pk: int | None) -> Pipeline:
    if pk is not None:
        found = Pipeline.objects.filter(pk=pk, is_archived=False).first()
        if found is not None:
            return found
    return default_pipeline()


@login_required
def board_view(request: AuthedHttpRequest) -> HttpResponse:
    try:
        scope = _scope(choice_param(request.GET, "scope", dict(SCOPES)) or None, request.user)
        pipeline = _pipeline(request, id_param(request.GET, "pipeline"))
        mark = choice_param(request.GET, "mark", board_marks.MARKS)
    except ValidationError as exc:
        note_ignored(request, exc)
        return redirect("deals:board")
    columns = board_marks.marked_board(request.user, pipeline, scope=scope, mark=mark)
    mark_cards(request.user, "opportunity", (card for column in columns for card in column.cards))
    context = {
        "mark": mark,
        "marks": board_marks.mark_choices(),
        "summary": board_marks.summary(columns),
        "columns": columns,
        "pipeline": pipeline,
        "pipelines": list(Pipeline.objects.filter(is_archived=False)),
        "scope": scope,
        "scopes": SCOPES,
        "lost_reasons": list(offered_lost_reasons()),
        # Reversed once for all cards (see the with_pk filter).
        "detail_url": reverse("deals:detail", args=[PK_PLACEHOLDER]),
        "move_url": reverse("deals:move", args=[PK_PLACEHOLDER]),
    }
    return render(request, "deals/board.html", context)


def column_headers(request: AuthedHttpRequest, user: User, pipeline_id: int, scope: str) -> dict[str, str]:
    """Freshly rendered column headers (count and totals per currency) after a move."""
    pipeline = Pipeline.objects.get(pk=pipeline_id)
    stages = list(Stage.objects.filter(pipeline_id=pipeline_id, is_archived=False))
    totals = board_totals(user, pipeline, _scope(scope), stages)
    headers: dict[str, str] = {}
    for stage in stages:
        count, column_totals = totals.get(stage.pk, (0, {}))
        column = BoardColumn(stage, [], count, column_totals, BOARD_CLOSED_DAYS if stage.is_closed else None)
        headers[str(stage.pk)] = render_to_string(
            "deals/partials/_column_header.html", {"column": column}, request=request
        )
    return headers


def _wants_json(request: AuthedHttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


@login_required
@require_POST
def opportunity_move(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    """Move a deal to another stage: from a board drag (JSON) or the detail page's stage buttons."""
    user = request.user
    opportunity = get_opportunity_for_user(user, pk)
    form = MoveForm(request.POST, opportunity=opportunity)
    as_json = _wants_json(request)
    status = 200
    errors: Sequence[ValidationError | StrOrPromise] = []
    if not form.is_valid():
        status = 400
        errors = [e for errs in form.errors.values() for e in errs]
    else:
        data = form.cleaned_data
        try:
            opportunity = move_opportunity(
                opportunity,
                actor=user,
                stage=data["stage"],
                expected_version=data["version"],
                lost_reason=data["lost_reason"],
                note=data["note"],
            )
        except ConflictError as exc:
            status, errors = 409, [str(exc)]
        except ValidationError as exc:
            status, errors = 400, exc.messages
    if as_json:
        if errors:
            payload = {"ok": False, "error": " ".join(str(e) for e in errors)}
            if status == 400 and "lost_reason" in form.errors:
                payload["needs_reason"] = True
            return JsonResponse(payload, status=status)
        scope = _scope(request.POST.get("scope"), user)
        return JsonResponse(
            {
                "ok": True,
                "version": opportunity.version,
                "stage": opportunity.stage_id,
                "headers": column_headers(request, user, opportunity.pipeline_id, scope),
            }
        )
    if errors:
        opportunity = get_opportunity_for_user(user, pk)
        return OpportunityDetailView().render_detail(request, opportunity, status=status, move_errors=errors)
    messages.success(request, _("Moved to “%(stage)s”.") % {"stage": opportunity.stage})
    return redirect("deals:detail", opportunity.pk)
