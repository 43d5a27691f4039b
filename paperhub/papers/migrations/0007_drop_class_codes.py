"""ACM and MSC classes that arXiv listings mix in among categories ("cs.CV I.4", "68U10,") were stored as
categories until records kept only codes of an arXiv category's shape; this removes those stored before."""

import re

from django.db import migrations
from django.utils import timezone

# As paperhub.papers.records.ARXIV_CATEGORY when this was written (a migration keeps its own copy).
ARXIV_CATEGORY = re.compile(r"[a-z][a-z\-]*(?:\.[A-Za-z][A-Za-z\-]*)?")


def drop_class_codes(apps, schema_editor):
    Category = apps.get_model("papers", "Category")
    Paper = apps.get_model("papers", "Paper")
    codes = [code for code in Category.objects.values_list("code", flat=True) if not ARXIV_CATEGORY.fullmatch(code)]
    for start in range(0, len(codes), 500):  # the papers' links to them go with them (on_delete=CASCADE)
        part = codes[start:start + 500]
        # changed, so the search index (which stores each paper's categories) takes them again
        Paper.objects.filter(paper_categories__category__code__in=part).update(changed_at=timezone.now())
        Category.objects.filter(code__in=part).delete()


class Migration(migrations.Migration):

    dependencies = [
        ("papers", "0006_suspendedforeignkey"),
    ]

    operations = [
        migrations.RunPython(drop_class_codes, migrations.RunPython.noop),
    ]
