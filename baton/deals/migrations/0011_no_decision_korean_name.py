"""The default pipeline's no-decision stage is called 결정 보류 on Korean pages (its English name is kept in
``name_en``), not "결정 보류 (No decision)"."""

from django.db import migrations

OLD, NEW = "결정 보류 (No decision)", "결정 보류"


def rename(apps, schema_editor):
    apps.get_model("deals", "Stage").objects.filter(key="no_decision", name=OLD).update(name=NEW)


def rename_back(apps, schema_editor):
    apps.get_model("deals", "Stage").objects.filter(key="no_decision", name=NEW).update(name=OLD)


class Migration(migrations.Migration):
    dependencies = [("deals", "0010_approval_rule_scope")]
    operations = [migrations.RunPython(rename, rename_back)]
