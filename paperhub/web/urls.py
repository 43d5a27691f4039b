from django.contrib.auth import views as auth_views
from django.urls import include, path

from paperhub.digests import views as digests
from paperhub.web import accounts, feeds, papers

urlpatterns = [
    path("", feeds.home, name="home"),
    path("papers/date/<str:key>", feeds.period, {"kind": "day"}, name="day"),
    path("papers/week/<str:key>", feeds.period, {"kind": "week"}, name="week"),
    path("papers/month/<str:key>", feeds.period, {"kind": "month"}, name="month"),
    path("papers/trending", feeds.trending, name="trending"),
    path("papers/search", papers.search_page, name="search"),
    path("papers/submit", papers.submit, name="submit"),
    path("papers/<path:uid>", papers.paper_page, name="paper"),
    path("upvote/<int:paper_id>", papers.upvote, name="upvote"),
    path("comments/<int:paper_id>/new", papers.comment, name="comment"),
    path("comments/<int:comment_id>/edit", papers.comment_edit, name="comment_edit"),
    path("comments/<int:comment_id>/delete", papers.comment_delete, name="comment_delete"),
    path("authors/<str:slug>", papers.author_page, name="author"),
    path("users/<str:username>", accounts.profile, name="profile"),
    path("collections/", accounts.collections, name="collections"),
    path("collections/add", accounts.collect, name="collect"),
    path("collections/<str:username>/<slug:slug>", accounts.collection_page, name="collection"),
    path("accounts/signup/", accounts.signup, name="signup"),
    path("accounts/tokens/", accounts.api_tokens, name="api_tokens"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("digests/subscribe", digests.subscribe, name="digest_subscribe"),
    path("digests/confirm/<str:token>", digests.confirm, name="digest_confirm"),
    path("digests/unsubscribe/<str:token>", digests.unsubscribe, name="digest_unsubscribe"),
]
