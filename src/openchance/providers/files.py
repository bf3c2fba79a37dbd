"""The files port: a local directory with signed URLs (embedded default) or S3-compatible storage.

Keys are relative paths of safe segments (``avatars/3Jx….webp``): letters, digits, ``.``,
``_`` and ``-``, no segment starting with a dot. Both stores refuse anything else, so a key
can never climb out of the directory or smuggle characters into a header.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import math
import os
import re
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol
from urllib.parse import quote, urlencode

import anyio

from openchance.config import FilesBackend, Settings
from openchance.errors import InvalidInput, NotFound, PermissionDenied

FILES_URL_PATH = "/api/v1/files/"
"""Where the server answers the local store's signed URLs."""
URL_EXPIRY_STEP_SECONDS = 300
"""Local URLs expire on a 5-minute grid, so one file's URL is stable for a while (caches)."""
MAX_KEY_LENGTH = 512

_SEGMENT = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}")
_CONTENT_TYPE = re.compile(r"[a-z0-9][a-z0-9!#$&^_.+-]*/[a-z0-9][a-z0-9!#$&^_.+-]*")


class FileStore(Protocol):
    async def put(self, key: str, data: bytes, content_type: str) -> None:
        """Store ``data`` under ``key`` (replacing what was there)."""
        ...

    async def get(self, key: str) -> bytes:
        """The bytes under ``key``; :class:`NotFound` when there are none."""
        ...

    async def delete(self, key: str) -> None:
        """Remove ``key``; a key that is not there is no error (deleting is idempotent)."""
        ...

    async def url(self, key: str, expires_in: int, *, download_name: str | None = None) -> str:
        """A URL that serves the file for at least ``expires_in`` seconds, to anyone.

        Without ``download_name`` the file is shown inline under its key's last segment;
        with one it is served as an attachment (a download) under that name, and the name
        is part of what the URL's signature covers."""
        ...

    async def close(self) -> None: ...


def check_key(key: str) -> str:
    """``key`` when it is a safe relative path; :class:`InvalidInput` otherwise."""
    segments = key.split("/")
    if len(key) > MAX_KEY_LENGTH or not all(_SEGMENT.fullmatch(part) for part in segments):
        raise InvalidInput(f"{key!r} is not a valid file key", code="invalid_file_key")
    return key


def check_content_type(content_type: str) -> str:
    value = content_type.strip().lower()
    if len(value) > 100 or not _CONTENT_TYPE.fullmatch(value):
        raise InvalidInput(f"{content_type!r} is not a media type", code="invalid_content_type")
    return value


@dataclass(frozen=True, slots=True)
class LocalFile:
    """A file of the local store, ready to be streamed."""

    path: Path
    content_type: str
    filename: str
    download_name: str | None = None
    """Set when the URL asked for a download (``Content-Disposition: attachment``)."""


class LocalFileStore:
    """Files under ``directory`` (``objects/KEY``, with ``meta/KEY.json`` for the media type).

    URLs point at the API (``/api/v1/files/KEY?expires=…&signature=…``, plus ``name=…`` for
    a download): the signature is an HMAC-SHA256 of the key, the expiry time and the download
    name, with a key derived from the secret key.
    """

    def __init__(self, directory: Path, *, secret_key: str, base_url: str) -> None:
        self._objects = directory / "objects"
        self._meta = directory / "meta"
        self._signing_key = hmac.new(
            secret_key.encode(), b"openchance:file-urls", hashlib.sha256
        ).digest()
        self._base_url = base_url.rstrip("/") + FILES_URL_PATH

    def _paths(self, key: str) -> tuple[Path, Path]:
        check_key(key)
        return self._objects / key, self._meta / f"{key}.json"

    async def put(self, key: str, data: bytes, content_type: str) -> None:
        path, meta = self._paths(key)
        metadata = json.dumps({"content_type": check_content_type(content_type)}).encode()

        def write() -> None:
            _write_atomically(meta, metadata)
            _write_atomically(path, data)

        await anyio.to_thread.run_sync(write)

    async def get(self, key: str) -> bytes:
        path, _ = self._paths(key)
        try:
            return await anyio.to_thread.run_sync(path.read_bytes)
        except FileNotFoundError:
            raise NotFound("file", key) from None

    async def delete(self, key: str) -> None:
        path, meta = self._paths(key)

        def remove() -> None:
            path.unlink(missing_ok=True)
            meta.unlink(missing_ok=True)

        await anyio.to_thread.run_sync(remove)

    async def url(self, key: str, expires_in: int, *, download_name: str | None = None) -> str:
        step = URL_EXPIRY_STEP_SECONDS
        expires = math.ceil((time.time() + expires_in) / step) * step
        return self.signed_url(key, expires, download_name=download_name)

    async def close(self) -> None:
        return None

    # -- signed URLs ---------------------------------------------------------------------

    def signature(self, key: str, expires: int, download_name: str | None = None) -> str:
        message = f"{check_key(key)}\n{expires}"
        if download_name is not None:
            # Keys and times hold no line break, so the two forms can never collide.
            message += f"\nattachment\n{download_name}"
        return hmac.new(self._signing_key, message.encode(), hashlib.sha256).hexdigest()

    def signed_url(self, key: str, expires: int, *, download_name: str | None = None) -> str:
        """The URL of ``key`` that works until the Unix time ``expires``."""
        parameters: dict[str, str | int] = {"expires": expires}
        if download_name is not None:
            parameters["name"] = download_name
        parameters["signature"] = self.signature(key, expires, download_name)
        return f"{self._base_url}{quote(key, safe='/')}?{urlencode(parameters)}"

    async def open_signed(
        self, key: str, expires: int, signature: str, download_name: str | None = None
    ) -> LocalFile:
        """The file behind a signed URL; 403 for a wrong signature or a past expiry."""
        expected = self.signature(key, expires, download_name)
        if not hmac.compare_digest(expected.encode(), signature.encode()):
            raise PermissionDenied("the link is not valid", code="invalid_signature")
        if expires < time.time():
            raise PermissionDenied("the link has expired", code="url_expired")
        path, meta = self._paths(key)
        try:
            metadata = json.loads(await anyio.to_thread.run_sync(meta.read_bytes))
        except FileNotFoundError:
            raise NotFound("file", key) from None
        if not await anyio.to_thread.run_sync(path.is_file):
            raise NotFound("file", key)
        return LocalFile(path, str(metadata["content_type"]), key.rsplit("/", 1)[-1], download_name)


def _write_atomically(path: Path, data: bytes) -> None:
    """Write to a temporary file beside ``path``, then rename: readers never see half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def build_file_store(settings: Settings) -> FileStore:
    """The store the settings choose."""
    if settings.files_backend is FilesBackend.S3:
        from openchance.providers.s3 import S3FileStore  # boto3 loads only when used

        return S3FileStore.from_settings(settings)
    return LocalFileStore(
        settings.files_directory,
        secret_key=settings.effective_secret_key,
        base_url=str(settings.public_base_url),
    )
