"""For you remembers what its first page showed: on a later day those picks come after the ones never shown."""

from datetime import date, timedelta

import numpy as np
import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from paperhub.core.navigation import asked_here
from paperhub.core.permissions import NotAllowed
from paperhub.core.tokens import create_token
from paperhub.recommend import personal, queries, services
from paperhub.recommend.models import Shown
from paperhub.recommend.queries import Pick
from paperhub.recommend.space import Space
from tests.factories import add_paper, user
from tests.recommend.test_for_you import like

DAY1 = date(2026, 12, 1)
DAY2 = DAY1 + timedelta(days=1)


def ids(picks: list[Pick]) -> list[int]:
    return [p.paper.pk for p in picks]


def test_picks_shown_on_day_one_come_after_the_unseen_on_day_two_and_are_not_lost(topics, reader):
    like(reader, "proteins", 3)
    everything = ids(queries.for_you(reader, limit=100))
    first = queries.for_you(reader, limit=5, today=DAY1)
    assert ids(first) == everything[:5]  # nothing remembered yet: the model's order
    assert services.remember_shown(reader, first, DAY1) == 5
    # the same day the page keeps its order, and seeing it again writes nothing
    again = queries.for_you(reader, limit=5, today=DAY1)
    assert ids(again) == ids(first) and all(p.shown_on == DAY1 and not p.shown_before for p in again)
    with CaptureQueriesContext(connection) as written:
        assert services.remember_shown(reader, again, DAY1) == 0
    assert len(written) == 0
    # the next day the unseen come first (up to UNSEEN_AHEAD of them), each part in the model's order; the shown
    # ones are further down
    assert len(everything) - 5 <= queries.UNSEEN_AHEAD  # (this hub's candidates: every unseen one goes first)
    later = queries.for_you(reader, limit=100, today=DAY2)
    assert ids(later) == everything[5:] + everything[:5]
    assert all(p.shown_before and p.shown_on == DAY1 for p in later[-5:])
    assert not any(p.shown_before or p.shown_on for p in later[:-5])
    assert ids(queries.for_you(reader, limit=5, offset=len(everything) - 5, today=DAY2)) == everything[:5]
    # without a day (the digests' picks of a period) the order is the model's
    assert ids(queries.for_you(reader, limit=100)) == everything
    # a day-two visit keeps day one as the day they were first shown
    services.remember_shown(reader, later[:5] + later[-5:], DAY2)
    assert sorted(Shown.objects.filter(user=reader).values_list("shown_on", flat=True)) == [DAY1] * 5 + [DAY2] * 5


def test_picks_shown_before_wait_behind_two_pages_of_new_ones_not_the_whole_window():
    """They sank below every unseen candidate of the 30-day window: a good pick seen yesterday behind thousands of
    weak matches (page 127 of a 2,538-paper hub)."""
    class Rows:  # the candidates' rows, by paper id: paper id i is row i
        row = {i: i for i in range(10)}

        def __len__(self) -> int:
            return 10

    order = np.array([3, 1, 4, 0, 5, 9, 2, 6, 8, 7])
    candidates: Space = Rows()  # type: ignore[assignment]
    moved = queries._unseen_first(order, candidates, {3, 4, 8}, ahead=3)
    assert moved.tolist() == [1, 0, 5, 3, 4, 9, 2, 6, 8, 7]  # after 3 unseen; 8, further down, stays
    assert queries._unseen_first(order, candidates, {3}, ahead=20).tolist() == [1, 4, 0, 5, 9, 2, 6, 8, 7, 3]
    assert queries._unseen_first(order, candidates, set(), ahead=3).tolist() == order.tolist()


def test_each_user_has_a_memory_of_their_own(topics, reader):
    other = user("other")
    for person in (reader, other):
        like(person, "robots", 3)
    before = ids(queries.for_you(other, limit=100))
    services.remember_shown(reader, queries.for_you(reader, limit=5, today=DAY1), DAY1)
    assert ids(queries.for_you(other, limit=100, today=DAY2)) == before
    assert Shown.objects.filter(user=other).count() == 0
    with pytest.raises(NotAllowed):
        services.remember_shown(AnonymousUser(), [], DAY1)  # type: ignore[arg-type]


def test_only_the_first_page_is_remembered_and_a_later_day_marks_it(topics, reader):
    like(reader, "galaxies", 3)
    client = Client()
    assert client.get("/for-you").status_code == 302 and not Shown.objects.exists()  # visitors: nothing kept
    client.force_login(reader)
    # a page no one asked for here (another site's link, a prefetch) is not read: nothing kept
    assert client.get("/for-you", HTTP_SEC_FETCH_SITE="cross-site").status_code == 200
    assert client.get("/for-you", HTTP_SEC_PURPOSE="prefetch;prerender").status_code == 200
    assert not Shown.objects.exists()
    page = client.get("/for-you", HTTP_SEC_FETCH_SITE="same-origin").content.decode()
    assert "<strong>Shown before</strong>" not in page
    shown = set(Shown.objects.filter(user=reader).values_list("paper_id", flat=True))
    assert len(shown) == 20 and Shown.objects.get(paper_id=min(shown)).shown_on == timezone.localdate()
    client.get("/for-you?page=2")
    assert Shown.objects.filter(user=reader).count() == 20  # later pages are not remembered
    Shown.objects.filter(user=reader).update(shown_on=timezone.localdate() - timedelta(days=1))  # a day later
    # the API and the private feed read the page's order, and neither records anything
    _, token = create_token(reader, "t")
    answer = client.get("/api/recommendations?limit=100", HTTP_AUTHORIZATION=f"Bearer {token}").json()
    assert [p["shown_on"] is not None for p in answer] == [False] * 9 + [True] * 20
    assert Client().get(f"/feeds/for-you/{personal.new_feed_token(reader)}.atom").status_code == 200
    assert Shown.objects.filter(user=reader).count() == 20
    cards = client.get("/for-you").content.decode().split('<div class="pick" id="pick-')[1:]
    marked = ["<strong>Shown before</strong>, on" in card for card in cards]
    assert marked == [False] * 9 + [True] * 11  # 29 candidates: the 9 never shown come first


@pytest.mark.parametrize(("headers", "asked"), [
    ({}, True),  # an older browser or a script: no fetch metadata to go by
    ({"Sec-Fetch-Site": "same-origin"}, True), ({"Sec-Fetch-Site": "none"}, True),  # this hub's link; the address bar
    ({"Sec-Fetch-Site": "cross-site"}, False), ({"Sec-Fetch-Site": "same-site"}, False),
    ({"Sec-Fetch-Site": "same-origin", "Sec-Purpose": "prefetch"}, False),
    ({"Sec-Fetch-Site": "same-origin", "Sec-Purpose": "prefetch;prerender"}, False),
    ({"Purpose": "prefetch"}, False), ({"X-Moz": "prefetch"}, False), ({"X-Purpose": "preview"}, False),
])
def test_a_page_counts_as_seen_only_when_asked_for_on_this_hub(rf, headers, asked):
    assert asked_here(rf.get("/for-you", headers=headers)) is asked


@pytest.mark.django_db
def test_rows_per_user_are_bounded_the_oldest_going_first(monkeypatch):
    monkeypatch.setattr(services, "SHOWN_KEPT", 4)
    reader, other = user("reader"), user("other")
    papers = [add_paper(f"2612.{i:05d}") for i in range(6)]
    services.remember_shown(other, [Pick(papers[0], 0.0, [])], DAY1)
    for day, paper in enumerate(papers):
        services.remember_shown(reader, [Pick(paper, 0.0, [])], DAY1 + timedelta(days=day))
    kept = Shown.objects.filter(user=reader).order_by("shown_on")
    assert [s.paper_id for s in kept] == [p.pk for p in papers[2:]]
    assert Shown.objects.filter(user=other).count() == 1  # another user's memory is theirs
    with pytest.raises(IntegrityError), transaction.atomic():
        Shown.objects.create(user=reader, paper=papers[5], shown_on=DAY2)  # one row per paper: its first day


@pytest.mark.django_db(transaction=True)
def test_the_migration_goes_both_ways():
    call_command("migrate", "recommend", "0004", verbosity=0)
    assert "recommend_shown" not in connection.introspection.table_names()
    call_command("migrate", "recommend", verbosity=0)
    assert "recommend_shown" in connection.introspection.table_names()
