from django.contrib import admin

from .models import Call, Interest, Project, ProjectOutput, ProjectPartner


class PartnerInline(admin.TabularInline):
    model = ProjectPartner
    extra = 0


class OutputInline(admin.TabularInline):
    model = ProjectOutput
    extra = 0


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ("slug", "programme", "status", "start", "end")
    list_filter = ("status", "programme")
    inlines = (PartnerInline, OutputInline)


@admin.register(Call)
class CallAdmin(admin.ModelAdmin):
    list_display = ("__str__", "project", "deadline", "open")


@admin.register(Interest)
class InterestAdmin(admin.ModelAdmin):
    list_display = ("organisation", "call", "status", "created")
    list_filter = ("status",)
