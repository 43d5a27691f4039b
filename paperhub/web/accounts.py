"""Sign-up, profiles and collections: thin views over Django's auth and paperhub.community."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import UserCreationForm
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from paperhub.community import queries as community
from paperhub.community import services
from paperhub.community.models import Collection, Comment
from paperhub.papers.models import Paper
from paperhub.web.cards import cards
from paperhub.web.papers import _back


class SignUpForm(UserCreationForm):
    email = forms.EmailField(required=True, help_text="For password resets; never shown to others.")

    class Meta(UserCreationForm.Meta):
        model = get_user_model()
        fields = ("username", "email")


def signup(request: HttpRequest) -> HttpResponse:
    """Create an account and log in."""
    if not settings.PAPERHUB_SIGNUP_OPEN:
        raise Http404("sign-up is closed on this hub")
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, f"Welcome, {user.get_username()}!")
        return redirect("home")
    return render(request, "registration/signup.html", {"form": form})


def profile(request: HttpRequest, username: str) -> HttpResponse:
    """A user's upvotes, comments and (visible) collections."""
    person = get_object_or_404(get_user_model(), username=username, is_active=True)
    upvoted = list(Paper.objects.filter(upvote_rows__user=person).order_by("-upvote_rows__created_at")[:30])
    comments = (Comment.objects.filter(user=person, hidden=False, deleted=False).select_related("paper")
                .order_by("-created_at")[:30])
    collections = community.visible_collections(request.user).filter(owner=person).order_by("title")
    return render(request, "web/profile.html", {"person": person, "cards": cards(request, upvoted),
                                                "comments": comments, "collections": collections})


def collection_page(request: HttpRequest, username: str, slug: str) -> HttpResponse:
    """A collection's papers; a private one only for its owner."""
    collection = get_object_or_404(community.visible_collections(request.user).select_related("owner"),
                                   owner__username=username, slug=slug)
    papers = list(collection.papers.order_by("-collection_items__added_at"))
    return render(request, "web/collection.html", {"collection": collection, "cards": cards(request, papers),
                                                   "mine": collection.owner_id == request.user.pk})


@login_required
def collections(request: HttpRequest) -> HttpResponse:
    """The user's collections, and a form for a new one."""
    if request.method == "POST":
        try:
            made = services.create_collection(request.user, request.POST.get("title", ""),
                                              request.POST.get("description", ""),
                                              public=request.POST.get("public") == "on")
        except services.NotAllowed as exc:
            messages.error(request, str(exc))
        else:
            paper = Paper.objects.filter(pk=request.POST.get("paper") or 0).first() \
                if (request.POST.get("paper") or "").isdigit() else None
            if paper is not None:
                services.add_to_collection(request.user, made, paper)
                return redirect("paper", uid=paper.uid)
            return redirect("collection", username=request.user.get_username(), slug=made.slug)
    own = Collection.objects.filter(owner_id=request.user.pk).order_by("title")
    return render(request, "web/collections.html", {"collections": own})


@login_required
@require_POST
def collect(request: HttpRequest) -> HttpResponse:
    """Add (or with remove=1, take out) a paper to one of the user's collections."""
    collection = get_object_or_404(Collection, pk=request.POST.get("collection") or 0, owner_id=request.user.pk)
    paper = get_object_or_404(Paper, pk=request.POST.get("paper") or 0)
    if request.POST.get("remove"):
        services.remove_from_collection(request.user, collection, paper)
        messages.success(request, f"Removed from {collection.title}.")
    else:
        added = services.add_to_collection(request.user, collection, paper)
        messages.success(request, f"{'Added to' if added else 'Already in'} {collection.title}.")
    return _back(request, f"/papers/{paper.uid}")


@login_required
def api_tokens(request: HttpRequest) -> HttpResponse:
    """The user's API tokens: make one (its secret is shown once), or revoke one."""
    from paperhub.api import tokens

    secret = None
    if request.method == "POST":
        if request.POST.get("revoke", "").isdigit():
            tokens.revoke(request.user, int(request.POST["revoke"]))  # type: ignore[arg-type]
            messages.success(request, "Token revoked.")
            return redirect("api_tokens")
        _, secret = tokens.create_token(request.user, request.POST.get("name", ""))  # type: ignore[arg-type]
    own = request.user.api_tokens.order_by("-created_at")  # type: ignore[union-attr]
    return render(request, "web/tokens.html", {"tokens": own, "secret": secret})
