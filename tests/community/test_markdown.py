"""Comment Markdown: TeX math kept out of Markdown and shown as paper pages show it, bare URLs linked, and the
sanitiser's guarantees inside both."""

import re
import time

import pytest

from paperhub.community import markdown
from paperhub.community.markdown import (
    MENTIONS_MAX,
    NAME_ENDS_MAX,
    mention_names,
    mentions,
    named_in,
    parse_comment,
    render_comment,
    render_parsed,
)
from paperhub.papers.tex import MAX_MATH, render_tex

REL = 'rel="nofollow noopener noreferrer ugc"'


def _html(body: str, people: frozenset[str] = frozenset()) -> str:
    return str(render_comment(body, people))


@pytest.mark.parametrize(("body", "math"), [
    ("$a*b*c$", "a*b*c"),  # Markdown would have made <em>b</em>
    (r"\(\alpha\)", "α"),  # Markdown would have unescaped it to (\alpha)
    (r"\[x^2\]", "x<sup>2</sup>"),
    ("$x_i$", "x<sub>i</sub>"),
    (r"$$\sum_i x_i$$", "∑<sub>i</sub> x<sub>i</sub>"),
    (r"$\mathbf{w}_*$", "<b>w</b><sub>*</sub>"),
    (r"$a_1 * b_2 * c$", "a<sub>1</sub> * b<sub>2</sub> * c"),
])
def test_math_is_kept_from_markdown_and_rendered_as_on_paper_pages(body, math):
    html = _html(f"Note {body} here")
    assert f'<p>Note <span class="math">{math}</span> here</p>' in html
    assert "<em>" not in html


def test_math_looks_as_it_does_in_a_paper_title():
    for source in (r"$\frac{a}{b} \leq \mathbf{x}^{2}$", r"$O(n^2)$", r"$\alpha$-sparse"):
        assert str(render_tex(source)) in _html(source)


@pytest.mark.parametrize("body", [
    "It costs $5 and $10 at most", "$5-$10", "pay $5.", "a $ b $ c", r"escaped \$x\$ dollars", "$$ $$",
    "from $5 to $x, *really*",
])
def test_dollars_that_are_not_math_stay_text(body):
    html = _html(body)
    assert 'class="math"' not in html and "$" in html


def test_prices_do_not_swallow_the_text_between_them():
    assert _html("It costs $5 and *only* $10") == "<p>It costs $5 and <em>only</em> $10</p>\n"


def test_math_in_code_stays_code_and_markdown_around_math_still_works():
    html = _html("`$a*b*c$` and **bold $x_i$** and [see $f(x)$](https://example.org/p)")
    assert "<code>$a*b*c$</code>" in html
    assert '<strong>bold <span class="math">x<sub>i</sub></span></strong>' in html
    assert f'<a href="https://example.org/p" {REL}>see <span class="math">f(x)</span></a>' in html


def test_math_longer_than_paper_pages_render_stays_text():
    html = _html("$" + "x" * (MAX_MATH + 10) + "$")
    assert 'class="math"' not in html


@pytest.mark.parametrize("body", [
    "$<script>alert(1)</script>$",
    r"\(<img src=x onerror=alert(1)>\)",
    r"$$\text{</span><script>alert(1)</script>}$$",
    r"\[\mathbf{<svg onload=alert(1)>}\]",
    r"$\href{javascript:alert(1)}{x}$",
    "$[x](javascript:alert(1))$",
    "[$x$](javascript:alert(1))",
    '$x" onmouseover="alert(1)$',
    r"$\mathit{<a href='javascript:alert(1)'>y</a>}$",
])
def test_hostile_math_stays_inert(body):
    html = _html(body)
    assert "<script" not in html and "<img" not in html and "<svg" not in html
    assert "<a " not in html and not re.search(r"<[^>]*\son\w+\s*=", html)  # no link, no handler in any tag
    assert html.count("<span") == html.count("</span>") <= 1


def test_many_openers_without_closers_render_quickly():
    for body in ("\\(" * 5000, "$$" * 5000, "$a " * 3333, "\\[" * 5000, "$x^{" * 2500 + "$"):
        started = time.perf_counter()
        _html(body[:10_000])
        assert time.perf_counter() - started < 2, body[:10]


def test_bare_urls_become_links_with_the_markdown_links_rel():
    html = _html("See https://example.org/a_(b)_c. Or (http://example.com/x?y=1&z=2), http://e.org/p!")
    assert f'<a href="https://example.org/a_(b)_c" {REL}>https://example.org/a_(b)_c</a>.' in html
    assert f'(<a href="http://example.com/x?y=1&amp;z=2" {REL}>http://example.com/x?y=1&amp;z=2</a>),' in html
    assert f'<a href="http://e.org/p" {REL}>http://e.org/p</a>!' in html


def test_only_bare_http_urls_are_linked_and_nothing_twice():
    html = _html("javascript:alert(1) data:text/html,<script>x</script> ftp://e.org foohttps://e.org "
                 "`https://code.example` [named](https://a.example) <https://b.example> $https://m.example$")
    assert html.count("<a ") == 2 and html.count("href=") == 2
    assert 'href="https://a.example"' in html and 'href="https://b.example"' in html
    assert "<code>https://code.example</code>" in html and "<script" not in html


def test_a_bare_url_cannot_break_out_of_its_attribute():
    html = _html('https://e.org/"><script>alert(1)</script> https://e.org/\'onmouseover=alert(1)')
    assert "<script" not in html and not re.search(r"<a [^>]*onmouseover", html)
    assert f'<a href="https://e.org/" {REL}>https://e.org/</a>"&gt;&lt;script&gt;' in html


PEOPLE = frozenset({"ann", "ann.lee", "bob", "bob@lab", "Bob-x", "dé.f+g", "a+b", "x-", "cy@e.org"})


@pytest.mark.parametrize(("body", "named"), [
    ("thanks @ann.", ["ann"]),  # the sentence's full stop
    ("@ann.lee, hi", ["ann.lee"]),
    ("@ann.lee.", ["ann.lee"]),
    ("@ann.leex", ["ann"]),  # no user ann.leex: ann, then ".leex" as text
    ("@annabel @Ann", []),  # a name never ends inside a word; same case as a login
    ("@ann-b @ann+b", ["ann"]),
    ("@bob@lab: yes", ["bob@lab"]),  # the longest username wins
    ("@bob@lab.org", ["bob@lab"]),
    ("@bob@elsewhere", []),  # a name never ends before "@": another server's handle, not bob
    ("@cy@e.org, bye", ["cy@e.org"]),
    ("write to @ann.lee@uni.edu or @bob.x@lab", []),  # an address after an @: no name ends before its "@"
    ("mail ann@e.org or bob@lab", []),  # addresses
    ("@a+b+ @x-- @Bob-x! @dé.f+g?", ["a+b", "x-", "Bob-x", "dé.f+g"]),
    ("@ａｎｎ", ["ann"]),  # NFKC, as a login form reads a name
    ("`@ann` $@ann$ [@ann](https://e.org/@bob) https://e.org/@bob <ann@e.org>", []),  # code, math, links
    ("    @ann in a code block\n\n```\n@bob\n```", []),
    (r"\@ann \@@bob @ann\@lab *\@bob*", []),  # escaped: names no one
    (r"\\@ann", ["ann"]),  # an escaped backslash
    ("@bob @ann @bob.", ["bob", "ann"]),
])
def test_a_mention_names_the_longest_username_it_starts_with_outside_code_links_and_addresses(body, named):
    assert mentions(body, PEOPLE) == named
    assert set(named) <= mention_names(body)  # what the look-up asks for holds them


def test_only_the_first_words_count_and_each_asks_for_a_bounded_number_of_names():
    body = " ".join(f"@user{n} @user{n}" for n in range(12))
    assert mentions(body, frozenset(f"user{n}" for n in range(12))) == [f"user{n}" for n in range(MENTIONS_MAX)]
    assert len(mention_names(body)) == MENTIONS_MAX
    assert mention_names("@ann.lee.x") == {"ann", "ann.lee", "ann.lee.x"}
    assert len(mention_names(" ".join("@" + "a." * 500 + str(n) for n in range(20)))) <= MENTIONS_MAX * (NAME_ENDS_MAX + 1)
    assert mention_names("@a.b.c.d.e.f.g") == {"a", "a.b", "a.b.c", "a.b.c.d", "a.b.c.d.e", "a.b.c.d.e.f.g"}


def test_a_mention_links_the_name_it_names_and_leaves_the_rest_as_text():
    html = _html("Thanks @ann.lee. @ann.leex, @bob@lab! @bob@elsewhere", PEOPLE)
    assert html == (f'<p>Thanks <a href="/users/ann.lee" {REL}>@ann.lee</a>. <a href="/users/ann" {REL}>@ann</a>'
                    f'.leex, <a href="/users/bob@lab" {REL}>@bob@lab</a>! @bob@elsewhere</p>\n')


def test_an_escaped_at_names_no_one_and_shows_as_an_at():
    body = r"Not \@ann, *\@bob*, \@@cy nor @cy\@x; but @dan and \\@eve (an escaped backslash)"
    assert mentions(body, frozenset({"ann", "bob", "cy", "dan", "eve", "x", "cy@x"})) == ["dan", "eve"]
    html = _html(body, frozenset({"ann", "bob", "cy", "dan", "eve", "x", "cy@x"}))
    assert "<p>Not @ann, <em>@bob</em>, @@cy nor @cy@x; but " in html
    assert html.count("<a ") == 2 and f'\\<a href="/users/eve" {REL}>@eve</a>' in html


@pytest.mark.parametrize(("body", "url"), [
    (r"https://e.org/\@ann/x.", "https://e.org/@ann/x"),
    (r"https://e.org/\@ann\@b?q=1", "https://e.org/@ann@b?q=1"),
    (r"(https://e.org/\@ann)", "https://e.org/@ann"),
])
def test_a_bare_url_holding_an_escaped_at_is_linked_whole_and_names_no_one(body, url):
    html = _html(f"{body} \\@ann, @ann", frozenset({"ann"}))
    assert f'<a href="{url}" {REL}>{url}</a>' in html
    assert html.count("<a ") == 2 and f' @ann, <a href="/users/ann" {REL}>@ann</a>' in html
    assert mentions(body, frozenset({"ann"})) == []


def test_a_mention_links_to_the_profile_of_a_user_who_exists_and_no_one_else():
    html = _html("Hi @ann and @nobody, `@ann`, [@ann](https://e.org/x) and **@ann**.", frozenset({"ann", "x"}))
    assert html.count('<a href="/users/ann"') == 2 and "@nobody" in html and "<code>@ann</code>" in html
    assert f'<strong><a href="/users/ann" {REL}>@ann</a></strong>.' in html
    assert "/users/nobody" not in _html("@nobody", frozenset()) and "<a " not in _html("@ann")  # no people: no links
    many = " ".join(f"@u{n}" for n in range(11))
    assert _html(many, frozenset(f"u{n}" for n in range(11))).count("<a ") == 10  # past MENTIONS_MAX: text


@pytest.mark.parametrize("body", ['@ann"><script>alert(1)</script>', "@ann<img src=x onerror=alert(1)>",
                                  "@<script>alert(1)</script>", '@ann" onmouseover="alert(1)', "@ann'>x",
                                  '@ann.<b>x</b>', '@ann@"><script>alert(1)</script>'])
def test_a_mention_next_to_markup_stays_inert(body):
    html = _html(body, frozenset({"ann", "<script>alert(1)</script>", 'ann"', 'ann"><script>alert(1)</script>'}))
    assert "<script" not in html and "<img" not in html and not re.search(r"<[^>]*\son\w+\s*=", html)
    assert re.findall(r'href="([^"]*)"', html) in ([], ["/users/ann"])


def test_one_parse_finds_the_names_and_renders_with_the_people_found_again_and_again(monkeypatch):
    parses = []
    parser = markdown.parser()
    monkeypatch.setattr(parser, "parse", lambda *args: parses.append(args[0]) or type(parser).parse(parser, *args))
    body = "Hi @ann.lee, `@ann` and [@ann](https://e.org/@ann), see https://e.org/@ann too"
    parsed = parse_comment(body)
    assert parsed.names == {"ann", "ann.lee"}  # the @word outside code, links and URLs alone
    people = frozenset({"ann"})
    mail = str(render_parsed(parsed, people, "https://hub.example"))
    page = str(render_parsed(parsed, people))
    assert f'Hi <a href="https://hub.example/users/ann" {REL}>@ann</a>.lee, <code>@ann</code>' in mail
    assert f'Hi <a href="/users/ann" {REL}>@ann</a>.lee' in page  # the kept parse was not changed by the first
    assert page.count("<a ") == 3 and str(render_parsed(parsed)).count("<a ") == 2  # no people: no mention linked
    assert named_in(parsed, people) == ["ann"] and named_in(parsed, frozenset()) == []
    assert parses == [body]  # all of it from one parse
    assert str(render_comment(body, people)) == page and len(parses) == 2
