"""Deleting a discussion whose reply chain runs thousands deep (made before COMMENT_MAX_DEPTH) works: through
the comment service, the admin (comments and users) and by deleting the paper; what hangs off the comments goes
with them, as CASCADE did, and nothing else does."""

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from paperhub.community import services
from paperhub.community.models import Comment, CommentNotice
from tests.factories import add_paper, user

DEPTH = 3_000  # Django's per-level cascade hit RecursionError from about 1,000


def chain(paper, root_author, replier, depth=DEPTH):
    """A reply chain `depth` comments deep, as older data holds: root_author's comment, then replier's replies,
    each to the one before."""
    comments = Comment.objects.bulk_create(
        Comment(paper=paper, user=root_author if level == 0 else replier, body=f"level {level}")
        for level in range(depth))
    for parent, reply in zip(comments, comments[1:], strict=False):
        reply.parent = parent
    Comment.objects.bulk_update(comments[1:], ["parent"], batch_size=500)
    return comments


@pytest.fixture
def thread(db):
    """ann's comment with bob's chain of replies under it, mail notices on some, and comments that must stay:
    bob's on another paper and a comment beside the chain's root."""
    paper, other = add_paper("2611.00001", published=timezone.now()), add_paper("2611.00002")
    ann, bob, cy = user("ann"), user("bob"), user("cy")
    comments = chain(paper, ann, bob)
    beside = Comment.objects.create(paper=paper, user=cy, body="beside")
    elsewhere = Comment.objects.create(paper=other, user=bob, body="elsewhere")
    for comment in (comments[0], comments[1_500], comments[-1], beside, elsewhere):
        CommentNotice.objects.create(comment=comment, user=cy)
    return {"paper": paper, "ann": ann, "bob": bob, "comments": comments, "kept": {beside.pk, elsewhere.pk}}


def _left(thread):
    """The comments left, and the comments that notices left are about."""
    return (set(Comment.objects.values_list("pk", flat=True)),
            set(CommentNotice.objects.values_list("comment", flat=True)))


def test_deleting_the_root_deletes_the_whole_chain_and_its_notices(thread):
    with CaptureQueriesContext(connection) as queries:
        thread["comments"][0].delete()
    assert _left(thread) == (thread["kept"], thread["kept"])
    # The tree is walked once, not again for every batch of the collector's (that grew as depth squared).
    assert sum("WITH RECURSIVE" in query["sql"] for query in queries) == 1


def test_deleting_the_root_author_deletes_the_chain_under_their_comment(thread):
    thread["ann"].delete()
    assert _left(thread) == (thread["kept"], thread["kept"])
    assert User.objects.filter(username="bob").exists()


def test_deleting_the_paper_deletes_its_discussion(thread):
    thread["paper"].delete()
    elsewhere = set(Comment.objects.filter(paper__uid="2611.00002").values_list("pk", flat=True))
    assert _left(thread) == (elsewhere, elsewhere)


def test_the_service_keeps_the_deleted_root_as_a_placeholder_and_deletes_a_leaf(thread):
    ann, bob, comments = thread["ann"], thread["bob"], thread["comments"]
    services.delete_comment(ann, comments[0])
    services.delete_comment(bob, comments[-1])
    assert Comment.objects.get(pk=comments[0].pk).deleted
    assert Comment.objects.filter(paper=thread["paper"]).count() == DEPTH  # the leaf gone, `beside` still there
    assert not CommentNotice.objects.filter(comment=comments[-1].pk).exists()


def test_a_middle_comment_takes_only_its_own_replies(db):
    paper, ann = add_paper(), user("ann")
    top = Comment.objects.create(paper=paper, user=ann, body="top")
    middle = Comment.objects.create(paper=paper, user=ann, body="middle", parent=top)
    sibling = Comment.objects.create(paper=paper, user=ann, body="sibling", parent=top)
    under = [Comment.objects.create(paper=paper, user=ann, body=f"under {i}", parent=middle) for i in range(2)]
    Comment.objects.create(paper=paper, user=ann, body="deeper", parent=under[1])
    deleted, by_kind = middle.delete()
    assert (deleted, by_kind) == (4, {"community.Comment": 4})
    assert set(Comment.objects.values_list("body", flat=True)) == {top.body, sibling.body}


@pytest.fixture
def moderator(client, db):
    client.force_login(User.objects.create_superuser("mod", "mod@example.org", "a-long-password-9"))
    return client


def test_moderators_delete_the_root_in_the_admin(thread, moderator):
    url = reverse("admin:community_comment_delete", args=[thread["comments"][0].pk])
    page = moderator.get(url)
    assert page.status_code == 200
    assert f"<li>Comments: {DEPTH}</li>" in page.content.decode()
    assert "<li>Comment notices: 3</li>" in page.content.decode()
    assert moderator.post(url, {"post": "yes"}).status_code == 302
    assert _left(thread) == (thread["kept"], thread["kept"])


def test_moderators_delete_the_root_with_the_admin_action(thread, moderator):
    url = reverse("admin:community_comment_changelist")
    chosen = {"action": "delete_selected", "_selected_action": [thread["comments"][0].pk]}
    page = moderator.post(url, chosen)
    assert page.status_code == 200
    assert f"<li>Comments: {DEPTH}</li>" in page.content.decode()
    assert moderator.post(url, {**chosen, "post": "yes"}).status_code == 302
    assert _left(thread) == (thread["kept"], thread["kept"])


def test_moderators_delete_the_root_author_in_the_admin(thread, moderator):
    url = reverse("admin:auth_user_delete", args=[thread["ann"].pk])
    page = moderator.get(url)
    assert page.status_code == 200
    assert "<li>User: ann</li>" in page.content.decode()
    assert f"<li>Comments: {DEPTH}</li>" in page.content.decode()
    assert moderator.post(url, {"post": "yes"}).status_code == 302
    assert _left(thread) == (thread["kept"], thread["kept"])


def test_the_confirmation_page_escapes_what_it_lists(db, moderator):
    comment = Comment.objects.create(paper=add_paper(), user=user("ann"), body="<script>x</script>")
    page = moderator.get(reverse("admin:community_comment_delete", args=[comment.pk]))
    assert "<script>x" not in page.content.decode()
    assert "&lt;script&gt;x" in page.content.decode()
