"""Photos of a walk's stops: the upload from the recording page's script, and serving a
stored photo – only through this permission-checked view, never as a public media URL.

The upload finds its stop by the key the phone made (`stop_key`) or, for a planned stop, by
its id; `client_key` makes a retry of an upload that did arrive return the stored photo.
"""

from __future__ import annotations

from typing import Any

from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404
from django.urls import path
from django.utils.translation import gettext as _
from django.views import View

from defus.organisations.permissions import OrganisationPermissionMixin

from ..models import Stop, StopPhoto
from ..services import photos as photo_service
from ..services.recording import parse_key
from .walks import WalkMixin


class PhotoUploadView(WalkMixin, View):
    permission = "walks.manage"

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        stop = self.stop(request.POST.get("stop_key"), request.POST.get("stop"))
        if stop is None:
            # The stop has not arrived yet (the script sends stops first): try again later.
            return JsonResponse(
                {"ok": False, "retry": True, "message": _("The stop is not stored yet.")},
                status=409,
            )
        upload = request.FILES.get("photo")
        if upload is None:
            return JsonResponse({"ok": False, "message": _("No photo was sent.")}, status=400)
        try:
            photo, created = photo_service.store_photo(
                stop,
                upload,
                parse_key(request.POST.get("client_key")),
                request.POST.get("caption", ""),
            )
        except photo_service.PhotoError as problem:
            return JsonResponse({"ok": False, "message": problem.message}, status=400)
        return JsonResponse(
            {
                "ok": True,
                "created": created,
                "photo": photo.pk,
                "message": _("Photo saved."),
            },
            status=201 if created else 200,
        )

    def stop(self, key: Any, pk: Any) -> Stop | None:
        stop_key = parse_key(key)
        if stop_key is not None:
            stop = Stop.objects.filter(walk=self.walk, client_key=stop_key).first()
            if stop is not None:
                return stop
        if pk and str(pk).isdigit():
            return Stop.objects.filter(walk=self.walk, pk=int(pk)).first()
        return None


class PhotoView(OrganisationPermissionMixin, View):
    """A stored photo, for people who may see the organisation's walks."""

    permission = "walks.view"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> FileResponse:
        photo = get_object_or_404(
            StopPhoto, pk=kwargs["photo"], stop__walk__organisation=self.organisation
        )
        try:
            handle = photo.image.open("rb")
        except (OSError, ValueError):
            raise Http404 from None
        response = FileResponse(handle, content_type="image/jpeg")
        response["Cache-Control"] = "private, max-age=3600"
        response["Content-Disposition"] = f'inline; filename="photo-{photo.pk}.jpg"'
        return response


urlpatterns = [
    path("<int:walk>/record/photo/", PhotoUploadView.as_view(), name="photo_upload"),
    path("photos/<int:photo>/", PhotoView.as_view(), name="photo"),
]
