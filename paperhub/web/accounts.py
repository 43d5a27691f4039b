"""Sign-up, profiles and collections: thin views over Django's auth and paperhub.community."""

from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import get_user_model, login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordResetForm, UserCreationForm
from django.contrib.auth.models import User
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import pluralize
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from paperhub.accounts import services as accounts
from paperhub.community import curation, holding
from paperhub.community import queries as community
from paperhub.community.models import Collection
from paperhub.core import limits, sealing, tokens
from paperhub.core.addresses import hub_root
from paperhub.core.converters import asked_number
from paperhub.core.navigation import back, next_page
from paperhub.core.permissions import NotAllowed
from paperhub.papers import queries
from paperhub.papers.tex import render_tex
from paperhub.recommend import zotero
from paperhub.web.cards import cards, page_number, pager
from paperhub.web.limits import too_many
from paperhub.web.twins import json_twin
from paperhub.web.verified import own_digest, verified_address

#: Papers a collection's page shows at once, as an author's page does (its JSON twin's default `limit`).
COLLECTION_PAGE = 30
#: One's own and shared collections that /collections/ lists at once.
OWN_COLLECTIONS_PAGE = 100


class SignUpForm(UserCreationForm[User]):
    email = forms.EmailField(required=True, help_text="For password resets and digests, once you follow the link "
                                                      "we mail to it; never shown to others.")

    class Meta(UserCreationForm.Meta):
        model = get_user_model()
        fields = ("username", "email")

    def clean_username(self) -> str:
        name = super().clean_username()  # None when Django found it taken (in any case)
        problem = name and accounts.username_problem(name)
        if problem:
            raise forms.ValidationError(problem)
        return name


def signup(request: HttpRequest) -> HttpResponse:
    """Create an account, log in, and mail a link that verifies its address (sign-ups limited per client); then
    go on to `next`, a page of this site, as logging in does."""
    if not settings.PAPERHUB_SIGNUP_OPEN:
        raise Http404("sign-up is closed on this hub")
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        wait = limits.over_limit(request, "signup", settings.PAPERHUB_SIGNUP_RATE)
        if wait:
            return too_many(request, "Too many new accounts from your address.", wait)
        data = form.cleaned_data
        try:
            user = accounts.create_account(data["username"], data["email"], data["password1"])
        except accounts.AccountError as exc:  # a look-alike (or the same name) signed up a moment before
            form.add_error("username", str(exc))
        else:
            accounts.queue_verification(user, hub_root(request))
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, f"Welcome, {user.get_username()}! We are sending a link to verify your "
                                      f"address to {user.email}: your email page says when it has gone.")
            return back(request, reverse("home"))
    return render(request, "registration/signup.html", {"form": form, "next": next_page(request, "")})


class PasswordResetView(auth_views.PasswordResetView):
    """Django's reset form, but the mail goes from the queue (the answer is the same, and as fast, for a known
    and an unknown address), only to a verified address, and requests are limited per client and per address."""

    def form_valid(self, form: PasswordResetForm) -> HttpResponse:
        email = form.cleaned_data["email"].strip().lower()
        wait = (limits.over_limit(self.request, "reset", settings.PAPERHUB_RESET_RATE)
                or limits.over_limit(self.request, "reset-to", settings.PAPERHUB_RESET_ADDRESS_RATE, who=email))
        if wait:
            return too_many(self.request, "Too many password resets asked for.", wait)
        accounts.queue_password_reset(email, hub_root(self.request))
        return redirect(self.get_success_url())


class ChangeEmailForm(forms.Form):
    """A new address for the account, with the current password (so an unattended session cannot take it)."""

    email = forms.EmailField(max_length=254, label="New address")
    password = forms.CharField(max_length=4096, strip=False, label="Your current password",
                               widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))


class PasswordChangeForm(auth_forms.PasswordChangeForm):
    """Django's form, its current password checked by accounts.check_current_password (wrong ones counted)."""

    wait = 0  # set when the account's wrong passwords are over their limit

    def clean_old_password(self) -> str:
        password: str = self.cleaned_data["old_password"]
        try:
            accounts.check_current_password(self.user, password)
        except accounts.TooManyGuesses as exc:
            self.wait = exc.wait
            raise forms.ValidationError(str(exc)) from None
        except accounts.AccountError:
            raise forms.ValidationError(self.error_messages["password_incorrect"], code="password_incorrect") from None
        return password


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's view over PasswordChangeForm: past the limit of wrong passwords, the 429 page and no change."""

    form_class = PasswordChangeForm

    def form_invalid(self, form: PasswordChangeForm) -> HttpResponse:  # type: ignore[override]
        if form.wait:
            return too_many(self.request, "Too many wrong passwords for this account.", form.wait)
        return super().form_invalid(form)


def _email_page(request: HttpRequest, change_form: ChangeEmailForm | None = None, status: int = 200) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    verified = bool(verified_address(request))  # asked once: the footer's digest form wants it too
    return render(request, "registration/email.html", {
        "verified": verified, "pending": accounts.pending_address(user),
        "awaiting": accounts.awaiting_proof(user, verified),
        "mail": accounts.verification_mail(user), "change_form": change_form or ChangeEmailForm(),
        "digest": own_digest(request)}, status=status)


@login_required
@require_POST
def email_change(request: HttpRequest) -> HttpResponse:
    """Change the account's address: a link goes to the new one (requests limited per account and per address)."""
    form = ChangeEmailForm(request.POST)
    if not form.is_valid():
        return _email_page(request, form, status=400)
    email = form.cleaned_data["email"]
    try:  # before the mail limits: a wrong guess must not spend another's address's mails (3 an hour)
        accounts.check_current_password(request.user, form.cleaned_data["password"])  # type: ignore[arg-type]
    except accounts.TooManyGuesses as exc:
        return too_many(request, str(exc), exc.wait)
    except accounts.AccountError as exc:
        form.add_error("password", str(exc))
        return _email_page(request, form, status=400)
    wait = (limits.over_limit(request, "verify", settings.PAPERHUB_VERIFY_RATE, who=str(request.user.pk))
            or limits.over_limit(request, "verify-to", settings.PAPERHUB_VERIFY_ADDRESS_RATE, who=email.lower()))
    if wait:
        return too_many(request, "Too many verification mails asked for.", wait)
    user: User = request.user  # type: ignore[assignment]
    try:
        send = accounts.change_email(user, email, form.cleaned_data["password"])
    except accounts.AccountError as exc:
        form.add_error(None, str(exc))
        return _email_page(request, form, status=400)
    if not send:
        messages.success(request, f"Your address stays {user.email}.")
    elif accounts.pending_address(user):
        messages.success(request, f"We are sending a link to {email}. Your address changes once you follow it; "
                                  f"until then it stays {user.email}.")
    else:
        messages.success(request, f"Your address is now {user.email}. We are sending a link to verify it.")
    if send:
        accounts.queue_verification(user, hub_root(request))
    return redirect("email_address")


@login_required
def email_address(request: HttpRequest) -> HttpResponse:
    """The account's address, whether it is verified and how its link fared, a form to change it; POST sends
    the link again (limited per account)."""
    if request.method == "POST":
        wait = limits.over_limit(request, "verify", settings.PAPERHUB_VERIFY_RATE, who=str(request.user.pk))
        if wait:
            return too_many(request, "Too many verification mails asked for.", wait)
        user: User = request.user  # type: ignore[assignment]
        address = accounts.awaiting_proof(user)
        if address:
            accounts.queue_verification(user, hub_root(request))
            messages.success(request, f"We are sending a new link to {address}.")
        else:
            messages.info(request, f"{user.email} is verified already." if user.email  # (nothing awaits proof)
                          else "Your account has no address yet: give one below.")
        return redirect("email_address")
    return _email_page(request)


def verify_email(request: HttpRequest, token: str) -> HttpResponse:
    """GET asks with a button (mail scanners follow links and must not act); POST verifies the address. Each
    names the address only to the account it belongs to, signed in."""
    if request.method != "POST":
        return render(request, "registration/verify.html", {"asking": True,
                                                            "email": accounts.link_address(token, request.user)})
    try:
        user = accounts.verify(token, hub_root(request))
    except accounts.AccountError as exc:
        return render(request, "registration/verify.html", {"error": str(exc)}, status=400)
    return render(request, "registration/verify.html", {"email": user.email if user == request.user else ""})


def profile(request: HttpRequest, username: str) -> HttpResponse:
    """A user's papers (as a verified author), upvotes, comments and (visible) collections, a page of them at once
    (?page=)."""
    page = page_number(request)
    found = community.profile(username, request.user, collections_page=page - 1)
    if found is None:
        raise Http404("no such user")
    name = found.person.get_username()
    return render(request, "web/profile.html", {"json_url": json_twin("profile", name, p=page - 1),
                                                "person": found.person, "cards": cards(request, found.upvoted),
                                                "comments": found.comments, "collections": found.collections,
                                                "collections_total": found.collections_total,
                                                **pager(page, found.collections_total, community.PROFILE_COLLECTIONS),
                                                "authored": cards(request, found.authored)})


def collection_page(request: HttpRequest, username: str, slug: str) -> HttpResponse:
    """A collection's papers, in its order, with their notes; a private one only for its owner and collaborators."""
    collection = community.collection(request.user, username, slug)
    if collection is None:
        raise Http404("no such collection")
    page, total = page_number(request), community.collection_size(collection)
    twin = json_twin("collection", username, slug, p=page - 1) if collection.public else ""  # (public ones in the API)
    mine = collection.owner_id == request.user.pk
    curating = mine or curation.may_curate(request.user, collection)
    shared_with = curation.collaborators_of(collection) if curating else []
    papers = community.collection_papers(collection, limit=COLLECTION_PAGE, offset=(page - 1) * COLLECTION_PAGE)
    summary = collection.description or (f"A collection of {total} paper{pluralize(total)} by "
                                          f"{collection.owner.username} on paperhub.")
    return render(request, "web/collection.html", {"json_url": twin,
                                                   "collection": collection, "collection_summary": summary,
                                                   "cards": cards(request, papers), "total": total,
                                                   "note_people": community.note_people(papers, collection.description),
                                                   **pager(page, total, COLLECTION_PAGE),
                                                   "mine": mine, "curating": curating, "shared_with": shared_with,
                                                   "note_max": curation.NOTE_MAX_CHARS,
                                                   "description_max": curation.COLLECTION_DESCRIPTION_MAX_CHARS,
                                                   "zotero_connected": curating and zotero.has_library(request.user)})


@login_required
def collections(request: HttpRequest) -> HttpResponse:
    """The user's collections (with ?paper=ID, a Save button on each for that paper), and a form for a new one."""
    # "Create and save" on a paper's page names a paper: one that does not exist is refused before anything is made
    paper = queries.paper_by_id(request.POST.get("paper", ""))
    if request.method == "POST" and request.POST.get("paper") and paper is None:
        messages.error(request, "No such paper to save.")
    elif request.method == "POST":
        try:
            made = curation.create_collection(request.user, request.POST.get("title", ""),
                                              request.POST.get("description", ""),
                                              public=request.POST.get("public") == "on")
        except NotAllowed as exc:
            messages.error(request, str(exc))
        else:
            if paper is not None:  # confirmed as "Save" confirms
                curation.add_to_collection(request.user, made, paper)
                messages.success(request, f"Added to {made.title}, a new collection.")
                return redirect("paper", uid=paper.uid)
            return redirect("collection", username=request.user.get_username(), slug=made.slug)
    page = page_number(request)
    size = OWN_COLLECTIONS_PAGE
    mine, total = community.own_collections(request.user, size, offset=(page - 1) * size)
    # a paper's "Save to" links here (?paper=ID) when it offers only some of them: each gets its own Save button
    saving = queries.paper_by_uid(request.GET["paper"]) if request.GET.get("paper") else None
    held = holding.holding_of(saving, [c.pk for c in mine]) if saving else set()  # "holds it", no button
    return render(request, "web/collections.html", {"collections": mine, "total": total,
                                                    **pager(page, total, size), "saving": saving, "holding": held,
                                                    "saving_title": render_tex(saving.title) if saving else "",
                                                    "extra": urlencode({"paper": saving.uid}) if saving else "",
                                                    "description_max": curation.COLLECTION_DESCRIPTION_MAX_CHARS})


def _own_collection(request: HttpRequest, username: str, slug: str) -> Collection:
    """The user's collection at /collections/<username>/<slug>; 404 for anyone else's (or none)."""
    return get_object_or_404(Collection, owner_id=request.user.pk, owner__username=username, slug=slug)


@login_required
@require_POST
def collection_edit(request: HttpRequest, username: str, slug: str) -> HttpResponse:
    """Change one's collection's title, description and public/private setting (its address stays)."""
    collection = _own_collection(request, username, slug)
    try:
        curation.edit_collection(request.user, collection, request.POST.get("title", ""),
                                 request.POST.get("description", ""), public=request.POST.get("public") == "on")
    except NotAllowed as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "Collection saved.")
    return redirect("collection", username=username, slug=slug)


@login_required
@require_POST
def collection_delete(request: HttpRequest, username: str, slug: str) -> HttpResponse:
    """Delete one's collection, once the form's confirm box is ticked; then back to one's collections."""
    collection = _own_collection(request, username, slug)
    if not request.POST.get("confirm"):
        messages.error(request, "Tick the box to confirm that the collection should be deleted.")
        return redirect("collection", username=username, slug=slug)
    curation.delete_collection(request.user, collection)
    messages.success(request, f"Deleted the collection “{collection.title}”.")
    return redirect("collections")


@login_required
@require_POST
def collect(request: HttpRequest) -> HttpResponse:
    """Add (or with remove=1, take out) a paper to a collection the user owns or collaborates on."""
    collection = community.curated_collection(request.user, request.POST.get("collection", ""))
    if collection is None:
        raise Http404("no such collection")
    paper = queries.paper_by_id(request.POST.get("paper", ""))
    if paper is None:
        raise Http404("no such paper")
    if request.POST.get("remove"):
        curation.remove_from_collection(request.user, collection, paper)
        messages.success(request, f"Removed from {collection.title}.")
    else:
        try:
            added = curation.add_to_collection(request.user, collection, paper)
        except NotAllowed as exc:  # full
            messages.error(request, str(exc))
        else:
            messages.success(request, f"{'Added to' if added else 'Already in'} {collection.title}.")
    return back(request, reverse("paper", args=[paper.uid]))


#: The session key that carries a new token's secret from the POST that made it to the one page that shows it.
NEW_TOKEN = "paperhub_new_token"


@never_cache  # the page after "Make a token" holds its secret: not for the browser's cache or back button
@login_required
def api_tokens(request: HttpRequest) -> HttpResponse:
    """The user's API tokens: make one (its secret is shown once, on the page the POST redirects to), or revoke
    one."""
    user: User = request.user  # type: ignore[assignment]
    if request.method == "POST":
        revoked = asked_number(request.POST.get("revoke", ""))
        if revoked is not None:
            tokens.revoke(user, revoked)
            messages.success(request, "Token revoked.")
        else:
            try:
                _, secret = tokens.create_token(user, request.POST.get("name", ""))
            except NotAllowed as exc:  # at the cap
                messages.error(request, str(exc))
            else:
                request.session[NEW_TOKEN] = sealing.seal(secret)  # sessions are rows: only tokens' hashes are stored
        return redirect("api_tokens")  # so reloading the page makes no second token
    return render(request, "web/tokens.html", {"tokens": tokens.tokens_of(user),
                                               "verified": bool(verified_address(request)),
                                               "secret": _new_secret(request)})


def _new_secret(request: HttpRequest) -> str | None:
    """The secret of the token just made, once (then it is gone from the session)."""
    sealed = request.session.pop(NEW_TOKEN, None)
    try:
        return sealing.unseal(sealed) if sealed else None
    except sealing.Unreadable:  # the secret key changed in between
        return None


def logout_page(request: HttpRequest) -> HttpResponse:
    """GET: a page with the logout button (logging out takes a POST, so a link or a prefetch cannot do it);
    POST: Django's logout."""
    if request.method == "POST":
        return auth_views.LogoutView.as_view()(request)
    return render(request, "registration/logout.html")
