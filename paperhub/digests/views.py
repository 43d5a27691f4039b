"""Subscribe, confirm, unsubscribe: thin views over paperhub.digests.subscriptions."""

from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from paperhub.core import limits
from paperhub.core.addresses import hub_root
from paperhub.core.navigation import back
from paperhub.digests import subscriptions
from paperhub.digests.models import Subscription


@require_POST
def subscribe(request: HttpRequest) -> HttpResponse:
    """From the form on every page: queues a confirmation mail (limited per client and per address: each sends
    mail, and nobody's inbox should fill because others typed it in)."""
    wait = limits.over_limit(request, "subscribe", settings.PAPERHUB_SUBSCRIBE_RATE)
    if wait:
        messages.error(request, f"Too many subscriptions from your address: try again in {wait // 60 + 1} minutes.")
        return redirect("home")
    try:
        email = subscriptions.clean_address(request.POST.get("email", ""))
        wait = limits.over_limit(request, "subscribe-to", settings.PAPERHUB_SUBSCRIBE_ADDRESS_RATE, who=email)
        if wait:
            raise subscriptions.SubscriptionError(
                f"Too many subscriptions for this address: try again in {wait // 60 + 1} minutes.")
        subscriptions.subscribe(email, request.POST.get("frequency", "daily"),
                                hub_root(request))
    except subscriptions.SubscriptionError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "Almost done: we are sending you an email with a link to confirm your "
                                  "subscription.")
    return back(request, reverse("home"))


def _by_token(request: HttpRequest, action: Callable[[], Subscription], ask: str, done: str,
              outcome: Callable[[Subscription], str]) -> HttpResponse:
    """GET asks with a button (mail scanners follow links and must not act); POST acts."""
    if request.method != "POST":
        return render(request, "digests/ask.html", {"title": ask, "button": ask.split()[0]})
    try:
        subscription = action()
    except subscriptions.SubscriptionError as exc:
        return render(request, "digests/done.html", {"title": f"Not {done.lower()}", "text": str(exc)}, status=400)
    return render(request, "digests/done.html", {"title": done, "text": outcome(subscription)})


@require_http_methods(["GET", "POST"])
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    """The link in the confirmation mail."""
    return _by_token(request, lambda: subscriptions.confirm(token), "Confirm your subscription", "Subscribed",
                     lambda s: f"{s.email} will get the {s.frequency} digest.")


@csrf_exempt  # the signed token is the authority; RFC 8058 one-click POSTs come from mail clients
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """The link in every digest; a POST (including RFC 8058 `List-Unsubscribe=One-Click`) unsubscribes."""
    return _by_token(request, lambda: subscriptions.unsubscribe(token), "Unsubscribe from the digest",
                     "Unsubscribed", lambda s: f"{s.email} will get no more digests.")
