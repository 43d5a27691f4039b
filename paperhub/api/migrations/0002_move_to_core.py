# ApiToken and RateWindow moved to the core app (paperhub.core.models); their tables stay as they are.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("api", "0001_initial"),
        ("core", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="ApiToken"), migrations.DeleteModel(name="RateWindow")],
            database_operations=[],
        ),
    ]
