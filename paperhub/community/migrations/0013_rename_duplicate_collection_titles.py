"""Before a title is unique per owner (0014): a user's later collections of one title are renamed "Title (2)",
"Title (3)" ... (the first made keeps it; slugs stay, so no link breaks), so the constraint holds on any hub."""

from collections.abc import Sequence

from django.db import migrations
from django.db.models import Count

TITLE_MAX_CHARS = 200  # Collection.title's max_length


def distinct_titles(titles: Sequence[str]) -> list[str]:
    """One owner's titles in the order their collections were made, each later repeat of a title renamed
    "Title (n)" with the first n no title of theirs holds (cut to fit the column)."""
    held, seen, kept = set(titles), set[str](), list[str]()
    for title in titles:
        if title in seen:
            n, renamed = 2, title
            while renamed in held:
                suffix = f" ({n})"
                renamed, n = title[:TITLE_MAX_CHARS - len(suffix)] + suffix, n + 1
            held.add(renamed)
            title = renamed
        seen.add(title)
        kept.append(title)
    return kept


def rename_duplicates(apps, schema_editor):
    """Rename the later collections of a title an owner has more than once (none on most hubs: one query)."""
    Collection = apps.get_model("community", "Collection")
    owners = (Collection.objects.values("owner_id", "title").annotate(n=Count("pk")).filter(n__gt=1)
              .values_list("owner_id", flat=True).distinct())
    for owner_id in set(owners):
        theirs = list(Collection.objects.filter(owner_id=owner_id).order_by("pk").only("pk", "title"))
        for collection, title in zip(theirs, distinct_titles([c.title for c in theirs]), strict=True):
            if title != collection.title:
                Collection.objects.filter(pk=collection.pk).update(title=title)


class Migration(migrations.Migration):

    dependencies = [
        ('community', '0012_collection_updated_at'),
    ]

    operations = [
        migrations.RunPython(rename_duplicates, migrations.RunPython.noop),
    ]
