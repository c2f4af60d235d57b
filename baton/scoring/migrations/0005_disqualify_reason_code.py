"""Disqualification reasons get a stable ``code`` (``unknown_imported`` marks the reason an import
gives a disqualified lead whose file had none). Leads imported before, disqualified with the text
"알 수 없음 (가져옴)" / "unknown (imported)" and no disqualification row, get one with that reason,
so reports count them in its bucket too."""

import datetime as dt

from django.db import migrations, models
from django.db.models import Q

OLD_NAMES = ("알 수 없음 (가져옴)", "알 수 없음(가져옴)", "unknown (imported)")


def mark_imported_leads(apps, schema_editor):
    Lead = apps.get_model("leads", "Lead")
    DisqualifyReason = apps.get_model("scoring", "DisqualifyReason")
    Disqualification = apps.get_model("scoring", "Disqualification")
    query = Q()
    for name in OLD_NAMES:
        query |= Q(disqualify_reason__iexact=name)
    leads = list(
        Lead.objects.filter(query, status="disqualified", disqualifications__isnull=True).only(
            "id", "created_at"
        )
    )
    if not leads:
        return
    reason = DisqualifyReason.objects.filter(code="unknown_imported").first()
    if reason is None:
        reason = DisqualifyReason.objects.create(
            code="unknown_imported", name="알 수 없음(가져옴)", name_en="Unknown (imported)", sequence=999
        )
    Disqualification.objects.bulk_create(
        Disqualification(
            lead_id=lead.pk,
            reason=reason,
            recycle_on=(lead.created_at + dt.timedelta(days=reason.recycle_days)).date(),
            disqualified_at=lead.created_at,
        )
        for lead in leads
    )


def unmark(apps, schema_editor):
    apps.get_model("scoring", "DisqualifyReason").objects.filter(code="unknown_imported").update(code="")


class Migration(migrations.Migration):
    dependencies = [("scoring", "0004_meddpicc_into_the_checklist_store")]

    operations = [
        migrations.AddField(
            model_name="disqualifyreason",
            name="code",
            field=models.CharField(
                blank=True, default="", editable=False, max_length=40, verbose_name="code"
            ),
        ),
        migrations.AddConstraint(
            model_name="disqualifyreason",
            constraint=models.UniqueConstraint(
                condition=models.Q(("code", ""), _negated=True),
                fields=("code",),
                name="disqualifyreason_unique_code",
            ),
        ),
        migrations.RunPython(mark_imported_leads, unmark),
    ]
