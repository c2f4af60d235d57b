"""MEDDPICC answers move into the one checklist store (process.QualificationAnswer, record_kind
"opportunity"), next to BANT and The Model's four conditions. Reverses: the rows move back."""

from django.db import migrations

MEDDPICC = (
    "metrics",
    "economic_buyer",
    "decision_criteria",
    "decision_process",
    "paper_process",
    "identify_pain",
    "champion",
    "competition",
)
FIELDS = ("item", "answer", "evidence", "answered_by_id", "answered_at")


def into_the_checklist_store(apps, schema_editor):
    MeddpiccAnswer = apps.get_model("scoring", "MeddpiccAnswer")
    QualificationAnswer = apps.get_model("process", "QualificationAnswer")
    rows = MeddpiccAnswer.objects.order_by("id").values("opportunity_id", *FIELDS)
    QualificationAnswer.objects.bulk_create(
        [
            QualificationAnswer(
                record_kind="opportunity",
                record_id=row["opportunity_id"],
                **{name: row[name] for name in FIELDS},
            )
            for row in rows
        ],
        batch_size=1000,
    )


def back_to_meddpicc_answers(apps, schema_editor):
    MeddpiccAnswer = apps.get_model("scoring", "MeddpiccAnswer")
    QualificationAnswer = apps.get_model("process", "QualificationAnswer")
    moved = QualificationAnswer.objects.filter(record_kind="opportunity", item__in=MEDDPICC)
    MeddpiccAnswer.objects.bulk_create(
        [
            MeddpiccAnswer(opportunity_id=row["record_id"], **{name: row[name] for name in FIELDS})
            for row in moved.order_by("id").values("record_id", *FIELDS)
        ],
        batch_size=1000,
    )
    moved.delete()


class Migration(migrations.Migration):
    dependencies = [
        ("scoring", "0003_scoring_rule_label_en"),
        ("process", "0006_checklist_items_include_meddpicc"),
    ]

    operations = [
        migrations.RunPython(into_the_checklist_store, back_to_meddpicc_answers),
        migrations.DeleteModel(name="MeddpiccAnswer"),
    ]
