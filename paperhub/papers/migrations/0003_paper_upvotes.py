# Adds Paper.upvotes in place. Django's AddField would copy the whole papers table on SQLite (it rebuilds
# the table for any NOT NULL column); ALTER TABLE ... ADD COLUMN with a constant default is instant on
# SQLite and on PostgreSQL 11+, which matters with millions of papers.

from django.db import migrations, models

ADD = 'ALTER TABLE "papers_paper" ADD COLUMN "upvotes" integer DEFAULT 0 NOT NULL'
DROP = 'ALTER TABLE "papers_paper" DROP COLUMN "upvotes"'


class Migration(migrations.Migration):

    dependencies = [
        ('papers', '0002_paper_changed_at_paper_paper_changed'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunSQL(ADD, DROP)],
            state_operations=[
                migrations.AddField(
                    model_name='paper',
                    name='upvotes',
                    field=models.IntegerField(db_default=0, default=0),
                ),
            ],
        ),
    ]
