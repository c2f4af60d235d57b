# mypy: disable-error-code="valid-type"
"""REST endpoints of the delivery app, mounted under /api/v1/delivery/ by baton/api.py: hand-off packages
(the ones the caller may see: through the deal, or handed to them) with their readiness, and the
delivery decision."""

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest
from ninja import Router, Schema

from baton.core.api import InputSchema, Ref, Text, actor, path_id, responses
from baton.delivery import services
from baton.delivery.models import HandoffPackage
from baton.delivery.queries import get_package_for_user, packages_for

router = Router()


class PackageOut(Schema):
    id: int
    opportunity: Ref
    status: str
    delivery_lead: Ref | None
    scope_summary: str
    pains_goals: str
    stakeholders: str
    commitments: str
    risks: str
    timeline: str
    submissions: int
    send_backs: int
    submitted_at: dt.datetime | None
    accepted_at: dt.datetime | None
    readiness: int
    missing: list[str]

    @staticmethod
    def resolve_readiness(obj: HandoffPackage) -> int:
        return services.readiness(obj).score

    @staticmethod
    def resolve_missing(obj: HandoffPackage) -> list[str]:
        return [str(m) for m in services.readiness(obj).missing]


@router.get("/handoffs", response=responses({200: list[PackageOut]}), tags=["delivery"], summary="Hand-offs")
def list_packages(request: HttpRequest):
    """Packages of deals you can see, and packages handed to you (newest first, at most 100)."""
    return list(packages_for(actor(request)).order_by("-updated_at", "-id")[:100])


@router.get("/handoffs/{id}", response=responses({200: PackageOut}), tags=["delivery"], summary="A hand-off")
def get_package(request: HttpRequest, id: int = path_id()):
    return get_package_for_user(actor(request), id)


class ReviewIn(InputSchema):
    """`send_back` needs `reasons`; `accept` creates the delivery project with the delivery lead as PM."""

    decision: Text(20, required=True)
    reasons: Text(5000) = ""


@router.post(
    "/handoffs/{id}/review",
    response=responses({200: PackageOut}),
    tags=["delivery"],
    summary="Accept or send back",
)
def review_package(request: HttpRequest, payload: ReviewIn, id: int = path_id()):
    package = get_package_for_user(actor(request), id)
    try:
        if payload.decision == "accept":
            services.accept(package, actor=actor(request), note=payload.reasons)
        elif payload.decision == "send_back":
            services.send_back(package, actor=actor(request), reasons=payload.reasons)
        else:
            raise ValidationError({"decision": ["Either accept or send_back."]})
    except PermissionDenied:
        raise Http404("Not found") from None
    return get_package_for_user(actor(request), id)
