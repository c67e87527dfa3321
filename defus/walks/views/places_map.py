"""The unsafe-places map of a wave (walks.view): survey places, walk stops and issues, with
the layers chosen by a form that works without JavaScript, and its GeoJSON export."""

from __future__ import annotations

import json
from functools import cached_property
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import URLPattern, path
from django.utils.translation import get_language
from django.views import View

from defus.fieldwork.models import Wave
from defus.organisations.permissions import OrganisationPermissionMixin

from ..placesmap import LAYERS, PlacesMap, build_map, group_choices, layer_labels
from ..report import check_language


class PlacesMapMixin(OrganisationPermissionMixin):
    permission = "walks.view"
    kwargs: dict[str, Any]
    request: HttpRequest

    @cached_property
    def wave(self) -> Wave:
        return get_object_or_404(Wave, organisation=self.organisation, slug=self.kwargs["wave"])

    @property
    def language(self) -> str:
        return check_language((get_language() or "de")[:2])

    def chosen_layers(self) -> tuple[str, ...]:
        """The ticked layers; all of them on the first visit (no form sent yet)."""
        query = self.request.GET
        if "shown" not in query and "layer" not in query:
            return LAYERS
        return tuple(layer for layer in LAYERS if layer in query.getlist("layer"))

    def places_map(self) -> PlacesMap:
        return build_map(
            self.wave,
            self.language,
            layers=self.chosen_layers(),
            group=self.request.GET.get("group", ""),
        )


class PlacesMapView(PlacesMapMixin, View):
    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        places_map = self.places_map()
        labels = layer_labels()
        context = {
            "organisation": self.organisation,
            "wave": self.wave,
            "map": places_map,
            "spec": places_map.spec(),
            "layers": [(key, labels[key], key in places_map.layers) for key in LAYERS],
            "groups": group_choices(self.language),
            "query": request.GET.urlencode(),
        }
        return render(request, "walks/map.html", context)


class PlacesMapGeoJsonView(PlacesMapMixin, View):
    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        data = self.places_map().geojson()
        response = HttpResponse(
            json.dumps(data, ensure_ascii=False, indent=1),
            content_type="application/geo+json; charset=utf-8",
        )
        response["Content-Disposition"] = (
            f'attachment; filename="{self.wave.slug}-unsafe-places.geojson"'
        )
        return response


urlpatterns: list[URLPattern] = [
    path("map/<slug:wave>/", PlacesMapView.as_view(), name="map"),
    path("map/<slug:wave>/map.geojson", PlacesMapGeoJsonView.as_view(), name="map_geojson"),
]
