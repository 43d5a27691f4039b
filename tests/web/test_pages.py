import re
from datetime import UTC, date, datetime, timedelta
from html import unescape
from io import StringIO
from urllib.parse import quote

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from paperhub import search
from paperhub.community import curation, markdown, services
from paperhub.community.models import Comment, Upvote
from paperhub.community.queries import discussion
from paperhub.core import tokens
from paperhub.papers.models import CodeRepository, FeedEntry, Paper
from paperhub.papers.services import upsert_papers
from paperhub.web.cards import pager
from paperhub.web.templatetags.paperhub_tags import ago, short_count
from tests.factories import feed_entry, record, user

DAY = date(2026, 11, 23)


@pytest.fixture
def papers(db):
    when = datetime(2026, 11, 22, 10, tzinfo=UTC)
    upsert_papers([
        record("2611.00001", title=r"Sparse <script>alert(1)</script> attention in $O(n^2)$", published=when,
               abstract="We study $\\alpha$-sparse attention.\n\nSecond paragraph.",
               code_url="javascript:alert(1)", project_url="https://project.example"),
        record("2611.00002", title="Dense retrieval for claims", published=when),
        record("2611.00003", title="Older work", published=when - timedelta(days=30)),
    ])
    found = {p.uid: p for p in Paper.objects.all()}
    feed_entry(found["2611.00001"], DAY)
    feed_entry(found["2611.00002"], DAY, "hf", external_upvotes=7)
    return found


@pytest.fixture
def ann(db):
    return user("ann", password="a-long-password-1")


def test_home_shows_the_latest_day_by_votes(client, papers):
    html = client.get("/").content.decode()
    assert "Daily papers · Monday, 23 November 2026" in html
    assert html.index("Dense retrieval") < html.index("Sparse")  # 7 votes first
    assert "Older work" not in html


def test_a_feeds_pages_say_page_n_of_m_and_their_title_which_page(client, db):
    when = datetime(2026, 11, 22, 10, tzinfo=UTC)
    upsert_papers([record(f"2611.{n:05d}", title=f"Paper {n}", published=when) for n in range(1, 32)])
    for paper in Paper.objects.all():
        feed_entry(paper, DAY)
    first, second = (client.get(f"/papers/date/{DAY.isoformat()}?page={n}").content.decode() for n in (1, 2))
    assert "<title>Monday, 23 November 2026 · paperhub</title>" in first and "Page 1 of 2" in first
    assert "<title>Monday, 23 November 2026 · page 2 · paperhub</title>" in second and "Page 2 of 2" in second
    past = client.get(f"/papers/date/{DAY.isoformat()}?page=9").content.decode()
    assert "Page 9 of" not in past and "← Last page (2)" in past
    hostile = client.get(f"/papers/date/{DAY.isoformat()}?page=<b>2</b>").content.decode()
    assert "<b>2" not in hostile and "Page 1 of 2" in hostile


def test_pager_knows_the_last_page():
    assert pager(1, 0, 30) == {"page": 1, "has_next": False, "last_page": 1}
    assert pager(1, 31, 30) == {"page": 1, "has_next": True, "last_page": 2}
    assert pager(2, 60, 30) == {"page": 2, "has_next": False, "last_page": 2}
    assert pager(999, 283, 30)["last_page"] == 10


def test_day_week_month_pages_link_to_their_neighbours(client, papers):
    """The nearest periods whose feeds have papers: weekends and gaps skipped, nothing past the newest feed."""
    for day in (date(2026, 10, 30), date(2026, 11, 19)):
        feed_entry(papers["2611.00003"], day)
    day = client.get("/papers/date/2026-11-23").content.decode()
    assert 'rel="prev" href="/papers/date/2026-11-19"' in day and 'rel="next"' not in day
    empty = client.get("/papers/date/2026-11-21").content.decode()  # a Saturday
    assert 'href="/papers/date/2026-11-19"' in empty and 'rel="next" href="/papers/date/2026-11-23"' in empty
    week = client.get("/papers/week/2026-W48").content.decode()
    assert "Dense retrieval" in week and 'href="/papers/week/2026-W47"' in week and 'rel="next"' not in week
    month = client.get("/papers/month/2026-11").content.decode()
    assert "3 papers" in month and 'href="/papers/month/2026-10"' in month
    assert 'rel="prev"' not in client.get("/papers/month/2026-10").content.decode()
    past = client.get("/papers/date/2026-11-23?page=99").content.decode()
    assert "Page 99 is past the last of this day's 2 papers" in past and "Submit one" not in past
    assert 'href="?page=1">← Last page (1)' in past and "page=98" not in past  # not to 98, as empty as 99
    assert client.get("/papers/week/2026-W5").headers["Location"] == "/papers/week/2026-W05"
    assert client.get("/papers/week/2026-w48").headers["Location"] == "/papers/week/2026-W48"
    assert client.get("/papers/month/2026-6").headers["Location"] == "/papers/month/2026-06"
    assert [client.get(f"/papers/{key}").status_code for key in ("date/2026-6-1", "week/2026W48", "week/2026-x48")] \
        == [404] * 3  # other spellings stay 404s
    assert client.get("/papers/date/2026-02-30").status_code == 404
    # a day is YYYY-MM-DD only: these redirected to Monday 23 November and to the day (date.fromisoformat)
    assert [client.get(f"/papers/date/{key}").status_code for key in ("2026-W48", "2026-W48-1", "20261123")] == [404] * 3
    assert client.get("/papers/month/abc").status_code == 404


def test_period_pages_name_their_feed_and_say_when_they_are_empty(client, papers):
    week = client.get("/papers/week/2026-W48").content.decode()
    assert "2 papers, most upvoted first. The newest day's papers as a feed:" in week  # the feed is the daily one
    assert "Daily papers as a feed:" in client.get("/papers/date/2026-11-23").content.decode()
    empty = client.get("/papers/week/2026-W20").content.decode()
    assert "No papers this week." in empty and "0 papers" not in empty and "most upvoted" not in empty
    assert "No papers this month." in client.get("/papers/month/2026-05").content.decode()
    assert "No papers on this day." in client.get("/papers/date/2026-11-20").content.decode()  # a Friday


def test_an_empty_weekend_day_says_arxiv_announces_on_weekdays_and_a_future_one_that_it_has_not_come(
        client, papers, settings):
    saturday = client.get("/papers/date/2026-11-21").content.decode()
    assert "arXiv announces new papers Monday to Friday" in saturday and "Submit a paper</a>." in saturday
    future = (services.feeds.today() + timedelta(days=400)).isoformat()
    html = client.get(f"/papers/date/{future}").content.decode()
    assert "This day has not come yet." in html and "Submit a paper</a>" not in html
    week = client.get(f"/papers/week/{services.feeds.today().year + 2}-W02").content.decode()
    assert "This week has not come yet." in week
    settings.PAPERHUB_FEED_CATEGORIES, settings.PAPERHUB_FEED_KEYWORDS = [], []  # no rules: not arXiv's calendar
    assert "No papers on this day." in client.get("/papers/date/2026-11-21").content.decode()


def test_the_calendar_says_why_a_period_is_empty():
    from paperhub.papers.feeds import empty_period_note
    from paperhub.papers.periods import day_period, month_period

    today = date(2026, 11, 25)
    assert empty_period_note(day_period(date(2026, 11, 28)), today, True) == "This day has not come yet."
    assert "Monday to Friday" in empty_period_note(day_period(date(2026, 11, 22)), today, True)
    assert empty_period_note(day_period(date(2026, 11, 22)), today, False) == ""
    assert empty_period_note(day_period(date(2026, 11, 24)), today, True) == ""  # a weekday: nothing to say
    assert empty_period_note(month_period(date(2026, 11, 1)), today, True) == ""  # under way
    assert empty_period_note(month_period(date(2026, 12, 1)), today, True) == "This month has not come yet."


def test_upvoting_logged_out_logs_in_and_lands_on_the_paper_asked_to_press_upvote(client, papers, ann):
    """Back on the list after logging in, the vote was not cast and the button had to be found again: the paper's
    page asks for the press (a redirect cannot POST, and a vote a GET casts is one a link could cast)."""
    html = client.get("/papers/week/2026-W48?page=1").content.decode()
    found = re.findall(r'<form class="vote" method="get" action="/accounts/login/">\s*'
                       r'<input type="hidden" name="next" value="([^"]*)">', html)
    assert sorted(found) == ["/papers/2611.00001?upvote=1", "/papers/2611.00002?upvote=1"]
    assert 'action="/upvote/' not in html
    logged_in = client.post(f"/accounts/login/?next={quote(found[0])}",
                            {"username": "ann", "password": "a-long-password-1", "next": found[0]})
    assert logged_in.headers["Location"] == found[0] and not Upvote.objects.exists()
    asked = client.get(found[0]).content.decode()
    assert 'class="asked"' in asked and asked.count(" autofocus") == 1 and "Press ▲ to cast your upvote" in asked
    paper = Paper.objects.get(uid=found[0].split("/")[2].split("?")[0])
    assert f'aria-describedby="paper-title-{paper.pk} vote-asked-{paper.pk}"' in asked
    client.post(f"/upvote/{paper.pk}", {"next": found[0]})  # the press, without JavaScript: back there, voted
    assert Upvote.objects.filter(user=ann, paper=paper).exists()
    assert "Press ▲" not in client.get(found[0]).content.decode()  # voted: nothing to ask
    assert "Press ▲" not in client.get(f"/papers/{paper.uid}?upvote=0").content.decode()


def test_an_upvote_on_the_paper_page_redraws_its_upvotes_over_time(client, papers, ann):
    """It said "No upvotes here yet." until a reload: the page's button has its chart sent back out of band."""
    paper = papers["2611.00002"]
    client.force_login(ann)
    page = client.get(f"/papers/{paper.uid}").content.decode()
    assert 'name="chart" value="1"' in page and '<section id="votes"' in page and "No upvotes here yet." in page
    voted = client.post(f"/upvote/{paper.pk}", {"chart": "1"}, HTTP_HX_REQUEST="true").content.decode()
    assert voted.startswith("<form") and 'name="chart" value="1"' in voted  # (the next press redraws it too)
    chart = voted[voted.index('<section id="votes"'):]
    assert 'hx-swap-oob="true"' in chart and "Upvotes, " in chart and "No upvotes here yet" not in chart
    card = client.post(f"/upvote/{paper.pk}", HTTP_HX_REQUEST="true").content.decode()  # a list's card: no chart
    assert "<section" not in card and 'name="chart"' not in card


def test_paper_page_renders_latex_safely_and_links(client, papers):
    response = client.get("/papers/2611.00001")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html
    assert '<span class="math">O(n<sup>2</sup>)</span>' in html and '<span class="math">α</span>-sparse' in html
    assert "<p>Second paragraph.</p>" in html
    assert 'href="javascript:' not in html and 'href="https://project.example"' in html
    assert 'href="https://arxiv.org/pdf/2611.00001"' in html and "@misc{lovelace2026sparse" in html
    assert '/authors/ada-lovelace-' in html
    assert client.get("/papers/2611.00001v2").headers["Location"] == "/papers/2611.00001"
    assert client.get("/papers/9999.99999").status_code == 404


def test_author_page_lists_papers_and_fixes_its_slug(client, papers):
    author = papers["2611.00001"].authorships.first().author
    assert client.get(f"/authors/wrong-{author.pk}").headers["Location"] == f"/authors/ada-lovelace-{author.pk}"
    html = client.get(f"/authors/ada-lovelace-{author.pk}").content.decode()
    assert "3 papers" in html and "Older work" in html
    assert client.get("/authors/nobody").status_code == 404


def test_upvote_without_javascript_and_with_htmx(client, papers, ann):
    paper = papers["2611.00002"]
    assert client.post(f"/upvote/{paper.pk}").headers["Location"].startswith("/accounts/login/")
    # logged out (a session ended on an open list): log in, then to the paper, asked to press Upvote
    for sent in ("/papers/trending", "//evil.example/"):
        assert client.post(f"/upvote/{paper.pk}", {"next": sent}).headers["Location"] == \
            f"/accounts/login/?next=/papers/{paper.uid}%3Fupvote%3D1"
    hx = client.post(f"/upvote/{paper.pk}", HTTP_HX_REQUEST="true")
    assert hx.status_code == 204 and hx["HX-Redirect"] == f"/accounts/login/?next=/papers/{paper.uid}%3Fupvote%3D1"
    client.force_login(ann)
    response = client.post(f"/upvote/{paper.pk}", {"next": "/papers/trending"})
    assert response.headers["Location"] == "/papers/trending"
    response = client.post(f"/upvote/{paper.pk}", {"next": "https://evil.example/"})  # toggled off
    assert response.headers["Location"] == f"/papers/{paper.uid}"  # no open redirect
    response = client.post(f"/upvote/{paper.pk}", HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and 'aria-pressed="true"' in response.content.decode()
    assert response.content.decode().count(" autofocus>") == 1  # htmx gives the new button the focus back
    assert f'aria-describedby="paper-title-{paper.pk}"' in response.content.decode()
    assert Upvote.objects.filter(user=ann).count() == 1 and Paper.objects.get(pk=paper.pk).upvotes == 1
    for sent, named in (("authored-title", "authored-title"), ('x" onfocus="alert(1)', "paper-title")):
        # a profile's "authored" card's button names that card's title after a vote too; nothing else is taken
        part = client.post(f"/upvote/{paper.pk}", {"title_id": sent}, HTTP_HX_REQUEST="true").content.decode()
        assert f'aria-describedby="{named}-{paper.pk}"' in part and "onfocus" not in part
    assert client.get(f"/upvote/{paper.pk}").status_code == 405


def test_writes_need_csrf(papers, ann):
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(ann)
    paper = papers["2611.00001"]
    assert strict.post(f"/upvote/{paper.pk}").status_code == 403
    assert strict.post(f"/comments/{paper.pk}/new", {"body": "x"}).status_code == 403
    assert strict.post("/papers/submit", {"paper": paper.uid}).status_code == 403


def test_a_200_deep_reply_chain_renders_and_replies_stop_at_the_last_level(client, papers, ann):
    paper = papers["2611.00001"]
    parent = None
    for n in range(200):  # straight into the database, as a chain made before replies were capped
        parent = Comment.objects.create(paper=paper, user=ann, parent=parent, body=f"level {n + 1}")
    response = client.get(f"/papers/{paper.uid}", {"comments": 2})  # (100 comments a page)
    assert response.status_code == 200 and "level 200" in response.content.decode()
    assert f"indent-{services.COMMENT_MAX_DEPTH}" not in response.content.decode()  # flat past the cap
    api = client.get(f"/api/papers/{paper.uid}/comments", {"limit": 200})
    assert api.status_code == 200 and len(api.json()) == 200
    client.force_login(ann)
    client.post(f"/comments/{paper.pk}/new", {"body": "from the page", "parent": parent.pk})
    _, secret = tokens.create_token(ann, "script")
    reply = client.post(f"/api/papers/{paper.uid}/comments", {"comment": "from the API", "parentId": parent.pk},
                        content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {secret}").json()
    depth = {e.comment.pk: e.depth for e in discussion(paper)}
    assert depth[reply["id"]] == depth[Comment.objects.get(body="from the page").pk] == services.COMMENT_MAX_DEPTH - 1
    assert reply["parentId"] != parent.pk  # the API says where the reply went


def test_comment_reply_edit_delete_through_the_pages(client, papers, ann):
    paper = papers["2611.00001"]
    client.force_login(ann)
    client.post(f"/comments/{paper.pk}/new", {"body": "Great **paper** <img src=x onerror=alert(1)>"})
    top = Comment.objects.get()
    response = client.post(f"/comments/{paper.pk}/new", {"body": "A reply", "parent": top.pk}, HTTP_HX_REQUEST="true")
    reply = Comment.objects.get(parent=top)
    assert 'id="comment-list"' in response.content.decode()
    assert f'id="comment-{reply.pk}" tabindex="-1" autofocus>' in response.content.decode()  # htmx focuses the reply
    assert response.content.decode().count("autofocus") == 1
    html = client.get(f"/papers/{paper.uid}").content.decode()
    assert "<strong>paper</strong>" in html and "<img src=x" not in html and "A reply" in html
    client.post(f"/comments/{top.pk}/edit", {"body": "Edited text"})
    assert "Edited text" in client.get(f"/papers/{paper.uid}").content.decode()
    other = user("eve")
    client.force_login(other)
    assert client.get(f"/comments/{top.pk}/edit").status_code == 404
    client.post(f"/comments/{top.pk}/delete", {"confirm": "1"})
    assert Comment.objects.filter(pk=top.pk, deleted=False).exists()


def test_a_refused_comment_says_why_in_the_swapped_part_and_nowhere_later(client, papers, ann):
    paper = papers["2611.00001"]
    client.force_login(ann)
    response = client.post(f"/comments/{paper.pk}/new", {"body": "  \n "}, HTTP_HX_REQUEST="true")
    part = response.content.decode()
    assert response.status_code == 200 and part.startswith('<div id="comment-list">')
    assert '<p class="messages error" role="alert" id="comment-error">A comment needs some text.</p>' in part
    assert 'aria-describedby="comment-error md-help" aria-invalid="true" autofocus>' in part  # htmx focuses it
    assert "A comment needs some text." not in client.get(f"/papers/{paper.uid}").content.decode()  # not kept
    long = "x" * 10_001
    part = client.post(f"/comments/{paper.pk}/new", {"body": long}, HTTP_HX_REQUEST="true").content.decode()
    assert "at most 10,000 characters" in part and f">{long}</textarea>" in part  # the text is not lost
    part = client.post(f"/comments/{paper.pk}/new", {"body": f"\x01\x1b{long}\x7f"}, HTTP_HX_REQUEST="true")
    assert f">{long}</textarea>" in part.content.decode()  # sent back without the control characters
    top = services.add_comment(ann, paper, "Top")
    part = client.post(f"/comments/{paper.pk}/new", {"body": " ", "parent": top.pk},
                       HTTP_HX_REQUEST="true").content.decode()
    reply_form = part.split(f'id="comment-{top.pk}"')[1].split("Add a comment")[0]
    assert "<details open><summary>Reply</summary>" in reply_form and "A comment needs some text." in reply_form
    assert part.count("A comment needs some text.") == 1
    assert Comment.objects.count() == 1
    # Without JavaScript: back to the paper, which says it once.
    response = client.post(f"/comments/{paper.pk}/new", {"body": " "}, follow=True)
    assert response.redirect_chain[-1][0] == f"/papers/{paper.uid}#comments"
    assert response.content.decode().count("A comment needs some text.") == 1
    assert "A comment needs some text." not in client.get(f"/papers/{paper.uid}").content.decode()


def test_comments_show_math_and_link_bare_urls_on_the_page(client, papers, ann):
    paper = papers["2611.00001"]
    client.force_login(ann)
    client.post(f"/comments/{paper.pk}/new", {"body": r"So $a*b*c$ is \(\alpha\), see https://example.org/x."})
    html = client.get(f"/papers/{paper.uid}").content.decode()
    assert '<span class="math">a*b*c</span> is <span class="math">α</span>' in html
    assert ('<a href="https://example.org/x" rel="nofollow noopener noreferrer ugc">https://example.org/x</a>.'
            in html)
    assert "Math as in LaTeX" in html  # the help under the form says so


def test_a_mention_of_a_user_links_to_their_profile_on_pages_and_in_the_api(client, papers, ann):
    paper, bob = papers["2611.00001"], user("bob")
    user("gone", is_active=False)
    link = '<a href="/users/bob" rel="nofollow noopener noreferrer ugc">@bob</a>'
    client.force_login(ann)
    client.post(f"/comments/{paper.pk}/new", {"body": "Ask @bob, not @nobody nor @gone, or `@bob`."})
    html = client.get(f"/papers/{paper.uid}").content.decode()
    assert f"Ask {link}, not @nobody nor @gone, or <code>@bob</code>." in html
    assert link in client.get("/users/ann").content.decode()
    assert link in client.get(f"/api/papers/{paper.uid}/comments").json()[-1]["html"]
    _, secret = tokens.create_token(bob, "x")
    answer = client.post(f"/api/papers/{paper.uid}/comments", {"comment": "@ann hi"}, content_type="application/json",
                         HTTP_AUTHORIZATION=f"Bearer {secret}").json()
    assert answer["html"].startswith('<p><a href="/users/ann"')


def test_ones_own_reply_three_deep_in_a_hidden_thread_cannot_be_edited_nor_replied_to(client, papers, ann):
    paper, bob = papers["2611.00001"], user("bob")
    top = services.add_comment(bob, paper, "spam")
    deep = services.add_comment(ann, paper, "three deep", parent=services.add_comment(
        bob, paper, "two", parent=services.add_comment(ann, paper, "one", parent=top)))
    kept = services.add_comment(ann, papers["2611.00002"], "on another paper")
    client.force_login(ann)
    assert client.get(f"/comments/{deep.pk}/edit").status_code == 200
    Comment.objects.filter(pk=top.pk).update(hidden=True)
    assert client.get(f"/comments/{deep.pk}/edit").status_code == 404
    assert client.post(f"/comments/{deep.pk}/edit", {"body": "changed"}).status_code == 404
    assert Comment.objects.get(pk=deep.pk).body == "three deep"
    assert client.get(f"/comments/{kept.pk}/edit").status_code == 200  # a thread hidden elsewhere changes nothing
    client.post(f"/comments/{paper.pk}/new", {"body": "a reply", "parent": str(deep.pk)})
    assert not Comment.objects.filter(parent=deep).exists()
    assert client.get(f"/comments/{10 ** 30}/edit").status_code == 404  # hostile: an id past any column


def test_a_discussion_parses_each_comment_once_mentions_or_not(client, papers, ann, monkeypatch):
    paper, _ = papers["2611.00001"], user("bob")
    for body in ("Ask @bob", "No one", "@bob and `@bob`"):
        services.add_comment(ann, paper, body)
    parses = []
    parser = markdown.parser()
    monkeypatch.setattr(parser, "parse", lambda *args: parses.append(args[0]) or type(parser).parse(parser, *args))
    html = client.get(f"/papers/{paper.uid}").content.decode()
    assert html.count('<a href="/users/bob" rel="nofollow noopener noreferrer ugc">@bob</a>') == 2
    assert sorted(parses) == ["@bob and `@bob`", "Ask @bob", "No one"]  # was two parses for each comment with an @


def test_deleting_a_comment_needs_the_box_ticked(client, papers, ann):
    paper = papers["2611.00001"]
    top = services.add_comment(ann, paper, "Top")
    client.force_login(ann)
    html = client.get(f"/papers/{paper.uid}").content.decode()
    form = html.split(f'action="/comments/{top.pk}/delete"')[1].split("</form>")[0]
    assert '<input type="checkbox" name="confirm" value="1" required>' in form
    response = client.post(f"/comments/{top.pk}/delete", follow=True)
    assert Comment.objects.filter(pk=top.pk).exists()
    assert response.redirect_chain[-1][0] == f"/papers/{paper.uid}?comment={top.pk}#comment-{top.pk}"
    assert "Tick the box to confirm" in response.content.decode()
    response = client.post(f"/comments/{top.pk}/delete", {"confirm": "1"}, follow=True)
    assert not Comment.objects.filter(pk=top.pk).exists() and "Your comment is deleted." in response.content.decode()


def test_the_comment_edit_page_has_a_title(client, papers, ann):
    top = services.add_comment(ann, papers["2611.00001"], "Top")
    client.force_login(ann)
    html = client.get(f"/comments/{top.pk}/edit").content.decode()
    assert "<title>Edit your comment · paperhub</title>" in html and 'id="md-help"' in html


def test_search_page_shows_cards_with_filters(client, papers, settings, tmp_path):
    settings.PAPERHUB_SEARCH_DIR = tmp_path / "search"
    search.update()
    html = client.get("/papers/search?q=sparse+attention").content.decode()
    assert "<mark>Sparse</mark>" in html and "1 result" in html and "2 authors" not in html
    html = client.get("/papers/search?q=retrieval&since=2026-11-01&sort=newest").content.decode()
    assert "Dense <mark>retrieval</mark>" in html and "Older work" not in html
    html = client.get('/papers/search?q="unbalanced (quote&cat=cs.CL').content.decode()
    assert "No papers match" in html
    # an arXiv id, however pasted, is that paper (alone: its page); one not on the hub offers to submit it
    for pasted in ("2611.00003", "arXiv:2611.00003v2", "https://arxiv.org/abs/2611.00003"):
        response = client.get(f"/papers/search?q={quote(pasted)}")
        assert response.status_code == 302 and response["Location"] == "/papers/2611.00003", pasted
    html = client.get("/papers/search?q=2611.09999").content.decode()
    assert 'href="/papers/submit?paper=2611.09999"' in html and "not on this hub yet" in html
    html = client.get(f"/papers/search?q={quote('arXiv:2611.09999 [cs.CL], 2611.00003.')}").content.decode()
    assert "1 result" in html and "Older work" in html and 'href="/papers/submit?paper=2611.09999"' in html
    html = client.get("/papers/search?q=2611.00003&page=2").content.decode()  # past it: not offered as missing
    assert "not on this hub yet" not in html
    html = client.get("/papers/search?q=2611.00003&since=2030-01-01").content.decode()  # filtered out, not missing
    assert "not on this hub yet" not in html
    html = client.get("/papers/search?q=retrieval&page=9").content.decode()
    assert "1 result" in html and "Page 9 is past the last of these results" in html
    assert "page=1\">← Last page (1)" in html and "page=8" not in html


def test_submit_page(client, papers, ann, settings, run_tasks):
    settings.PAPERHUB_SUBMIT_MAX_AGE_DAYS = 100_000
    assert client.get("/papers/submit").headers["Location"].startswith("/accounts/login/")
    client.force_login(ann)
    assert 'value="2611.09999"' in client.get("/papers/submit?paper=2611.09999").content.decode()  # from search
    response = client.post("/papers/submit", {"paper": "https://arxiv.org/abs/2611.00003"})
    assert response.headers["Location"] == "/papers/submit"
    html = client.get("/papers/submit").content.decode()
    assert "2611.00003" in html and "waiting to be fetched" in html and 'hx-trigger="every 2s"' in html
    run_tasks()
    entry = FeedEntry.objects.get(paper__uid="2611.00003")
    assert entry.submitted_by == "ann" and entry.day == services.feeds.today()
    html = client.post("/papers/submit", {"paper": "2611.00003"}, follow=True).content.decode()
    assert "is already in <a" in html and 'href="/papers/2611.00003">in the feed</a>' in html


def test_submitting_a_paper_already_in_a_feed_links_the_paper_and_that_day(client, papers, ann):
    client.force_login(ann)
    html = client.post("/papers/submit", {"paper": '<b onmouseover="x">2611.00001</b>'}).content.decode()
    day = f'<a href="/papers/date/{DAY.isoformat()}">the feed of Monday, 23 November 2026</a>'
    assert f'<a href="/papers/2611.00001">2611.00001</a> is already in {day}.' in html
    assert "<b onmouseover" not in html and 'value="&lt;b onmouseover=&quot;x&quot;&gt;2611.00001&lt;/b&gt;"' in html


def test_trending_page(client, papers, ann):
    Paper.objects.filter(uid="2611.00001").update(upvotes=3)
    FeedEntry.objects.filter(paper__uid="2611.00001").update(day=timezone.now().date())
    html = client.get("/papers/trending").content.decode()
    assert "Sparse" in html and "last 14 days" in html and "Upvote what you read" not in html


def test_an_empty_trending_page_sends_readers_to_the_latest_papers(client, papers):
    """The feeds are older than the trending window (an offline sample, a quiet hub): it said "Nothing has been
    upvoted lately" and nothing else."""
    FeedEntry.objects.update(external_upvotes=0, day=services.feeds.today())
    html = client.get("/papers/trending").content.decode()
    assert "has been upvoted yet" in html and "Upvote what you read in" in html
    FeedEntry.objects.update(day=date(2026, 11, 23) - timedelta(days=60))  # the feeds older than the window
    html = client.get("/papers/trending").content.decode()
    assert "Upvote what you read" not in html  # an upvote there could never trend (the audit tried)
    assert "older than that: papers trend once new ones arrive" in html


def test_signup_login_profile_and_private_collections(client, papers):
    response = client.post("/accounts/signup/", {"username": "zoe", "email": "zoe@example.org",
                                                 "password1": "correct-horse-9", "password2": "correct-horse-9"})
    assert response.status_code == 302
    zoe = User.objects.get(username="zoe")
    paper = papers["2611.00001"]
    client.post("/collections/", {"title": "Secret list", "paper": paper.pk})  # unticked: private
    client.post("/collections/", {"title": "Open list", "public": "on"})
    client.post("/collections/add", {"collection": zoe.collections.get(slug="open-list").pk, "paper": paper.pk})
    assert client.get("/collections/zoe/secret-list").status_code == 200
    services.upvote(zoe, paper)
    profile = client.get("/users/zoe").content.decode()
    assert "Secret list" in profile and "Sparse" in profile
    client.post("/accounts/logout/")
    assert client.get("/collections/zoe/secret-list").status_code == 404
    assert "Secret list" not in client.get("/users/zoe").content.decode()
    assert "Open list" in client.get(f"/papers/{paper.uid}").content.decode()
    assert client.post("/accounts/login/", {"username": "zoe", "password": "correct-horse-9"}).status_code == 302


def test_banned_users_cannot_log_in(client, ann):
    ann.is_active = False
    ann.save()
    assert client.post("/accounts/login/", {"username": "ann", "password": "a-long-password-1"}).status_code == 200


def test_moderators_hide_comments_in_the_admin(client, papers, ann):
    comment = services.add_comment(ann, papers["2611.00001"], "spam spam")
    admin = User.objects.create_superuser("mod", "m@example.org", "a-long-password-9")
    client.force_login(admin)
    client.post("/admin/community/comment/", {"action": "hide", "_selected_action": [comment.pk]})
    assert Comment.objects.get(pk=comment.pk).hidden
    assert "spam spam" not in client.get("/papers/2611.00001").content.decode()
    index = client.get("/admin/").content.decode()
    assert "paperhub administration" in index and "Django administration" not in index


@pytest.mark.django_db(transaction=True)
def test_password_reset_by_email_through_a_real_smtp_server(client, ann, mail_sink, run_tasks):
    import re

    from paperhub.accounts import services as accounts

    accounts.verify(accounts.verify_token(ann))  # resets go only to a verified address
    response = client.post("/accounts/password_reset/", {"email": "ann@example.org"})
    assert response.headers["Location"] == "/accounts/password_reset/done/"
    run_tasks()  # the mail is sent from the queue
    assert len(mail_sink.messages) == 1
    message = mail_sink.messages[0]
    assert message["To"] == "ann@example.org"
    link = re.search(r"http://testserver(/accounts/reset/\S+/)", message.get_body(("plain",)).get_content())[1]
    form_url = client.get(link).headers["Location"]  # Django swaps the token for a session and redirects
    response = client.post(form_url, {"new_password1": "brand-new-secret-7", "new_password2": "brand-new-secret-7"})
    assert response.headers["Location"] == "/accounts/reset/done/"
    assert client.login(username="ann", password="brand-new-secret-7")
    client.post("/accounts/password_reset/", {"email": "nobody@example.org"})
    run_tasks()
    assert len(mail_sink.messages) == 1  # unknown addresses get nothing, and the page says the same


def test_card_excerpts_never_leave_math_half_open():
    from paperhub.web.cards import excerpt

    assert excerpt("a b c", 5) == "a b c"
    assert excerpt("one two $x + y$ three four", 3) == "one two …"
    assert excerpt("one $x$ two three", 3) == "one $x$ two …"


def test_an_excerpt_keeps_its_style_and_drops_half_a_formula():
    from paperhub.papers.tex import render_tex
    from paperhub.web.cards import excerpt

    words = " ".join(f"w{i}" for i in range(50))
    assert excerpt(r"\textbf{" + words + "}", 3) == r"\textbf{w0 w1 w2} …"
    assert str(render_tex(excerpt(r"\textbf{" + words + "}", 3))) == "<strong>w0 w1 w2</strong> …"
    assert excerpt("w0 w1 $x + " + words + "$", 4) == "w0 w1 …"

def test_a_card_shows_the_extracted_summary_only_where_its_excerpt_does_not():
    from paperhub.web.cards import excerpt, summary_beside

    short = "We propose sparse attention. It is fast."
    assert summary_beside(short, shown=excerpt(short)) == ""  # the excerpt already says it
    long = " ".join(["Context."] * 60) + " We propose sparse attention."
    assert "We propose sparse attention." in summary_beside(long, shown=excerpt(long))
    assert summary_beside(short, shown=None) != ""  # a search hit's snippet is another passage: keep it
    cut = " ".join(["Context."] * 40) + " We propose sparse attention for inputs of any length at all."
    assert summary_beside(cut, shown=excerpt(cut)) == ""  # the excerpt stops inside it: its start is there already


def test_the_paper_page_leaves_out_a_summary_that_is_its_abstracts_first_sentence(client, db):
    upsert_papers([record("2611.00011", title="Opens with it", abstract="We propose sparse attention. It is fast."),
                   record("2611.00012", title="Later", abstract="Attention is slow. We propose sparse attention.")])
    assert "Extracted summary" not in client.get("/papers/2611.00011").content.decode()
    assert "Extracted summary</span> We propose" in client.get("/papers/2611.00012").content.decode()


def test_a_days_cards_link_their_papers_keywords_and_comments(client, papers):
    """What the cards are built from once a page (the search page's address, each card's own, its excerpt) still
    lands on every card: its keyword chips search their phrase, its title and comment count link its page."""
    from paperhub.search.models import PaperKeywords

    for paper in papers.values():
        PaperKeywords.objects.create(paper=paper, phrases=[f"phrase {paper.uid}", 'a "quoted" one'],
                                     made_for=paper.changed_at)
    html = client.get("/").content.decode()
    for uid in ("2611.00001", "2611.00002"):
        assert f'href="/papers/search?q=%22phrase+{uid}%22">phrase {uid}</a>' in html
        assert html.count(f'href="/papers/{uid}"') == 1 and html.count(f'href="/papers/{uid}#comments"') == 1
    assert html.count('href="/papers/search?q=%22a+%22quoted%22+one%22"') == 2
    assert html.count("We study <span") == 1  # the excerpt, not repeated as the summary beside it


def test_periods_at_the_calendars_edges_are_not_found(client, papers):
    """Issue 16: /papers/date/9999-12-31 and friends answered 500 (no day after them to link to)."""
    for path in ("/papers/date/9999-12-31", "/papers/date/0001-01-01", "/papers/month/9999-12",
                 "/papers/month/0001-01", "/papers/week/9999-W52", "/papers/week/0001-W01"):
        assert client.get(path).status_code == 404, path
    assert client.get("/papers/date/9999-11-01").status_code == 200  # near the edge is still a day


def test_code_link_with_stars_and_project_page_on_cards_and_page(client, papers):
    Paper.objects.filter(uid="2611.00002").update(code_url="https://github.com/Owner/Repo",
                                                  project_url="https://owner.github.io/repo/")
    CodeRepository.objects.create(full_name="owner/repo", stars=1234)
    for html in (client.get("/").content.decode(), client.get("/papers/2611.00002").content.decode()):
        assert 'href="https://github.com/Owner/Repo" rel="noopener nofollow ugc">Code' in html
        assert "★ 1.2k</span>" in html and 'title="1234 GitHub stars"' in html
        assert 'href="https://owner.github.io/repo/" rel="noopener nofollow ugc">Project page</a>' in html
    home = client.get("/").content.decode()
    assert 'href="javascript:' not in home and 'href="https://project.example"' in home  # the unsafe code link left out


def test_counts_and_times_read_as_english(client, papers, ann):
    paper = papers["2611.00001"]
    client.force_login(ann)
    client.post("/collections/", {"title": "One paper", "paper": paper.pk, "public": "on"})
    client.post("/collections/", {"title": "Empty", "public": "on"})
    listed = client.get("/collections/").content.decode()
    assert "1 paper · updated" in listed and "0 papers · updated" in listed and "1 papers" not in listed
    client.post(f"/comments/{paper.pk}/new", {"body": "First!"})
    assert "just now</time>" in client.get(f"/papers/{paper.uid}").content.decode()
    Comment.objects.update(created_at=timezone.now() - timedelta(minutes=5))
    assert "5\xa0minutes ago</time>" in client.get(f"/papers/{paper.uid}").content.decode()


def test_ago():
    now = timezone.now()
    assert ago(now) == ago(now - timedelta(seconds=59)) == ago(now + timedelta(seconds=5)) == "just now"
    assert ago(now - timedelta(minutes=1, seconds=5)) == "1\xa0minute ago"
    assert ago(now - timedelta(days=2, hours=3)) == "2\xa0days, 3\xa0hours ago"
    assert ago(None) == ""


@pytest.mark.parametrize(("count", "shown"), [(0, "0"), (950, "950"), (1000, "1k"), (1234, "1.2k"), (12_345, "12.3k"),
                                              (999_949, "999.9k"), (999_999, "1M"), (1_500_000, "1.5M")])
def test_short_count(count, shown):
    assert short_count(count) == shown


def test_every_page_links_its_json_twin(client, papers, ann, settings, tmp_path):
    """Each page names, in its head and at its foot, the API route that answers the same question, and it answers."""
    settings.PAPERHUB_SEARCH_DIR, settings.PAPERHUB_TRENDING_DAYS = tmp_path / "search", 100_000
    search.update()
    collection = curation.create_collection(ann, "Reading group")
    curation.add_to_collection(ann, collection, papers["2611.00001"])
    author = papers["2611.00002"].authorships.first().author
    twins = {}
    for path in ("/", "/papers/date/2026-11-23", "/papers/week/2026-W48", "/papers/month/2026-11", "/papers/trending",
                 "/papers/search?q=retrieval&since=2026-11-01&sort=newest", "/papers/2611.00001",
                 f"/authors/{author.slug}", "/users/ann", f"/collections/ann/{collection.slug}",
                 "/trends?cat=cs.CL&weeks=8", "/papers/archive"):
        html = client.get(path).content.decode()
        twin = re.search(r'<link rel="alternate" type="application/json" title="This page as JSON" href="([^"]+)"',
                         html)[1]
        assert f'<a href="{twin}">This page as JSON</a>' in html, path
        response = client.get(unescape(twin))
        assert response.status_code == 200 and response["Content-Type"].startswith("application/json"), (path, twin)
        twins[path] = response.json()
    assert [p["paper"]["id"] for p in twins["/"]] == ["2611.00002", "2611.00001"]  # the page's order: votes first
    assert twins["/papers/2611.00001"]["id"] == "2611.00001"
    assert [h["id"] for h in twins["/papers/search?q=retrieval&since=2026-11-01&sort=newest"]["hits"]] == ["2611.00002"]
    assert [p["id"] for p in twins[f"/collections/ann/{collection.slug}"]["papers"]] == ["2611.00001"]
    private = curation.create_collection(ann, "Notes", public=False)
    client.force_login(ann)  # the API shows public collections only: a private one's page names no twin
    assert "This page as JSON" not in client.get(f"/collections/ann/{private.slug}").content.decode()
    html = client.get("/papers/search?q=retrieval&cat=cs.CL,cs.LG").content.decode()
    twin = re.search(r'title="This page as JSON" href="([^"]+)"', html)[1]  # the filters as the page read them
    assert client.get(unescape(twin)).status_code == 200 and "cat=cs.CL+cs.LG" in twin
    refused = client.get("/papers/search?q=retrieval&since=not-a-date")  # its reason, and no twin of another search
    assert refused.status_code == 400 and "This page as JSON" not in refused.content.decode()


def test_newest_papers_before_any_feed_count_in_english(client, db, monkeypatch):
    upsert_papers([record("2611.00001")])
    assert "1 paper in the hub" in client.get("/").content.decode()
    monkeypatch.setattr("paperhub.papers.queries.paper_count", lambda: 2538)
    assert "2,538 papers in the hub" in client.get("/").content.decode()


def test_error_pages_are_the_hubs_own(client, db):
    """A 404 keeps the header (search box, navigation) and says what was missing; a 500 stands alone."""
    from django.template.loader import render_to_string

    missing = client.get("/no/such/page")
    html = missing.content.decode()
    assert missing.status_code == 404 and 'name="viewport"' in html and 'id="site-q"' in html
    assert "<h1>Not found</h1>" in html and "There is no page at this address" in html
    assert "Resolver404" not in html  # (a paper not here: tests/web/test_missing_paper.py)
    assert "Something went wrong" in render_to_string("500.html")  # no request, no database


def test_sign_up_fields_point_at_help_that_exists(client, db):
    html = client.get("/accounts/signup/").content.decode()
    described = re.findall(r'aria-describedby="([^"]+)"', html)
    assert described and all(f'id="{ref}"' in html for ref in described)


def test_a_forms_address_opened_as_a_page_says_what_it_is(client, papers, ann):
    """GET /accounts/email/change (where a refused form leaves the browser) was a blank 405 page."""
    client.force_login(ann)
    for path in ("/accounts/email/change", "/collections/add", f"/upvote/{papers['2611.00001'].pk}"):
        response = client.get(path)
        assert response.status_code == 405 and "POST" in response["Allow"], path
        assert "This address takes a form" in response.content.decode(), path
    api = client.get("/api/papers/2611.00001/upvote")
    assert api.status_code == 405 and api.json()["detail"].startswith("GET is not allowed")


def test_a_papers_page_title_reads_its_latex_as_text(client, papers, settings, tmp_path):
    """The <title> showed "\\textsc{DiARC}: ..." and "$\\mathrm..." while the heading rendered them."""
    html = client.get("/papers/2611.00001").content.decode()
    assert "<title>Sparse &lt;script&gt;alert(1)&lt;/script&gt; attention in O(n²) · paperhub</title>" in html
    settings.PAPERHUB_SEARCH_DIR = tmp_path / "search"  # this test's own index (another test's may be there)
    search.update()
    newest = client.get("/papers/search", {"q": "sparse attention", "sort": "newest"}).content.decode()
    assert "1 result holding every word." in newest


def test_a_card_found_by_an_authors_name_shows_that_author(db, search_dir, client):
    """A paper of twelve authors read "Author 0 and 11 others": a search for the eighth did not say why it came."""
    from paperhub.papers.models import Author
    from paperhub.search import rebuild

    upsert_papers([record("2503.00001", title="Many hands", authors=tuple(f"Author{i} Surname{i}" for i in range(12))),
                   record("2503.00002", title="Four hands", authors=("Ann One", "Bo Two", "Cy Three", "Di Four"))])
    rebuild()
    for q in ("surname7", "author:surname7 hands"):
        page = client.get("/papers/search", {"q": q}).content.decode()
        assert "Author0 Surname0, Author7 Surname7 and 10 others (12 authors)" in page, q
    assert "Author0 Surname0 and 11 others (12 authors)" in client.get("/papers/search", {"q": "hands"}).content.decode()
    # never "and 1 others": with one left, every name
    page = client.get("/papers/search", {"q": "author:three author:four author:two"}).content.decode()
    assert "Ann One, Bo Two, Cy Three, Di Four" in page and "1 others" not in page
    out = StringIO()
    call_command("search", "surname7", stdout=out)
    assert "Author0 Surname0, Author1 Surname1, Author2 Surname2, Author7 Surname7 et al." in out.getvalue()
    # an author's page names its author on each card
    page = client.get(f"/authors/{Author.objects.get(name='Author7 Surname7').slug}").content.decode()
    assert "Author0 Surname0, Author7 Surname7 and 10 others (12 authors)" in page
