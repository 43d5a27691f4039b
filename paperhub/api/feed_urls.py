"""/feeds/...: every feed in RSS 2.0 (.rss) and Atom (.atom)."""

from django.urls import path

from paperhub.api import syndication
from paperhub.core import converters  # noqa: F401 (registers <segment:...>, used below)

urlpatterns = []
for kind in ("rss", "atom"):
    atom = kind == "atom"
    urlpatterns += [
        path(f"daily.{kind}", syndication.DailyFeed(atom), name=f"feed_daily_{kind}"),
        path(f"trending.{kind}", syndication.TrendingFeed(atom), name=f"feed_trending_{kind}"),
        path(f"search.{kind}", syndication.SearchFeed(atom), name=f"feed_search_{kind}"),
        path(f"authors/<str:slug>.{kind}", syndication.AuthorFeed(atom), name=f"feed_author_{kind}"),
        path(f"collections/<segment:username>/<segment:slug>.{kind}", syndication.CollectionFeed(atom),
             name=f"feed_collection_{kind}"),
        path(f"for-you/<str:token>.{kind}", syndication.ForYouFeed(atom), name=f"feed_for_you_{kind}"),
    ]
