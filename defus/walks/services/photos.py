"""Photos of a walk's stops, stored without anything that could identify a place or a person
beyond the picture itself.

A phone's photo carries EXIF (with the GPS position, the time, the phone's serial number),
often XMP and an ICC profile. Every upload is therefore decoded and re-encoded as a fresh
JPEG: turned upright first (ImageOps.exif_transpose), scaled down to at most MAX_SIDE pixels
on its long side, saved with no metadata at all, under a random name (models.photo_path).
Only real images are accepted (Pillow must identify and verify the file), files larger than
DEFUS_PHOTO_MAX_BYTES and images with more than DEFUS_PHOTO_MAX_PIXELS pixels are refused
before they are decoded. Faces and number plates in photos are the city's responsibility;
the upload form says so.
"""

from __future__ import annotations

import io
import uuid
import warnings
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from defus.core.uploads import size_text

from ..models import Stop, StopPhoto

DEFAULT_MAX_BYTES = 15 * 1024 * 1024
DEFAULT_MAX_PIXELS = 60_000_000  # a 48-megapixel phone camera fits, a decompression bomb not
MAX_SIDE = 2560
JPEG_QUALITY = 85
CAPTION_MAX = 300


class PhotoError(Exception):
    """The upload is refused; `message` names the file and why, in the user's language."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


def max_bytes() -> int:
    return int(getattr(settings, "DEFUS_PHOTO_MAX_BYTES", DEFAULT_MAX_BYTES))


def max_pixels() -> int:
    return int(getattr(settings, "DEFUS_PHOTO_MAX_PIXELS", DEFAULT_MAX_PIXELS))


@dataclass
class CleanImage:
    content: bytes  # JPEG without metadata
    width: int
    height: int


def _display_name(upload: Any) -> str:
    name = str(getattr(upload, "name", "") or _("the photo"))
    return name.replace("\\", "/").rsplit("/", 1)[-1][:120]


def clean_image(upload: Any) -> CleanImage:
    """Check an uploaded file and re-encode it without metadata. Raises PhotoError."""
    name = _display_name(upload)
    limit = max_bytes()
    size = getattr(upload, "size", None)
    if size is not None and size > limit:
        raise PhotoError(
            _("%(name)s is too large (%(size)s); photos may have at most %(limit)s.")
            % {"name": name, "size": size_text(size), "limit": size_text(limit)}
        )
    upload.seek(0)
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise PhotoError(
            _("%(name)s is too large; photos may have at most %(limit)s.")
            % {"name": name, "limit": size_text(limit)}
        )
    not_an_image = PhotoError(
        _("%(name)s is not a photo Pillow can read. Please upload a JPEG, PNG or WebP image.")
        % {"name": name}
    )
    too_many_pixels = PhotoError(
        _("%(name)s has too many pixels (at most %(limit)s megapixels).")
        % {"name": name, "limit": f"{max_pixels() / 1_000_000:.0f}"}
    )
    with warnings.catch_warnings():
        # Our own pixel limit applies; Pillow's warning is not needed on top of it.
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        try:
            with Image.open(io.BytesIO(data)) as probe:
                if probe.width * probe.height > max_pixels():
                    raise too_many_pixels
                probe.verify()
            with Image.open(io.BytesIO(data)) as image:
                if image.format == "JPEG":
                    image.draft("RGB", (MAX_SIDE, MAX_SIDE))  # decode smaller: less memory
                upright = ImageOps.exif_transpose(image)
                assert upright is not None
                upright.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
                rgb = _flatten(upright)
        except Image.DecompressionBombError:
            raise too_many_pixels from None
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError):
            raise not_an_image from None
    # A new image holds only pixels: no EXIF, XMP, ICC or comments travel along.
    clean = Image.new("RGB", rgb.size)
    clean.paste(rgb)
    out = io.BytesIO()
    clean.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True)
    return CleanImage(out.getvalue(), clean.width, clean.height)


def _flatten(image: Image.Image) -> Image.Image:
    """RGB; transparent parts become white (JPEG has no transparency)."""
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return image.convert("RGB")


def store_photo(
    stop: Stop, upload: Any, client_key: uuid.UUID | None, caption: str = ""
) -> tuple[StopPhoto, bool]:
    """Store a photo of a stop, re-encoded; (photo, created). The same client_key again
    returns the photo stored the first time (a retry of an upload that did arrive)."""
    if client_key is not None:
        existing = StopPhoto.objects.filter(stop=stop, client_key=client_key).first()
        if existing is not None:
            return existing, False
    image = clean_image(upload)
    photo = StopPhoto(
        stop=stop,
        width=image.width,
        height=image.height,
        caption=caption.strip()[:CAPTION_MAX],
        client_key=client_key,
    )
    try:
        with transaction.atomic():
            photo.image.save("photo.jpg", ContentFile(image.content), save=False)
            photo.save()
    except IntegrityError:
        # The same upload arrived twice at once: keep the first, drop this file.
        photo.image.delete(save=False)
        return StopPhoto.objects.get(stop=stop, client_key=client_key), False
    return photo, True


def delete_photo(photo: StopPhoto) -> None:
    photo.image.delete(save=False)
    photo.delete()
