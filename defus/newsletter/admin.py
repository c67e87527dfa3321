from django.contrib import admin

from .models import Issue, Subscriber


@admin.register(Subscriber)
class SubscriberAdmin(admin.ModelAdmin):
    list_display = ("email", "language", "status", "created", "bounce_count")
    list_filter = ("status", "language")
    search_fields = ("email",)


@admin.register(Issue)
class IssueAdmin(admin.ModelAdmin):
    list_display = ("number", "__str__", "status", "sent_at")
