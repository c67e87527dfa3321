"""Photos of stops: re-encoded without EXIF/GPS, upright, scaled down, under a random name;
non-images, oversized files and too many pixels refused with a message naming the file;
retries stored once; served only to people who may see the organisation's walks."""

from __future__ import annotations

import html
import io
import uuid
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from defus.walks.models import StopPhoto
from defus.walks.services import photos
from tests.walks.support import jpeg_with_gps, make_walk, media_root, png_bytes, walk_url

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english", "media_root")]
__all__ = ["media_root"]
JSON = {"HTTP_ACCEPT": "application/json"}


def upload(walk: Any, client: Any, content: bytes, name: str = "IMG_2041.jpg", **extra: Any):
    stop = walk.stops.first()
    data = {
        "stop": str(stop.pk),
        "stop_key": "",
        "client_key": extra.pop("client_key", str(uuid.uuid4())),
        "caption": "Unterführung",
        "photo": SimpleUploadedFile(name, content, content_type="image/jpeg"),
        **extra,
    }
    return client.post(walk_url(walk, "photo_upload"), data, **JSON)


def stored_image(photo: StopPhoto) -> Image.Image:
    with photo.image.open("rb") as handle:
        image = Image.open(io.BytesIO(handle.read()))
        image.load()
    return image


def test_exif_and_gps_are_removed(client: Any, admin_a: Any, org_a: Any) -> None:
    walk = make_walk(org_a, stops=1)
    client.force_login(admin_a)
    original = jpeg_with_gps()
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(0x8825)  # the test has GPS
    response = upload(walk, client, original)
    assert response.status_code == 201, response.content
    photo = StopPhoto.objects.get()
    image = stored_image(photo)
    assert image.format == "JPEG"
    assert dict(image.getexif()) == {}
    assert "exif" not in image.info and "icc_profile" not in image.info
    assert "xmp" not in image.info
    with photo.image.open("rb") as handle:
        raw = handle.read()
    assert b"Exif" not in raw and b"PhoneMaker" not in raw and b"GPS" not in raw
    assert "IMG_2041" not in photo.image.name and photo.image.name.startswith(f"walks/{org_a.pk}/")
    assert (photo.width, photo.height, photo.caption) == (800, 600, "Unterführung")


def test_photos_are_turned_upright_and_scaled_down(client: Any, admin_a: Any, org_a: Any):
    walk = make_walk(org_a, stops=1)
    client.force_login(admin_a)
    # 4000×3000 taken with the phone turned (EXIF orientation 6: rotate 90° clockwise)
    response = upload(walk, client, jpeg_with_gps((4000, 3000), orientation=6))
    assert response.status_code == 201
    photo = StopPhoto.objects.get()
    assert (photo.width, photo.height) == (1920, 2560)
    assert stored_image(photo).size == (1920, 2560)
    # a transparent PNG becomes a JPEG on white
    response = upload(walk, client, png_bytes(transparent=True), name="plan.png")
    assert response.status_code == 201
    assert stored_image(StopPhoto.objects.last()).getpixel((5, 5)) == (255, 255, 255)


def test_a_retry_stores_the_photo_once(client: Any, admin_a: Any, org_a: Any) -> None:
    walk = make_walk(org_a, stops=1)
    client.force_login(admin_a)
    key = str(uuid.uuid4())
    first = upload(walk, client, jpeg_with_gps(), client_key=key)
    second = upload(walk, client, jpeg_with_gps(), client_key=key)
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json()["photo"] == second.json()["photo"]
    assert StopPhoto.objects.count() == 1
    files = list((Path(photos.settings.MEDIA_ROOT) / "walks").rglob("*.jpg"))
    assert len(files) == 1


def test_a_non_image_is_refused_with_its_name(client: Any, admin_a: Any, org_a: Any) -> None:
    walk = make_walk(org_a, stops=1)
    client.force_login(admin_a)
    response = upload(walk, client, b"%PDF-1.4 not a photo", name="Protokoll.jpg")
    assert response.status_code == 400
    assert response.json()["message"] == (
        "Protokoll.jpg is not a photo Pillow can read. Please upload a JPEG, PNG or WebP image."
    )
    truncated = jpeg_with_gps()[:400]
    assert upload(walk, client, truncated, name="kaputt.jpg").status_code == 400
    assert not StopPhoto.objects.exists()


def test_oversized_files_and_too_many_pixels_are_refused(
    client: Any, admin_a: Any, org_a: Any, settings: Any
) -> None:
    walk = make_walk(org_a, stops=1)
    client.force_login(admin_a)
    settings.DEFUS_PHOTO_MAX_BYTES = 2 * 1024 * 1024
    big = jpeg_with_gps() + b"\0" * (2 * 1024 * 1024)
    response = upload(walk, client, big, name="riesig.jpg")
    assert response.status_code == 400
    message = response.json()["message"]
    assert message.startswith("riesig.jpg is too large (2.1") and message.endswith(
        " MB); photos may have at most 2 MB."
    )
    settings.DEFUS_PHOTO_MAX_BYTES = photos.DEFAULT_MAX_BYTES
    settings.DEFUS_PHOTO_MAX_PIXELS = 100_000
    response = upload(walk, client, jpeg_with_gps((400, 300)), name="viele.jpg")
    assert response.status_code == 400
    assert "viele.jpg has too many pixels" in response.json()["message"]
    assert not StopPhoto.objects.exists()
    assert photos.max_bytes() == 15 * 1024 * 1024


def test_photo_with_the_stop_form_without_javascript(
    client: Any, admin_a: Any, org_a: Any, settings: Any
) -> None:
    walk = make_walk(org_a, stops=1)
    stop = walk.stops.get()
    client.force_login(admin_a)
    data = {
        "stop": str(stop.pk),
        "name": stop.name,
        "c_lighting": "1",
        "photo_key": str(uuid.uuid4()),
        "caption": "",
        "photo": SimpleUploadedFile("a.jpg", jpeg_with_gps(), content_type="image/jpeg"),
    }
    assert client.post(walk_url(walk, "walk_record"), data).status_code == 302
    assert stop.photos.count() == 1
    settings.DEFUS_PHOTO_MAX_BYTES = 1000
    data["photo"] = SimpleUploadedFile("b.jpg", jpeg_with_gps(), content_type="image/jpeg")
    data["photo_key"] = str(uuid.uuid4())
    data["notes"] = "trotzdem gespeichert"
    response = client.post(walk_url(walk, "walk_record"), data, follow=True)
    page = html.unescape(response.content.decode())
    assert "b.jpg is too large (" in page and "photos may have at most 1 KB." in page
    stop.refresh_from_db()
    assert stop.notes == "trotzdem gespeichert" and stop.photos.count() == 1


def test_upload_for_a_stop_not_yet_stored_asks_for_a_retry(
    client: Any, admin_a: Any, org_a: Any
) -> None:
    walk = make_walk(org_a, stops=1)
    client.force_login(admin_a)
    response = upload(walk, client, jpeg_with_gps(), stop="", stop_key=str(uuid.uuid4()))
    assert response.status_code == 409 and response.json()["retry"]


def test_photos_are_served_only_within_the_organisation(
    client: Any, admin_a: Any, member_a: Any, admin_b: Any, org_a: Any
) -> None:
    walk = make_walk(org_a, stops=1)
    client.force_login(admin_a)
    upload(walk, client, jpeg_with_gps())
    photo = StopPhoto.objects.get()
    url = reverse("walks:photo", kwargs={"org": org_a.slug, "photo": photo.pk})
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert b"".join(response.streaming_content)[:2] == b"\xff\xd8"
    client.force_login(member_a)
    assert client.get(url).status_code == 200
    client.force_login(admin_b)
    assert client.get(url).status_code == 404
    other = reverse("walks:photo", kwargs={"org": "beispielburg", "photo": photo.pk})
    assert client.get(other).status_code == 404
    client.force_login(member_a)
    assert upload(walk, client, jpeg_with_gps()).status_code == 403
    client.logout()
    assert client.get(url).status_code == 302
