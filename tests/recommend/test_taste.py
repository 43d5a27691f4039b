"""The per-user model on small hand-made arrays (pure: no database, no embedding model)."""

import numpy as np
from scipy import sparse

from paperhub import search
from paperhub.recommend import taste


def unit(rows):
    rows = np.asarray(rows, dtype=np.float32)
    return rows / np.linalg.norm(rows, axis=1, keepdims=True)


def signals(liked, disliked=(), background=(), liked_authors=None, followed=frozenset()):
    dense = lambda rows: unit(rows) if len(rows) else np.zeros((0, 3), np.float32)  # noqa: E731
    terms = lambda rows: sparse.csr_matrix(dense(rows)) if len(rows) else sparse.csr_matrix((0, 3))  # noqa: E731
    return taste.Signals(liked_dense=dense(liked), liked_terms=terms(liked),
                         liked_authors=liked_authors or [()] * len(liked), disliked_dense=dense(disliked),
                         disliked_terms=terms(disliked), disliked_authors=[()] * len(disliked),
                         background_dense=dense(background), background_terms=terms(background), followed=followed)


BACKGROUND = [[0, 1, 0], [0, 0, 1], [0, 1, 1], [0.1, 1, 0], [0.1, 0, 1]] * 4
CANDIDATES = unit([[1, 0.1, 0], [0, 1, 0.1], [0.1, 0, 1]])


def test_liked_direction_ranks_first_and_dislikes_push_down():
    trained = taste.train(signals([[1, 0, 0], [0.9, 0.1, 0]], background=BACKGROUND))
    views = taste.views(trained, CANDIDATES, sparse.csr_matrix(CANDIDATES), [()] * 3)
    assert np.argmax(views.blend()) == 0
    disliked = taste.train(signals([[1, 0, 0], [0, 1, 0]], disliked=[[0, 1, 0.05]] * 2, background=BACKGROUND))
    scores = taste.views(disliked, CANDIDATES, sparse.csr_matrix(CANDIDATES), [()] * 3).meaning
    assert scores[0] > scores[1]


def test_author_weights_follow_likes_dislikes_and_follows():
    weights = taste.author_weights([("a", "b"), ("a",)], [("b",), ("b",), ("c",)], followed=frozenset({"d"}))
    assert weights["a"] > 0 and weights["d"] > weights["a"] and weights["b"] < 0 and weights["c"] < 0


def test_interest_profiles_find_separate_groups():
    liked = unit([[1, 0, 0], [0.95, 0.05, 0], [0.9, 0.1, 0], [0, 0, 1], [0, 0.05, 0.95], [0.05, 0, 0.9]])
    profiles = taste.interest_profiles(liked, most=4)
    assert len(profiles) == 2
    assert sorted(int(np.argmax(p)) for p in profiles) == [0, 2]


def test_diversify_makes_room_for_a_drowned_interest():
    dense = unit([[1, 0, 0]] * 12 + [[0, 0, 1]])
    order = np.arange(13)
    profiles = unit([[1, 0, 0], [0, 0, 1]])
    mixed = taste.diversify(order, dense, profiles, slots=10)
    assert 12 in mixed[:10] and sorted(mixed.tolist()) == list(range(13))
    assert (taste.diversify(order, dense, profiles[:1]) == order).all()


def test_top_terms_explain_a_pick():
    row = sparse.csr_matrix([[0.5, 0.0, 0.8]])
    assert taste.top_terms(row, np.array([1.0, 5.0, -1.0]), ["protein", "galaxy", "robot"]) == ["protein"]


def test_distinct_terms_skip_what_adds_no_word():
    """(recommend's word-level copy is gone: interest profiles use search's, by stem, as For you's labels do)"""
    assert search.distinct_terms(["diffusion", "models", "diffusion models", "protein folding", "folding"], 3) == [
        "diffusion", "protein folding"]  # "models" says nothing of a topic, nor a phrase holding it
    assert search.distinct_terms(["experts", "expert", "router"], 2) == ["experts", "router"]
