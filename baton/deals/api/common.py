# mypy: disable-error-code="valid-type,assignment"
# (Schemas use annotation factories such as Text(120) and PATCH fields default to "absent" (None)
# without admitting null; pydantic understands both, mypy cannot.)
"""What the deals API modules share: the router they all register on, and the reference lookups."""

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404
from ninja import Router

from baton.deals.models import LostReason, Stage

router = Router()


def open_stages() -> QuerySet[Stage]:
    """Stages an opportunity may be put in: not archived, in a pipeline that is not archived."""
    return Stage.objects.filter(is_archived=False, pipeline__is_archived=False)


def active_lost_reasons() -> QuerySet[LostReason]:
    return LostReason.objects.filter(is_archived=False)


def acting(call):
    """Run a service; a refusal for lack of rights reads as 404, like a record the caller may not see."""
    try:
        return call()
    except PermissionDenied:
        raise Http404("Not found") from None
