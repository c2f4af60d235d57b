"""Lost reasons get a stable ``code``; the reason imports gave lost deals whose file had none (made
before under the name "알 수 없음 (가져옴)" / "unknown (imported)") is marked ``unknown_imported`` so
reports count it apart whatever it is called. Several such rows (one per language the import ran in)
become one: their deals move to the first, the others are archived (reasons are never deleted)."""

from django.db import migrations, models
from django.db.models import Q

OLD_NAMES = ("알 수 없음 (가져옴)", "알 수 없음(가져옴)", "unknown (imported)")


def mark_unknown_imported(apps, schema_editor):
    LostReason = apps.get_model("deals", "LostReason")
    Opportunity = apps.get_model("deals", "Opportunity")
    query = Q()
    for name in OLD_NAMES:
        query |= Q(name__iexact=name) | Q(name_en__iexact=name)
    rows = list(LostReason.objects.filter(query).order_by("id"))
    if not rows:
        return
    kept, others = rows[0], rows[1:]
    for other in others:
        Opportunity.objects.filter(lost_reason=other).update(lost_reason=kept)
        LostReason.objects.filter(pk=other.pk).update(is_archived=True)
    LostReason.objects.filter(pk=kept.pk).update(
        code="unknown_imported", name="알 수 없음(가져옴)", name_en="Unknown (imported)"
    )


def unmark(apps, schema_editor):
    apps.get_model("deals", "LostReason").objects.filter(code="unknown_imported").update(code="")


class Migration(migrations.Migration):
    dependencies = [("deals", "0012_effort_role_partner_user")]

    operations = [
        migrations.AddField(
            model_name="lostreason",
            name="code",
            field=models.CharField(
                blank=True, default="", editable=False, max_length=40, verbose_name="code"
            ),
        ),
        migrations.AddConstraint(
            model_name="lostreason",
            constraint=models.UniqueConstraint(
                condition=models.Q(("code", ""), _negated=True),
                fields=("code",),
                name="lostreason_unique_code",
            ),
        ),
        migrations.RunPython(mark_unknown_imported, unmark),
    ]
