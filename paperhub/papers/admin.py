from typing import Any

from django.contrib import admin
from django.db import transaction
from django.http import HttpRequest

from paperhub.papers.changes import next_stamp
from paperhub.papers.models import Author, Category, FeedEntry, Paper


@admin.register(Paper)
class PaperAdmin(admin.ModelAdmin[Paper]):
    list_display = ["uid", "title", "published", "source", "added_at"]
    search_fields = ["uid", "title", "doi"]
    list_filter = ["source"]
    date_hierarchy = "published"
    show_full_result_count = False

    def save_model(self, request: HttpRequest, obj: Paper, form: Any, change: bool) -> None:
        with transaction.atomic():  # stamped like every other write, so every node's search index sees the edit
            obj.changed_at = next_stamp()
            super().save_model(request, obj, form, change)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Papers are never deleted: search indexes on every node follow changes, not removals.
        return False


@admin.register(Author)
class AuthorAdmin(admin.ModelAdmin[Author]):
    list_display = ["name", "key"]
    search_fields = ["key"]
    show_full_result_count = False


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin[Category]):
    list_display = ["code"]


@admin.register(FeedEntry)
class FeedEntryAdmin(admin.ModelAdmin[FeedEntry]):
    list_display = ["paper", "day", "source", "submitted_by", "external_upvotes"]
    list_filter = ["source"]
    raw_id_fields = ["paper"]
