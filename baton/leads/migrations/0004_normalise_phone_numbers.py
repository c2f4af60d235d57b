"""Store existing phone numbers as E.164, as the forms and the API now do.

Numbers that do not parse are left as they are (a person fixes them on the next edit; the form says
what is wrong). The reverse writes Korean numbers back in the dashed national format the app stored
before (010-1234-5678) and leaves international numbers in E.164, which is what they were typed as.
"""

import phonenumbers
from django.db import migrations

BATCH = 2000
FIELDS = {"Lead": ["phone"]}


def normalize_phone(value):
    """E.164 for a valid number, anything else stripped: a frozen copy of ``baton.core.phones`` as of
    this migration (migrations never import live code)."""
    text = (value or "").strip()
    if not text or len(text) > 40:
        return text
    try:
        number = phonenumbers.parse(text, "KR")
    except phonenumbers.NumberParseException:
        return text
    if not phonenumbers.is_valid_number(number):
        return text
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _dashed(value):
    try:
        number = phonenumbers.parse(value, "KR")
    except phonenumbers.NumberParseException:
        return value
    if not value.startswith("+") or phonenumbers.region_code_for_number(number) != "KR":
        return value
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)


def _rewrite(apps, convert):
    for model_name, fields in FIELDS.items():
        model = apps.get_model("leads", model_name)
        last = 0
        while True:
            rows = list(model.objects.filter(pk__gt=last).order_by("pk").values("pk", *fields)[:BATCH])
            if not rows:
                break
            last = rows[-1]["pk"]
            for row in rows:
                changes = {f: convert(row[f]) for f in fields if row[f] and convert(row[f]) != row[f]}
                if changes:
                    model.objects.filter(pk=row["pk"]).update(**changes)


def forwards(apps, schema_editor):
    _rewrite(apps, normalize_phone)


def backwards(apps, schema_editor):
    _rewrite(apps, _dashed)


class Migration(migrations.Migration):
    dependencies = [("leads", "0003_phone_and_website_validation")]

    operations = [migrations.RunPython(forwards, backwards, elidable=True)]
