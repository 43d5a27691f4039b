from django.contrib import admin
from django.urls import include, path

from paperhub.api.api import api

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    path("feeds/", include("paperhub.api.feed_urls")),
    path("", include("paperhub.web.urls")),
]
