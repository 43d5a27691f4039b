"""Keywords are spelt as papers write them ("LLMs", "Gaussian", not "llms") since this migration's version, and
phrases read across a citation are no longer made: every paper's keywords are made again, by the follower that
makes them for new papers (`paperhub keywords`, or the scheduled job), in change order. Until a paper's turn
comes its old keywords stay on its page."""

from datetime import UTC, datetime

from django.db import migrations

# Older than any paper's change: the follower's position (the newest made_for stored) goes back to the start.
LONG_AGO = datetime(1970, 1, 1, tzinfo=UTC)


def remake_keywords(apps, schema_editor):
    apps.get_model("search", "PaperKeywords").objects.update(made_for=LONG_AGO)


class Migration(migrations.Migration):

    dependencies = [
        ("search", "0003_paperkeywords"),
    ]

    operations = [
        migrations.RunPython(remake_keywords, migrations.RunPython.noop),
    ]
