"""Django admin for what admins edit by hand: canned responses."""

from django.contrib import admin

from inbox.models import CannedResponse


@admin.register(CannedResponse)
class CannedResponseAdmin(admin.ModelAdmin):
    list_display = ("title", "team", "language")
    list_filter = ("team", "language")
    search_fields = ("title", "body")
