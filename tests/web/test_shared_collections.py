"""A collection shared on its page: the owner adds and removes collaborators; a collaborator finds it under
"Collections", saves papers to it, writes notes and moves papers."""

import pytest

from paperhub.community import curation, services
from paperhub.community.models import Collaborator
from tests.factories import add_paper, user


@pytest.fixture
def lab(db):
    ann, bob = user("ann"), user("bob")
    return ann, bob, services.create_collection(ann, "Lab reading", public=False)


def test_the_owner_shares_a_collection_and_the_collaborator_curates_it(client, lab):
    ann, bob, shelf = lab
    page = f"/collections/ann/{shelf.slug}"
    client.force_login(ann)
    added = client.post(f"{page}/collaborators", {"username": "bob"}, follow=True)
    assert "bob can now add" in added.content.decode() and curation.may_curate(bob, shelf)
    assert "no user named" in client.post(f"{page}/collaborators", {"username": "zed"}, follow=True).content.decode()
    client.force_login(bob)
    listed = client.get("/collections/").content.decode()
    assert f'href="{page}"' in listed and "shared by ann" in listed
    paper = add_paper("2611.00001")
    assert "Lab reading (ann)" in client.get(f"/papers/{paper.uid}").content.decode()  # "Save to" offers it
    client.post("/collections/add", {"collection": shelf.pk, "paper": paper.pk})
    html = client.get(page).content.decode()
    assert "Added by bob" in html and "Shared with" in html and "Remove from collection" in html
    assert "Add collaborator" not in html and "Delete collection" not in html  # the owner's alone
    client.force_login(ann)
    client.post(f"{page}/collaborators", {"username": "bob", "remove": "1"})
    assert not Collaborator.objects.exists()
    client.force_login(bob)
    assert client.get(page).status_code == 404
