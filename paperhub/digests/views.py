"""Subscribe, confirm, unsubscribe: thin views over paperhub.digests.subscriptions."""

from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from paperhub.community import queries as community
from paperhub.core import limits
from paperhub.core.addresses import hub_root
from paperhub.core.navigation import back
from paperhub.core.permissions import NotAllowed
from paperhub.digests import subscriptions
from paperhub.digests.models import FREQUENCIES, Subscription
from paperhub.papers.citation import plain_line


def _over_limits(request: HttpRequest, email: str, account: str | None = None) -> str:
    """Why a subscription may not be asked for now (the client's, the account's or the address's limit), or ""."""
    counted = [("address", None)] + ([("account", account)] if account else [])  # an account changes address
    for whose, who in counted:
        wait = limits.over_limit(request, "subscribe", settings.PAPERHUB_SUBSCRIBE_RATE, who=who)
        if wait:
            return f"Too many subscriptions from your {whose}: try again in {wait // 60 + 1} minutes."
    wait = limits.over_limit(request, "subscribe-to", settings.PAPERHUB_SUBSCRIBE_ADDRESS_RATE, who=email)
    return f"Too many subscriptions for this address: try again in {wait // 60 + 1} minutes." if wait else ""


@require_POST
def subscribe(request: HttpRequest) -> HttpResponse:
    """From the form on every page: queues a confirmation mail, or subscribes a user's verified address at once
    (limited per client and per address: each may send mail, and nobody's inbox should fill because others typed
    it in)."""
    try:
        email = subscriptions.clean_address(request.POST.get("email", ""))
        refused = _over_limits(request, email)
        if refused:
            raise subscriptions.SubscriptionError(refused)
        subscription, at_once = subscriptions.subscribe(email, request.POST.get("frequency", "daily"),
                                                        hub_root(request), by=request.user)
    except subscriptions.SubscriptionError as exc:
        messages.error(request, str(exc))
    else:
        if subscription.active and at_once:
            messages.success(request, f"Subscribed: {email} gets the {subscription.frequency} digest from now on "
                                      f"(no confirmation mail: you verified this address).")
        else:
            messages.success(request, "Almost done: we are sending you an email with a link to confirm your "
                                      "subscription.")
    return back(request, reverse("home"))


@login_required
@require_http_methods(["GET", "POST"])
def digest_settings(request: HttpRequest) -> HttpResponse:
    """The digest of the account's verified address: what it gets, a form to start it or change how often
    (frequency=), and to stop it (stop=); never any address the form names (the start and the change limited as the
    subscribe form is, per client, account and address)."""
    if request.method == "POST":
        try:
            if "stop" in request.POST:
                stopped = subscriptions.stop_own_digest(request.user)
                messages.success(request, "Stopped: no more digests." if stopped else "No digest was running.")
            else:
                address = subscriptions.own_address(request.user)  # none: refused below, nothing counted
                refused = _over_limits(request, address, f"user:{request.user.pk}") if address else ""
                if refused:
                    raise subscriptions.SubscriptionError(refused)
                subscription = subscriptions.set_own_digest(request.user, request.POST.get("frequency", ""),
                                                            hub_root(request))
                messages.success(request, f"Saved: {subscription.email} gets the {subscription.frequency} digest.")
        except subscriptions.SubscriptionError as exc:
            messages.error(request, str(exc))
        return redirect("digest_settings")
    address = subscriptions.own_address(request.user)
    return render(request, "digests/settings.html", {"address": address, "digest": subscriptions.digest_at(address),
                                                     "frequencies": FREQUENCIES})


def _by_token(request: HttpRequest, action: Callable[[], Subscription], ask: str, done: str,
              outcome: Callable[[Subscription], str], asking: Callable[[], str] = str) -> HttpResponse:
    """GET asks with a button (mail scanners follow links and must not act), saying `asking` above it; POST acts."""
    try:
        if request.method != "POST":
            return render(request, "digests/ask.html", {"title": ask, "button": ask.split()[0], "text": asking()})
        subscription = action()
    except subscriptions.SubscriptionError as exc:
        return render(request, "digests/done.html", {"title": f"Not {done.lower()}", "text": str(exc)}, status=400)
    return render(request, "digests/done.html", {"title": done, "text": outcome(subscription)})


@require_http_methods(["GET", "POST"])
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    """The link in the confirmation mail."""
    return _by_token(request, lambda: subscriptions.confirm(token), "Confirm your subscription", "Subscribed",
                     lambda s: f"{s.email} will get the {s.frequency} digest{_of(s)}.", lambda: _confirming(token))


def _confirming(token: str) -> str:
    """What a confirmation link confirms, said before its button: the address and the digest."""
    subscription, frequency = subscriptions.to_confirm(token)
    digest = _of(subscription) or " of research papers"
    if subscription.confirmed_at and frequency != subscription.frequency:  # a change of frequency
        return (f"This link was sent to {subscription.email}, to make its {subscription.frequency} digest{digest} "
                f"{frequency}.")
    return f"This link was sent to {subscription.email}, to start its {frequency} digest{digest}."


@csrf_exempt  # the signed token is the authority; RFC 8058 one-click POSTs come from mail clients
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """The link in every digest; a POST (including RFC 8058 `List-Unsubscribe=One-Click`) unsubscribes."""
    return _by_token(request, lambda: subscriptions.unsubscribe(token), "Unsubscribe from the digest",
                     "Unsubscribed", lambda s: f"{s.email} will get no more digests{_of(s)}.")


def _of(subscription: Subscription) -> str:
    """' of “a collection”' for a collection's subscription (its title as plain text), else nothing."""
    collection = subscription.collection
    return f" of “{plain_line(collection.title, tex=False)}”" if collection is not None else ""


@login_required
@require_http_methods(["GET", "POST"])
def collection_mailings(request: HttpRequest, username: str, slug: str) -> HttpResponse:
    """The owner mails what is added to a collection to list addresses (email=, frequency=) or stops one (end=id);
    404 for anyone else, as for no such collection (rate limited as the subscribe form is)."""
    found = community.collection(request.user, username, slug)
    if found is None or found.owner_id != request.user.pk:
        raise Http404("no such collection")
    if request.method == "POST":
        try:
            if "end" in request.POST:
                if subscriptions.end_list_subscription(request.user, found, request.POST["end"]):
                    messages.success(request, "It will not be mailed there any more.")
            else:
                email = subscriptions.clean_address(request.POST.get("email", ""))
                refused = _over_limits(request, email, f"user:{request.user.pk}")
                if refused:
                    raise subscriptions.SubscriptionError(refused)
                subscriptions.subscribe_list(request.user, found, email, request.POST.get("frequency", "weekly"),
                                             hub_root(request))
                messages.success(request, f"A confirmation link is on its way to {email}: someone reading it "
                                          "confirms, and only then does the digest start.")
        except (subscriptions.SubscriptionError, NotAllowed) as exc:
            messages.error(request, str(exc))
        return redirect("collection_mailings", username=username, slug=slug)
    return render(request, "digests/mailings.html", {"collection": found,
                                                     "mailings": subscriptions.list_subscriptions(found),
                                                     "most": settings.PAPERHUB_COLLECTION_MAILINGS_MAX})
