from __future__ import annotations

from typing import Any

from django.shortcuts import get_object_or_404
from django.views.generic import DetailView, ListView

from defus.organisations.permissions import OrganisationPermissionMixin

from ..models import Wave


class WaveListView(OrganisationPermissionMixin, ListView):
    permission = "wave.view"
    template_name = "fieldwork/wave_list.html"
    context_object_name = "waves"

    def get_queryset(self) -> Any:
        return Wave.objects.filter(organisation=self.organisation)


class WaveDetailView(OrganisationPermissionMixin, DetailView):
    permission = "wave.view"
    template_name = "fieldwork/wave_detail.html"
    context_object_name = "wave"

    def get_object(self, queryset: Any = None) -> Wave:
        return get_object_or_404(Wave, organisation=self.organisation, slug=self.kwargs["wave"])
