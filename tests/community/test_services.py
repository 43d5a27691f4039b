import functools
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.utils import timezone

from paperhub.community import curation, queries, services
from paperhub.community.markdown import render_comment
from paperhub.community.models import Comment, Submission, Upvote, WithdrawnUpvote
from paperhub.community.queries import discussion
from paperhub.core.permissions import NotAllowed
from paperhub.papers.models import FeedEntry
from paperhub.papers.services import upsert_papers
from tests.conftest import Reply
from tests.factories import FIXTURES, add_paper, record, user


@pytest.fixture
def paper(db):
    return add_paper("2611.00001", published=timezone.now())


@pytest.fixture
def ann(db):
    return user("ann")


@pytest.fixture
def bob(db):
    return user("bob")


def test_upvote_toggles_and_counts(paper, ann, bob):
    assert services.upvote(ann, paper) == (True, 1)
    assert services.upvote(bob, paper) == (True, 2)
    assert services.upvote(ann, paper) == (False, 1)
    assert services.upvote(bob, paper, on=True) == (True, 1)  # setting is idempotent
    assert services.upvote(ann, paper, on=False) == (False, 1)
    assert Upvote.objects.count() == 1


def _at_once(calls: list[Callable[[], object]]) -> list[BaseException]:
    """The calls side by side, a thread (and a database connection) each; what they raised."""
    def run(call: Callable[[], object]) -> None:
        try:
            call()
        finally:
            connection.close()

    with ThreadPoolExecutor(len(calls)) as pool:
        done = [pool.submit(run, call) for call in calls]
    return [error for future in done if (error := future.exception()) is not None]


def test_a_withdrawal_is_kept_only_when_a_period_ended_while_the_vote_stood(paper, ann):
    services.upvote(ann, paper)
    services.upvote(ann, paper)  # withdrawn in the feed day it was cast in: no period ended meanwhile
    assert not WithdrawnUpvote.objects.exists()
    services.upvote(ann, paper)
    cast = timezone.now() - timedelta(days=2)
    Upvote.objects.update(created_at=cast)
    assert services.upvote(ann, paper, on=False) == (False, 0)
    assert services.upvote(ann, paper, on=False) == (False, 0)  # withdrawing again keeps nothing more
    kept = WithdrawnUpvote.objects.get()
    assert (kept.user, kept.paper, kept.cast_at) == (ann, paper, cast)
    assert services.upvote(ann, paper) == (True, 1)
    assert Upvote.objects.get().created_at > kept.withdrawn_at  # the two never stood at once
    ann.delete()  # an account's withdrawn votes go with it, as its votes do
    assert not WithdrawnUpvote.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_concurrent_withdrawals_keep_one_record():
    paper, ann = add_paper("2611.00008"), user("ann")
    services.upvote(ann, paper)
    Upvote.objects.update(created_at=timezone.now() - timedelta(days=2))
    assert not _at_once([functools.partial(services.upvote, ann, paper, on=False)] * 6)
    paper.refresh_from_db()
    assert (paper.upvotes, WithdrawnUpvote.objects.count()) == (0, 1)


def test_anonymous_and_banned_users_cannot_write(paper, ann):
    with pytest.raises(services.NotAllowed):
        services.upvote(AnonymousUser(), paper)
    ann.is_active = False
    with pytest.raises(services.NotAllowed):
        services.add_comment(ann, paper, "hi")


@pytest.mark.django_db(transaction=True)
def test_concurrent_clicks_keep_the_count_equal_to_the_rows():
    paper = add_paper("2611.00009")
    users = [user(f"u{i}") for i in range(8)]

    def click(user, times):
        for _ in range(times):
            services.upvote(user, paper)

    assert not _at_once([functools.partial(click, u, 3 + i % 2) for i, u in enumerate(users) for _ in range(2)])
    paper.refresh_from_db()
    assert paper.upvotes == Upvote.objects.filter(paper=paper).count()


def test_comments_reply_edit_delete(paper, ann, bob):
    top = services.add_comment(ann, paper, "First!")
    reply = services.add_comment(bob, paper, "A reply", parent=top)
    assert [(e.comment.body, e.depth) for e in discussion(paper)] == [("First!", 0), ("A reply", 1)]
    with pytest.raises(services.NotAllowed):
        services.edit_comment(bob, top, "not mine")
    services.edit_comment(ann, top, "First, edited")
    assert Comment.objects.get(pk=top.pk).edited_at is not None
    services.delete_comment(ann, top)  # has a reply: stays as a placeholder
    assert Comment.objects.get(pk=top.pk).deleted
    services.delete_comment(bob, reply)
    assert not Comment.objects.filter(pk=reply.pk).exists()
    with pytest.raises(services.NotAllowed):
        services.add_comment(ann, paper, "   ")
    with pytest.raises(services.NotAllowed):
        services.add_comment(ann, paper, "x" * 10_001)


def test_hidden_comments_leave_threads(paper, ann, bob):
    top = services.add_comment(ann, paper, "spam")
    reply = services.add_comment(bob, paper, "reply to spam", parent=top)
    services.add_comment(ann, paper, "deeper", parent=reply)
    Comment.objects.filter(pk=top.pk).update(hidden=True)
    assert discussion(paper) == []
    # the replies below it leave the API's list and the counts too, as they left the page (they were counted)
    assert queries.paper_comments(paper) == [] and queries.comment_counts([paper.pk]) == {}
    assert queries.comments_by(bob) == []
    with pytest.raises(services.NotAllowed):
        services.add_comment(ann, paper, "a reply in a hidden thread", parent=reply)


def _chain(paper, user, depth):
    """A reply chain `depth` comments deep, written straight to the database (as one made before the cap)."""
    parent = None
    for n in range(depth):
        parent = Comment.objects.create(paper=paper, user=user, parent=parent, body=f"level {n + 1}")
    return parent


def test_a_discussion_is_read_in_order_without_recursion(paper, ann, bob):
    top = services.add_comment(ann, paper, "A")
    services.add_comment(ann, paper, "B")
    first = services.add_comment(bob, paper, "A.1", parent=top)
    services.add_comment(ann, paper, "A.2", parent=top)
    services.add_comment(ann, paper, "A.1.1", parent=first)
    assert [(e.comment.body, e.depth) for e in discussion(paper)] == [
        ("A", 0), ("A.1", 1), ("A.1.1", 2), ("A.2", 1), ("B", 0)]
    Comment.objects.all().delete()
    _chain(paper, ann, 3000)  # far past the interpreter's recursion limit
    entries = discussion(paper)
    assert len(entries) == 3000 and entries[-1].depth == 2999
    assert entries[-1].indent == services.COMMENT_MAX_DEPTH - 1


def test_replies_on_the_last_level_sit_beside_their_parent(paper, ann, bob):
    deepest = _chain(paper, ann, services.COMMENT_MAX_DEPTH)
    reply = services.add_comment(bob, paper, "one level too deep", parent=deepest)
    assert reply.parent_id == deepest.parent_id  # a sibling, on the last level
    depths = {e.comment.body: e.depth for e in discussion(paper)}
    assert depths["one level too deep"] == depths[f"level {services.COMMENT_MAX_DEPTH}"] == \
        services.COMMENT_MAX_DEPTH - 1
    shallow = services.add_comment(bob, paper, "fine", parent=deepest.parent)
    assert shallow.parent_id == deepest.parent_id
    legacy = _chain(paper, ann, 200)  # made before the cap: a reply still lands on the last level
    reply = services.add_comment(bob, paper, "to a legacy chain", parent=legacy)
    assert [e.depth for e in discussion(paper) if e.comment.pk == reply.pk] == [services.COMMENT_MAX_DEPTH - 1]


def test_comment_markdown_is_a_safe_subset():
    html = str(render_comment("**bold** _it_ `code` [link](https://example.org) <script>alert(1)</script>\n\n"
                              "[x](javascript:alert(1)) ![img](https://e.org/i.png)\n\n# Heading"))
    assert "<strong>bold</strong>" in html and "<em>it</em>" in html and "<code>code</code>" in html
    assert 'href="https://example.org"' in html and 'rel="nofollow noopener noreferrer ugc"' in html
    assert "<script" not in html and "href=\"javascript" not in html and "<img" not in html and "<h1" not in html
    assert "&lt;script&gt;" in html


@pytest.mark.parametrize(("text", "expected"), [
    ("2501.01234", "2501.01234"), ("2501.01234v3", "2501.01234"), ("arXiv:2501.01234", "2501.01234"),
    ("https://arxiv.org/abs/2501.01234v2", "2501.01234"), ("https://arxiv.org/pdf/2501.01234.pdf", "2501.01234"),
    ("http://arxiv.org/abs/hep-th/9901001", "hep-th/9901001"), (" 2501.01234 ", "2501.01234"),
    # the addresses the search box reads (the audit: refused here as "not an arXiv id")
    ("https://huggingface.co/papers/2501.01234", "2501.01234"), ("https://www.alphaxiv.org/abs/2501.01234", "2501.01234"),
    ("https://arxiv.org/pdf/2501.01234v2", "2501.01234"), ("10.48550/arXiv.2501.01234", "2501.01234"),
    ("https://doi.org/10.48550/arXiv.1706.03762", "1706.03762"), ("cs.AI/9902027", "cs/9902027"),
    # among other words: arXiv's stamp, a citation line, an address in a sentence
    ("arXiv:2401.12345v2 [cs.CL] 3 Jan 2024", "2401.12345"),
    ("Vaswani et al. Attention is all you need. arXiv preprint arXiv:1706.03762, 2017.", "1706.03762"),
    ("see https://www.alphaxiv.org/overview/2401.12345v2 please", "2401.12345"),
])
def test_arxiv_ids_from_what_people_paste(text, expected):
    assert services.arxiv_id_from(text) == expected


@pytest.mark.parametrize("text", ["", "hello", "https://evil.example/abs/2501.01234x", "2501.1", "../../etc",
                                  "2513.00001", "hep-th/9913001", "x" * 100_000])
def test_bad_submissions_are_refused(text):
    with pytest.raises(services.NotAllowed, match="is not an arXiv id or address: .+ Paste one such as"):
        services.arxiv_id_from(text)


def test_submit_reads_the_one_id_out_of_pasted_text(ann):
    pasted = "Vaswani et al. Attention is all you need. arXiv preprint arXiv:1706.03762v7, 2017."
    assert services.submit(ann, pasted).arxiv_id == "1706.03762"
    with pytest.raises(services.NotAllowed, match="holds 2 different arXiv ids, 2401.12345 and 1706.03762: paste"):
        services.submit(ann, "2401.12345 (see also arXiv:1706.03762)")
    assert Submission.objects.count() == 1


def test_an_impossible_id_among_words_is_refused_with_its_reason():
    with pytest.raises(services.NotAllowed, match="is not an arXiv id or address: 2513 is not a year and month"):
        services.arxiv_id_from("Smith et al. arXiv:2513.00001 [cs.CL]")


def test_submit_fetches_from_arxiv_and_places_in_todays_feed(ann, settings, source_server, run_tasks):
    settings.PAPERHUB_ARXIV_API_URL = source_server.url + "/api/query"
    settings.PAPERHUB_SUBMIT_MAX_AGE_DAYS = 100_000
    source_server.routes["/api/query"] = lambda q: Reply((FIXTURES / "arxiv_api_page1.xml").read_bytes())
    submission = services.submit(ann, "https://arxiv.org/abs/2611.05678")
    assert submission.status == "pending" and not source_server.requests  # fetched by a worker, not the request
    [task] = run_tasks()
    submission.refresh_from_db()
    assert task.status == "SUCCESSFUL" and submission.status == "done" and submission.paper.uid == "2611.05678"
    entry = FeedEntry.objects.get(paper=submission.paper)
    assert entry.source == "submission" and entry.submitted_by == "ann"
    assert source_server.requests[0][1]["id_list"] == "2611.05678"
    with pytest.raises(services.NotAllowed, match="already in the feed"):
        services.submit(ann, "2611.05678")


def test_submission_rules(ann, bob, settings, paper, run_tasks):
    settings.PAPERHUB_SUBMIT_DAILY_QUOTA = 1
    upsert_papers([record("2611.00002", published=timezone.now()),
                   record("2611.00003", published=timezone.now() - timedelta(days=40))])
    services.submit(ann, "2611.00001")
    with pytest.raises(services.NotAllowed, match="being fetched already"):
        services.submit(bob, "2611.00001")
    with pytest.raises(services.NotAllowed, match="daily limit"):
        services.submit(ann, "2611.00002")
    with pytest.raises(services.NotAllowed, match="2611.00003 is already on the hub; papers older than 14 days"):
        services.submit(bob, "2611.00003")  # nothing to fetch, nor a feed to join: refused before it counts
    with pytest.raises(services.NotAllowed, match="Log in"):
        services.submit(AnonymousUser(), "2611.00002")
    run_tasks()
    assert FeedEntry.objects.count() == 1 and Submission.objects.count() == 1


def test_collections_belong_to_their_owner(paper, ann, bob):
    reading = curation.create_collection(ann, "Reading group", public=False)
    again = curation.create_collection(ann, "Reading Group")  # another title (compared exactly), the same slug
    assert (reading.slug, again.slug) == ("reading-group", "reading-group-2")
    assert curation.add_to_collection(ann, reading, paper) and not curation.add_to_collection(ann, reading, paper)
    with pytest.raises(services.NotAllowed):
        curation.add_to_collection(bob, reading, paper)
    from paperhub.community.holding import collections_holding

    assert collections_holding(paper, bob, 10) == [] and collections_holding(paper, ann, 10) == [reading]
    assert curation.remove_from_collection(ann, reading, paper)


def test_owner_edits_a_collection_and_its_slug_stays(paper, ann, bob):
    reading = curation.create_collection(ann, "Reaidng group", "old", public=True)
    curation.edit_collection(ann, reading, "  Reading\x00\x01\x7f group ", "Papers\r\nfor Tuesdays\x00", public=False)
    reading.refresh_from_db()
    assert (reading.title, reading.description, reading.public) == ("Reading group", "Papers\nfor Tuesdays", False)
    assert reading.slug == "reaidng-group"  # its address, shared in feeds and BibTeX, is kept
    curation.edit_collection(ann, reading, "x" * 300, "", public=True)
    reading.refresh_from_db()
    assert len(reading.title) == curation.COLLECTION_TITLE_MAX_CHARS and reading.public


def test_a_collection_edit_is_checked(paper, ann, bob):
    reading = curation.create_collection(ann, "Reading group", "kept")
    cap = curation.COLLECTION_DESCRIPTION_MAX_CHARS
    with pytest.raises(services.NotAllowed, match="Only its owner"):
        curation.edit_collection(bob, reading, "Defaced", "", public=False)
    with pytest.raises(services.NotAllowed, match="Log in"):
        curation.edit_collection(AnonymousUser(), reading, "Defaced", "", public=False)
    with pytest.raises(services.NotAllowed, match="needs a title"):
        curation.edit_collection(ann, reading, " \x01 ", "", public=False)
    with pytest.raises(services.NotAllowed, match=f"at most {cap:,} characters"):
        curation.edit_collection(ann, reading, "Reading", "x" * (cap + 1), public=False)
    with pytest.raises(services.NotAllowed, match=f"at most {cap:,} characters"):
        curation.create_collection(ann, "Long", "x" * (cap + 1))
    reading.refresh_from_db()
    assert (reading.title, reading.description, reading.public) == ("Reading group", "kept", True)
    assert curation.edit_collection(ann, reading, "Reading", "x" * cap, public=True).description == "x" * cap


def test_owner_deletes_a_collection_with_its_items(paper, ann, bob):
    from paperhub.community.models import Collection, CollectionItem
    from paperhub.recommend.models import ZoteroLink, ZoteroPush

    reading = curation.create_collection(ann, "Reading group")
    other = curation.create_collection(ann, "Other")
    curation.add_to_collection(ann, reading, paper)
    curation.add_to_collection(ann, other, paper)
    link = ZoteroLink.objects.create(user=ann, library_id="1")
    ZoteroPush.objects.create(link=link, paper=paper, collection=reading, key="ABCD2345")
    with pytest.raises(services.NotAllowed):
        curation.delete_collection(bob, reading)
    curation.delete_collection(ann, reading)
    assert list(Collection.objects.all()) == [other]
    assert list(CollectionItem.objects.values_list("collection_id", flat=True)) == [other.pk]
    assert ZoteroPush.objects.get().collection is None  # the paper is in the library still: not pushed twice


def test_an_account_holds_at_most_its_collections_and_a_free_slug_is_one_query_a_table(ann, settings,
                                                                                       django_assert_max_num_queries):
    settings.PAPERHUB_COLLECTIONS_MAX = 11
    for n in range(10):
        curation.create_collection(ann, "Reading" + "." * (n + 1))  # every one slugged "reading"
    curation.delete_collection(ann, curation.create_collection(ann, "Reading"))  # reading-11, retired
    with django_assert_max_num_queries(7):  # lock, count, the two slug tables, insert, a savepoint and its release
        made = curation.create_collection(ann, "Reading!")
    assert made.slug == "reading-12"  # never a retired one
    assert sorted(c.slug for c in ann.collections.all())[:3] == ["reading", "reading-10", "reading-12"]
    with pytest.raises(NotAllowed, match="11 collections"):
        curation.create_collection(ann, "One more")
    curation.delete_collection(ann, made)
    assert curation.create_collection(ann, "One more").slug == "one-more"
