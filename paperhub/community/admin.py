"""Moderation: hide comments, ban users (Django's own user admin: untick "active"), delete either."""

from collections.abc import Sequence
from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import User
from django.db import router
from django.db.models import Model, QuerySet
from django.db.models.deletion import Collector
from django.http import HttpRequest
from django.utils.text import capfirst

from paperhub.community import authorship
from paperhub.community.models import AuthorClaim, Collection, Comment


class _Loading(Collector):
    """A collector that loads every row it would delete, so the confirmation page can count them all."""

    def can_fast_delete(self, *args: Any, **kwargs: Any) -> bool:
        return False


class CountsDeletions:
    """Delete confirmation pages that count what goes, by kind, instead of Django's nested list of every row:
    that list nests once per level of a reply chain, and chains made before COMMENT_MAX_DEPTH run thousands deep.
    """

    admin_site: admin.AdminSite

    def get_deleted_objects(self, objs: Sequence[Any] | QuerySet[Any],
                            request: HttpRequest) -> tuple[list[str], dict[str, int], set[str], list[str]]:
        objs = list(objs)
        if not objs:
            return [], {}, set(), []
        collector = _Loading(using=router.db_for_write(type(objs[0])))
        collector.collect(objs)  # a restricted or protected row raises, as it does in Django's own
        kinds: list[type[Model]] = list(collector.data)
        refused = {str(kind._meta.verbose_name) for kind in kinds if self.admin_site.is_registered(kind)
                   and not self.admin_site.get_model_admin(kind).has_delete_permission(request)}
        counts = {str(kind._meta.verbose_name_plural): len(collector.data[kind]) for kind in kinds}
        return [f"{capfirst(obj._meta.verbose_name)}: {obj}" for obj in objs], counts, refused, []


@admin.register(Comment)
class CommentAdmin(CountsDeletions, admin.ModelAdmin[Comment]):
    list_display = ("paper", "user", "created_at", "hidden", "deleted", "short_body")
    list_filter = ("hidden", "deleted")
    search_fields = ("body", "user__username", "paper__uid")
    raw_id_fields = ("paper", "parent", "user")
    actions = ["hide", "unhide"]

    @admin.display(description="comment")
    def short_body(self, comment: Comment) -> str:
        return comment.body[:80]

    @admin.action(description="Hide the selected comments")
    def hide(self, request: HttpRequest, queryset: QuerySet[Comment]) -> None:
        queryset.update(hidden=True)

    @admin.action(description="Show the selected comments again")
    def unhide(self, request: HttpRequest, queryset: QuerySet[Comment]) -> None:
        queryset.update(hidden=False)


@admin.register(Collection)
class CollectionAdmin(admin.ModelAdmin[Collection]):
    list_display = ("title", "owner", "public", "created_at")
    raw_id_fields = ("owner",)


@admin.register(AuthorClaim)
class AuthorClaimAdmin(admin.ModelAdmin[AuthorClaim]):
    """Authorship claims: approve or reject the pending ones (one approved claim per author entry)."""

    list_display = ("user", "author", "paper", "status", "created_at", "decided_at", "decided_by")
    list_filter = ("status",)
    search_fields = ("user__username", "user__email", "author__name", "paper__uid")
    raw_id_fields = ("user", "paper", "author", "decided_by")
    actions = ["approve", "reject"]

    def _decide(self, request, queryset, approve: bool) -> None:  # type: ignore[no-untyped-def]
        decided, skipped = authorship.decide(queryset, approve, request.user)
        self.message_user(request, f"{'Approved' if approve else 'Rejected'} {decided} claim(s)."
                          + (f" {skipped} left pending: their author entry already has an approved claim."
                             if skipped else ""))

    @admin.action(description="Approve the selected claims")
    def approve(self, request, queryset) -> None:  # type: ignore[no-untyped-def]
        self._decide(request, queryset, approve=True)

    @admin.action(description="Reject the selected claims")
    def reject(self, request, queryset) -> None:  # type: ignore[no-untyped-def]
        self._decide(request, queryset, approve=False)


# Django's user admin, whose delete page counts: a user takes their comments and every reply under them along.
admin.site.unregister(User)


@admin.register(User)
class PersonAdmin(CountsDeletions, UserAdmin[User]):
    pass
