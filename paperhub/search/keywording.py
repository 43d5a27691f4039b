"""Papers' stored keywords: made for new and changed papers by following their change stamps, read for pages.

The follower's position is the newest (made_for, paper) stored: papers are taken in (changed_at, id) order, and
each row records the changed_at it was made for, so a killed run resumes where it stopped and a rerun changes
nothing. Document frequencies are the served keyword index's, so nothing is made before the first index.
"""

from collections.abc import Callable, Sequence

from django.db.models import Q

from paperhub.papers.models import Paper
from paperhub.search import keyphrases
from paperhub.search.models import PaperKeywords
from paperhub.search.related import served_idf

BATCH = 500

Progress = Callable[[int], None]


def keywords_of(paper_ids: Sequence[int]) -> dict[int, list[str]]:
    """The stored keywords of the papers among `paper_ids` that have them (one query)."""
    rows = PaperKeywords.objects.filter(paper_id__in=list(paper_ids)).values_list("paper_id", "phrases")
    return {paper_id: list(phrases) for paper_id, phrases in rows}


def _due(limit: int) -> list[Paper]:
    """The next papers past the follower's position, in change order."""
    papers = Paper.objects.only("id", "title", "abstract", "changed_at").order_by("changed_at", "id")
    last = PaperKeywords.objects.order_by("-made_for", "-paper_id").values_list("made_for", "paper_id").first()
    if last is not None:
        papers = papers.filter(Q(changed_at__gt=last[0]) | Q(changed_at=last[0], id__gt=last[1]))
    return list(papers[:limit])


def _store(papers: Sequence[Paper], idf_of: Callable[[str], float]) -> None:
    rows = [PaperKeywords(paper_id=p.id, phrases=keyphrases.keywords(p.title, p.abstract, idf_of),
                          made_for=p.changed_at) for p in papers]
    PaperKeywords.objects.bulk_create(rows, update_conflicts=True, unique_fields=["paper"],
                                      update_fields=["phrases", "made_for"])


def update(limit: int | None = None, progress: Progress | None = None) -> int | None:
    """Make the keywords of papers added or changed since the last run, in batches; returns how many papers,
    None while there is no keyword index to take document frequencies from."""
    idf_of = served_idf()
    if idf_of is None:
        return None
    made = 0
    while limit is None or made < limit:
        papers = _due(BATCH if limit is None else min(BATCH, limit - made))
        if not papers:
            break
        _store(papers, idf_of)
        made += len(papers)
        if progress:
            progress(len(papers))
    return made


def forget() -> int:
    """Delete every paper's keywords (before remaking them all); returns how many were deleted."""
    return PaperKeywords.objects.all().delete()[0]
