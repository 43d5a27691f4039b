import pytest
from django.contrib.auth.models import AnonymousUser

from paperhub.community import queries, services
from paperhub.community.models import Comment
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
    assert set(Comment.objects.visible()) == {c for c in Comment.objects.all() if c.visible}
    assert queries.comment_counts([paper.pk]) == {paper.pk: 2}
    assert queries.comments_by(ann) == [kept]
    assert queries.comment_by_id(str(kept.pk)) == kept and queries.comment_by_id("x") is None


def test_collections_as_each_viewer_sees_them(people):
    ann, bob = people
    first, second = Paper.objects.get(uid="2611.00001"), Paper.objects.get(uid="2611.00002")
    shown = services.create_collection(ann, "B public", "", public=True)
    secret = services.create_collection(ann, "A private", "", public=False)
    services.add_to_collection(ann, shown, first)
    services.add_to_collection(ann, shown, second)
    assert queries.own_collections(ann) == [secret, shown] and queries.own_collections(AnonymousUser()) == []
    assert queries.collections_of(ann, bob) == [shown] and queries.collections_of(ann, ann) == [secret, shown]
    assert queries.public_collection("ann", shown.slug) == shown
    assert queries.public_collection("ann", secret.slug) is None
    assert queries.collection_papers(shown) == [second, first]  # the latest added first
    assert queries.collection_papers(shown, limit=1) == [second]
    services.upvote(bob, second)
    assert queries.upvoted_papers(bob) == [second] and queries.upvoted_papers(ann) == []
