"""Forum staff create and edit events in Django's admin; registrations change only through
services.py (the waiting list), so the admin shows them read-only."""

from __future__ import annotations

from django.contrib import admin

from .models import Event, EventAuditEntry, EventDocument, Registration, Session


class SessionInline(admin.TabularInline):
    model = Session
    extra = 0


class DocumentInline(admin.TabularInline):
    model = EventDocument
    extra = 0


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ("slug", "kind", "format", "start", "access", "capacity")
    list_filter = ("kind", "format", "access")
    inlines = (SessionInline, DocumentInline)


@admin.register(Registration)
class RegistrationAdmin(admin.ModelAdmin):
    list_display = ("event", "display_name", "status", "checked_in", "created")
    list_filter = ("status",)

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False


@admin.register(EventAuditEntry)
class AuditAdmin(admin.ModelAdmin):
    list_display = ("created", "action", "event_slug", "actor", "detail")

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False
