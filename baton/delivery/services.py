"""Every write of the hand-off: the package, checklist answers, submission to delivery, accept / send
back (the rework loop) and the delivery project created on acceptance. Also the readiness score.

Each function runs in one transaction with its audit row; refusals raise ValidationError (input),
PermissionDenied (not yours) or ServiceError (not in this state) and leave nothing behind.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from baton.activities.models import OpenQuestion
from baton.activities.services import notify
from baton.core.audit import log_change
from baton.core.i18n_text import Msg
from baton.core.models import ChangeLog, User
from baton.core.records import can_edit
from baton.core.services import ServiceError, create_record, update_record
from baton.deals.models import EffortEstimate, LineItem, Opportunity, Stage
from baton.delivery.models import (
    ChecklistAnswer,
    ChecklistItem,
    DeliveryProject,
    HandoffPackage,
    HandoffReview,
)

TEXT_FIELDS = ("scope_summary", "pains_goals", "stakeholders", "commitments", "risks", "timeline")


def _notify(user_ids: list[int | None], *, actor: User | None, text: str | Msg, url: str) -> None:
    notify([u for u in user_ids if u is not None], kind="request", text=text, actor=actor, url=url)


def package_url(package: HandoffPackage) -> str:
    return reverse("delivery:package", args=[package.pk])


# --- readiness -------------------------------------------------------------------------------------------


@dataclass
class Readiness:
    """How complete a package is: a score from 0 to 100 and what is still missing."""

    done: int = 0
    total: int = 0
    missing: list[str] = field(default_factory=list)

    @property
    def score(self) -> int:
        return round(self.done * 100 / self.total) if self.total else 0

    @property
    def is_ready(self) -> bool:
        return self.total > 0 and not self.missing

    def check(self, ok: bool, label: str) -> None:
        self.total += 1
        if ok:
            self.done += 1
        else:
            self.missing.append(label)


def checklist_for(opportunity: Opportunity) -> list[ChecklistItem]:
    """The general items plus those of every product family the deal sells."""
    families = opportunity.line_items.values("product__family_id")
    return list(
        ChecklistItem.objects.filter(is_archived=False)
        .filter(Q(product_family__isnull=True) | Q(product_family_id__in=families))
        .select_related("product_family")
        .order_by("product_family_id", "sequence", "id")
    )


def readiness(
    package: HandoffPackage,
    items: list[ChecklistItem] | None = None,
    *,
    answers: list[ChecklistAnswer] | None = None,
    has_lines: bool | None = None,
    has_efforts: bool | None = None,
    open_questions: list[str] | None = None,
) -> Readiness:
    """Score the package. Pages (and ``readiness_scores``) that already loaded the checklist, answers,
    lines, efforts or open questions pass them in."""

    opportunity = package.opportunity
    result = Readiness()
    labels = {
        "scope_summary": _("Scope"),
        "pains_goals": _("Customer's pain points and goals"),
        "stakeholders": _("Stakeholders"),
        "commitments": _("Commitments made"),
        "risks": _("Risks"),
        "timeline": _("Timeline"),
    }
    for name in TEXT_FIELDS:
        result.check(bool(getattr(package, name).strip()), labels[name])
    result.check(package.delivery_lead_id is not None, _("Who delivery hands it to"))
    if has_lines is None:
        has_lines = opportunity.line_items.exists()
    if has_efforts is None:
        has_efforts = opportunity.efforts.exists()
    result.check(has_lines, _("Products sold (line items)"))
    result.check(has_efforts, _("Effort and cost estimate"))
    if open_questions is None:
        open_questions = list(
            OpenQuestion.objects.filter(opportunity=opportunity, status=OpenQuestion.Status.OPEN).values_list(
                "question", flat=True
            )[:50]
        )
    result.check(not open_questions, _("Open “?” questions answered"))
    result.missing.extend(f"? {q}" for q in open_questions)
    if items is None:
        items = checklist_for(opportunity)
    by_item = {a.item_id: a for a in (package.answers.all() if answers is None else answers)}
    for item in items:
        answer = by_item.get(item.pk)
        if answer is None:
            result.check(False, _("Checklist: %(item)s") % {"item": item})
        elif answer.state == ChecklistAnswer.State.UNKNOWN:
            result.check(False, _("Unknown: %(item)s") % {"item": item})
        else:
            result.check(bool(answer.evidence.strip()), _("Checklist: %(item)s") % {"item": item})
    return result


def readiness_scores(opportunity_ids: Sequence[int]) -> dict[int, int]:
    """The readiness score of many deals' packages in six queries, whatever their number (the sweep's
    chunks read it as the ``handoff_readiness`` fact). Deals without a package are left out."""
    packages = list(
        HandoffPackage.objects.filter(opportunity_id__in=list(opportunity_ids)).select_related("opportunity")
    )
    if not packages:
        return {}
    ids = [p.opportunity_id for p in packages]
    families: dict[int, set[int | None]] = defaultdict(set)
    for opportunity_id, family_id in LineItem.objects.filter(opportunity_id__in=ids).values_list(
        "opportunity_id", "product__family_id"
    ):
        families[opportunity_id].add(family_id)
    with_efforts = set(
        EffortEstimate.objects.filter(opportunity_id__in=ids).values_list("opportunity_id", flat=True)
    )
    questions: dict[int, list[str]] = defaultdict(list)
    for opportunity_id, question in (
        OpenQuestion.objects.filter(opportunity_id__in=ids, status=OpenQuestion.Status.OPEN)
        .order_by("id")
        .values_list("opportunity_id", "question")
    ):
        questions[opportunity_id].append(question)
    items = list(
        ChecklistItem.objects.filter(is_archived=False)
        .select_related("product_family")
        .order_by("product_family_id", "sequence", "id")
    )
    answers: dict[int, list[ChecklistAnswer]] = defaultdict(list)
    for answer in ChecklistAnswer.objects.filter(package__in=packages):
        answers[answer.package_id].append(answer)
    return {
        p.opportunity_id: readiness(
            p,
            [
                i
                for i in items
                if i.product_family_id is None or i.product_family_id in families[p.opportunity_id]
            ],
            answers=answers[p.pk],
            has_lines=p.opportunity_id in families,
            has_efforts=p.opportunity_id in with_efforts,
            open_questions=questions[p.opportunity_id][:50],
        ).score
        for p in packages
    }


def opportunity_readiness(opportunity: Opportunity) -> int:
    """The hand-off readiness score of a deal (0 without a package): for stage criteria to require."""
    package = HandoffPackage.objects.filter(opportunity=opportunity).first()
    return readiness(package).score if package is not None else 0


# --- the package -----------------------------------------------------------------------------------------


def _require_sales_edit(actor: User | None, package: HandoffPackage) -> None:
    if actor is not None and not can_edit(actor, package.opportunity):
        raise PermissionDenied(_("You cannot change this opportunity."))
    if not package.is_editable:
        raise ServiceError(_("The package is with delivery; wait for its decision."))


@transaction.atomic
def start_package(opportunity: Opportunity, *, actor: User | None) -> HandoffPackage:
    """The deal's hand-off package (made on first use, with the buyer's people as stakeholders)."""
    existing = HandoffPackage.objects.filter(opportunity=opportunity).first()
    if existing is not None:
        return existing
    if actor is not None and not can_edit(actor, opportunity):
        raise PermissionDenied(_("You cannot change this opportunity."))
    if opportunity.stage.outcome in (Stage.Outcome.LOST, Stage.Outcome.NO_DECISION):
        raise ServiceError(_("A lost deal is not handed to delivery."))
    buyers = opportunity.buyer_team.select_related("contact").order_by("buying_step", "id")
    stakeholders = "\n".join(
        f"{b.contact} ({b.buying_role_label}, {b.get_buying_step_display()})" for b in buyers
    )
    return create_record(
        HandoffPackage,
        actor=actor,
        opportunity=opportunity,
        stakeholders=stakeholders,
        scope_summary=opportunity.description or "",
        created_by=actor if actor is not None and actor.pk else None,
    )


@transaction.atomic
def update_package(
    package: HandoffPackage, *, actor: User | None, changes: dict[str, Any], expected_version: int | None
) -> HandoffPackage:
    _require_sales_edit(actor, package)
    allowed = {*TEXT_FIELDS, "delivery_lead"}
    unknown = set(changes) - allowed
    if unknown:
        raise ValidationError({name: [_("This field cannot be changed.")] for name in unknown})
    lead = changes.get("delivery_lead")
    if lead is not None and not lead.is_active:
        raise ValidationError({"delivery_lead": [_("This user is not active.")]})
    return update_record(package, actor=actor, changes=changes, expected_version=expected_version)


@transaction.atomic
def answer_item(
    package: HandoffPackage, item: ChecklistItem, *, actor: User | None, state: str, evidence: str = ""
) -> ChecklistAnswer:
    """Answer a checklist item with evidence, or mark it unknown (honestly, rather than guess)."""
    _require_sales_edit(actor, package)
    evidence = (evidence or "").strip()
    if state not in ChecklistAnswer.State.values:
        raise ValidationError({"state": [_("Answer it or mark it unknown.")]})
    if state == ChecklistAnswer.State.ANSWERED and not evidence:
        raise ValidationError({"evidence": [_("Give the answer and its evidence, or mark it unknown.")]})
    if item.pk not in {i.pk for i in checklist_for(package.opportunity)}:
        raise ValidationError({"item": [_("This item is not on this deal's checklist.")]})
    answer = ChecklistAnswer.objects.filter(package=package, item=item).first()
    user = actor if actor is not None and actor.pk else None
    if answer is None:
        return create_record(
            ChecklistAnswer,
            actor=actor,
            package=package,
            item=item,
            state=state,
            evidence=evidence,
            answered_by=user,
        )
    return update_record(
        answer, actor=actor, changes={"state": state, "evidence": evidence, "answered_by": user}
    )


@transaction.atomic
def submit_package(package: HandoffPackage, *, actor: User, override_reason: str = "") -> HandoffPackage:
    """Hand the package to delivery. Incomplete packages need a reason (the override, as elsewhere)."""
    package = (
        HandoffPackage.objects.select_for_update().select_related("opportunity__stage").get(pk=package.pk)
    )
    _require_sales_edit(actor, package)
    if package.delivery_lead_id is None:
        raise ValidationError({"delivery_lead": [_("Choose who in delivery receives the package.")]})
    ready = readiness(package)
    override_reason = (override_reason or "").strip()
    if ready.missing and not override_reason:
        raise ValidationError(
            {
                "override_reason": [
                    _("The package is not complete (%(score)s%%): say why it goes anyway.")
                    % {"score": ready.score}
                ]
            }
        )
    update_record(
        package,
        actor=actor,
        changes={
            "status": HandoffPackage.Status.SUBMITTED,
            "submitted_at": timezone.now(),
            "submissions": package.submissions + 1,
            "override_reason": override_reason[:300] if ready.missing else "",
        },
        note=f"readiness {ready.score}%",
    )
    _notify(
        [package.delivery_lead_id],
        actor=actor,
        url=package_url(package),
        text=Msg(gettext_noop("Hand-off to review: %(deal)s"), deal=package.opportunity),
    )
    return package


def _require_reviewer(actor: User, package: HandoffPackage) -> None:
    if not (actor.is_admin or actor.pk == package.delivery_lead_id):
        raise PermissionDenied(_("Only the delivery lead it was handed to decides."))
    if package.status != HandoffPackage.Status.SUBMITTED:
        raise ServiceError(_("The package is not waiting for delivery's decision."))


@transaction.atomic
def send_back(package: HandoffPackage, *, actor: User, reasons: str) -> HandoffPackage:
    package = HandoffPackage.objects.select_for_update().select_related("opportunity").get(pk=package.pk)
    _require_reviewer(actor, package)
    reasons = (reasons or "").strip()
    if not reasons:
        raise ValidationError({"reasons": [_("Say what is missing or wrong.")]})
    review = HandoffReview.objects.create(
        package=package, reviewer=actor, decision=HandoffReview.Decision.SENT_BACK, reasons=reasons
    )
    log_change(
        actor=actor, action=ChangeLog.Action.CREATE, instance=review, after={"decision": review.decision}
    )
    update_record(
        package,
        actor=actor,
        changes={"status": HandoffPackage.Status.SENT_BACK, "send_backs": package.send_backs + 1},
        note=reasons[:300],
    )
    _notify(
        [package.opportunity.owner_id, package.created_by_id],
        actor=actor,
        url=package_url(package),
        text=Msg(gettext_noop("Hand-off sent back: %(deal)s"), deal=package.opportunity),
    )
    return package


@transaction.atomic
def accept(
    package: HandoffPackage, *, actor: User, pm: User | None = None, note: str = ""
) -> DeliveryProject:
    """Delivery accepts: the package is closed and a delivery project is created with its PM."""
    package = (
        HandoffPackage.objects.select_for_update().select_related("opportunity__account").get(pk=package.pk)
    )
    _require_reviewer(actor, package)
    pm = pm or package.delivery_lead
    if pm is None or not pm.is_active:
        raise ValidationError({"pm": [_("Choose an active project manager.")]})
    review = HandoffReview.objects.create(
        package=package,
        reviewer=actor,
        decision=HandoffReview.Decision.ACCEPTED,
        reasons=(note or "").strip(),
    )
    log_change(
        actor=actor, action=ChangeLog.Action.CREATE, instance=review, after={"decision": review.decision}
    )
    update_record(
        package,
        actor=actor,
        changes={"status": HandoffPackage.Status.ACCEPTED, "accepted_at": timezone.now()},
    )
    opportunity = package.opportunity
    project = create_record(
        DeliveryProject,
        actor=actor,
        name=str(opportunity.name)[:200],
        account=opportunity.account,
        opportunity=opportunity,
        package=package,
        pm=pm,
    )
    _notify(
        [opportunity.owner_id, package.created_by_id, pm.pk],
        actor=actor,
        url=reverse("delivery:project", args=[project.pk]),
        text=Msg(gettext_noop("Accepted by delivery: %(deal)s"), deal=opportunity),
    )
    return project


# --- checklist set-up (administrators) -------------------------------------------------------------------


@transaction.atomic
def save_checklist_item(
    *, actor: User | None, item: ChecklistItem | None = None, **values: Any
) -> ChecklistItem:
    if actor is not None and not actor.is_admin:
        raise PermissionDenied(_("Only administrators edit the delivery checklists."))
    values["text"] = (values.get("text") or "").strip()
    if item is None:
        return create_record(ChecklistItem, actor=actor, **values)
    return update_record(item, actor=actor, changes=values)
