from django.contrib import admin

from paperhub.papers.models import Author, Category, FeedEntry, Paper


@admin.register(Paper)
class PaperAdmin(admin.ModelAdmin):
    list_display = ["uid", "title", "published", "source", "added_at"]
    search_fields = ["uid", "title", "doi"]
    list_filter = ["source"]
    date_hierarchy = "published"
    show_full_result_count = False


@admin.register(Author)
class AuthorAdmin(admin.ModelAdmin):
    list_display = ["name", "key"]
    search_fields = ["key"]
    show_full_result_count = False


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["code"]


@admin.register(FeedEntry)
class FeedEntryAdmin(admin.ModelAdmin):
    list_display = ["paper", "day", "source", "submitted_by", "external_upvotes"]
    list_filter = ["source"]
    raw_id_fields = ["paper"]
