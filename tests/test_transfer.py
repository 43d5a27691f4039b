"""`paperhub transfer --from`: a whole SQLite hub moved into a new hub on the suite's database (PostgreSQL in
its run), through the real command."""

import json

import pytest

from tests.conftest import Hub
from tests.factories import snapshot_object

POPULATE = """
import numpy as np
from django.contrib.auth.models import User
from paperhub.core.tokens import create_token
from paperhub.community.services import add_comment, upvote
from paperhub.digests.models import Subscription
from paperhub.papers.models import Paper
from paperhub.search.stored import store_vectors
from django.utils import timezone
ada = User.objects.create_user("ada", "ada@example.org", "a-long-passphrase-1")
bob = User.objects.create_user("bob", "bob@example.org", "a-long-passphrase-2")
papers = list(Paper.objects.order_by("id"))
for paper in papers[:5]:
    upvote(ada, paper)
upvote(bob, papers[0])
first = add_comment(ada, papers[0], "Does this hold for **long** inputs?")
add_comment(bob, papers[0], "Yes.", parent=first)
create_token(ada, "laptop")
Subscription.objects.create(email="reader@example.org", confirmed_at=timezone.now())
store_vectors("static", [p.id for p in papers], np.ones((len(papers), 4), dtype=np.float32))
"""

CHECK = """
import json
from django.contrib.auth import authenticate
from django.contrib.auth.models import User
from django_tasks_db.models import DBTaskResult
from paperhub.core.models import ApiToken
from paperhub.community.models import Comment, Upvote
from paperhub.community.services import upvote
from paperhub.digests.models import Subscription
from paperhub.papers.models import Paper, PaperAuthor
from paperhub.search import rebuild, search
from paperhub.search.models import PaperVector
facts = {
    "papers": Paper.objects.count(), "authorships": PaperAuthor.objects.count(),
    "upvotes": Upvote.objects.count(), "first_upvotes": Paper.objects.get(uid="2501.00001").upvotes,
    "reply_to": Comment.objects.get(body="Yes.").parent.body,
    "login": authenticate(username="ada", password="a-long-passphrase-1") is not None,
    "token_owner": ApiToken.objects.get().user.username,
    "confirmed": Subscription.objects.get().confirmed_at is not None,
    "vectors": PaperVector.objects.count(),
    "tasks": sorted((r.task_path.rsplit(".", 1)[-1], r.args_kwargs["args"]) for r in DBTaskResult.objects.all()),
}
carol = User.objects.create_user("carol", "carol@example.org", "a-long-passphrase-3")  # fresh keys after the copy
upvote(carol, Paper.objects.get(uid="2501.00002"))
facts["upvotes_after"] = Upvote.objects.count()
rebuild()
facts["searchable"] = search("graphs", mode="keyword").total
print(json.dumps(facts))
"""


@pytest.fixture(scope="module")
def old_hub(tmp_path_factory):
    """The source hub, shared by the module's tests (a transfer only reads it; 12-14 s to build)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("DATABASE_URL", raising=False)  # the source is SQLite, whatever the suite runs on
        source = Hub(tmp_path_factory.mktemp("old"))
    source.run("migrate", "-v0")
    source.ingest("papers.jsonl", [snapshot_object(f"2501.{i:05d}", title=f"Paper {i} on graphs")
                                   for i in range(1, 41)])
    source.run("shell", "-v0", "-c", POPULATE)
    source.run("jobs", "enqueue", "digests", "send")
    return source


@pytest.fixture
def new_hub(tmp_path):
    (tmp_path / "new").mkdir()
    target = Hub(tmp_path / "new")
    target.run("migrate", "-v0")
    yield target
    target.close()


def test_a_whole_hub_moves_and_keeps_working(old_hub, new_hub):
    moved = new_hub.run("transfer", "--from", old_hub.database_url, check=False)
    assert "every count matches" in moved.stdout, moved.stderr
    again = new_hub.run("transfer", "--from", old_hub.database_url, check=False)  # as after a kill: run it again
    assert "every count matches" in again.stdout, again.stderr
    facts = json.loads(new_hub.run("shell", "-v0", "-c", CHECK).stdout)
    assert facts == {
        "papers": 40, "authorships": 80, "upvotes": 6, "first_upvotes": 2,
        "reply_to": "Does this hold for **long** inputs?", "login": True, "token_owner": "ada", "confirmed": True,
        "vectors": 40, "tasks": [["mail_comment", [2]], ["run_command", [["digests", "send"]]]], "upvotes_after": 7, "searchable": 40,
    }


def test_a_target_with_data_of_its_own_is_refused(old_hub, new_hub):
    new_hub.ingest("other.jsonl", [snapshot_object("2612.99999")])
    refused = new_hub.run("transfer", "--from", old_hub.database_url, check=False)
    assert refused.returncode != 0 and "already holds data of its own" in refused.stderr


def test_databases_at_different_migrations_are_refused(old_hub, new_hub):
    old_hub.run("migrate", "jobs", "zero", "-v0")
    try:
        refused = new_hub.run("transfer", "--from", old_hub.database_url, check=False)
    finally:
        old_hub.run("migrate", "-v0")  # as it was, for the module's other tests
    assert refused.returncode != 0 and "different migrations" in refused.stderr


def test_a_source_that_is_no_database_is_named_and_never_made(tmp_path, db):
    """A plain path raised UnknownSchemeError; a typo in a sqlite:// URL made an empty file and said it held no hub."""
    from paperhub.transfer import TransferError, transfer

    typo = tmp_path / "typo.sqlite3"
    for source, said in ((f"sqlite:///{typo}", "no such SQLite file"), (str(typo), "no such SQLite file"),
                         ("mongodb://x/y", "not a database URL")):
        with pytest.raises(TransferError, match=said):
            transfer(source)
    assert not typo.exists()
