from django.db import migrations

from baton.core.pgsearch import trigram_index_operation


class Migration(migrations.Migration):
    dependencies = [("deals", "0002_default_pipeline_and_lost_reasons")]
    operations = [trigram_index_operation("deals_opportunity", ["name"])]
