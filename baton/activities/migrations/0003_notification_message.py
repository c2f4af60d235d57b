"""Notifications keep a message code and parameters, translated when read. Existing rows were stored
as text in one language: where the text matches a known message in Korean or English, recover the
code and parameters (names stay as written); other rows keep showing their text."""

import re

from django.db import migrations, models
from django.utils import translation

# The messages notifications were written with (frozen here: a migration must not follow the code).
KNOWN = [
    "%(user)s converted %(record)s",
    "%(user)s archived %(record)s",
    "%(user)s moved %(record)s to %(stage)s",
    "%(user)s changed the owner of %(record)s to %(owner)s",
    "%(user)s changed the amount of %(record)s to %(amount)s",
    "%(user)s updated %(record)s (%(fields)s)",
    "%(user)s added %(kind)s “%(subject)s” on %(record)s",
    "%(user)s assigned you “%(subject)s”",
    "%(user)s completed your request “%(subject)s”",
    "%(user)s answered “%(question)s”",
    "%(user)s mentioned you on %(record)s",
    "%(user)s replied to you on %(record)s",
    "%(user)s commented on %(record)s",
    "Your mail “%(subject)s” was not sent: %(error)s",
    "Reminder: “%(subject)s” at %(when)s",
    "Overdue: “%(subject)s” was due %(when)s",
    "Approval needed: %(quote)s",
    "%(quote)s rejected: %(reason)s",
    "%(quote)s approved",
    "%(quote)s was recalled",
    "Hand-off to review: %(deal)s",
    "Hand-off sent back: %(deal)s",
    "Accepted by delivery: %(deal)s",
]
_PARAM = re.compile(r"%\((\w+)\)s")


def _pattern(template):
    parts = _PARAM.split(template)
    out = []
    for i, part in enumerate(parts):
        out.append(f"(?P<{part}>.+?)" if i % 2 else re.escape(part))
    return re.compile("^" + "".join(out) + "$", re.S)


def patterns():
    found = []
    for source in KNOWN:
        for language in ("ko", "en"):
            with translation.override(language):
                found.append((source, _pattern(translation.gettext(source))))
    return found


def recover(apps, schema_editor):
    Notification = apps.get_model("activities", "Notification")
    known = patterns()
    batch = []
    for row in Notification.objects.filter(message={}).only("pk", "text").iterator(chunk_size=500):
        for source, pattern in known:
            match = pattern.match(row.text)
            if match:
                row.message = {"m": source, "p": match.groupdict()}
                batch.append(row)
                break
        if len(batch) >= 500:
            Notification.objects.bulk_update(batch, ["message"])
            batch = []
    if batch:
        Notification.objects.bulk_update(batch, ["message"])


class Migration(migrations.Migration):
    dependencies = [
        ("activities", "0002_tasks_mail_attachments_change_notifications"),
    ]

    operations = [
        migrations.AddField(
            model_name="notification",
            name="message",
            field=models.JSONField(blank=True, default=dict),
        ),
        # Reverse: nothing to undo, the reverse of the AddField above drops the column the data went to.
        migrations.RunPython(recover, migrations.RunPython.noop),
    ]
