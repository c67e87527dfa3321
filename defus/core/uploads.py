"""Uploaded documents (workshops, measures, events, working groups): one rule for what is
accepted.

A document is accepted when its extension is one of DOCUMENT_TYPES, its first bytes match
that type (a program renamed to .pdf is refused), and it is neither empty nor larger than
DEFUS_DOCUMENT_MAX_BYTES. Messages name the file, in the user's language.
"""

from __future__ import annotations

import os
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404
from django.utils.formats import number_format
from django.utils.translation import gettext as _

DEFAULT_DOCUMENT_MAX_BYTES = 20 * 1024 * 1024


class DocumentError(Exception):
    """Why an uploaded document is refused (a message for the person who uploaded it)."""


SNIFF_BYTES = 8192

# The first bytes of each kind of file we accept.
PDF = (b"%PDF-",)
ZIP = (b"PK\x03\x04",)  # Office Open XML and OpenDocument files are zip archives
OLE = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",)  # older Office files (.doc, .xls, .ppt)
RTF = (b"{\\rtf",)
PNG = (b"\x89PNG\r\n\x1a\n",)
JPEG = (b"\xff\xd8\xff",)
GIF = (b"GIF87a", b"GIF89a")
TEXT = ()  # no signature: checked as text instead

# extension → (content type for the download, accepted first bytes)
DOCUMENT_TYPES: dict[str, tuple[str, tuple[bytes, ...]]] = {
    "pdf": ("application/pdf", PDF),
    "docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ZIP,
    ),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ZIP),
    "pptx": (
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        ZIP,
    ),
    "odt": ("application/vnd.oasis.opendocument.text", ZIP),
    "ods": ("application/vnd.oasis.opendocument.spreadsheet", ZIP),
    "odp": ("application/vnd.oasis.opendocument.presentation", ZIP),
    "doc": ("application/msword", OLE),
    "xls": ("application/vnd.ms-excel", OLE),
    "ppt": ("application/vnd.ms-powerpoint", OLE),
    "rtf": ("application/rtf", RTF),
    "png": ("image/png", PNG),
    "jpg": ("image/jpeg", JPEG),
    "jpeg": ("image/jpeg", JPEG),
    "gif": ("image/gif", GIF),
    "webp": ("image/webp", ()),  # RIFF….WEBP, checked below
    "txt": ("text/plain; charset=utf-8", TEXT),
    "csv": ("text/csv; charset=utf-8", TEXT),
    "md": ("text/markdown; charset=utf-8", TEXT),
}
ACCEPT = ",".join(f".{extension}" for extension in DOCUMENT_TYPES)


def document_max_bytes() -> int:
    return int(getattr(settings, "DEFUS_DOCUMENT_MAX_BYTES", DEFAULT_DOCUMENT_MAX_BYTES))


def size_text(size: int) -> str:
    """A file size for messages, as the language writes numbers: "15 MB", "2,1 MB", "900 KB"."""
    if size >= 1024 * 1024:
        megabytes = round(size / (1024 * 1024), 1)
        decimals = 0 if megabytes == int(megabytes) else 1
        return _("%(size)s MB") % {"size": number_format(megabytes, decimals)}
    return _("%(size)s KB") % {"size": max(1, round(size / 1024))}


def document_extension(filename: str) -> str:
    return os.path.splitext(filename)[1].lower().lstrip(".")


def check_document(filename: str, size: int, head: bytes) -> str:
    """The extension of an acceptable document; DocumentError naming the file otherwise.

    `head` is the file's first bytes: a file whose content does not match its extension
    (e.g. a program renamed to .pdf) is refused.
    """
    name = os.path.basename(filename or "") or _("(no name)")
    limit = document_max_bytes()
    if size <= 0:
        raise DocumentError(_("The file “%(name)s” is empty.") % {"name": name})
    if size > limit:
        raise DocumentError(
            _("The file “%(name)s” is too large (%(size)s); at most %(limit)s are allowed.")
            % {"name": name, "size": size_text(size), "limit": size_text(limit)},
        )
    extension = document_extension(name)
    if extension not in DOCUMENT_TYPES:
        raise DocumentError(
            _(
                "The file “%(name)s” is not of an allowed type. Allowed: PDF, office documents "
                "(Word, Excel, PowerPoint, OpenDocument, RTF), images (PNG, JPEG, GIF, WebP) "
                "and text (TXT, CSV, Markdown)."
            )
            % {"name": name},
        )
    _content_type, signatures = DOCUMENT_TYPES[extension]
    if extension == "webp":
        matches = head[:4] == b"RIFF" and head[8:12] == b"WEBP"
    elif signatures:
        matches = any(head.startswith(signature) for signature in signatures)
    else:
        matches = _looks_like_text(head)
    if not matches:
        raise DocumentError(
            _(
                "The content of “%(name)s” does not match its extension .%(extension)s; "
                "the file may be damaged or of another type."
            )
            % {"name": name, "extension": extension},
        )
    return extension


def check_upload(upload: Any) -> None:
    """`check_document` on an uploaded file, read from its start (DocumentError names it)."""
    head = upload.read(SNIFF_BYTES)
    upload.seek(0)
    check_document(upload.name or "", upload.size or 0, head)


class DocumentFileMixin:
    """For a model form whose `file` field holds a document: the accepted types in the file
    picker and the help text, and the upload checked by `check_document`."""

    fields: dict[str, Any]
    cleaned_data: dict[str, Any]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].widget.attrs["accept"] = ACCEPT
        self.fields["file"].help_text = _(
            "PDF, office documents, images or text, at most %(limit)s."
        ) % {"limit": size_text(document_max_bytes())}

    def clean_file(self) -> Any:
        upload = self.cleaned_data.get("file")
        if upload is not None:
            try:
                check_upload(upload)
            except DocumentError as error:
                raise ValidationError(str(error)) from None
        return upload


def _looks_like_text(head: bytes) -> bool:
    if b"\x00" in head:
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as error:
        # a multi-byte character cut off at the end of the sample is fine
        if error.start < len(head) - 3:
            try:
                head.decode("cp1252")
            except UnicodeDecodeError:
                return False
    return True


def document_content_type(filename: str) -> str:
    """The content type a stored document is served with."""
    return DOCUMENT_TYPES.get(document_extension(filename), ("application/octet-stream", ()))[0]


def document_response(file: FieldFile) -> FileResponse:
    """A stored document as a download under its own name; 404 when the file is gone."""
    name = os.path.basename(file.name or "")
    try:
        handle = file.open("rb")
    except (OSError, ValueError) as missing:
        raise Http404 from missing
    return FileResponse(
        handle, as_attachment=True, filename=name, content_type=document_content_type(name)
    )
