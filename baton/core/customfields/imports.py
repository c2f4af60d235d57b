"""A spreadsheet cell as a custom field value: what the importer (baton/transfer) reads.

``from_text`` turns the text a file holds (or the form ``customfields.export`` writes) into the raw
value ``values.coerce`` takes, so the import validates exactly as every other write path does:
yes/no in either language, choices by value or label (Korean or English, any case), several choices
separated by commas, money as ``1500``, ``1,500 USD`` or ``USD 1500``, percents with or without ``%``,
users by id, user name, e-mail or display name, records by ``12`` or ``#12``. Dates arrive already
parsed by the importer (it knows the file's date formats).
"""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _

from baton.core.customfields.models import CustomField, FieldType
from baton.core.models import User

YES = {"yes", "y", "true", "t", "1", "예", "네", "o", "on"}
NO = {"no", "n", "false", "f", "0", "아니요", "아니오", "x", "off"}
NUMERIC_CELLS = (FieldType.NUMBER, FieldType.PERCENT, FieldType.MONEY, FieldType.USER, FieldType.REFERENCE)
_MONEY = re.compile(r"^(?:([A-Za-z]{3})\s*)?([-+]?[\d.,\s]+?)\s*([A-Za-z]{3})?$")


def known_choice(definition: CustomField, text: str) -> str | None:
    """The choice a cell names by its value or a label (any case, either language), or None."""
    wanted = text.strip().lower()
    for choice in definition.choices:
        names = (choice.get("value"), choice.get("label_ko"), choice.get("label_en"))
        if any(isinstance(n, str) and n.strip().lower() == wanted for n in names):
            return str(choice["value"])
    return None


def _choice(definition: CustomField, text: str) -> str:
    found = known_choice(definition, text)
    return found if found is not None else text.strip()  # coerce refuses it with the list of choices


def choice_pieces(definition: CustomField, text: str) -> list[str]:
    """A multiple-choice cell's values: separated by commas or semicolons, unless the whole cell is
    one choice's label (that itself holds a comma)."""
    if known_choice(definition, text) is not None:
        return [text.strip()]
    return [part.strip() for part in re.split(r"[,;]", text) if part.strip()]


def _user(text: str) -> Any:
    key = text.strip().lstrip("#")
    if key.isdigit():
        return int(key)
    found = list(
        User.objects.filter(
            Q(username__iexact=key) | Q(email__iexact=key) | Q(display_name=key), is_active=True
        ).values_list("pk", flat=True)[:2]
    )
    if len(found) != 1:
        raise ValidationError(_("No such user."))
    return found[0]


def from_text(definition: CustomField, raw: Any) -> Any:
    """The raw value for ``coerce`` of a cell (a string, or a number an XLSX cell holds)."""
    kind = definition.type
    if isinstance(raw, bool):
        return raw if kind == FieldType.BOOLEAN else str(raw)
    if isinstance(raw, int | float):
        if kind in NUMERIC_CELLS:
            return raw
        raw = str(int(raw)) if isinstance(raw, float) and raw.is_integer() else str(raw)
    text = str(raw).strip()
    if kind == FieldType.BOOLEAN:
        lowered = text.lower()
        if lowered in YES or lowered == _("Yes").lower():
            return True
        if lowered in NO or lowered == _("No").lower():
            return False
        raise ValidationError(_("Answer yes or no (true or false)."))
    if kind == FieldType.PERCENT:
        return text.rstrip("%").strip()
    if kind == FieldType.MONEY:
        match = _MONEY.match(text.replace("₩", "").replace("$", "").replace("€", ""))
        if not match or (match.group(1) and match.group(3)):
            raise ValidationError(_("Enter an amount, optionally with its currency (1500 USD)."))
        currency = (match.group(1) or match.group(3) or "KRW").upper()
        return {"amount": match.group(2).replace(" ", ""), "currency": currency}
    if kind == FieldType.CHOICE:
        return _choice(definition, text)
    if kind == FieldType.MULTI_CHOICE:
        whole = _choice(definition, text)
        if whole != text:  # a label that itself holds a comma
            return [whole]
        return [_choice(definition, part) for part in re.split(r"[,;]", text) if part.strip()]
    if kind == FieldType.USER:
        return _user(text)
    if kind == FieldType.REFERENCE:
        return text.lstrip("#")
    return text
