from django.db import migrations

from baton.core.pgsearch import trigram_index_operation


class Migration(migrations.Migration):
    dependencies = [("leads", "0001_initial")]
    operations = [trigram_index_operation("leads_lead", ["name", "company", "email"])]
