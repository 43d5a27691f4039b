import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from paperhub.community import curation, queries, services
from paperhub.community.models import Comment
from paperhub.core.permissions import NotAllowed
from paperhub.papers.models import Paper
from paperhub.papers.services import upsert_papers
from tests.factories import record, user


@pytest.fixture
def people(db):
    upsert_papers([record("2611.00001"), record("2611.00002")])
    return user("ann"), user("bob")


def test_pages_show_deleted_comments_but_count_and_list_only_visible_ones(people):
    ann, bob = people
    paper = Paper.objects.get(uid="2611.00001")
    kept = services.add_comment(ann, paper, "kept")
    deleted = services.add_comment(ann, paper, "deleted, with a reply")
    reply = services.add_comment(bob, paper, "the reply", parent=deleted)
    services.delete_comment(ann, deleted)  # stays as a placeholder for its reply
    hidden = services.add_comment(ann, paper, "hidden")
    Comment.objects.filter(pk=hidden.pk).update(hidden=True)
    assert [c.pk for c in queries.paper_comments(paper)] == [kept.pk, deleted.pk, reply.pk]
    assert set(Comment.objects.visible_chosen()) == {kept, reply}  # neither the deleted placeholder nor the hidden
    assert queries.comment_counts([paper.pk]) == {paper.pk: 2}
    assert queries.comments_by(ann) == [kept]
    assert queries.comment_by_id(str(kept.pk)) == kept and queries.comment_by_id("x") is None


def test_a_banned_users_comments_leave_pages_counts_and_the_api_until_they_are_active_again(people, client):
    ann, spammer = people
    paper = Paper.objects.get(uid="2611.00001")
    kept = services.add_comment(ann, paper, "kept")
    for n in range(3):
        services.add_comment(spammer, paper, f"buy now {n}")
    spammer.is_active = False  # banned in the admin
    spammer.save()
    assert queries.paper_comments(paper) == [kept] and queries.comment_counts([paper.pk]) == {paper.pk: 1}
    assert len(queries.discussion(paper)) == 1
    assert client.get(reverse("api:paper_info", args=[paper.uid])).json()["numComments"] == 1
    assert [c["content"] for c in client.get(reverse("api:paper_comments", args=[paper.uid])).json()] == ["kept"]
    assert "buy now" not in client.get(reverse("paper", args=[paper.uid])).content.decode()
    with pytest.raises(NotAllowed):  # nor can anyone reply to one
        services.add_comment(ann, paper, "a reply", parent=Comment.objects.filter(user=spammer).first())
    spammer.is_active = True
    spammer.save()
    assert queries.comment_counts([paper.pk]) == {paper.pk: 4} and len(queries.comments_by(spammer)) == 3


def test_a_banned_users_comment_with_replies_stays_as_hidden_so_its_counted_replies_show(people, client):
    """Its replies (others', counted on cards and in the API) vanished with it from the page and the API's list."""
    ann, spammer = people
    paper = Paper.objects.get(uid="2611.00001")
    spam = services.add_comment(spammer, paper, "buy now")
    answer = services.add_comment(ann, paper, "this is spam", parent=spam)
    own = services.add_comment(spammer, paper, "really, buy", parent=answer)
    services.add_comment(spammer, paper, "and more")  # no replies: leaves with its writer
    spammer.is_active = False  # banned in the admin
    spammer.save()
    assert [(e.comment.pk, e.depth) for e in queries.discussion(paper)] == [(spam.pk, 0), (answer.pk, 1)]
    assert queries.comment_counts([paper.pk]) == {paper.pk: 1}
    listed = client.get(reverse("api:paper_comments", args=[paper.uid])).json()
    assert [(c["id"], c["parentId"], c["author"] and c["author"]["user"], c["content"], c["html"] != "", c["hidden"])
            for c in listed] == [(spam.pk, None, None, "", False, True), (answer.pk, spam.pk, "ann", "this is spam",
                                                                           True, False)]
    assert client.get(reverse("api:paper_info", args=[paper.uid])).json()["numComments"] == 1
    page = client.get(reverse("paper", args=[paper.uid])).content.decode()
    assert "[hidden]" in page and "this is spam" in page and "buy" not in page and "bob" not in page
    assert own.pk not in [c.pk for c in queries.paper_comments(paper)]
    # a spammer's replies to their own comment keep nothing; a banned reply above an active one stays too
    spammer.is_active = True
    spammer.save()
    alone = services.add_comment(spammer, paper, "spam again")
    services.add_comment(spammer, paper, "see above", parent=alone)
    chain = services.add_comment(spammer, paper, "more spam")
    middle = services.add_comment(spammer, paper, "and more", parent=chain)
    services.add_comment(ann, paper, "stop", parent=middle)
    spammer.is_active = False
    spammer.save()
    shown = [c.pk for c in queries.paper_comments(paper)]
    assert alone.pk not in shown and chain.pk in shown and middle.pk in shown


def test_a_deleted_comment_stays_only_while_a_reply_below_it_counts(people, client):
    """Above replies that are all a banned user's, deleted or hidden, "[deleted]" was an empty line the count held."""
    ann, spammer = people
    paper, other = Paper.objects.get(uid="2611.00001"), Paper.objects.get(uid="2611.00002")
    above_spam = services.add_comment(ann, paper, "answered by spam alone")
    services.add_comment(spammer, paper, "buy now", parent=above_spam)
    above_deleted = services.add_comment(ann, paper, "answered, then the answer deleted")
    answer = services.add_comment(spammer, paper, "an answer with a reply", parent=above_deleted)
    services.add_comment(ann, paper, "thanks", parent=answer)
    above_hidden = services.add_comment(ann, paper, "answered in a hidden thread")
    hidden = services.add_comment(ann, paper, "hidden", parent=above_hidden)
    deep = services.add_comment(ann, paper, "answered three levels down")
    middle = services.add_comment(spammer, paper, "spam in between", parent=deep)
    lower = services.add_comment(ann, paper, "deleted in between", parent=middle)
    last = services.add_comment(ann, paper, "what keeps the thread", parent=lower)
    elsewhere = services.add_comment(ann, other, "on another paper")
    services.add_comment(ann, other, "its reply", parent=elsewhere)
    for comment in (above_spam, above_deleted, above_hidden, deep, lower, elsewhere):
        services.delete_comment(ann, comment)
    Comment.objects.filter(pk=hidden.pk).update(hidden=True)
    spammer.is_active = False  # banned in the admin
    spammer.save()
    services.delete_comment(ann, Comment.objects.get(body="thanks"))  # the last reply below above_deleted goes
    expected = [deep.pk, middle.pk, lower.pk, last.pk]  # "[deleted]", "[hidden]", "[deleted]", the reply
    assert [e.comment.pk for e in queries.discussion(paper)] == expected
    assert [c["id"] for c in client.get(reverse("api:paper_comments", args=[paper.uid])).json()] == expected
    assert queries.comment_counts([paper.pk]) == {paper.pk: 1}
    page = client.get(reverse("paper", args=[paper.uid])).content.decode()
    assert page.count("[deleted]") == 2 and page.count("[hidden]") == 1
    assert set(Comment.objects.shown(paper.pk, other.pk)) == {*Comment.objects.filter(pk__in=expected), elsewhere,
                                                               Comment.objects.get(body="its reply")}
    assert not Comment.objects.shown().exists()  # no papers, no comments


def test_collections_as_each_viewer_sees_them(people):
    ann, bob = people
    first, second = Paper.objects.get(uid="2611.00001"), Paper.objects.get(uid="2611.00002")
    shown = curation.create_collection(ann, "B public", "", public=True)
    secret = curation.create_collection(ann, "A private", "", public=False)
    curation.add_to_collection(ann, shown, first)
    curation.add_to_collection(ann, shown, second)
    assert queries.own_collections(ann, 10) == ([secret, shown], 2)
    assert queries.own_collections(AnonymousUser(), 10) == ([], 0)
    assert queries.own_collections(ann, 1, offset=1) == ([shown], 2)
    assert [c.size for c in queries.own_collections(ann, 10)[0]] == [0, 2]  # counted in the query: no count per row
    assert queries.collections_of(ann, bob, 10) == [shown] and queries.collections_of(ann, ann, 10) == [secret, shown]
    assert queries.public_collection("ann", shown.slug) == shown
    assert queries.public_collection("ann", secret.slug) is None
    assert queries.collection_papers(shown) == [second, first]  # the latest added first
    assert queries.collection_papers(shown, limit=1) == [second]
    services.upvote(bob, second)
    assert queries.upvoted_papers(bob) == [second] and queries.upvoted_papers(ann) == []


def test_shown_walks_the_hidden_threads_of_the_papers_asked_for_alone_and_leaves_them_out(people):
    ann, bob = people
    paper, other = Paper.objects.get(uid="2611.00001"), Paper.objects.get(uid="2611.00002")
    kept = services.add_comment(ann, paper, "kept")
    hidden = services.add_comment(bob, paper, "hidden")
    below = services.add_comment(ann, paper, "below it", parent=services.add_comment(ann, paper, "r", parent=hidden))
    there = services.add_comment(bob, other, "hidden on the other paper")
    reply_there = services.add_comment(ann, other, "its reply", parent=there)
    kept_there = services.add_comment(ann, other, "kept there")
    Comment.objects.filter(pk=hidden.pk).update(hidden=True)
    assert list(Comment.objects.shown(paper.pk)) == [kept]
    Comment.objects.filter(pk=there.pk).update(hidden=True)  # a thread hidden on another paper changes nothing here
    with CaptureQueriesContext(connection) as captured:
        assert list(Comment.objects.shown(paper.pk)) == [kept]
    assert "WHERE hidden AND paper_id IN" in captured[0]["sql"]  # the walk starts from this paper's hidden ones
    assert set(Comment.objects.shown(paper.pk, other.pk)) == {kept, kept_there}
    assert not {below.pk, reply_there.pk} & set(Comment.objects.visible_chosen().values_list("pk", flat=True))


def test_visible_of_papers_walks_their_hidden_threads_alone_and_a_chosen_comment_walks_up_its_own(people):
    ann, bob = people
    paper, other = Paper.objects.get(uid="2611.00001"), Paper.objects.get(uid="2611.00002")
    hidden = services.add_comment(bob, other, "hidden on the other paper")
    first = services.add_comment(ann, other, "one", parent=hidden)
    third = services.add_comment(ann, other, "three deep", parent=services.add_comment(bob, other, "two", parent=first))
    kept_there = services.add_comment(ann, other, "kept there")
    kept = services.add_comment(ann, paper, "kept here")
    banned_reply = services.add_comment(bob, paper, "bob's reply", parent=kept)
    Comment.objects.filter(pk=hidden.pk).update(hidden=True)
    assert set(Comment.objects.visible(other.pk)) == {kept_there}
    assert not Comment.objects.visible().exists()  # no papers asked for: none (never a walk of the whole hub)
    with CaptureQueriesContext(connection) as captured:
        assert set(Comment.objects.visible(paper.pk)) == {kept, banned_reply}  # the other paper's rows are not its
    assert "WHERE hidden AND paper_id IN" in captured[0]["sql"]  # the walk starts from this paper's hidden ones
    for reply in (first, third):  # a reply at any depth below the hidden comment, by its id: its walk up finds it
        assert not Comment.objects.filter(pk=reply.pk).visible_chosen().exists()
        assert not Comment.objects.visible(other.pk).filter(pk=reply.pk).exists()
    with CaptureQueriesContext(connection) as captured:
        assert list(Comment.objects.filter(pk=kept_there.pk).visible_chosen()) == [kept_there]
    assert "WHERE hidden" not in captured[0]["sql"]  # no walk down from the hub's hidden comments
    assert queries.comments_by(ann) == [kept, kept_there]  # the profile: neither reply below the hidden comment
    bob.is_active = False
    bob.save()
    assert not Comment.objects.filter(pk=banned_reply.pk).visible_chosen().exists()  # a banned user's counts not
    assert set(Comment.objects.visible(paper.pk)) == {kept}
    Comment.objects.filter(pk=kept.pk).update(deleted=True)
    assert not Comment.objects.filter(user=ann).visible_chosen().filter(pk=kept.pk).exists()
    Comment.objects.filter(pk=hidden.pk).update(hidden=False)  # shown again: its whole thread counts again
    assert set(Comment.objects.filter(user=ann).visible_chosen()) == {first, third, kept_there}
    assert queries.comment_counts([]) == {} and queries.author_participation([]) == set()
    assert list(Comment.objects.filter(pk=10 ** 30).visible_chosen()) == []  # no id that large: nothing to walk
