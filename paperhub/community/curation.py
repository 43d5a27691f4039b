"""Collections: who may do what to one (every front door asks here), and every write to them: made, retitled and
deleted by their owner, who names collaborators; papers added, removed, annotated and ordered by their curators.

The owner does everything; a collaborator (an active user the owner named) sees the collection, private or not,
and adds, removes, annotates and reorders its papers, but never renames, deletes, changes its privacy or its
collaborators. A banned (inactive) collaborator can do none of it until the account is active again.
"""

from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.contrib.auth.models import User as Account
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, Min, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.text import slugify

from paperhub.community.html_tags import without_html_tags
from paperhub.community.models import Collaborator, Collection, CollectionItem, RetiredSlug
from paperhub.core import caps
from paperhub.core.permissions import NotAllowed, User, require_user
from paperhub.papers.models import Paper
from paperhub.papers.records import strip_controls

COLLECTION_TITLE_MAX_CHARS = 200  # Collection.title's max_length: a longer title is cut there
COLLECTION_DESCRIPTION_MAX_CHARS = 2_000  # a longer description is refused, as a longer comment is
NOTE_MAX_CHARS = 1_000
#: The moves move_item makes: one place up, one down, to the top.
MOVES = ("up", "down", "top")


def _shared_with(user: AbstractBaseUser | AnonymousUser) -> Q:
    """Collections the user collaborates on (none for a visitor or a banned user)."""
    if not user.is_authenticated or not user.is_active:
        return Q(pk__in=[])
    return Q(Exists(Collaborator.objects.filter(collection_id=OuterRef("pk"), user_id=user.pk)))


def curated_by(user: AbstractBaseUser | AnonymousUser) -> QuerySet[Collection]:
    """The collections whose papers the user may change: their own and those shared with them."""
    if not user.is_authenticated or not user.is_active:
        return Collection.objects.none()
    return Collection.objects.filter(Q(owner_id=user.pk) | _shared_with(user))


def visible_to(viewer: AbstractBaseUser | AnonymousUser) -> QuerySet[Collection]:
    """Collections the viewer may see: public ones, their own and those shared with them."""
    if viewer.is_authenticated:
        return Collection.objects.filter(Q(public=True) | Q(owner_id=viewer.pk) | _shared_with(viewer))
    return Collection.objects.filter(public=True)


def may_curate(user: AbstractBaseUser | AnonymousUser, collection: Collection) -> bool:
    """Whether the user may add, remove, annotate and reorder the collection's papers."""
    return curated_by(user).filter(pk=collection.pk).exists()


def require_curator(user: User, collection: Collection) -> None:
    """Raises NotAllowed unless the user may change the collection's papers."""
    require_user(user)
    if not may_curate(user, collection):
        raise NotAllowed("Only its owner and collaborators can change a collection's papers.")


def require_owner(user: User, collection: Collection) -> None:
    """Raises NotAllowed unless the user owns the collection (renames, deletes, privacy, collaborators)."""
    require_user(user)
    if collection.owner_id != user.pk:
        raise NotAllowed("Only its owner can change a collection.")


def touch(collection: Collection) -> None:
    """Mark the collection changed now (its `updated_at`: lastUpdated in the API): every write to its papers,
    notes, order, title, description or privacy calls it."""
    collection.updated_at = timezone.now()
    Collection.objects.filter(pk=collection.pk).update(updated_at=collection.updated_at)


def collaborators_of(collection: Collection) -> list[AbstractBaseUser]:
    """The collection's collaborators by username, banned ones too (the owner may still remove them)."""
    return list(get_user_model().objects.filter(pk__in=collection.members.values("user_id")).order_by("username"))


def typed_name(username: str) -> str:
    """A username as someone typed it, safe to look up and to quote back: no control characters, at most 150
    characters (the longest username)."""
    return strip_controls(username or "").strip()[:150]


def named_user(name: str) -> Account:
    """The active user a typed name means: the name as typed, else the one name that differs from it only in case
    ("BOB" is bob); NotAllowed when there is none, or naming them when several do (sign-up refuses such names, but
    staff may make them)."""
    users = get_user_model().objects.filter(is_active=True)
    exact = users.filter(username=name).first()
    if exact is not None:
        return exact
    matches = sorted(users.filter(username__iexact=name).values_list("username", flat=True)[:4])
    if len(matches) == 1:
        return users.get(username=matches[0])
    if matches:
        raise NotAllowed(f"There is no user named “{name}”: did you mean {' or '.join(f'“{m}”' for m in matches)}?")
    raise NotAllowed(f"There is no user named “{name}”.")


def add_collaborator(user: User, collection: Collection, username: str) -> AbstractBaseUser:
    """Let another active user curate the owner's collection; at most PAPERHUB_COLLECTION_MAX_COLLABORATORS."""
    require_owner(user, collection)
    found = named_user(typed_name(username))
    if found.pk == collection.owner_id:
        raise NotAllowed("You own this collection already.")
    most = settings.PAPERHUB_COLLECTION_MAX_COLLABORATORS
    with caps.owner_locked(Collection, collection.pk):  # two adds at once cannot both take the last place
        members = Collaborator.objects.filter(collection=collection)
        if not members.filter(user=found).exists() and members.count() >= most:
            raise NotAllowed(f"A collection has at most {most:,} collaborators.")
        Collaborator.objects.get_or_create(collection=collection, user=found)
    return found


def remove_collaborator(user: User, collection: Collection, username: str) -> bool:
    """Take a user off the owner's collection's collaborators; False when they were not one."""
    require_owner(user, collection)
    return Collaborator.objects.filter(collection=collection, user__username=typed_name(username)).delete()[0] > 0


def set_note(user: User, collection: Collection, paper: Paper, note: str) -> bool:
    """Write (or, empty, clear) the note on a paper in the collection; False when the paper is not in it."""
    require_curator(user, collection)
    note = strip_controls((note or "").replace("\r\n", "\n")).strip()
    if len(note) > NOTE_MAX_CHARS:
        raise NotAllowed(f"A note is at most {NOTE_MAX_CHARS:,} characters.")
    if CollectionItem.objects.filter(collection=collection, paper=paper).update(note=note) == 0:
        return False
    touch(collection)
    return True


def move_item(user: User, collection: Collection, paper: Paper, move: str) -> bool:
    """Move a paper in the collection one place up, down, or to the top; False when it is not in it or cannot
    move so."""
    if move not in MOVES:
        raise NotAllowed(f"A move is one of {', '.join(MOVES)}.")
    return place_item(user, collection, paper, lambda at: {"up": at - 1, "down": at + 1, "top": 0}[move])


def place_item(user: User, collection: Collection, paper: Paper, to: Callable[[int], int]) -> bool:
    """Put a paper at place to(its place now) in the collection's order (from 0: the first; past either end: at
    that end); False when it is not in it or stays where it was. The first move gives every item a position in the order
    shown until then (models.item_order)."""
    require_curator(user, collection)
    with transaction.atomic():  # the collection locked, so two moves at once renumber one after the other
        Collection.objects.select_for_update().filter(pk=collection.pk).first()
        items = list(CollectionItem.objects.filter(collection=collection).only("pk", "paper_id", "position"))
        at = next((i for i, item in enumerate(items) if item.paper_id == paper.pk), None)
        if at is None:
            return False
        place = min(max(to(at), 0), len(items) - 1)
        if place == at:
            return False
        items.insert(place, items.pop(at))
        changed = []
        for position, item in enumerate(items):
            if item.position != position:
                item.position = position
                changed.append(item)
        CollectionItem.objects.bulk_update(changed, ["position"])
        touch(collection)
    return True


def _collection_text(title: str, description: str) -> tuple[str, str]:
    """A collection's title and description as stored: control characters dropped, trimmed, checked."""
    title = strip_controls(title or "").strip()[:COLLECTION_TITLE_MAX_CHARS]
    if not title:
        raise NotAllowed("A collection needs a title.")
    description = strip_controls((description or "").replace("\r\n", "\n")).strip()
    if len(description) > COLLECTION_DESCRIPTION_MAX_CHARS:
        raise NotAllowed(f"A collection's description is at most {COLLECTION_DESCRIPTION_MAX_CHARS:,} characters.")
    return title, description


def collection_slug(title: str) -> str:
    """A new collection's slug: ASCII when that keeps every letter of its title (accents dropped: "Über" is
    "uber"), else in the title's own script ("扩散模型", "диффузия-models"), so no title ends up as "collection".
    An HTML tag's letters are no word of it ("Mamba & <b>SOD</b>" is "mamba-sod", not "mamba-bsodb"); other
    <...> is ("Attention <T> scaling" is "attention-t-scaling")."""
    words = without_html_tags(title).replace("<", " ").replace(">", " ")  # "Vec<T>": words "Vec", "T"
    ascii_slug, own_script = slugify(words), slugify(words, allow_unicode=True)
    return (ascii_slug if len(ascii_slug) == len(own_script) else own_script)[:200] or "collection"


class TitleTaken(NotAllowed):
    """Refused: the owner has a collection of that title already (`collection`), as Hugging Face's create refuses
    it (409 with its slug)."""

    def __init__(self, collection: Collection) -> None:
        super().__init__(f"You have a collection titled “{collection.title}” already.")
        self.collection = collection


def create_collection(user: User, title: str, description: str = "", public: bool = True) -> Collection:
    """A new, empty collection owned by the user, of a title none of theirs has (TitleTaken names the one that has
    it): at most PAPERHUB_COLLECTIONS_MAX of theirs (counted with their row locked, so two creates at once can
    neither both take the last place nor both take one title)."""
    user_id = require_user(user)
    title, description = _collection_text(title, description)
    most = settings.PAPERHUB_COLLECTIONS_MAX
    try:
        with caps.owner_locked(get_user_model(), user_id):
            held = Collection.objects.filter(owner_id=user_id).aggregate(n=Count("pk"),
                                                                         same=Min("pk", filter=Q(title=title)))
            if held["same"] is not None:  # before the cap: exists_ok=True at the cap still finds its collection
                raise TitleTaken(Collection.objects.get(pk=held["same"]))
            if held["n"] >= most:
                raise NotAllowed(f"You have {most:,} collections, the most one account holds: delete one first.")
            now = timezone.now()  # one instant: a collection never changed was last updated when it was created
            slug = _free_slug(user_id, collection_slug(title))
            return Collection.objects.create(owner_id=user_id, title=title, slug=slug, description=description,
                                             public=public, created_at=now, updated_at=now)
    except IntegrityError:  # that title taken beside the lock (a rename, the admin): the constraint held it
        taken = collection_titled(user, title)
        if taken is None:
            raise
        raise TitleTaken(taken) from None


def _free_slug(user_id: int, base: str) -> str:
    """`base`, else the first of base-2, base-3 ... that none of the user's collections holds or held (retired):
    one query for each table, however many of that title there are."""
    taken: set[str] = set()
    for model in (Collection, RetiredSlug):
        taken.update(model.objects.filter(owner_id=user_id)
                     .filter(Q(slug=base) | Q(slug__startswith=f"{base}-")).values_list("slug", flat=True))
    slug, n = base, 1
    while slug in taken:
        n += 1
        slug = f"{base}-{n}"
    return slug


def collection_titled(user: User, title: str) -> Collection | None:
    """The user's own collection of a title as create_collection would store it, if any (one at most:
    collection_title_per_owner)."""
    title, _ = _collection_text(title, "")
    return Collection.objects.filter(owner_id=require_user(user), title=title).order_by("pk").first()


def add_to_collection(user: User, collection: Collection, paper: Paper) -> bool:
    """Add a paper to a collection one owns or collaborates on; False when it was already there. A collection
    holds at most PAPERHUB_COLLECTION_MAX_PAPERS (its BibTeX and Zotero push take it whole)."""
    require_curator(user, collection)
    most = settings.PAPERHUB_COLLECTION_MAX_PAPERS
    held = CollectionItem.objects.filter(collection=collection)
    with caps.owner_locked(Collection, collection.pk):  # two adds at once cannot both take the last place
        if not held.filter(paper=paper).exists() and held.count() >= most:
            raise NotAllowed(f"A collection holds at most {most:,} papers; “{collection.title}” is full.")
        _, created = CollectionItem.objects.get_or_create(collection=collection, paper=paper,
                                                          defaults={"added_by_id": user.pk})
        if created:
            touch(collection)
    return created


def remove_from_collection(user: User, collection: Collection, paper: Paper) -> bool:
    """Take a paper out of a collection one owns or collaborates on; False when it was not there."""
    require_curator(user, collection)
    if CollectionItem.objects.filter(collection=collection, paper=paper).delete()[0] == 0:
        return False
    touch(collection)
    return True


def edit_collection(user: User, collection: Collection, title: str, description: str, public: bool) -> Collection:
    """Retitle, redescribe, or make public/private one's collection; the slug stays, so shared links keep working."""
    require_owner(user, collection)
    before = (collection.title, collection.description, collection.public)
    collection.title, collection.description = _collection_text(title, description)
    collection.public = public
    if (collection.title, collection.description, collection.public) != before:  # saved unchanged: no change to it
        try:
            with transaction.atomic():
                collection.save(update_fields=["title", "description", "public"])
        except IntegrityError:  # another of theirs has that title (collection_title_per_owner)
            taken = collection_titled(user, collection.title)
            collection.title, collection.description, collection.public = before
            if taken is None:
                raise
            raise TitleTaken(taken) from None
        touch(collection)
    return collection


def delete_collection(user: User, collection: Collection) -> None:
    """Delete one's collection and its items (Zotero push records stay, collection unset, so none is pushed twice);
    its slug is retired, so a new collection never takes over its address."""
    require_owner(user, collection)
    with transaction.atomic():
        RetiredSlug.objects.get_or_create(owner_id=collection.owner_id, slug=collection.slug)
        collection.delete()
