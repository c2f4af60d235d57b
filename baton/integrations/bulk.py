"""Bulk writes through the API: up to ``MAX_ITEMS`` leads, accounts, contacts or activities in one call.

Each item goes through the same endpoint code as a single write (same schema, visibility, services,
audit and events), in its own transaction: an item is written whole or not at all, and the answer
says per item whether it was created, updated or refused and why. Items name their record by ``id``
or by ``external_id`` (with the call's ``source``, the external ids of baton/transfer): an external id
already known updates its record (upsert), an unknown one creates the record and remembers the id.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pydantic
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.http import Http404, HttpRequest

from baton.accounts import api as accounts_api
from baton.accounts.models import Account, Contact
from baton.accounts.queries import get_account_for_user, get_contact_for_user
from baton.activities import api as activities_api
from baton.activities.models import Activity
from baton.activities.queries import get_activity_for_user
from baton.core.api import actor
from baton.core.api_errors import django_errors
from baton.core.services import ConflictError, ServiceError
from baton.leads import api as leads_api
from baton.leads.models import Lead
from baton.leads.queries import get_lead_for_user
from baton.transfer.models import ExternalId

MAX_ITEMS = 500


@dataclass(frozen=True)
class BulkKind:
    model: type[models.Model]
    create_schema: type[pydantic.BaseModel]
    create: Callable[..., Any]
    get: Callable[[Any, Any], Any]
    patch_schema: type[pydantic.BaseModel] | None = None
    update: Callable[..., Any] | None = None


KINDS: dict[str, BulkKind] = {
    "leads": BulkKind(
        Lead,
        leads_api.LeadIn,
        leads_api.create_lead,
        get_lead_for_user,
        leads_api.LeadPatch,
        leads_api.update_lead,
    ),
    "accounts": BulkKind(
        Account,
        accounts_api.AccountIn,
        accounts_api.create_account,
        get_account_for_user,
        accounts_api.AccountPatch,
        accounts_api.update_account,
    ),
    "contacts": BulkKind(
        Contact,
        accounts_api.ContactIn,
        accounts_api.create_contact,
        get_contact_for_user,
        accounts_api.ContactPatch,
        accounts_api.update_contact,
    ),
    # Activities have no update operation in the API: bulk creates them (and skips known external ids).
    "activities": BulkKind(
        Activity, activities_api.ActivityIn, activities_api.create_activity, get_activity_for_user
    ),
}


def _pydantic_errors(exc: pydantic.ValidationError) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for error in exc.errors():
        field = ".".join(str(p) for p in error.get("loc", ())) or "__all__"
        errors.setdefault(field, []).append(str(error.get("msg", "invalid")))
    return errors


def _one(request: HttpRequest, spec: BulkKind, ct: ContentType, source: str, raw: Any) -> dict[str, Any]:
    if not isinstance(raw, dict):
        return {"status": "error", "errors": {"__all__": ["Each item must be a JSON object."]}}
    item = dict(raw)
    pk, ext = item.pop("id", None), item.pop("external_id", None)
    result: dict[str, Any] = {"external_id": ext if isinstance(ext, str) else None}
    try:
        if pk is not None and (not isinstance(pk, int) or isinstance(pk, bool) or pk < 1):
            raise ValidationError({"id": ["Give a record id (a positive integer)."]})
        if ext is not None:
            if not isinstance(ext, str) or not 0 < len(ext.strip()) <= 120:
                raise ValidationError({"external_id": ["Give an external id of at most 120 characters."]})
            if not source:
                raise ValidationError({"source": ["Name the source system of the external ids."]})
            ext = ext.strip()
        with transaction.atomic():
            mapping = None
            if pk is None and ext:
                mapping = ExternalId.objects.filter(source=source, content_type=ct, external_id=ext).first()
                pk = mapping.object_id if mapping is not None else None
            if pk is not None:
                record = spec.get(actor(request), pk)
                if spec.update is None or spec.patch_schema is None:
                    raise ValidationError({"id": ["This kind of record is not updated through the API."]})
                item.setdefault("version", record.version)
                spec.update(request, spec.patch_schema.model_validate(item), id=record.pk)
                return {**result, "status": "updated", "id": record.pk}
            created = spec.create(request, spec.create_schema.model_validate(item)).value
            if ext:
                ExternalId.objects.create(
                    source=source, content_type=ct, external_id=ext, object_id=created.pk
                )
            return {**result, "status": "created", "id": created.pk}
    except pydantic.ValidationError as exc:
        errors = _pydantic_errors(exc)
    except ValidationError as exc:
        errors = django_errors(exc)
    except Http404:
        errors = {"id": ["Not found."]}
    except PermissionDenied as exc:
        errors = {"__all__": [str(exc) or "You may not change this record."]}
    except ConflictError as exc:
        errors = {"version": [str(exc)]}
    except ServiceError as exc:
        errors = {"__all__": [str(exc)]}
    except IntegrityError:
        errors = {"__all__": ["The write conflicts with existing data; nothing was saved."]}
    return {**result, "status": "error", "id": pk, "errors": errors}


def run(request: HttpRequest, kind: str, source: str, items: list[Any]) -> list[dict[str, Any]]:
    """Write each item on its own; the results are in the items' order, each with its ``index``."""
    spec = KINDS[kind]
    ct = ContentType.objects.get_for_model(spec.model)
    return [{"index": i, **_one(request, spec, ct, source.strip(), raw)} for i, raw in enumerate(items)]
