from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from paperhub.api import routes
from paperhub.api.api import api
from paperhub.assistant.http import endpoint as mcp_endpoint

# Django admin says whose it is (its own header reads "Django administration")
admin.site.site_header = admin.site.site_title = "paperhub administration"
admin.site.index_title = "Papers, people and jobs"

# an unknown /api/ address answers JSON, as the API's own 404s do
handler404 = "paperhub.api.errors.not_found"

urlpatterns = [
    # one page changes a password, the one that counts wrong current passwords (admin's own would not)
    path("admin/password_change/", RedirectView.as_view(pattern_name="password_change")),
    path("admin/", admin.site.urls),
    path("api/", routes.urls(api)),
    path("mcp", mcp_endpoint, name="mcp"),
    path("feeds/", include("paperhub.api.feed_urls")),
    path("", include("paperhub.web.urls")),
]
