"""Moderation: hide comments, ban users (Django's own user admin: untick "active")."""

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from paperhub.community import authorship
from paperhub.community.models import AuthorClaim, Collection, Comment


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin[Comment]):
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
