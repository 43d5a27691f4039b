"""The shapes of every existing username, in batches (an account made before the table, or by staff, that looks
like an earlier one leaves the shape with the earlier one, as record_shapes does)."""

from typing import Any

from django.conf import settings
from django.db import migrations

from paperhub.accounts.names import shapes

BATCH = 2000


def record_all(apps: Any, schema_editor: Any) -> None:
    """Store the shapes of every account's name, a batch of accounts at a time, oldest first."""
    users = apps.get_model(*settings.AUTH_USER_MODEL.split(".")).objects.order_by("pk")
    shape_model = apps.get_model("accounts", "UsernameShape")
    last = 0
    while batch := list(users.filter(pk__gt=last).values_list("pk", "username")[:BATCH]):
        shape_model.objects.bulk_create(
            [shape_model(user_id=pk, shape=shape) for pk, name in batch for shape in shapes(name)],
            ignore_conflicts=True,
        )
        last = batch[-1][0]


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_username_shapes"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [migrations.RunPython(record_all, migrations.RunPython.noop)]
