from django.contrib import admin
from django.urls import include, path

from paperhub.api.api import api
from paperhub.assistant.http import endpoint as mcp_endpoint

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    path("mcp", mcp_endpoint, name="mcp"),
    path("feeds/", include("paperhub.api.feed_urls")),
    path("", include("paperhub.web.urls")),
]
