"""What every strategy view shares: the organisation of the URL, its objects, permissions."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import get_language

from defus.organisations.permissions import OrganisationPermissionMixin, has_permission

from ..models import Finding, Measure, MeasureDocument, Priority


class StrategyMixin(OrganisationPermissionMixin):
    """Reading needs strategy.view; views that change something declare strategy.manage.
    Objects of another organisation are not found (404)."""

    permission = "strategy.view"
    kwargs: dict[str, Any]
    request: HttpRequest

    @property
    def language(self) -> str:
        language = (get_language() or "de")[:2]
        return language if language in ("de", "en", "fr") else "de"

    def can_manage(self) -> bool:
        return has_permission(self.request.user, self.organisation, "strategy.manage")

    def base_context(self, current: str) -> dict[str, Any]:
        return {
            "organisation": self.organisation,
            "current": current,
            "can_manage": self.can_manage(),
        }

    def get_priority(self) -> Priority:
        return get_object_or_404(
            Priority.objects.select_related("baseline_wave", "place", "place__district"),
            organisation=self.organisation,
            pk=self.kwargs["priority"],
        )

    def get_measure(self) -> Measure:
        return get_object_or_404(
            Measure.objects.select_related("priority"),
            priority__organisation=self.organisation,
            pk=self.kwargs["measure"],
        )

    def get_finding(self) -> Finding:
        return get_object_or_404(
            Finding, organisation=self.organisation, pk=self.kwargs["strategy_finding"]
        )

    def get_document(self) -> MeasureDocument:
        return get_object_or_404(
            MeasureDocument.objects.select_related("measure__priority"),
            measure__priority__organisation=self.organisation,
            pk=self.kwargs["measure_document"],
        )
