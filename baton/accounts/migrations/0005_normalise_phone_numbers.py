"""Store existing phone numbers as E.164, as the forms and the API now do.

Numbers that do not parse are left as they are (a person fixes them on the next edit; the form says
what is wrong). The reverse writes Korean numbers back in the dashed national format the app stored
before (010-1234-5678) and leaves international numbers in E.164, which is what they were typed as.
"""

import phonenumbers
from django.db import migrations

from baton.core.phones import normalize_phone

BATCH = 2000
FIELDS = {"Account": ["phone"], "Contact": ["phone", "mobile"]}


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
        model = apps.get_model("accounts", model_name)
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
    dependencies = [("accounts", "0004_phone_and_website_validation")]

    operations = [migrations.RunPython(forwards, backwards, elidable=True)]
