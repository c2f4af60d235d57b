"""The import itself: one row at a time, all or nothing, through the domain services.

``run(job, dry_run=...)`` reads the job's file with its column and value mapping and hands each row to
the handler of the job's kind inside a savepoint: a refused row leaves nothing behind. The dry run is
the same code in one transaction that is rolled back at the end, so what it reports is what the real
run does. The real run commits every ``BATCH`` rows together with their results and the job's progress,
stops between batches when the job is paused, and continues from where it stopped when resumed.

History keeps its dates: records are created with ``at=created_at`` (their first stage stay starts
then) and the file's created, converted and closed times are written onto them; stage
history rows are written as ``StageHistory`` rows directly (see ``_stage_row``), replacing the single
stay an import placed a new record in.

Every write runs inside ``audit_context(job_id=…, source="import")``: the audit rows the services write
(one per record created) carry the job id.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from baton.accounts.duplicates import find_account_matches, find_contact_matches
from baton.accounts.models import Account, Contact
from baton.accounts.services import create_account, create_contact, update_account, update_contact
from baton.activities.models import Activity
from baton.activities.services import create_activity
from baton.core.audit import _jsonable, audit_context, log_change, snapshot
from baton.core.models import ChangeLog, User
from baton.core.services import ServiceError
from baton.deals.models import LostReason, Opportunity, Pipeline, Stage
from baton.deals.services import create_opportunity, move_opportunity, update_opportunity
from baton.leads.duplicates import find_lead_matches
from baton.leads.models import Lead, LeadInteraction, LeadStatus
from baton.leads.services import convert_lead, create_lead, log_interaction, update_lead
from baton.process.models import Method, ProcessStage, RecordKind, StageHistory
from baton.process.services import segment_of
from baton.transfer.fields import (
    ChoiceIndex,
    Field,
    RowError,
    UnknownValue,
    fields_of,
    parse_date,
    parse_datetime,
    parse_decimal,
)
from baton.transfer.models import DuplicatePolicy, ExternalId, ImportJob, ImportRow, Outcome
from baton.transfer.reading import FileError, open_table

log = logging.getLogger(__name__)

BATCH = 200
PLACED = "import-placed"  # the rule of the stay an import placed a new record in (replaced by file rows)
MODELS: dict[str, type[models.Model]] = {
    "account": Account,
    "contact": Contact,
    "lead": Lead,
    "opportunity": Opportunity,
    "interaction": LeadInteraction,
    "activity": Activity,
    "stage_history": StageHistory,
}
UNKNOWN_KEEP = 50  # unknown values listed per field


class _DryRunDone(Exception):
    """Raised at the end of a dry run to roll its transaction back."""


@dataclass
class RowResult:
    number: int
    outcome: str
    message: str = ""
    external_id: str = ""
    model: type[models.Model] | None = None
    object_id: int | None = None
    data: dict[str, Any] = field(default_factory=dict)
    changes: list[dict[str, Any]] = field(default_factory=list)

    def as_tuple(self) -> tuple[int, str, str, int | None]:
        """What a dry run and a real run must agree on (ids differ: a dry run's are rolled back)."""
        return (self.number, self.outcome, self.message, None)


def model_label(model: type[models.Model]) -> str:
    return model._meta.label_lower


class Importer:
    def __init__(self, job: ImportJob, actor: User):
        self.job = job
        self.actor = actor
        self.fields = fields_of(job.kind)
        self.columns = {col: name for col, name in (job.columns or {}).items() if name in self.fields}
        self.choices = {
            name: ChoiceIndex(f, (job.values or {}).get(name, {}))
            for name, f in self.fields.items()
            if f.type == "choice"
        }
        self.user_map = {str(k).strip().lower(): v for k, v in (job.values or {}).get("owner", {}).items()}
        self.unknown: dict[str, list[str]] = {}
        self._users: dict[str, User | None] = {}
        self._types: dict[type[models.Model], ContentType] = {}
        self.changes: list[dict[str, Any]] = []
        self._reasons: dict[str, LostReason] = {}
        self._created: dt.datetime | None = None  # the row's created time (see _prepared)

    # --- reading a row ----------------------------------------------------------------------------

    def missing_required(self) -> list[str]:
        mapped = set(self.columns.values())
        return [str(f.label) for f in self.fields.values() if f.required and f.name not in mapped]

    def values_of(self, raw: dict[str, Any]) -> dict[str, Any]:
        """The row's values by field: parsed, or RowError naming the first field at fault."""
        values: dict[str, Any] = {}
        for column, name in self.columns.items():
            text = raw.get(column, "")
            if text == "" or text is None:
                continue
            values[name] = self.parse(self.fields[name], text)
        for f in self.fields.values():
            if f.required and values.get(f.name) in (None, ""):
                raise RowError(_("%(field)s is required.") % {"field": f.label}, f.name)
        return values

    def parse(self, f: Field, raw: Any) -> Any:
        label = str(f.label)
        if f.type == "datetime":
            return parse_datetime(raw, label)
        if f.type == "date":
            return parse_date(raw, label)
        text = raw if isinstance(raw, str) else str(raw)
        if f.type == "decimal":
            return parse_decimal(text, label)
        if f.type == "choice":
            value = self.choices[f.name].resolve(text)
            if value is None:
                seen = self.unknown.setdefault(f.name, [])
                if text not in seen and len(seen) < UNKNOWN_KEEP:
                    seen.append(text)
                raise UnknownValue(label, text)
            return value
        if f.type == "user":
            return self.user(text, label)
        if f.max_length and len(text) > f.max_length:
            raise RowError(
                _("%(field)s is longer than %(n)s characters.") % {"field": label, "n": f.max_length}, f.name
            )
        return text

    def user(self, text: str, label: str) -> User:
        key = self.user_map.get(text.strip().lower(), text).strip().lower()
        if key not in self._users:
            self._users[key] = (
                User.objects.filter(Q(username__iexact=key) | Q(email__iexact=key), is_active=True)
                .order_by("id")
                .first()
            )
        found = self._users[key]
        if found is None:
            raise RowError(
                _("%(field)s: no active user “%(value)s”.") % {"field": label, "value": text}, label
            )
        return found

    # --- external ids -----------------------------------------------------------------------------

    def ctype(self, model: type[models.Model]) -> ContentType:
        if model not in self._types:
            self._types[model] = ContentType.objects.get_for_model(model)
        return self._types[model]

    def find(self, model: type[models.Model], external_id: str) -> Any:
        row = ExternalId.objects.filter(
            source=self.job.source, content_type=self.ctype(model), external_id=external_id
        ).first()
        if row is None:
            return None
        return model._default_manager.filter(pk=row.object_id).first()

    def ref(self, kind: str, external_id: str, label: str) -> Any:
        record = self.find(MODELS[kind], external_id)
        if record is None:
            raise RowError(
                _("%(field)s: no %(kind)s with external id “%(id)s” from %(source)s (import it first).")
                % {"field": label, "kind": kind, "id": external_id, "source": self.job.source},
                label,
            )
        return record

    def link(self, record: models.Model, external_id: str) -> None:
        ext = ExternalId.objects.create(
            source=self.job.source,
            content_type=self.ctype(type(record)),
            external_id=external_id,
            object_id=record.pk,
            job=self.job,
        )
        self.changes.append({"op": "create", "model": "transfer.externalid", "id": ext.pk})

    # --- recording what a row wrote ---------------------------------------------------------------

    def created(self, record: models.Model) -> None:
        self.changes.append({"op": "create", "model": model_label(type(record)), "id": record.pk})

    def before(self, record: models.Model, names: list[str]) -> None:
        attnames = [record._meta.get_field(n).attname for n in names]  # type: ignore[union-attr]
        self.changes.append(
            {
                "op": "update",
                "model": model_label(type(record)),
                "id": record.pk,
                "before": {n: _jsonable(getattr(record, n)) for n in attnames},
            }
        )

    def date_record(self, record: models.Model, **dates: dt.datetime | None) -> None:
        """Write the file's times (created, converted, closed, …) onto a record the import just wrote."""
        dates = {k: v for k, v in dates.items() if v is not None}
        if dates:
            type(record)._default_manager.filter(pk=record.pk).update(**dates)
            for name, value in dates.items():
                setattr(record, name, value)

    # --- one row ------------------------------------------------------------------------------------

    def handle(self, number: int, raw: dict[str, Any]) -> RowResult:
        self.changes = []
        ext = next((str(raw.get(c, ""))[:120] for c, n in self.columns.items() if n == "external_id"), "")
        try:
            with transaction.atomic():
                values = self.values_of(raw)
                handler: Callable[[dict[str, Any]], tuple[str, models.Model, str]] = getattr(
                    self, f"_{self.job.kind}"
                )
                outcome, record, message = handler(values)
        except (RowError, ValidationError, ServiceError, PermissionDenied) as exc:
            return RowResult(number, Outcome.REFUSED, _message(exc), external_id=ext, data=_texts(raw))
        except (DatabaseError, ValueError) as exc:
            # The database refused what validation let through (a constraint, a value too large):
            # the savepoint undid the row; the run goes on.
            log.info("import %s row %s refused by the database: %s", self.job.job_id, number, exc)
            message = _("The database refused the row: %(error)s") % {"error": str(exc)[:300]}
            return RowResult(number, Outcome.REFUSED, message, external_id=ext, data=_texts(raw))
        return RowResult(
            number,
            outcome,
            message,
            external_id=ext,
            model=type(record),
            object_id=record.pk,
            changes=self.changes,
        )

    def _upsert(
        self,
        model: type[models.Model],
        values: dict[str, Any],
        *,
        create: Callable[[dict[str, Any]], Any],
        update: Callable[[Any, dict[str, Any]], Any],
        matches: Callable[[dict[str, Any]], list[Any]],
        dated: tuple[str, ...] = ("created_at",),
    ) -> tuple[str, models.Model, str]:
        """By external id: update the record it names; else, as the job's duplicate policy says, link
        to (match) or fill in (merge) the strongest duplicate match, or create a new record."""
        external_id = values.pop("external_id", "")
        dates = {name: values.pop(name, None) for name in dated}
        existing = self.find(model, external_id) if external_id else None
        note = ""
        if existing is None and self.job.duplicates != DuplicatePolicy.CREATE:
            found = matches(values)
            if found:
                match = found[0]
                existing = match.record
                reasons = ", ".join(match.reasons)
                self.link(existing, external_id)
                if self.job.duplicates == DuplicatePolicy.MATCH:
                    return (
                        Outcome.MATCHED,
                        existing,
                        _("Matched #%(id)s (%(why)s).") % {"id": existing.pk, "why": reasons},
                    )
                values = {
                    k: v
                    for k, v in values.items()
                    if getattr(existing, _attname(model, k), None) in (None, "")
                }
                if values:
                    self.before(existing, list(values))
                    update(existing, values)
                return (
                    Outcome.MERGED,
                    existing,
                    _("Merged into #%(id)s (%(why)s).") % {"id": existing.pk, "why": reasons},
                )
        if existing is None:
            record = create(values)
            self.created(record)
            if external_id:
                self.link(record, external_id)
            self.date_record(record, **dates)
            return Outcome.CREATED, record, note
        changes = {k: v for k, v in values.items() if _differs(getattr(existing, k, None), v)}
        date_changes = {k: v for k, v in dates.items() if v is not None and getattr(existing, k) != v}
        if not changes and not date_changes:
            return Outcome.MATCHED, existing, _("Unchanged.")
        self.before(existing, list(changes) + list(date_changes))
        if changes:
            update(existing, changes)
        self.date_record(existing, **date_changes)
        return Outcome.UPDATED, existing, ", ".join(sorted(list(changes) + list(date_changes)))

    # --- the kinds ----------------------------------------------------------------------------------

    def _account(self, values: dict[str, Any]) -> tuple[str, models.Model, str]:
        if "parent" in values:
            values["parent"] = self.ref("account", values["parent"], _("parent account"))

        def create(v: dict[str, Any]) -> Account:
            v.setdefault("owner", self.actor)
            return create_account(actor=self.actor, **v)

        return self._upsert(
            Account,
            values,
            create=create,
            update=lambda rec, ch: update_account(rec, actor=self.actor, changes=ch, expected_version=None),
            matches=lambda v: find_account_matches(
                name=v.get("name", ""),
                brn=v.get("brn", ""),
                website=v.get("website", ""),
                phone=v.get("phone", ""),
            ),
        )

    def _contact(self, values: dict[str, Any]) -> tuple[str, models.Model, str]:
        if "account" in values:
            values["account"] = self.ref("account", values["account"], _("account"))

        def create(v: dict[str, Any]) -> Contact:
            v.setdefault("owner", self.actor)
            return create_contact(actor=self.actor, **v)

        account = values.get("account")
        return self._upsert(
            Contact,
            values,
            create=create,
            update=lambda rec, ch: update_contact(rec, actor=self.actor, changes=ch, expected_version=None),
            matches=lambda v: find_contact_matches(
                email=v.get("email", ""),
                name=v.get("name", ""),
                phone=v.get("phone", "") or v.get("mobile", ""),
                account_ids=[account.pk] if account is not None else None,
            ),
        )

    def _lead(self, values: dict[str, Any]) -> tuple[str, models.Model, str]:
        conversion = {
            name: values.pop(name, None)
            for name in ("converted_at", "converted_account", "converted_contact", "converted_opportunity")
        }
        if values.get("status") == LeadStatus.DISQUALIFIED and not values.get("disqualify_reason"):
            values["disqualify_reason"] = _("unknown (imported)")

        def create(v: dict[str, Any]) -> Lead:
            v.setdefault("owner", self.actor)
            lead = create_lead(actor=self.actor, **v, at=self._created)
            self.mark_placed(RecordKind.LEAD, lead.pk)
            return lead

        outcome, lead, message = self._upsert(
            Lead,
            values,
            create=create,
            update=lambda rec, ch: update_lead(rec, actor=self.actor, changes=ch, expected_version=None),
            matches=lambda v: find_lead_matches(
                name=v.get("name", ""),
                company=v.get("company", ""),
                email=v.get("email", ""),
                phone=v.get("phone", ""),
            ),
        )
        if conversion["converted_at"] is not None:
            self.convert(lead, conversion)  # type: ignore[arg-type]
        return outcome, lead, message

    def convert(self, lead: Lead, conversion: dict[str, Any]) -> None:
        """The lead was converted in the old system: convert it here as of that time, into the
        account (and contact, opportunity) the file names by external id."""
        at = conversion["converted_at"]
        if lead.converted_at is not None:
            return
        if not conversion["converted_account"]:
            raise RowError(_("A converted lead needs its converted account's external id."))
        account = self.ref("account", conversion["converted_account"], _("converted account"))
        contact = (
            self.ref("contact", conversion["converted_contact"], _("converted contact"))
            if conversion["converted_contact"]
            else None
        )
        opportunity = (
            self.ref("opportunity", conversion["converted_opportunity"], _("converted opportunity"))
            if conversion["converted_opportunity"]
            else None
        )
        if lead.created_at and at < lead.created_at:
            raise RowError(_("The lead was converted before it was created."))
        self.before(
            lead,
            ["status", "converted_at", "converted_account", "converted_contact", "converted_opportunity"],
        )
        if lead.status == LeadStatus.DISQUALIFIED:
            raise RowError(_("A disqualified lead cannot be converted."))
        _account, made_contact, _opp = convert_lead(
            lead,
            actor=self.actor,
            account=account,
            contact=contact,
            create_opportunity_too=False,
            at=self.clock_for(RecordKind.LEAD, lead.pk, at),
        )
        if contact is None:
            self.created(made_contact)
            self.date_record(made_contact, created_at=at)
        Lead.objects.filter(pk=lead.pk).update(converted_at=at, converted_opportunity=opportunity)

    def _interaction(self, values: dict[str, Any]) -> tuple[str, models.Model, str]:
        lead = self.ref("lead", values["lead"], _("lead"))
        external_id = values.get("external_id", "")
        if external_id:
            existing = self.find(LeadInteraction, external_id)
            if existing is not None:
                return Outcome.MATCHED, existing, _("Unchanged.")
        interaction = log_interaction(
            lead,
            actor=values.get("actor"),
            kind=values["kind"],
            occurred_at=values["occurred_at"],
            note=values.get("note", ""),
            at=self.clock_for(RecordKind.LEAD, lead.pk, values["occurred_at"]),
        )
        self.created(interaction)
        if external_id:
            self.link(interaction, external_id)
        return Outcome.CREATED, interaction, ""

    def _opportunity(self, values: dict[str, Any]) -> tuple[str, models.Model, str]:
        values["account"] = self.ref("account", values["account"], _("account"))
        if "primary_contact" in values:
            values["primary_contact"] = self.ref("contact", values["primary_contact"], _("primary contact"))
        if "stage" in values:
            values["stage"] = self.deal_stage(values["stage"])
        stage: Stage | None = values.get("stage")
        if "lost_reason" in values:
            values["lost_reason"] = self.lost_reason(values["lost_reason"])
        elif stage is not None and stage.outcome in (Stage.Outcome.LOST, Stage.Outcome.NO_DECISION):
            values["lost_reason"] = self.lost_reason(_("unknown (imported)"), create=True)
        closed_at = values.pop("closed_at", None)
        if stage is not None and stage.is_closed and closed_at is None:
            raise RowError(_("A won or lost deal needs its closed date."), "closed_at")
        if closed_at is not None and self._created is not None and closed_at < self._created:
            raise RowError(_("The deal closed before it was created."), "closed_at")

        def create(v: dict[str, Any]) -> Opportunity:
            v.setdefault("owner", self.actor)
            opp = create_opportunity(actor=self.actor, **v, at=self._created)
            self.mark_placed(RecordKind.OPPORTUNITY, opp.pk)
            return opp

        def update(rec: Opportunity, ch: dict[str, Any]) -> None:
            new_stage = ch.pop("stage", None)
            lost_reason = ch.pop("lost_reason", None) if new_stage is not None else None
            if ch:
                update_opportunity(rec, actor=self.actor, changes=ch, expected_version=None)
            if new_stage is not None:
                rec.refresh_from_db()
                move_opportunity(
                    rec,
                    actor=self.actor,
                    stage=new_stage,
                    expected_version=None,
                    lost_reason=lost_reason or rec.lost_reason,
                    at=closed_at or timezone.now(),
                )

        outcome, opp, message = self._upsert(
            Opportunity, values, create=create, update=update, matches=lambda v: []
        )
        if outcome == Outcome.CREATED:
            at = closed_at if (stage is not None and stage.is_closed) else None
            self.date_record(
                opp,
                closed_at=at,
                stage_changed_at=at or opp.created_at,  # type: ignore[attr-defined]
            )
        elif closed_at is not None and opp.closed_at is not None and opp.closed_at != closed_at:  # type: ignore[attr-defined]
            self.before(opp, ["closed_at"])
            self.date_record(opp, closed_at=closed_at)
        return outcome, opp, message

    def deal_stage(self, key: str) -> Stage:
        pipeline = Pipeline.objects.filter(is_default=True).first()
        stage = Stage.objects.filter(pipeline=pipeline, key=key).first()
        if stage is None:
            raise RowError(_("No stage “%(key)s” in the default pipeline.") % {"key": key})
        return stage

    def lost_reason(self, name: str, *, create: bool = False) -> LostReason:
        """Found reasons are cached; one made here is not (a refused row's savepoint takes it away)."""
        key = name.strip().lower()
        reason = self._reasons.get(key)
        if reason is None:
            reason = (
                LostReason.objects.filter(Q(name__iexact=name.strip()) | Q(name_en__iexact=name.strip()))
                .order_by("is_archived", "id")
                .first()
            )
            if reason is not None:
                self._reasons[key] = reason
        if reason is None and create:
            # "unknown (imported)" is a legitimate reason that reports tell apart from the others.
            reason = LostReason.objects.create(name="알 수 없음 (가져옴)", name_en="unknown (imported)")
        if reason is None:
            raise RowError(_("Unknown lost reason “%(value)s”.") % {"value": name}, "lost_reason")
        return reason

    def clock_for(self, kind: str, record_id: int, at: dt.datetime) -> dt.datetime:
        """The time process rows are written at for an event of ``at``: never before the record's last
        stay began (a touch older than the stage the record is in moves it from now on, not in the past)."""
        latest = (
            StageHistory.objects.filter(record_kind=kind, record_id=record_id)
            .order_by("-entered_at")
            .values_list("entered_at", flat=True)
            .first()
        )
        return max(at, latest) if latest is not None else at

    def mark_placed(self, kind: str, record_id: int) -> None:
        """The stays the process placed a new record in: file stage rows replace them."""
        StageHistory.objects.filter(record_kind=kind, record_id=record_id).update(rule=PLACED)

    def _stage_history(self, values: dict[str, Any]) -> tuple[str, models.Model, str]:
        """One stay, written to the process model directly (the process services only move records
        now; an import writes the past): replaces the stay the import placed the record in."""
        kind = values["record_type"]
        record = self.ref(kind, values["record"], _("record"))
        stage = ProcessStage.objects.filter(key=values["stage"]).first()
        if stage is None or stage.record_kind != kind:
            raise RowError(
                _("The stage “%(key)s” does not hold %(kind)s records.")
                % {"key": values["stage"], "kind": kind},
                "stage",
            )
        entered, left = values["entered_at"], values.get("left_at")
        if left is not None and left < entered:
            raise RowError(_("The stay ends before it starts."), "left_at")
        stays = StageHistory.objects.filter(record_kind=kind, record_id=record.pk)
        for placed in stays.filter(rule=PLACED):
            self.changes.append(
                {"op": "delete", "model": "process.stagehistory", "id": placed.pk, "row": snapshot(placed)}
            )
            placed.delete()
        same = stays.filter(stage=stage, entered_at=entered).first()
        if same is not None:
            if same.left_at == left:
                return Outcome.MATCHED, same, _("Unchanged.")
            self.before(same, ["left_at", "dwell_seconds"])
            same.left_at = left
            same.dwell_seconds = int((left - entered).total_seconds()) if left else None
            same.save(update_fields=["left_at", "dwell_seconds"])
            return Outcome.UPDATED, same, "left_at"
        if left is None and stays.filter(left_at__isnull=True).exists():
            raise RowError(
                _("The record already has an open stay; only its last stay may be open."), "left_at"
            )
        overlap = stays.filter(entered_at__lt=left or dt.datetime.max.replace(tzinfo=dt.UTC)).filter(
            Q(left_at__isnull=True) | Q(left_at__gt=entered)
        )
        if overlap.exists():
            raise RowError(_("The stay overlaps another stay of the record."), "entered_at")
        previous = stays.filter(entered_at__lt=entered).order_by("-entered_at").first()
        following = stays.filter(entered_at__gt=entered).order_by("entered_at").first()
        stay = StageHistory.objects.create(
            record_kind=kind,
            record_id=record.pk,
            stage=stage,
            from_stage=previous.stage if previous else None,
            to_stage=following.stage if (following and left is not None) else None,
            entered_at=entered,
            left_at=left,
            dwell_seconds=int((left - entered).total_seconds()) if left is not None else None,
            method=Method.INITIAL if previous is None else Method.MANUAL,
            rule=f"import:{self.job.job_id}"[:120],
            **segment_of(record),
        )
        self.created(stay)
        if previous is not None and previous.to_stage_id is None and previous.left_at is not None:
            self.before(previous, ["to_stage"])
            StageHistory.objects.filter(pk=previous.pk).update(to_stage=stage)
        if following is not None and following.from_stage_id is None:
            self.before(following, ["from_stage", "method"])
            StageHistory.objects.filter(pk=following.pk).update(from_stage=stage, method=Method.MANUAL)
        log_change(
            actor=self.actor,
            action=ChangeLog.Action.CREATE,
            instance=stay,
            after={"record": f"{kind}:{record.pk}", "stage": stage.key, "method": "import"},
        )
        return Outcome.CREATED, stay, ""

    def _activity(self, values: dict[str, Any]) -> tuple[str, models.Model, str]:
        external_id = values.pop("external_id", "")
        record = None
        if values.get("record"):
            kind = values.get("record_type")
            if not kind:
                raise RowError(_("Say which kind of record the activity belongs to."), "record_type")
            record = self.ref(kind, values["record"], _("record"))
        values.pop("record", None)
        values.pop("record_type", None)
        created = values.pop("created_at", None)
        completed = values.get("completed_at")
        if external_id:
            existing = self.find(Activity, external_id)
            if existing is not None:
                return Outcome.MATCHED, existing, _("Unchanged.")
        values.setdefault("owner", self.actor)
        if completed is not None:
            values.setdefault("status", Activity.Status.DONE)
        activity = create_activity(actor=self.actor, record=record, **values)
        self.created(activity)
        if external_id:
            self.link(activity, external_id)
        when = created or values.get("start_at") or values.get("due_at") or completed
        self.date_record(activity, created_at=when, completed_at=completed)
        return Outcome.CREATED, activity, ""


def _attname(model: type[models.Model], name: str) -> str:
    return model._meta.get_field(name).attname  # type: ignore[union-attr]


def _differs(current: Any, new: Any) -> bool:
    if isinstance(current, models.Model) or isinstance(new, models.Model):
        return getattr(current, "pk", current) != getattr(new, "pk", new)
    if isinstance(current, Decimal) and isinstance(new, Decimal):
        return current != new
    if current is None:
        return new not in (None, "")
    return current != new


def _texts(raw: dict[str, Any]) -> dict[str, str]:
    return {k: (v.isoformat() if isinstance(v, dt.date | dt.datetime) else str(v)) for k, v in raw.items()}


def _message(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        if hasattr(exc, "error_dict"):
            return "; ".join(f"{k}: {' '.join(str(m) for m in v)}" for k, v in exc.message_dict.items())
        return " ".join(str(m) for m in exc.messages)
    return str(exc)


# --- the run ------------------------------------------------------------------------------------------


@dataclass
class RunReport:
    rows: list[RowResult]
    counts: dict[str, int]
    unknown: dict[str, list[str]]
    error: str = ""


def _count(counts: dict[str, int], results: list[RowResult]) -> None:
    for r in results:
        counts[r.outcome] = counts.get(r.outcome, 0) + 1


def _prepared(importer: Importer, raw: dict[str, Any]) -> None:
    """The created time is read before the handler so that the services' ``at=`` back-dates stays."""
    importer._created = None
    for column, name in importer.columns.items():
        if name == "created_at" and raw.get(column) not in (None, ""):
            try:
                importer._created = parse_datetime(raw[column], str(importer.fields[name].label))
            except RowError:
                importer._created = None


def dry_run(job: ImportJob, actor: User, *, keep: int | None = None) -> RunReport:
    """Everything the real run would do, rolled back; the job keeps the row results (``keep`` limits
    how many are stored)."""
    importer = Importer(job, actor)
    results: list[RowResult] = []
    error = ""
    try:
        table = open_table(Path(job.file_path))
        missing = importer.missing_required()
        if missing:
            raise FileError(_("No column is mapped to: %(fields)s.") % {"fields": ", ".join(missing)})
        with audit_context(job_id=job.job_id, source="import"):
            try:
                with transaction.atomic():
                    for number, raw in table.rows():
                        _prepared(importer, raw)
                        results.append(importer.handle(number, raw))
                    raise _DryRunDone
            except _DryRunDone:
                pass
    except FileError as exc:
        error = str(exc)
    counts: dict[str, int] = {}
    _count(counts, results)
    with transaction.atomic():
        job.rows.all().delete()
        _store(job, results[:keep] if keep is not None else results, dry=True)
        job.is_dry_run = True
        job.counts = counts
        job.unknown_values = importer.unknown
        job.total_rows = len(results)
        job.error = error
        if job.status in (ImportJob.Status.UPLOADED, ImportJob.Status.CHECKING, ImportJob.Status.CHECKED):
            job.status = ImportJob.Status.UPLOADED if error else ImportJob.Status.CHECKED
        job.save(update_fields=["is_dry_run", "counts", "unknown_values", "total_rows", "error", "status"])
    return RunReport(results, counts, importer.unknown, error)


def _store(job: ImportJob, results: list[RowResult], *, dry: bool) -> None:
    ImportRow.objects.bulk_create(
        [
            ImportRow(
                job=job,
                number=r.number,
                outcome=r.outcome,
                message=r.message[:2000],
                external_id=r.external_id[:120],
                content_type=ContentType.objects.get_for_model(r.model) if (r.model and not dry) else None,
                object_id=None if dry else r.object_id,
                data=r.data,
                changes=[] if dry else r.changes,
            )
            for r in results
        ],
        batch_size=500,
    )


def real_run(job_pk: int) -> RunReport | None:
    """Run (or continue) a queued job: BATCH rows per transaction, pausing between batches when asked."""
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().get(pk=job_pk)
        if job.status == ImportJob.Status.PAUSING:
            job.status = ImportJob.Status.PAUSED
            job.save(update_fields=["status"])
            return None
        if job.status not in (ImportJob.Status.QUEUED, ImportJob.Status.RUNNING):
            return None
        if job.is_dry_run:
            job.rows.all().delete()
            job.is_dry_run = False
            job.counts = {}
            job.next_row = 0
        job.status = ImportJob.Status.RUNNING
        job.started_at = job.started_at or timezone.now()
        job.save(update_fields=["status", "started_at", "is_dry_run", "counts", "next_row"])
    actor = job.created_by
    if actor is None:
        job.status, job.error = (
            ImportJob.Status.FAILED,
            _("The person who started the import no longer exists."),
        )
        job.save(update_fields=["status", "error"])
        return None
    importer = Importer(job, actor)
    try:
        table = open_table(Path(job.file_path))
        rows = table.rows()
        done = 0
        for _skip in range(job.next_row):
            next(rows, None)
            done += 1
        exhausted = False
        while not exhausted:
            with audit_context(job_id=job.job_id, source="import"), transaction.atomic():
                locked = ImportJob.objects.select_for_update().get(pk=job.pk)
                if locked.status == ImportJob.Status.PAUSING:
                    locked.status = ImportJob.Status.PAUSED
                    locked.save(update_fields=["status"])
                    return RunReport([], locked.counts, importer.unknown)
                batch: list[RowResult] = []
                for _i in range(BATCH):
                    item = next(rows, None)
                    if item is None:
                        exhausted = True
                        break
                    number, raw = item
                    _prepared(importer, raw)
                    batch.append(importer.handle(number, raw))
                _store(locked, batch, dry=False)
                _count(locked.counts, batch)
                done += len(batch)
                locked.next_row = done
                locked.total_rows = max(locked.total_rows, done)
                if exhausted:
                    locked.status = ImportJob.Status.DONE
                    locked.finished_at = timezone.now()
                    locked.total_rows = done
                    locked.unknown_values = importer.unknown
                fields = ["next_row", "counts", "total_rows"]
                if exhausted:
                    fields += ["status", "finished_at", "unknown_values"]
                locked.save(update_fields=fields)
                job = locked
    except FileError as exc:
        ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.FAILED, error=str(exc))
        return RunReport([], job.counts, importer.unknown, str(exc))
    return RunReport([], job.counts, importer.unknown)
