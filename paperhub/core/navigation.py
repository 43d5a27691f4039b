"""Where a form sends its user back to: ?next= when it names a page of this site, else a fallback."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme


def next_page(request: HttpRequest, fallback: str) -> str:
    """The request's `next` (POST, then GET) when it is on this site, else the fallback."""
    target = str(request.POST.get("next") or request.GET.get("next") or "")
    # (Django's check: "//evil.example", "/\\evil.example" and other schemes are someone else's site)
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return fallback
    return target


def back(request: HttpRequest, fallback: str) -> HttpResponse:
    """Redirect to the request's `next` (POST, then GET) when it is on this site, else to the fallback."""
    return redirect(next_page(request, fallback))
