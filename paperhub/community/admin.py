"""Moderation: hide comments, ban users (Django's own user admin: untick "active")."""

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from paperhub.community.models import Collection, Comment


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
