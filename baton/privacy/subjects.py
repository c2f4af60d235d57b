"""Data-subject requests: find everything Baton holds about a person, export it as a machine-readable
archive, and erase it.

A *subject* is the set of lead and contact records an administrator has identified as one person
(found by e-mail, phone or name). Everything about them is:

- the records themselves (with their search-index columns) and their consent statements;
- every row pointing at them (activities, comments and feed entries, interactions, follows, scoring
  rows, …) and every row pointing at those (e-mails, attachments, "?" questions, notifications, …);
- change-log rows about any of those, or filed under the person; notifications about those changes;
  contact merges involving them; e-mails sent to or received from their address.

Erasing pseudonymises the person records (name replaced, identifying fields blanked), deletes the
activities, comments, interactions, e-mails and attachments that are the person's own, blanks the
personal fields in their change log, and finally removes every remaining occurrence of their e-mail
address or phone number anywhere in the database (and of their name in the rows about them),
including JSON columns and the search indexes. An ``ErasureLog`` row records who did it, when, which
record ids and how many rows per table, and nothing personal.
"""

from __future__ import annotations

import io
import json
import re
import uuid
import zipfile
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db import DatabaseError, connection, models, transaction
from django.db.models import Q
from django.db.models.functions import Cast
from django.utils import timezone

from baton.accounts.models import Account, Contact, Merge
from baton.activities.models import (
    OWN_RECORD_ORDER,
    Activity,
    Attachment,
    EmailMessage,
    FeedEntry,
    Notification,
)
from baton.activities.touches import refresh_first_touch
from baton.core.audit import _jsonable, log_change
from baton.core.customfields.search import token_texts
from baton.core.models import ChangeLog, User
from baton.core.phones import format_phone, normalize_phone
from baton.core.records import record_url
from baton.core.textsearch import Searchable, fts_table, phone_digits, refresh_search_fields
from baton.leads.models import Lead, LeadInteraction
from baton.privacy.models import ErasureLog, ExportLog, RetentionRun

ERASED = "[erased]"
# Fields of the person records that identify or describe the person: blanked (the name replaced).
PERSON_FIELDS = {
    "leads.lead": ("name", "email", "phone", "title", "description"),
    "accounts.contact": ("name", "email", "phone", "mobile", "title", "department", "notes"),
}
# Keys blanked in the change log of a person record (free text there is about the person too).
LOGGED_PERSONAL_KEYS = {"name", "email", "phone", "mobile", "title", "department", "notes", "description"}
# Tables never scrubbed: the people who use Baton, framework bookkeeping, and the privacy logs (which
# hold no personal values by design).
SKIP_APPS = {"auth", "contenttypes", "sessions"}
SKIP_MODELS = {User, ErasureLog, ExportLog, RetentionRun}
TEXT_FIELDS = (models.CharField, models.TextField, models.JSONField)
VALUES_PER_QUERY = 40


@dataclass
class Subject:
    leads: list[Lead] = field(default_factory=list)
    contacts: list[Contact] = field(default_factory=list)

    @property
    def records(self) -> list[Lead | Contact]:
        return [*self.leads, *self.contacts]

    def ids(self) -> dict[str, list[int]]:
        return {"lead": sorted(p.pk for p in self.leads), "contact": sorted(p.pk for p in self.contacts)}

    def __bool__(self) -> bool:
        return bool(self.leads or self.contacts)


def find_people(term: str, *, limit: int = 50) -> tuple[list[Lead], list[Contact]]:
    """Leads and contacts whose name, e-mail or phone matches ``term`` (every record: administrators)."""
    term = (term or "").strip()
    if len(term) < 2:
        return [], []
    digits = phone_digits(term)
    cond_lead = Q(name__icontains=term) | Q(email__icontains=term)
    cond_contact = Q(name__icontains=term) | Q(email__icontains=term)
    if len(digits) >= 4:
        cond_lead |= Q(search_text__contains=digits)
        cond_contact |= Q(search_text__contains=digits)
    leads = list(Lead.objects.filter(cond_lead).order_by("name", "id")[:limit])
    contacts = list(
        Contact.objects.filter(cond_contact).select_related("account").order_by("name", "id")[:limit]
    )
    return leads, contacts


def subject_from_ids(lead_ids: Iterable[int], contact_ids: Iterable[int]) -> Subject:
    """The records named, plus the contact a named lead became and the leads a named contact came from."""
    leads = {p.pk: p for p in Lead.objects.filter(pk__in=list(lead_ids))}
    contacts = {p.pk: p for p in Contact.objects.filter(pk__in=list(contact_ids))}
    for lead in list(leads.values()):
        if lead.converted_contact_id and lead.converted_contact_id not in contacts:
            contact = Contact.objects.filter(pk=lead.converted_contact_id).first()
            if contact is not None:
                contacts[contact.pk] = contact
    for lead in Lead.objects.filter(converted_contact_id__in=list(contacts)):
        leads.setdefault(lead.pk, lead)
    return Subject(
        leads=sorted(leads.values(), key=lambda p: p.pk),
        contacts=sorted(contacts.values(), key=lambda p: p.pk),
    )


# --- the personal values -----------------------------------------------------------------------------


def phone_variants(value: str) -> set[str]:
    value = (value or "").strip()
    if not value:
        return set()
    stored = normalize_phone(value)
    out = {value, stored, format_phone(stored), phone_digits(stored), stored.lstrip("+")}
    return {v for v in out if len(re.sub(r"\D", "", v)) >= 6}


def personal_values(subject: Subject) -> tuple[set[str], set[str]]:
    """``(names, identifiers)``: names are removed from rows about the person; identifiers (e-mail
    addresses and phone numbers in every written form) from every row of the database."""
    names: set[str] = set()
    identifiers: set[str] = set()
    for person in subject.records:
        if person.name and person.name != ERASED and len(person.name.strip()) >= 2:
            names.add(person.name.strip())
        if person.email:
            identifiers.add(person.email.strip())
        for attr in ("phone", "mobile"):
            identifiers |= phone_variants(getattr(person, attr, "") or "")
    return names, identifiers


# --- everything about the person ---------------------------------------------------------------------


def _label(model: type[models.Model]) -> str:
    return model._meta.label_lower


def _models() -> list[type[models.Model]]:
    return [m for m in apps.get_models() if m._meta.app_label not in SKIP_APPS and m not in SKIP_MODELS]


def collect(subject: Subject) -> dict[type[models.Model], set[int]]:
    """Every row about the subject, by model (primary keys)."""
    scope: dict[type[models.Model], set[int]] = defaultdict(set)
    scope[Lead] |= {p.pk for p in subject.leads}
    scope[Contact] |= {p.pk for p in subject.contacts}
    for _level in range(2):
        sources = {m: set(ids) for m, ids in scope.items() if ids}
        for model in _models():
            if model is ChangeLog or model is Account or model._meta.app_label == "deals":
                continue  # the company and its deals are not the person's: only scrubbed of their values
            cond = Q()
            for f in model._meta.concrete_fields:
                if f.many_to_one and f.related_model in sources and f.related_model is not model:
                    cond |= Q(**{f"{f.attname}__in": list(sources[f.related_model])})
            if cond:
                scope[model] |= set(model._base_manager.filter(cond).values_list("pk", flat=True))
    contact_ids = [p.pk for p in subject.contacts]
    if contact_ids:
        scope[Merge] |= set(
            Merge.objects.filter(kind=Merge.Kind.CONTACT)
            .filter(Q(target_id__in=contact_ids) | Q(source_id__in=contact_ids))
            .values_list("pk", flat=True)
        )
    emails = [p.email for p in subject.records if p.email]
    if emails:
        cond = Q()
        for address in emails:
            cond |= (
                Q(to_addrs__icontains=address)
                | Q(cc_addrs__icontains=address)
                | Q(from_addr__icontains=address)
            )
        scope[EmailMessage] |= set(EmailMessage.objects.filter(cond).values_list("pk", flat=True))
    urls = [record_url(p) for p in subject.records]
    scope[Notification] |= set(Notification.objects.filter(url__in=urls).values_list("pk", flat=True))
    log_cond = Q()
    for model, ids in list(scope.items()):
        if not ids:
            continue
        ct = ContentType.objects.get_for_model(model, for_concrete_model=True)
        log_cond |= Q(content_type=ct, object_id__in=list(ids)) | Q(parent_type=ct, parent_id__in=list(ids))
    if log_cond:
        scope[ChangeLog] |= set(ChangeLog.objects.filter(log_cond).values_list("pk", flat=True))
        scope[Notification] |= set(
            Notification.objects.filter(change_id__in=list(scope[ChangeLog])).values_list("pk", flat=True)
        )
    return {m: ids for m, ids in scope.items() if ids}


def _row(instance: models.Model) -> dict[str, Any]:
    data = {f.attname: _jsonable(getattr(instance, f.attname)) for f in instance._meta.concrete_fields}
    for f in instance._meta.concrete_fields:
        if isinstance(f, models.FileField):
            data[f.attname] = str(getattr(instance, f.attname) or "")
    return data


def rows_by_model(scope: dict[type[models.Model], set[int]]) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for model, ids in sorted(scope.items(), key=lambda item: _label(item[0])):
        out[_label(model)] = [
            _row(obj) for obj in model._base_manager.filter(pk__in=list(ids)).order_by("pk")
        ]
    return out


def summary(scope: dict[type[models.Model], set[int]]) -> list[tuple[str, str, int]]:
    """``(label, verbose name, rows)`` per model, for the subject page."""
    return sorted(
        ((_label(m), str(m._meta.verbose_name_plural), len(ids)) for m, ids in scope.items()),
        key=lambda r: r[0],
    )


def archive(subject: Subject, *, actor: User | None) -> bytes:
    """A ZIP with ``subject.json`` (every row about the person, by table, JSON) and the attachments."""
    scope = collect(subject)
    data = {
        "format": "baton-data-subject-archive/1",
        "exported_at": timezone.now().isoformat(),
        "records": subject.ids(),
        "tables": rows_by_model(scope),
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("subject.json", json.dumps(data, ensure_ascii=False, indent=1, default=str))
        for attachment in Attachment.objects.filter(pk__in=list(scope.get(Attachment, ()))):
            try:
                with attachment.file.open("rb") as fh:
                    zf.writestr(f"attachments/{attachment.pk}-{attachment.name[:100]}", fh.read())
            except (OSError, ValueError):
                continue  # a file missing from storage: its row is in subject.json
    rows = sum(len(ids) for ids in scope.values())
    ExportLog.objects.create(
        user=actor if actor is not None and actor.pk else None,
        username=getattr(actor, "username", "")[:150] if actor is not None else "",
        kind=ExportLog.Kind.SUBJECT_ARCHIVE,
        what=_ids_text(subject),
        rows=rows,
    )
    return buffer.getvalue()


def _ids_text(subject: Subject) -> str:
    ids = subject.ids()
    return ("leads " + ",".join(map(str, ids["lead"])) + "; contacts " + ",".join(map(str, ids["contact"])))[
        :200
    ]


# --- erasure -------------------------------------------------------------------------------------------


def _replace_text(text: str, patterns: list[re.Pattern[str]]) -> str:
    for pattern in patterns:
        text = pattern.sub(ERASED, text)
    return text


def _replace_json(value: Any, patterns: list[re.Pattern[str]]) -> Any:
    if isinstance(value, str):
        return _replace_text(value, patterns)
    if isinstance(value, list):
        return [_replace_json(v, patterns) for v in value]
    if isinstance(value, dict):
        return {_replace_text(str(k), patterns): _replace_json(v, patterns) for k, v in value.items()}
    return value


def _patterns(values: Iterable[str]) -> list[re.Pattern[str]]:
    # One alternation, longest first, so that "010-1234-5678" goes before a shorter form inside it.
    ordered = [re.escape(v) for v in sorted({v for v in values if v}, key=len, reverse=True)]
    return [re.compile("|".join(ordered), re.IGNORECASE)] if ordered else []


def _match_q(f: models.Field, values: Iterable[str], alias: str) -> Q:
    cond = Q()
    for value in values:
        if isinstance(f, models.JSONField):
            # SQLite stores JSON with non-ASCII characters escaped (\uae40): look for both forms.
            cond |= Q(**{f"{alias}__icontains": value})
            escaped = json.dumps(value)[1:-1]
            if escaped != value:
                cond |= Q(**{f"{alias}__icontains": escaped})
        else:
            cond |= Q(**{f"{f.attname}__icontains": value})
    return cond


def _chunks(items: Iterable[Any], size: int) -> list[list[Any]]:
    items = sorted(items, key=str)
    return [items[i : i + size] for i in range(0, len(items), size)]


def _scrub_model(
    model: type[models.Model], identifiers: set[str], names: set[str], in_scope: set[int], counts: Counter
) -> set[int]:
    """Remove the values from every text column of ``model``: identifiers in every row, names only in
    the rows about the person. Returns the primary keys changed. Values and ids go to the database in
    chunks (a retention run erases hundreds of people at once; SQLite limits an expression's depth)."""
    changed: set[int] = set()
    id_patterns, all_patterns = _patterns(identifiers), _patterns(identifiers | names)
    for f in model._meta.concrete_fields:
        if not isinstance(f, TEXT_FIELDS) or f.primary_key:
            continue
        alias = f"_privacy_{f.attname}"
        qs = model._base_manager.all()
        if isinstance(f, models.JSONField):
            qs = qs.annotate(**{alias: Cast(f.attname, models.TextField())})
        conds = [_match_q(f, chunk, alias) for chunk in _chunks(identifiers, VALUES_PER_QUERY)]
        if names and in_scope:
            for ids in _chunks(in_scope, 500):
                conds += [
                    Q(_match_q(f, chunk, alias), pk__in=ids) for chunk in _chunks(names, VALUES_PER_QUERY)
                ]
        hits: set[Any] = set()
        for cond in conds:
            hits |= set(qs.filter(cond).values_list("pk", flat=True))
        for ids in _chunks(hits, 500):
            for pk, value in model._base_manager.filter(pk__in=ids).values_list("pk", f.attname):
                patterns = all_patterns if pk in in_scope else id_patterns
                new = (
                    _replace_json(value, patterns)
                    if isinstance(f, models.JSONField)
                    else _replace_text(value, patterns)
                )
                if new != value:
                    model._base_manager.filter(pk=pk).update(**{f.attname: new})
                    changed.add(pk)
    if changed:
        counts[_label(model)] += len(changed)
    return changed


def _own_rows(model: type[models.Model], ids: set[int], subject: Subject) -> set[int]:
    """Of these activities / feed entries, those whose own record (see OWN_RECORD_ORDER) is the person."""
    lead_ids = [p.pk for p in subject.leads]
    contact_ids = [p.pk for p in subject.contacts]
    own = Q(pk__in=[])
    unset: dict[str, bool] = {}
    for name in OWN_RECORD_ORDER:
        if name == "lead":
            own |= Q(**unset, lead_id__in=lead_ids)
        elif name == "contact":
            own |= Q(**unset, contact_id__in=contact_ids)
        unset[f"{name}__isnull"] = True
    return set(model._base_manager.filter(own, pk__in=list(ids)).values_list("pk", flat=True))


def _delete_files(names: list[str]) -> None:
    storage = Attachment._meta.get_field("file").storage  # type: ignore[attr-defined]
    for name in names:
        try:
            storage.delete(name)
        except OSError:
            continue


def _optimize_search_indexes() -> None:
    """SQLite's FTS5 keeps deleted tokens in its segments until they are merged: merge them now."""
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        for model in apps.get_models():
            if issubclass(model, Searchable):
                fts = fts_table(model._meta.db_table)
                try:
                    cursor.execute(f'INSERT INTO "{fts}"("{fts}") VALUES (\'optimize\')')  # noqa: S608 - model metadata
                except DatabaseError:
                    continue  # no index table (made by migrate); nothing to merge


@transaction.atomic
def erase(
    subject: Subject,
    *,
    actor: User | None,
    trigger: str = ErasureLog.Trigger.REQUEST,
    rule: Any = None,
) -> ErasureLog:
    """Pseudonymise the subject and remove their personal values everywhere (see the module doc)."""
    names, identifiers = personal_values(subject)
    scope = collect(subject)
    counts: Counter[str] = Counter()

    # 1. The person's own activities, comments, interactions, e-mails and their attachments go.
    own_activities = _own_rows(Activity, scope.get(Activity, set()), subject)
    own_feed = _own_rows(FeedEntry, scope.get(FeedEntry, set()), subject)
    mails = EmailMessage.objects.filter(
        Q(activity_id__in=list(own_activities)) | Q(pk__in=list(scope.get(EmailMessage, set())))
    )
    attachments = Attachment.objects.filter(Q(activity_id__in=list(own_activities)) | Q(email__in=mails))
    files: list[str] = [str(a.file.name) for a in attachments if a.file and a.file.name]
    deleted_objects: list[tuple[type[models.Model], set[int]]] = [
        (Attachment, set(attachments.values_list("pk", flat=True))),
        (EmailMessage, set(mails.values_list("pk", flat=True))),
        (
            FeedEntry,
            own_feed
            | set(
                FeedEntry.objects.filter(activity_id__in=list(own_activities)).values_list("pk", flat=True)
            ),
        ),
        (Activity, own_activities),
        (LeadInteraction, set(scope.get(LeadInteraction, set()))),
    ]
    # Leads that lose a touch get their first touch recomputed once the touches are gone.
    touched_leads = set(
        Activity.objects.filter(pk__in=list(own_activities)).values_list("lead_id", flat=True)
    ) | set(
        LeadInteraction.objects.filter(pk__in=list(scope.get(LeadInteraction, set()))).values_list(
            "lead_id", flat=True
        )
    )
    for model, ids in deleted_objects:
        if ids:
            ct = ContentType.objects.get_for_model(model, for_concrete_model=True)
            ChangeLog.objects.filter(content_type=ct, object_id__in=list(ids)).delete()
            model._base_manager.filter(pk__in=list(ids)).delete()
            counts[_label(model)] += len(ids)
            scope.pop(model, None)
    refresh_first_touch(touched_leads)
    transaction.on_commit(lambda: _delete_files(files))

    # 2. The person records: name replaced, identifying fields blanked.
    for person in subject.records:
        model = type(person)
        blank = {name: "" for name in PERSON_FIELDS[_label(model)]}
        blank["name"] = ERASED
        model._base_manager.filter(pk=person.pk).update(**blank)
        counts[_label(model)] += 1

    # 3. Their change log: the personal fields of every before/after blanked.
    for model in (Lead, Contact):
        person_ids = [p.pk for p in subject.records if isinstance(p, model)]
        if not person_ids:
            continue
        ct = ContentType.objects.get_for_model(model, for_concrete_model=True)
        for row in ChangeLog.objects.filter(content_type=ct, object_id__in=person_ids):
            row.before = {
                k: (ERASED if k in LOGGED_PERSONAL_KEYS and v else v) for k, v in row.before.items()
            }
            row.after = {k: (ERASED if k in LOGGED_PERSONAL_KEYS and v else v) for k, v in row.after.items()}
            ChangeLog.objects.filter(pk=row.pk).update(before=row.before, after=row.after, object_repr=ERASED)
            counts["core.changelog"] += 1

    # 4. Every remaining occurrence of their values, in every table.
    scope = collect(subject) | {m: ids for m, ids in scope.items() if m not in (Lead, Contact)}
    for model in _models():
        changed = _scrub_model(model, identifiers, names, scope.get(model, set()), counts)
        if issubclass(model, Searchable):
            for instance in model._base_manager.filter(pk__in=list(changed | scope.get(model, set()))):
                fresh = refresh_search_fields(instance, token_texts(instance))
                if fresh:
                    model._base_manager.filter(pk=instance.pk).update(**fresh)
    _optimize_search_indexes()

    # 5. The record of the erasure: ids and counts, nothing personal.
    entry = ErasureLog.objects.create(
        actor=actor if actor is not None and actor.pk else None,
        actor_label=(str(actor)[:150] if actor is not None else "system"),
        trigger=trigger,
        reference=uuid.uuid4().hex,
        subjects=subject.ids(),
        counts=dict(sorted(counts.items())),
        rule=rule,
    )
    for person in subject.records:
        person.refresh_from_db()
        log_change(actor=actor, action=ChangeLog.Action.UPDATE, instance=person, note="personal data erased")
    return entry
