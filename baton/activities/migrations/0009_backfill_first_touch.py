"""Fill ``Lead.first_touch_at`` from the touches already stored (the rule of ``baton.activities.touches``,
written out here so the migration does not depend on today's code)."""

from django.db import migrations
from django.db.models import OuterRef, Subquery
from django.db.models.functions import Coalesce, Least

TOUCH_KINDS = ("call", "email", "event", "minutes")
INTERACTION_TOUCHES = ("call", "meeting")


def backfill(apps, schema_editor):
    Lead = apps.get_model("leads", "Lead")
    Activity = apps.get_model("activities", "Activity")
    LeadInteraction = apps.get_model("leads", "LeadInteraction")
    activity = (
        Activity.objects.filter(
            lead_id=OuterRef("pk"), status="done", kind__in=TOUCH_KINDS, completed_at__isnull=False
        )
        .order_by("completed_at")
        .values("completed_at")[:1]
    )
    logged = (
        LeadInteraction.objects.filter(
            lead_id=OuterRef("pk"), kind__in=INTERACTION_TOUCHES, actor__isnull=False
        )
        .order_by("occurred_at")
        .values("occurred_at")[:1]
    )
    a, b = Subquery(activity), Subquery(logged)
    Lead.objects.update(first_touch_at=Least(Coalesce(a, b), Coalesce(b, a)))


class Migration(migrations.Migration):
    dependencies = [
        ("activities", "0008_email_reply_to_and_references"),
        ("leads", "0009_lead_first_touch"),
    ]

    # Reversing needs nothing: the column itself goes with leads.0009 when that is reversed.
    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
