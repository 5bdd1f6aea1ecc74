"""Attachment bytes, content-addressed: a file is stored once under its SHA-256, however
many messages carry it, behind a small interface another backend (S3, ...) can implement.
The type served is sniffed from the bytes; the sender's Content-Type is never trusted."""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from pathlib import Path
from typing import Protocol

from servicedesk.settings import get_settings

SHA256 = re.compile(r"^[0-9a-f]{64}$")


class AttachmentStore(Protocol):
    def put(self, data: bytes) -> str:
        """Stores the bytes; returns their SHA-256 (hex)."""

    def get(self, sha256: str) -> bytes:
        """The bytes stored under this SHA-256; FileNotFoundError if there are none."""


class FileStore:
    """Files under `root`/ab/abcdef...: written to a temporary file and renamed, so a
    reader never sees half a file and two writers of the same bytes do not collide."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, sha256: str) -> Path:
        if not SHA256.match(sha256):
            raise FileNotFoundError(sha256)
        return self.root / sha256[:2] / sha256

    def put(self, data: bytes) -> str:
        sha256 = hashlib.sha256(data).hexdigest()
        path = self._path(sha256)
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".incoming-")
            with os.fdopen(fd, "wb") as out:
                out.write(data)
            os.replace(temporary, path)
        return sha256

    def get(self, sha256: str) -> bytes:
        return self._path(sha256).read_bytes()


def attachment_store() -> AttachmentStore:
    return FileStore(Path(get_settings().data_dir) / "attachments")


# Leading bytes of the types worth telling apart; anything else is text (valid UTF-8 with
# no NUL) or application/octet-stream.
_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"%PDF-", "application/pdf"),
    (b"PK\x03\x04", "application/zip"),
    (b"\x1f\x8b", "application/gzip"),
    (b"BM", "image/bmp"),
    (b"II*\x00", "image/tiff"),
    (b"MM\x00*", "image/tiff"),
    (b"{\\rtf", "application/rtf"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "application/x-ole-storage"),
    (b"7z\xbc\xaf\x27\x1c", "application/x-7z-compressed"),
    (b"BEGIN:VCALENDAR", "text/calendar"),
)


def sniff_type(data: bytes) -> str:
    """The media type the bytes really are."""
    for signature, media_type in _SIGNATURES:
        if data.startswith(signature):
            return media_type
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    head = data[:4096]
    if b"\x00" not in head:
        try:
            head.decode("utf-8")
        except UnicodeDecodeError as exc:
            if exc.start < len(head) - 4:  # not just a character cut at 4096
                return "application/octet-stream"
        return "text/plain"
    return "application/octet-stream"
