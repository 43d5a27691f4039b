"""Navigation within the site: where a form sends its user back to (?next= when it names a page of this site, else
a fallback), and whether a page view was asked for on this hub."""

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


#: Headers with which browsers mark a load made in case the page is visited (Sec-Purpose: prefetch or
#: prefetch;prerender; Purpose and X-Moz: prefetch, older ones; X-Purpose: preview, Safari's Top Sites).
_SPECULATIVE = ("Sec-Purpose", "Purpose", "X-Purpose", "X-Moz")
#: Sec-Fetch-Site values of a page asked for here: a link or form of this hub, or the address bar, a bookmark or a
#: mail client (none). Without the header (an older browser, a script) the request is taken as asked for.
_ASKED_HERE = {"same-origin", "none"}


def asked_here(request: HttpRequest) -> bool:
    """Whether a person asked for this page on this hub: not a prefetch, prerender or preview (which may never be
    seen), and not a navigation another site started (Sec-Fetch-Site cross-site or same-site: its link, form or
    script, which need not be the person's doing)."""
    for name in _SPECULATIVE:
        if any(word in request.headers.get(name, "").lower() for word in ("prefetch", "prerender", "preview")):
            return False
    return request.headers.get("Sec-Fetch-Site", "none").strip().lower() in _ASKED_HERE
