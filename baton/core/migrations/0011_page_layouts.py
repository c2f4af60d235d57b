# Page layouts per record type and role (issue 15).

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0010_customfield_show_on_card'),
    ]

    operations = [
        migrations.CreateModel(
            name='PageLayout',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('object', models.CharField(max_length=20, verbose_name='record type')),
                ('role', models.CharField(blank=True, max_length=32, verbose_name='role')),
                ('sections', models.JSONField(blank=True, default=list, verbose_name='sections')),
                ('version', models.PositiveIntegerField(default=1)),
                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated')),
                ('updated_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'page layout',
                'verbose_name_plural': 'page layouts',
                'ordering': ['object', 'role'],
                'constraints': [models.UniqueConstraint(fields=('object', 'role'), name='pagelayout_unique_role')],
            },
        ),
    ]
