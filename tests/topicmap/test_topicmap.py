"""The topic map: placing papers, labelling clusters, the stored map, its pages."""

import json
import re
import struct

import numpy as np
import pytest

from paperhub.community import services
from paperhub.papers.models import Paper
from paperhub.papers.services import upsert_papers
from paperhub.search.indexing import STATIC
from paperhub.search.stored import store_vectors
from paperhub.search.vector_files import follow_vectors
from paperhub.topicmap import build, labels, layout, store
from tests.factories import record, user

TOPICS = {
    "protein": ["Protein folding with {}", "Enzyme design by {}", "Protein structure from {}"],
    "galaxy": ["Galaxy clusters seen by {}", "Dark matter halos and {}", "Gravitational lensing with {}"],
    "robot": ["Robot grasping by {}", "Legged locomotion from {}", "Robot navigation with {}"],
}


def test_when_the_watcher_rebuilds_the_map():
    from paperhub.topicmap.build import map_due

    assert not map_due(papers=50, covered=50, built_papers=None, age=0)  # too few to map
    assert not map_due(papers=74_728, covered=8_192, built_papers=None, age=0)  # static vectors still filling
    assert map_due(papers=74_728, covered=74_728, built_papers=None, age=0)
    assert not map_due(papers=74_728, covered=74_728, built_papers=8_192, age=60)  # behind, but just built
    assert map_due(papers=74_728, covered=74_728, built_papers=8_192, age=601)
    assert not map_due(papers=75_000, covered=75_000, built_papers=74_728, age=3600)  # close enough for a day
    assert map_due(papers=75_000, covered=75_000, built_papers=74_728, age=25 * 3600)
    assert not map_due(papers=74_728, covered=74_728, built_papers=74_728, age=25 * 3600)  # nothing new


def test_normalise_fits_the_unit_square_keeping_the_shape():
    xy = layout.normalise(np.array([[0, 0], [10, 5], [5, 2.5]], dtype=np.float32), margin=0)
    assert xy.min() >= 0 and xy.max() <= 1
    width, height = xy.max(axis=0) - xy.min(axis=0)
    assert width == pytest.approx(2 * height, rel=0.05)


def test_papers_land_beside_their_nearest_landmarks():
    landmarks = np.array([[1, 0, 0], [0, 1, 0], [0, 0, 1]], dtype=np.float32)
    places = np.array([[0, 0], [10, 0], [0, 10]], dtype=np.float32)
    points = np.array([[0.99, 0.1, 0], [0.05, 0.1, 0.99]], dtype=np.float32)
    points /= np.linalg.norm(points, axis=1, keepdims=True)
    xy = layout.place(points, landmarks, places, k=3)
    assert np.linalg.norm(xy[0] - places[0]) < 1.0 and np.linalg.norm(xy[1] - places[2]) < 1.0


def test_cluster_labels_are_their_characteristic_words():
    texts = [t.format("deep networks") for topic in TOPICS.values() for t in topic] * 4
    groups = np.array([i for i, topic in enumerate(TOPICS.values()) for _ in topic] * 4)
    found = labels.characteristic_terms(texts, groups, 3, top=2)
    for group, shapes in zip(found, TOPICS.values(), strict=True):
        own = {w.lower() for shape in shapes for w in shape.split()}
        assert len(group) == 2 and all(term.split()[0] in own for term in group), group
    assert "deep networks" not in [t for group in found for t in group]  # in every group: says nothing


def test_a_stored_map_answers_views_positions_and_packs_points(settings, tmp_path):
    settings.PAPERHUB_SEARCH_DIR = tmp_path
    ids = np.arange(10, 20)
    xy = np.stack([np.linspace(0, 1, 10), np.linspace(1, 0, 10)], axis=1).astype(np.float32)
    store.save(store.map_dir(), ids, xy, np.zeros(10), np.ones(10), {"clusters": [], "papers": 10,
                                                                      "built_at": "2026-11-30T00:00:00+00:00"})
    built = store.current()
    assert len(built) == 10 and set(built.ids.tolist()) == set(range(10, 20))  # shuffled, all there
    assert built.positions([12, 99, 10]) == [(12, pytest.approx(2 / 9), pytest.approx(7 / 9)), (10, 0.0, 1.0)]
    inside = built.in_view(0.0, 0.0, 0.5, 1.0, limit=100)
    assert sorted(built.ids[inside].tolist()) == [10, 11, 12, 13, 14]
    packed = built.pack(inside[:2])
    assert struct.unpack("<I", packed[:4])[0] == 2 and len(packed) == 4 + 2 * (4 + 4 + 4 + 2)


@pytest.fixture
def mapped(db, settings, tmp_path):
    """90 papers in three topics, with clustered static vectors, and a map built over them."""
    settings.PAPERHUB_SEARCH_DIR = tmp_path / "search"
    from paperhub.search import indexing

    indexing.forget()
    rng = np.random.default_rng(1)
    papers, vectors = [], []
    for t, shapes in enumerate(TOPICS.values()):
        centre = rng.normal(size=32)
        for i in range(30):
            papers.append(record(f"2611.{t}{i:04d}", title=shapes[i % 3].format(f"method {i}"),
                                 categories=("cs.LG",)))
            vectors.append(centre + 0.3 * rng.normal(size=32))
    upsert_papers(papers)
    by_uid = dict(Paper.objects.values_list("uid", "id"))
    store_vectors(STATIC, [by_uid[p.uid] for p in papers], np.asarray(vectors, dtype=np.float32))
    follow_vectors(STATIC)
    meta = build.build(landmarks=60, top_clusters=3, fine_clusters=6)
    return meta


def test_the_map_puts_topics_apart_and_names_them(mapped):
    built = store.current()
    assert mapped["papers"] == len(built) == 90 and mapped["landmarks"] == 60
    assert set(mapped["seconds"]) >= {"read vectors", "lay out landmarks", "place papers", "cluster", "label"}
    uids = dict(Paper.objects.values_list("id", "uid"))
    topic = np.array([int(uids[int(i)][5]) for i in built.ids])
    xy = np.stack([built.x, built.y], axis=1)
    centres = np.array([xy[topic == t].mean(axis=0) for t in range(3)])
    spread = max(np.linalg.norm(xy[topic == t] - centres[t], axis=1).mean() for t in range(3))
    apart = min(np.linalg.norm(centres[a] - centres[b]) for a in range(3) for b in range(a + 1, 3))
    assert apart > 2 * spread  # three islands
    words = {w for c in mapped["clusters"] if c["level"] == "top" for term in c["terms"] for w in term.split()}
    assert {"protein", "robot"} & words and ({"galaxy", "dark", "gravitational", "lensing"} & words)


def test_map_page_points_and_hover_titles(client, mapped):
    page = client.get("/map").content.decode()
    assert '<canvas id="topic-map"' in page and 'id="map-data"' in page and "90 papers" in page
    body = client.get("/map/points.bin").content
    assert struct.unpack("<I", body[:4])[0] == 90
    zoomed = client.get("/map/points.bin", {"x0": "0", "y0": "0", "x1": "0.5", "y1": "0.5"}).content
    assert struct.unpack("<I", zoomed[:4])[0] < 90
    first = Paper.objects.order_by("id").first()
    hover = client.get(f"/map/papers/{first.pk}").json()
    assert (hover["uid"], hover["url"]) == (first.uid, f"/papers/{first.uid}")  # a click opens the paper's page
    assert '"points": "/map/points.bin", "paper": "/map/papers/"' in page  # where the script fetches
    assert client.get("/map/papers/999999").status_code == 404


def test_a_search_and_my_interests_are_marked(client, mapped):
    from paperhub.search import update

    update(embed_new=False)
    reader = user("reader", "r@example.org")
    services.upvote(reader, Paper.objects.get(uid="2611.00001"))
    client.force_login(reader)
    page = client.get("/map", {"q": "robot"}).content.decode()
    assert ">20 results</a> for “robot”" in page and "1 paper you upvoted" in page

    data = json.loads(re.search(r'<script id="map-data" type="application/json">(.*?)</script>', page, re.S)[1])
    assert len(data["search"]) == 20 and len(data["mine"]) == 1  # the 20 titles with "robot" in them


def test_without_a_map_a_visitor_is_told_to_come_back_and_staff_how_to_make_one(client, db, settings, tmp_path):
    settings.PAPERHUB_SEARCH_DIR = tmp_path / "none"
    page = client.get("/map").content.decode()
    assert "The topic map has not been drawn yet" in page and "map build" not in page
    client.force_login(user("operator", is_staff=True))
    assert "paperhub map build" in client.get("/map").content.decode()
    assert client.get("/map/points.bin").status_code == 404


def test_pages_link_to_the_map_only_once_it_exists(client, mapped):
    from paperhub.search import update

    update(embed_new=False)
    paper = Paper.objects.order_by("id").first()
    link, search_link = f'href="/map?paper={paper.uid}"', 'href="/map?q=robot"'
    assert link in client.get(f"/papers/{paper.uid}").content.decode()
    assert search_link in client.get("/papers/search", {"q": "robot"}).content.decode()
    for name in ("meta.json", "points.npz"):
        (store.map_dir() / name).unlink()
    assert link not in client.get(f"/papers/{paper.uid}").content.decode()
    assert search_link not in client.get("/papers/search", {"q": "robot"}).content.decode()


def test_a_page_looks_for_the_map_once(client, mapped, monkeypatch):
    """The paper and search pages link to the map, and so does every page's header: the map's files are looked
    for once a request, not once by the view and again by the header."""
    from paperhub.search import update

    update(embed_new=False)
    paper = Paper.objects.order_by("id").first()
    looked, exists = [], store.exists
    monkeypatch.setattr(store, "exists", lambda: looked.append(1) or exists())  # counts, then looks for real
    for url, link in ((f"/papers/{paper.uid}", f'href="/map?paper={paper.uid}"'),
                      ("/papers/search?q=robot", 'href="/map?q=robot"'), ("/", 'href="/map"')):
        looked.clear()
        page = client.get(url).content.decode()
        assert link in page and '<a href="/map">Map</a>' in page
        assert len(looked) == 1, url


def test_the_legend_says_how_many_of_a_search_are_marked(client, mapped, monkeypatch):
    from paperhub.search import update
    from paperhub.web import maps

    update(embed_new=False)
    monkeypatch.setattr(maps, "SEARCH_MARKS", 5)
    page = client.get("/map", {"q": "robot"}).content.decode()
    assert ">20 results</a> for “robot”" in page and "the best 5 of" in page  # it said "5 results"


def test_a_misspelt_search_is_marked_as_corrected(client, mapped):
    """Search's "did you mean" on the map too: a typo that finds nothing marks its correction's papers."""
    from paperhub.search import update

    update(embed_new=False)
    page = client.get("/map", {"q": "robto"}).content.decode()
    assert 'No papers match “robto”. Showing results for <a href="/map?q=robot"><strong>robot</strong></a>.' in page
    assert ">20 results</a> for “robot”" in page and 'href="/papers/search?q=robot"' in page
    data = json.loads(re.search(r'<script id="map-data" type="application/json">(.*?)</script>', page, re.S)[1])
    assert len(data["search"]) == 20
    exact = client.get("/map", {"q": "robto", "exact": "1"}).content.decode()  # "search instead": as typed, kept
    assert "Did you mean" in exact and "Showing results" not in exact and 'name="exact" value="1"' in exact
    response = client.get("/map", {"q": "robot since:someday"})  # a date that is no date: said, nothing marked
    page = response.content.decode()
    assert response.status_code == 400 and "since: must be a date, YYYY-MM-DD" in page and ">0 results</a>" in page


def test_a_papers_map_starts_on_it_among_its_similar_papers(client, mapped):
    """The paper page's "See it among its neighbours" searched the map for the paper's title instead."""
    from paperhub.search import update

    update(embed_new=False)
    paper = Paper.objects.order_by("id").first()
    page = client.get(f"/papers/{paper.uid}").content.decode()
    assert f'href="/map?paper={paper.uid}"' in page
    page = client.get("/map", {"paper": paper.uid}).content.decode()
    data = json.loads(re.search(r'<script id="map-data" type="application/json">(.*?)</script>', page, re.S)[1])
    assert [p[0] for p in data["paper"]] == [paper.pk] and 0 < len(data["similar"]) <= 20
    assert f'<a href="/papers/{paper.uid}">' in page and "of its similar papers" in page
    for odd in ("9999.99999", "<script>", "x" * 5000):
        answer = client.get("/map", {"paper": odd})
        assert answer.status_code == 200 and "of its similar papers" not in answer.content.decode()


def test_the_header_links_to_the_map_only_once_it_is_drawn_but_staff_always(client, mapped):
    header = '<a href="/map">Map</a>'
    assert header in client.get("/").content.decode()
    for name in ("meta.json", "points.npz"):
        (store.map_dir() / name).unlink()
    assert 'href="/map"' not in client.get("/").content.decode()
    client.force_login(user("operator", is_staff=True))
    assert ">Map (not drawn)</a>" in client.get("/").content.decode()


def test_a_topic_label_names_each_stem_once(db):
    """A region's words do not repeat one ("agents · multi-agent · agent"): the next characteristic term shows."""
    from paperhub.topicmap import build

    agents = ["Agents that plan", "An agent for tools", "Agents with memory", "Memory for an agent", "Planning agents",
              "Agents and memory in planning", "An agent with tools", "Tools for agents"] * 3
    others = ["Protein folding at scale", "Folding proteins quickly", "Protein design"] * 8
    groups = np.array([0] * len(agents) + [1] * len(others))
    assert labels.characteristic_terms(agents + others, groups, 2)[0][:2] == ["agents", "agent"]  # the words alone
    found = build.topic_labels(agents + others, groups, 2)
    assert len(found[0]) == 3 and len({w.rstrip("s") for w in found[0]}) == 3 and "memory" in found[0], found
