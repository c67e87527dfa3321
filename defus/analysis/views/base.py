"""What every analysis view shares: the wave of the URL, in the URL's organisation."""

from __future__ import annotations

from functools import cached_property
from typing import Any

from django.shortcuts import get_object_or_404

from defus.fieldwork.models import Wave
from defus.organisations.permissions import OrganisationPermissionMixin


class WaveAnalysisMixin(OrganisationPermissionMixin):
    """Finds the wave in the organisation of the URL (404 for another organisation's wave)."""

    permission = "analysis.view"
    kwargs: dict[str, Any]

    @cached_property
    def wave(self) -> Wave:
        return get_object_or_404(Wave, organisation=self.organisation, slug=self.kwargs["wave"])
