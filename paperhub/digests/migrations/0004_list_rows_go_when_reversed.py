"""Nothing forward; backward, the collections' list subscriptions go (with their deliveries) before 0003 is
reversed: 0003's reverse makes an address unique again, which a list address also on the hub's digest, or on two
collections, would break. A migration of its own so that, on PostgreSQL, the deletions are committed before 0003's
reverse alters the table (its deferred foreign-key checks would otherwise still be pending there)."""

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps


def forget_lists(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    apps.get_model("digests", "Subscription").objects.filter(collection__isnull=False).delete()


class Migration(migrations.Migration):

    dependencies = [
        ('digests', '0003_collection_subscriptions'),
    ]

    operations = [
        migrations.RunPython(migrations.RunPython.noop, forget_lists),
    ]
