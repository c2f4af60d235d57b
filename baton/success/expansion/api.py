# mypy: disable-error-code="valid-type"
"""REST endpoint of expansion deals, mounted under /api/v1/success/: open one for an account."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Schema, Status

from baton.accounts.models import Account
from baton.core.api import Amount, Id, InputSchema, actor, choice, path_id, responses
from baton.core.records import get_for_user
from baton.deals.models import ProductFamily
from baton.success.expansion import services
from baton.success.expansion.models import ExpansionDeal

router = Router()


class ExpansionIn(InputSchema):
    """``expansion`` for a family the customer does not own yet, ``upsell`` for more of one it owns."""

    family_id: Id
    kind: choice(ExpansionDeal.Kind.values) = ExpansionDeal.Kind.EXPANSION
    quantity: Amount() = Decimal(1)


class ExpansionOut(Schema):
    opportunity_id: int
    name: str
    kind: str
    family_id: int
    pipeline_id: int
    stage: str
    amount: Decimal
    description: str


@router.post(
    "/accounts/{id}/expansion",
    response=responses({201: ExpansionOut}),
    tags=["success"],
    summary="Open an expansion deal",
)
def open_expansion(request: HttpRequest, payload: ExpansionIn, id: int = path_id()):
    user = actor(request)
    account = get_for_user(Account.objects.all(), user, id)
    family = ProductFamily.objects.filter(pk=payload.family_id, is_archived=False).first()
    if family is None:
        raise ValidationError({"family_id": ["Unknown product family."]})
    opp = services.open_expansion(
        actor=user,
        account=account,
        family=family,
        kind=payload.kind,
        quantity=payload.quantity,
        today=timezone.localdate(),
    )
    return Status(
        201,
        {
            "opportunity_id": opp.pk,
            "name": opp.name,
            "kind": payload.kind,
            "family_id": family.pk,
            "pipeline_id": opp.pipeline_id,
            "stage": opp.stage.key,
            "amount": opp.amount,
            "description": opp.description,
        },
    )
