from django.db import migrations

from baton.core.pgsearch import trigram_index_operation


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_owner_and_team_links")]
    operations = [
        trigram_index_operation("accounts_account", ["name"]),
        trigram_index_operation("accounts_contact", ["name", "email"]),
    ]
