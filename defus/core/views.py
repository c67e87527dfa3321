from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from defus.organisations.permissions import has_permission, organisations_for


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "core/home.html")


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """A person's start page: the organisations they work for and what they may do there."""
    organisations = list(
        organisations_for(request.user, "organisation.view").prefetch_related("waves")
    )
    for organisation in organisations:
        # Link only to pages the person may open: waves, else the results of each wave.
        organisation.can_view_waves = has_permission(request.user, organisation, "wave.view")
        organisation.can_view_results = has_permission(request.user, organisation, "analysis.view")
        organisation.can_view_walks = has_permission(request.user, organisation, "walks.view")
        organisation.can_view_strategy = has_permission(request.user, organisation, "strategy.view")
    return render(request, "core/dashboard.html", {"organisations": organisations})


def permission_denied(request: HttpRequest, exception: Any = None) -> HttpResponse:
    return render(request, "core/error.html", {"status": 403}, status=403)


def page_not_found(request: HttpRequest, exception: Any = None) -> HttpResponse:
    return render(request, "core/error.html", {"status": 404}, status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    return render(request, "core/error.html", {"status": 500}, status=500)
