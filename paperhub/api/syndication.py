"""RSS 2.0 and Atom feeds: the daily papers, trending, any search, an author, a public collection."""

import html
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, cast

from django.contrib.syndication.views import Feed
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest, HttpResponseNotFound
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed, SyndicationFeed

from paperhub import search as search_api
from paperhub.community import queries as community
from paperhub.community.markdown import render_comment
from paperhub.community.models import Collection
from paperhub.core.addresses import hub_root, root_for_paths
from paperhub.core.media import PLAIN
from paperhub.papers import feeds, periods, queries
from paperhub.papers.models import Author, Paper
from paperhub.papers.records import strip_controls
from paperhub.papers.tex import plain_text
from paperhub.recommend import personal
from paperhub.recommend import queries as recommend
from paperhub.recommend.space import NotReady

ITEMS = 50  # a feed's items: the newest 50, but the daily feed's
DAILY_ITEMS = 1000  # the newest day whole: arXiv's busiest days bring a few hundred papers in a hub's categories


def _xml_safe(value: Any) -> Any:
    """A feed value with the characters XML cannot hold dropped (from strings, and lists of them)."""
    if isinstance(value, str):
        return strip_controls(value)
    if isinstance(value, list | tuple):
        return [_xml_safe(item) for item in value]
    return value


class _XmlSafe(SyndicationFeed):
    """Every text reaching the feed (titles, abstracts, names, a search, a collection's title) made XML-safe here,
    in one place: Django's generator raises on a control character, and one stored anywhere would break the feed."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*map(_xml_safe, args), **{name: _xml_safe(v) for name, v in kwargs.items()})

    def add_item(self, *args: Any, **kwargs: Any) -> None:
        super().add_item(*map(_xml_safe, args), **{name: _xml_safe(v) for name, v in kwargs.items()})

    def latest_post_date(self) -> datetime:
        """Atom's <updated> and RSS's <lastBuildDate>: the feed's own last change where it has one (a collection's,
        which a removal or a reorder moves too), else its newest item's."""
        changed = self.feed.get("updated")
        return changed if isinstance(changed, datetime) else super().latest_post_date()


class Rss(_XmlSafe, Rss201rev2Feed):
    """RSS 2.0, XML-safe."""


class Atom(_XmlSafe, Atom1Feed):
    """Atom, XML-safe."""

    def add_root_elements(self, handler: Any) -> None:
        """Django's, but the subtitle is HTML (type="html"), as RSS's description and every entry's summary are: a
        collection's description rendered as its page renders it (CollectionFeed.description)."""
        subtitle = self.feed["subtitle"]
        self.feed["subtitle"] = None  # Django would write it as text, its markup shown as typed
        try:
            super().add_root_elements(handler)
        finally:
            self.feed["subtitle"] = subtitle
        if subtitle is not None:
            handler.addQuickElement("subtitle", subtitle, {"type": "html"})


class _AtHubRoot:
    """A request as Django's feed generator reads it (its host and scheme, for the links and entry ids it makes
    absolute; its path, the default self link) but at the hub's public root, core.addresses.root_for_paths(): with
    PAPERHUB_BASE_URL unset that is the request's own host and scheme, so ids stay as they were."""

    def __init__(self, request: HttpRequest) -> None:
        self._request = request
        scheme, _, self._host = root_for_paths(request).partition("://")
        self._secure = scheme == "https"

    def get_host(self) -> str:
        return self._host

    def is_secure(self) -> bool:
        return self._secure

    def __getattr__(self, name: str) -> Any:
        return getattr(self._request, name)


if TYPE_CHECKING:  # Feed is generic only to the type checker (django-stubs): items are papers, objects vary
    _Feed = Feed[Paper, Any]
else:
    _Feed = Feed


class PaperFeed(_Feed):
    """Items are papers; subclasses choose which. `?format=atom` or a .atom URL gives Atom."""

    feed_type: type[SyndicationFeed] = Rss
    limit = ITEMS

    def description(self, obj: Any) -> str:
        """The feed's description (RSS)."""
        return "Papers from paperhub"

    def __init__(self, atom: bool = False) -> None:
        super().__init__()
        if atom:
            self.feed_type = Atom

    def __call__(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        """The feed, or the reason there is none as plain text: a feed reader shows the body, and an HTML page
        shown as text is markup."""
        try:
            return super().__call__(request, *args, **kwargs)
        except search_api.BadFilter as exc:
            return HttpResponseBadRequest(str(exc), content_type=PLAIN)
        except Http404 as exc:
            return HttpResponseNotFound(str(exc) or "no such feed", content_type=PLAIN)

    def get_feed(self, obj: Any, request: HttpRequest) -> SyndicationFeed:
        """Django's feed, every address in it under the hub's public root."""
        return super().get_feed(obj, cast(HttpRequest, _AtHubRoot(request)))

    def papers(self, obj: Any) -> list[Paper]:
        raise NotImplementedError

    def items(self, obj: Any) -> list[Paper]:
        papers = self.papers(obj)[:self.limit]
        ids = [p.pk for p in papers]  # authors and categories in a query each, not one a paper
        names, codes = queries.author_names_by_paper(ids), queries.category_codes_by_paper(ids)
        for paper in papers:
            paper.author_list = names.get(paper.pk, [])  # type: ignore[attr-defined]
            paper.category_codes = codes.get(paper.pk, [])  # type: ignore[attr-defined]
        return papers

    def item_title(self, item: Paper) -> str:
        return plain_text(item.title)

    def item_description(self, item: Paper) -> str:
        """The abstract as HTML (RSS's description and Atom's summary type="html" are HTML): escaped here, so that
        "the triple <O, x>" reaches the reader as text; the feed's XML escapes it once more."""
        return html.escape(plain_text(item.abstract))

    def item_link(self, item: Paper) -> str:
        return reverse("paper", args=[item.uid])

    def item_author_name(self, item: Paper) -> str:
        return ", ".join(getattr(item, "author_list", []))

    def item_pubdate(self, item: Paper) -> datetime | None:
        return item.published

    def item_updateddate(self, item: Paper) -> datetime | None:
        return item.updated or item.published

    def item_categories(self, item: Paper) -> list[str]:
        return list(getattr(item, "category_codes", []))


class DailyFeed(PaperFeed):
    """The newest day's papers, all of them up to DAILY_ITEMS: a reader polling once a day misses none."""

    title = "paperhub: daily papers"
    limit = DAILY_ITEMS

    def link(self) -> str:
        return reverse("home")

    def papers(self, obj: Any) -> list[Paper]:
        day = feeds.latest_day()
        return feeds.period_papers(periods.day_period(day), limit=self.limit)[0] if day else []


class TrendingFeed(PaperFeed):
    title = "paperhub: trending papers"

    def link(self) -> str:
        return reverse("trending")

    def papers(self, obj: Any) -> list[Paper]:
        return feeds.trending(limit=ITEMS)


@dataclass(frozen=True)
class Search:
    """What a search feed follows: the query (perhaps empty) and the search page's filters."""

    q: str
    filters: search_api.Filters


class SearchFeed(PaperFeed):
    """The newest papers matching a search: ?q= and the search page's filters, or a filter alone (?cat=cs.GT)."""

    def get_object(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Search:
        found = Search(request.GET.get("q", "")[:500], search_api.Filters.from_params(request.GET, strict=True))
        if not found.q.strip() and found.filters == search_api.Filters():
            raise Http404(f"a search feed needs {search_api.Filters.ASKED}")
        if problem := search_api.query_problem(found.q):  # filler words alone: an empty feed, forever, said why
            raise search_api.BadFilter(problem)
        return found

    def title(self, obj: Search) -> str:
        return f"paperhub: {search_api.described(obj.q, obj.filters)}"

    def link(self, obj: Search) -> str:
        return f"{reverse('search')}?{search_api.url_query(obj.q, obj.filters, 'newest')}"

    def feed_url(self, obj: Search) -> str:
        """The feed's own address (rel="self"), its query included: Django's default, the path, is a 404 here."""
        kind = "atom" if self.feed_type is Atom else "rss"
        return f"{reverse(f'feed_search_{kind}')}?{search_api.url_query(obj.q, obj.filters)}"

    def papers(self, obj: Search) -> list[Paper]:
        hits = search_api.search(obj.q, obj.filters, sort="newest", limit=ITEMS).hits
        return queries.papers_in_order([h.id for h in hits])


class AuthorFeed(PaperFeed):
    def get_object(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Author:
        author = queries.author_by_slug(kwargs["slug"])
        if author is None:
            raise Http404("no such author")
        return author

    def title(self, obj: Author) -> str:
        return f"paperhub: papers by {obj.name}"

    def link(self, obj: Author) -> str:
        return reverse("author", args=[obj.slug])

    def papers(self, obj: Author) -> list[Paper]:
        return queries.author_papers(obj.pk, limit=ITEMS)[0]


@dataclass(frozen=True)
class Shelf:
    """What a collection feed shows: the collection, and the hub's public root its description's links start with."""

    collection: Collection
    root: str


class CollectionFeed(PaperFeed):
    def get_object(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Shelf:
        found = community.public_collection(kwargs["username"], kwargs["slug"])
        if found is None:
            raise Http404("no such public collection")
        return Shelf(found, hub_root(request))

    def title(self, obj: Shelf) -> str:
        collection = obj.collection  # its title as typed, as its page shows it (a title is text: the XML escapes it)
        return f"paperhub: {collection.title} (a collection by {collection.owner.get_username()})"

    def link(self, obj: Shelf) -> str:
        return reverse("collection", args=[obj.collection.owner.get_username(), obj.collection.slug])

    def description(self, obj: Shelf) -> str:
        """The collection's description as HTML, as its page renders it (Markdown and TeX, sanitised), as RSS's
        description and the items' are HTML: the feed's XML escapes it once more, so markup typed in it stays text."""
        collection = obj.collection
        if not collection.description:
            return html.escape(f"Papers in {collection.title}, a collection by {collection.owner.get_username()} "
                               "on paperhub")
        people = community.note_people([], collection.description)
        return str(render_comment(collection.description, people, obj.root))

    def subtitle(self, obj: Shelf) -> str:
        """Atom's description (type="html", as RSS's: Atom.add_root_elements)."""
        return self.description(obj)

    def papers(self, obj: Shelf) -> list[Paper]:
        return community.collection_papers(obj.collection, limit=ITEMS)

    def feed_extra_kwargs(self, obj: Shelf) -> dict[str, Any]:
        """The feed's own date: the collection's last change."""
        return {"updated": obj.collection.updated_at}  # the feed's own <updated>: _XmlSafe.latest_post_date

    def item_pubdate(self, item: Paper) -> datetime | None:
        """When the paper was added to the collection: what is new in a collection (an old paper added today is)."""
        added: datetime = item.collected_at  # type: ignore[attr-defined]
        return added

    def item_updateddate(self, item: Paper) -> datetime | None:
        return self.item_pubdate(item)


class ForYouFeed(PaperFeed):
    """A user's private feed: picks from the newest papers, followed authors' papers, saved searches' matches."""

    def get_object(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        user = personal.user_for_feed_token(kwargs["token"])
        if user is None:
            raise Http404("no such feed")
        return user

    def title(self, obj: Any) -> str:
        return f"paperhub: for {obj.get_username()}"

    def link(self, obj: Any) -> str:
        return reverse("for_you")

    def papers(self, obj: Any) -> list[Paper]:
        seen: set[int] = set()
        found: list[Paper] = []
        try:
            # the page's order (picks it showed on an earlier day last), but a feed reader's polls are no visit:
            # the feed records nothing, or the page would mark as seen what no one has looked at
            picks = [p.paper for p in recommend.for_you(obj, limit=30, today=timezone.localdate())]
        except NotReady:  # follows and searches still reach the feed meanwhile
            picks = []
        lists = [picks, recommend.from_follows(obj, limit=20)]
        lists += [search_matches for saved in recommend.saved_searches(obj)
                  for search_matches in [recommend.search_matches(saved, limit=10)]]
        for papers in lists:
            for paper in papers:
                if paper.pk not in seen:
                    seen.add(paper.pk)
                    found.append(paper)
        # Newest first, as feed readers show them; a pick, a follow and a search hit are all "new for you".
        return sorted(found, key=lambda p: (p.published is not None, p.published, p.pk), reverse=True)
