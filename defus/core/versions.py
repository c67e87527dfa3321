"""A version of code and templates, for files made from them and kept (report PDFs): a new
version of the code makes the stored files be made again."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import Path


def source_digest(folder: Path, patterns: Iterable[str]) -> str:
    """A digest of the files under `folder` matching `patterns` (glob), in a fixed order."""
    digest = hashlib.sha256()
    for pattern in patterns:
        for path in sorted(folder.glob(pattern)):
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]
