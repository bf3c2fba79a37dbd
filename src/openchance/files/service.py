"""File use cases that are not part of one domain: serving the local store's signed URLs."""

from __future__ import annotations

from typing import TYPE_CHECKING

from openchance.errors import NotFound
from openchance.providers.files import LocalFile, LocalFileStore

if TYPE_CHECKING:
    from openchance.platform import OpenChance


class FileService:
    def __init__(self, platform: OpenChance) -> None:
        self._platform = platform

    async def url(self, key: str, *, download_name: str | None = None) -> str:
        """A URL of ``key`` that works for ``OPENCHANCE_FILES_URL_TTL_SECONDS``; with
        ``download_name``, one that downloads the file under that name."""
        settings = self._platform.settings
        return await self._platform.file_store.url(
            key, settings.files_url_ttl_seconds, download_name=download_name
        )

    async def open_signed(
        self, key: str, expires: int, signature: str, download_name: str | None = None
    ) -> LocalFile:
        """The local file behind a signed URL (403 ``invalid_signature`` or ``url_expired``).

        Anyone holding the URL may read the file until it expires: the signature is the
        permission. With the S3 backend URLs point at the bucket, so nothing is found here.
        """
        store = self._platform.file_store
        if not isinstance(store, LocalFileStore):
            raise NotFound("file", key)
        return await store.open_signed(key, expires, signature, download_name)
