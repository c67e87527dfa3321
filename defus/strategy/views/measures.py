"""Measures of a priority and their documents. Documents are served only through
DocumentView, which checks the organisation and the permission (never from a public URL)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.views import View

from defus.core import uploads

from ..forms import DocumentForm, MeasureForm
from ..models import Measure, Priority
from .base import StrategyMixin


class MeasureFormMixin(StrategyMixin):
    permission = "strategy.manage"

    def render_form(
        self,
        form: MeasureForm,
        priority: Priority,
        measure: Measure | None,
        document_form: DocumentForm | None = None,
        status: int = 200,
    ) -> HttpResponse:
        context = {
            **self.base_context("priorities"),
            "form": form,
            "priority": priority,
            "measure": measure,
            "documents": list(measure.documents.all()) if measure else [],
            "document_form": document_form or DocumentForm(),
        }
        return render(self.request, "strategy/measure_form.html", context, status=status)

    def priority_url(self, priority: Priority) -> str:
        return reverse(
            "strategy:priority_detail",
            kwargs={"org": self.organisation.slug, "priority": priority.pk},
        )


class MeasureCreateView(MeasureFormMixin, View):
    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return self.render_form(MeasureForm(), self.get_priority(), None)

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        priority = self.get_priority()
        form = MeasureForm(request.POST)
        if not form.is_valid():
            return self.render_form(form, priority, None)
        measure = form.save(commit=False)
        measure.priority = priority
        measure.save()
        messages.success(request, _("The measure was added. You can now attach documents to it."))
        return HttpResponseRedirect(
            reverse(
                "strategy:measure_edit",
                kwargs={"org": self.organisation.slug, "measure": measure.pk},
            )
        )


class MeasureEditView(MeasureFormMixin, View):
    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        measure = self.get_measure()
        return self.render_form(MeasureForm(instance=measure), measure.priority, measure)

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        measure = self.get_measure()
        form = MeasureForm(request.POST, instance=measure)
        if not form.is_valid():
            return self.render_form(form, measure.priority, measure)
        form.save()
        messages.success(request, _("The measure was saved."))
        return HttpResponseRedirect(self.priority_url(measure.priority))


class MeasureDeleteView(StrategyMixin, View):
    permission = "strategy.manage"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        measure = self.get_measure()
        context = {
            **self.base_context("priorities"),
            "what": _("the measure “%(title)s”") % {"title": measure.title},
            "cancel": reverse(
                "strategy:measure_edit",
                kwargs={"org": self.organisation.slug, "measure": measure.pk},
            ),
        }
        return render(request, "strategy/confirm_delete.html", context)

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        measure = self.get_measure()
        priority = measure.priority
        for document in measure.documents.all():
            document.file.delete(save=False)
        measure.delete()
        messages.success(request, _("The measure was deleted."))
        return HttpResponseRedirect(
            reverse(
                "strategy:priority_detail",
                kwargs={"org": self.organisation.slug, "priority": priority.pk},
            )
        )


class DocumentUploadView(MeasureFormMixin, View):
    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return HttpResponseRedirect(
            reverse(
                "strategy:measure_edit",
                kwargs={"org": self.organisation.slug, "measure": self.get_measure().pk},
            )
        )

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        measure = self.get_measure()
        form = DocumentForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.render_form(
                MeasureForm(instance=measure), measure.priority, measure, form, status=400
            )
        document = form.save(commit=False)
        document.measure = measure
        document.save()
        messages.success(request, _("The document was stored."))
        return HttpResponseRedirect(
            reverse(
                "strategy:measure_edit",
                kwargs={"org": self.organisation.slug, "measure": measure.pk},
            )
            + "#documents-heading"
        )


class DocumentView(StrategyMixin, View):
    """A measure's document, for people who may see the strategy of its organisation."""

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> FileResponse:
        document = self.get_document()
        if not document.file.name:
            raise Http404
        return uploads.document_response(document.file)


class DocumentDeleteView(StrategyMixin, View):
    permission = "strategy.manage"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        document = self.get_document()
        context = {
            **self.base_context("priorities"),
            "what": _("the document “%(title)s”") % {"title": document.title},
            "cancel": reverse(
                "strategy:measure_edit",
                kwargs={"org": self.organisation.slug, "measure": document.measure_id},
            ),
        }
        return render(request, "strategy/confirm_delete.html", context)

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        document = self.get_document()
        measure = document.measure
        document.file.delete(save=False)
        document.delete()
        messages.success(request, _("The document was deleted."))
        return HttpResponseRedirect(
            reverse(
                "strategy:measure_edit",
                kwargs={"org": self.organisation.slug, "measure": measure.pk},
            )
        )


urlpatterns: list[URLPattern] = [
    path(
        "priorities/<int:priority>/measures/new/",
        MeasureCreateView.as_view(),
        name="measure_create",
    ),
    path("measures/<int:measure>/edit/", MeasureEditView.as_view(), name="measure_edit"),
    path("measures/<int:measure>/delete/", MeasureDeleteView.as_view(), name="measure_delete"),
    path(
        "measures/<int:measure>/documents/",
        DocumentUploadView.as_view(),
        name="document_upload",
    ),
    path("documents/<int:measure_document>/", DocumentView.as_view(), name="document"),
    path(
        "documents/<int:measure_document>/delete/",
        DocumentDeleteView.as_view(),
        name="document_delete",
    ),
]
