"""The search index, read-only: to see what a document looks like to search.  It is rebuilt from
the apps' own tables (``manage.py search_reindex``), never edited here."""

from django.contrib import admin

from campus_social.common.admin import ReadOnlyAdmin
from campus_social.search.models import SearchEntry


@admin.register(SearchEntry)
class SearchEntryAdmin(ReadOnlyAdmin):
    list_display = ("kind", "object_id", "title", "reading", "rank_date")
    list_filter = ("kind",)
    search_fields = ("title", "reading")
