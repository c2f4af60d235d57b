from django.db import migrations

from baton.deals.services import DEFAULT_LOST_REASONS, DEFAULT_STAGES


def create_defaults(apps, schema_editor):
    Pipeline = apps.get_model("deals", "Pipeline")
    Stage = apps.get_model("deals", "Stage")
    LostReason = apps.get_model("deals", "LostReason")
    if not Pipeline.objects.exists():
        pipeline = Pipeline.objects.create(name="필드 세일즈", name_en="Field sales", is_default=True)
        for seq, (key, ko, en, prob, outcome) in enumerate(DEFAULT_STAGES, start=1):
            Stage.objects.create(
                pipeline=pipeline,
                key=key,
                name=ko,
                name_en=en,
                sequence=seq * 10,
                probability=prob,
                outcome=outcome,
            )
    if not LostReason.objects.exists():
        for ko, en, no_decision in DEFAULT_LOST_REASONS:
            LostReason.objects.create(name=ko, name_en=en, is_no_decision=no_decision)


def remove_defaults(apps, schema_editor):
    apps.get_model("deals", "Pipeline").objects.filter(is_default=True, name="필드 세일즈").delete()
    apps.get_model("deals", "LostReason").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("deals", "0001_initial")]
    operations = [migrations.RunPython(create_defaults, remove_defaults)]
