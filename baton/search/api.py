"""``GET /api/v1/search?q=``: the top bar's search as an API operation, with the same rules."""

from __future__ import annotations

from typing import Literal

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from pydantic import ConfigDict

from baton.core.api import Text, actor, responses
from baton.search.queries import MAX_TERM, PER_TYPE, TYPES, global_search

router = Router(tags=["search"])

SearchType = Literal["lead", "account", "contact", "opportunity", "activity"]


class SearchQuery(Schema):
    model_config = ConfigDict(extra="forbid")

    q: Text(MAX_TERM, required=True) = Field(  # type: ignore[valid-type]
        ...,
        description="A name, company, e-mail, phone digits or initial consonants (ㄱㄴㄷ).",
    )
    limit: int = Field(PER_TYPE, ge=1, le=20, description="Results per type.")


class SearchHitOut(Schema):
    type: SearchType
    id: int
    title: str
    subtitle: str
    url: str = Field(description="The record's page in the web app.")


class SearchGroupOut(Schema):
    type: SearchType
    items: list[SearchHitOut]
    more: bool = Field(description="True when the type has more matches than `limit`.")


class SearchOut(Schema):
    q: str
    groups: list[SearchGroupOut]


@router.get("/search", response=responses({200: SearchOut}), summary="Search everything")
def search(request: HttpRequest, query: Query[SearchQuery]):
    """Leads, accounts, contacts, opportunities and activities you may see that match `q`, up to
    `limit` of each type, grouped by type in that order."""
    unknown = sorted(set(request.GET) - set(SearchQuery.model_fields))
    if unknown:
        # Ninja flattens query schemas, so `extra="forbid"` cannot catch a misspelt parameter.
        raise ValidationError({key[:40]: ["Unknown parameter."] for key in unknown[:10]})
    groups = global_search(actor(request), query.q, per_type=query.limit, types=TYPES)
    return {
        "q": query.q,
        "groups": [{"type": g.type, "more": g.more, "items": [vars(hit) for hit in g.hits]} for g in groups],
    }
