"""Personal recommendations end to end on a small hub with the real embedding model."""

from paperhub.community import services as community
from paperhub.papers.models import Author, Paper
from paperhub.recommend import queries, services, space, training
from paperhub.search.analysis import STEMMED
from paperhub.search.filler import is_filler


def topic_of(paper: Paper) -> str:
    return paper.title.rsplit(" ", 2)[-2]


def like(user, topic: str, count: int = 3) -> list[Paper]:
    papers = [p for p in Paper.objects.order_by("uid") if topic_of(p) == topic][:count]
    for paper in papers:
        community.upvote(user, paper, on=True)
    return papers


def test_no_signals_no_picks(topics, reader):
    assert queries.for_you(reader) == []


def test_upvotes_bring_their_topic_first_with_reasons(topics, reader):
    liked = like(reader, "proteins")
    picks = queries.for_you(reader, limit=5)
    assert [topic_of(p.paper) for p in picks] == ["proteins"] * 5
    assert not {p.paper.pk for p in picks} & {p.pk for p in liked}  # what you upvoted is not recommended again
    reasons = " ".join(r for p in picks for r in p.reasons)
    assert "you upvoted" in reasons and "about " in reasons
    for about in [r.removeprefix("about ").split(", ") for p in picks for r in p.reasons if r.startswith("about ")]:
        said: set[str] = set()
        for term in about:  # each adds a word: not "about proteins, protein"
            assert not set(STEMMED.analyze(term)) <= said, about
            said |= set(STEMMED.analyze(term))
    assert any("whose papers you liked" in r for p in picks for r in p.reasons)  # same authors


def test_not_interested_removes_the_paper_and_pushes_its_topic_down(topics, reader):
    like(reader, "proteins", 2)
    like(reader, "robots", 3)
    before = [topic_of(p.paper) for p in queries.for_you(reader, limit=6)]
    assert before.count("robots") >= 2, before
    robots = [p.paper for p in queries.for_you(reader, limit=12) if topic_of(p.paper) == "robots"]
    for paper in robots[:3]:
        services.not_interested(reader, paper, on=True)
    after = queries.for_you(reader, limit=12)
    assert not {p.pk for p in robots[:3]} & {p.paper.pk for p in after}
    assert [topic_of(p.paper) for p in after[:6]] == ["proteins"] * 6  # what is left of robots comes after


def test_exclusions_leave_out_words_and_categories(topics, reader):
    like(reader, "language", 3)
    services.set_exclusions(reader, "translation, tokenizer", "")
    titles = " ".join(p.paper.title + p.paper.abstract for p in queries.for_you(reader, limit=30)).lower()
    assert "translation" not in titles and "tokenizer" not in titles
    services.set_exclusions(reader, "", "cs.CL")
    assert all(topic_of(p.paper) != "language" for p in queries.for_you(reader, limit=30))


def test_a_paragraph_is_enough_to_start(topics, reader):
    services.add_paragraph(reader, "I study telescopes, dark matter and how galaxies cluster in the universe.")
    picks = queries.for_you(reader, limit=4)
    assert [topic_of(p.paper) for p in picks] == ["galaxies"] * 4
    assert any("your interests" in r for p in picks for r in p.reasons)


def test_following_an_author_brings_their_papers_with_a_reason(topics, reader):
    hubble = Author.objects.get(name="Edwin Hubble")
    assert services.follow(reader, hubble) is True
    picks = queries.for_you(reader, limit=4)
    assert picks and all("Edwin Hubble" in " ".join(p.reasons) for p in picks)
    assert {p.pk for p in queries.from_follows(reader)} == set(Paper.objects.filter(authorships__author=hubble)
                                                               .values_list("pk", flat=True))
    assert services.follow(reader, hubble) is False  # toggles


def test_model_is_retrained_when_signals_change_and_cached_otherwise(topics, reader):
    like(reader, "proteins", 2)
    first = training.train(reader)
    assert training.train(reader) is first
    like(reader, "galaxies", 1)
    assert training.train(reader) is not first


def test_space_is_rebuilt_when_papers_arrive(topics, reader):
    built = space.current()
    assert len(built) == 32 and built.terms.shape[0] == 32
    assert space.refresh() is None
    from paperhub.papers.services import upsert_papers
    from tests.factories import record
    from tests.recommend.conftest import NEWEST

    upsert_papers([record("2606.99999", title="Dark energy surveys", abstract="Galaxies and dark energy.",
                          published=NEWEST)])
    assert space.stale()
    assert len(space.refresh()) == 33


def test_saved_search_matches(topics, reader):
    saved = services.save_search(reader, "robot grasping")
    matches = queries.search_matches(saved)
    assert matches and "grasping" in matches[0].title.lower()
    assert services.save_search(reader, "robot   grasping") == saved  # the same search once


def test_a_request_never_builds_the_space_it_queues_one_build(topics, reader, run_tasks, monkeypatch):
    """Building the space took 17 s of a first /for-you visit in a hub of 346K papers: with none yet, the page and
    the API answer at once, saying so, and the build is queued once however many readers ask; the job builds it."""
    from django.test import Client
    from django_tasks_db.models import DBTaskResult

    from paperhub.core.tokens import create_token

    space.path().unlink()  # a hub whose watcher has not built it yet
    like(reader, "proteins", 2)

    def refused(*args, **kwargs):
        raise AssertionError("a request built the space")

    client = Client()
    client.force_login(reader)
    _, token = create_token(reader, "t")
    with monkeypatch.context() as patched:
        patched.setattr(space, "build", refused)
        page = client.get("/for-you").content.decode()
        answer = client.get("/api/recommendations", HTTP_AUTHORIZATION=f"Bearer {token}")
        assert client.get("/for-you").status_code == 200  # a second visitor: still the one job
    assert space.PREPARING in page and "Pick a few papers" in page and not space.path().exists()
    assert answer.status_code == 503 and answer.json() == {"detail": space.PREPARING}
    assert list(DBTaskResult.objects.values_list("task_path", flat=True)) == ["paperhub.recommend.space.build_space"]
    assert [row.return_value for row in run_tasks()] == [{"papers": 32, "built": True}]
    page = client.get("/for-you").content.decode()
    assert space.PREPARING not in page and 'class="pick" id="pick-' in page
    assert not DBTaskResult.objects.ready().exists()


def test_the_queued_build_is_idempotent(topics):
    """A build killed midway is run again by the worker (jobs/worker.py); one run after the space is fresh (the
    watcher built it meanwhile) does nothing, and a finished one lets the next missing space queue a build again."""
    assert space.build_space.call() == {"papers": None, "built": False}
    space.path().unlink()
    assert space.queue_build() and not space.queue_build()
    assert space.build_space.call() == {"papers": 32, "built": True} and space.stored() is not None


def test_a_request_loads_no_model_when_its_papers_have_their_vectors(topics, reader, monkeypatch):
    """Loading the transformer takes seconds (9-17 s on a busy machine): a request whose space and liked papers all
    have stored vectors embeds nothing, so it loads nothing; a pasted paragraph still is embedded."""
    from paperhub import search

    like(reader, "proteins", 2)

    def refused():
        raise AssertionError("the transformer was loaded")

    with monkeypatch.context() as patched:
        patched.setattr(search, "transformer", refused)
        picks = queries.for_you(reader, limit=5)  # the stored space, then the user's model
    assert [topic_of(p.paper) for p in picks] == ["proteins"] * 5
    services.add_paragraph(reader, "Protein folding predicted from sequence by learned energy functions.")
    assert queries.for_you(reader, limit=5)


def test_a_reason_names_the_liked_paper_as_its_title_reads(topics, reader):
    """The liked paper's title in "close to “…” you upvoted" is rendered TeX, cut at a word, as digests show it."""
    liked = like(reader, "proteins", 1)[0]
    Paper.objects.filter(pk=liked.pk).update(title=r"$\alpha$-helix folding with $\mathcal{O}(n)$ memory: "
                                                   + "long words " * 12 + "a proteins study")
    reasons = [r for p in queries.for_you(reader, limit=5) for r in p.reasons if r.startswith("close to")]
    assert reasons and all(r.startswith("close to “α-helix folding with 𝒪(n) memory: long words") for r in reasons)
    assert all("$" not in r and r.endswith("words…” you upvoted") for r in reasons), reasons


def test_the_words_a_pick_is_about_are_topic_words_not_filler(topics, reader):
    """"about context, answering, report", "about large, scale language": the language papers' template reports
    accuracy on "large" language models, and "report" and "large" pushed the picks up as much as their topic."""
    like(reader, "language")
    abouts = [r.removeprefix("about ") for p in queries.for_you(reader, limit=8) for r in p.reasons
              if r.startswith("about ")]
    assert abouts and all(not is_filler(word) for about in abouts for word in about.replace(",", " ").split()), abouts


def test_an_empty_space_or_a_user_with_nothing_loads_no_model(db, search_dir, settings, tmp_path, monkeypatch):
    """Nothing to recommend from, nothing to embed: a hub with no papers builds its empty space without loading the
    model to learn its width, and a user with no signal reads no space nor queues its build."""
    from paperhub import search
    from paperhub.papers.services import upsert_papers
    from tests.factories import user
    from tests.recommend.conftest import corpus

    settings.DATA_DIR = tmp_path
    loads: list[str] = []
    loader = search.transformer

    def counted():
        loads.append("transformer")
        return loader()

    monkeypatch.setattr(search, "transformer", counted)
    writer, newcomer = user("writer"), user("newcomer")
    services.add_paragraph(writer, "Protein folding predicted from sequence by learned energy functions.")
    assert len(space.refresh(force=True)) == 0 and space.current().dense.shape[0] == 0 and loads == []
    assert queries.for_you(writer) == [] and queries.interests(writer) == []
    upsert_papers(corpus())  # papers without vectors: a space built now would embed them
    space.path().unlink()
    assert queries.for_you(newcomer) == [] and loads == []
    assert not space.path().exists() and space.queue_build()  # (the newcomer queued none: this is the first)
    space.refresh()
    assert queries.for_you(writer) and loads  # a user with a signal: the space embedded, and the paragraph
