"""One contract, every file store: the local directory and S3 (against a real moto server)."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest

from openchance import InvalidInput, NotFound, OpenChance, ProviderUnavailable
from openchance.providers.files import FileStore, LocalFileStore
from openchance.providers.s3 import S3FileStore
from tests.files.conftest import Fetch, s3_settings

PNG_BYTES = b"\x89PNG\r\n\x1a\n pretend pixels"


@pytest.fixture(params=["local", "s3"])
def settings_overrides(request: pytest.FixtureRequest) -> dict[str, Any]:
    if request.param == "s3":
        return s3_settings(request.getfixturevalue("s3_endpoint"))
    return {}


@pytest.fixture
def store(oc: OpenChance) -> FileStore:
    return oc.file_store


class TestPut:
    async def test_what_is_put_is_got_back(self, store: FileStore) -> None:
        await store.put("avatars/a1.webp", PNG_BYTES, "image/webp")

        assert await store.get("avatars/a1.webp") == PNG_BYTES

    async def test_a_second_put_replaces_the_first(self, store: FileStore) -> None:
        await store.put("avatars/a1.webp", b"old", "image/webp")

        await store.put("avatars/a1.webp", b"new", "image/webp")

        assert await store.get("avatars/a1.webp") == b"new"

    @pytest.mark.parametrize(
        "key", ["../escape", "/absolute", "a//b", ".hidden", "a/../b", "a/./b", "sp ace", "é", ""]
    )
    async def test_a_key_that_is_not_a_plain_relative_path_is_refused(
        self, store: FileStore, key: str
    ) -> None:
        with pytest.raises(InvalidInput) as raised:
            await store.put(key, PNG_BYTES, "image/webp")

        assert raised.value.code == "invalid_file_key"

    @pytest.mark.parametrize("content_type", ["image/webp\r\nX-Evil: 1", "webp", "text/html; x"])
    async def test_a_malformed_content_type_is_refused(
        self, store: FileStore, content_type: str
    ) -> None:
        with pytest.raises(InvalidInput) as raised:
            await store.put("avatars/a1.webp", PNG_BYTES, content_type)

        assert raised.value.code == "invalid_content_type"


class TestGet:
    async def test_a_missing_key_is_not_found(self, store: FileStore) -> None:
        with pytest.raises(NotFound):
            await store.get("avatars/never-stored.webp")


class TestDelete:
    async def test_a_deleted_file_is_gone(self, store: FileStore) -> None:
        await store.put("avatars/a1.webp", PNG_BYTES, "image/webp")

        await store.delete("avatars/a1.webp")

        with pytest.raises(NotFound):
            await store.get("avatars/a1.webp")

    async def test_deleting_a_missing_key_is_no_error(self, store: FileStore) -> None:
        await store.delete("avatars/never-stored.webp")

    async def test_other_files_stay(self, store: FileStore) -> None:
        await store.put("avatars/a1.webp", b"one", "image/webp")
        await store.put("avatars/a2.webp", b"two", "image/webp")

        await store.delete("avatars/a1.webp")

        assert await store.get("avatars/a2.webp") == b"two"


class TestUrl:
    async def test_the_url_serves_the_bytes_with_their_media_type(
        self, store: FileStore, fetch: Fetch
    ) -> None:
        await store.put("avatars/a1.webp", PNG_BYTES, "image/webp")

        response = await fetch(await store.url("avatars/a1.webp", 600))

        assert response.status_code == 200
        assert response.content == PNG_BYTES
        assert response.headers["content-type"] == "image/webp"

    async def test_the_url_shows_the_file_inline_under_its_own_name(
        self, store: FileStore, fetch: Fetch
    ) -> None:
        await store.put("avatars/a1.webp", PNG_BYTES, "image/webp")

        response = await fetch(await store.url("avatars/a1.webp", 600))

        assert response.headers["content-disposition"] == 'inline; filename="a1.webp"'

    async def test_the_url_says_when_it_expires(self, store: FileStore) -> None:
        url = await store.url("avatars/a1.webp", 600)

        query = parse_qs(urlparse(url).query)
        assert "expires" in query or query.get("X-Amz-Expires") == ["600"]


class TestS3Specifics:
    """What only the S3 store promises (its URLs are SigV4-presigned by boto3)."""

    @pytest.fixture
    def settings_overrides(self, s3_endpoint: str) -> dict[str, Any]:
        return s3_settings(s3_endpoint)

    async def test_the_settings_choose_the_s3_store(self, store: FileStore) -> None:
        assert isinstance(store, S3FileStore)

    async def test_the_url_is_presigned(self, store: FileStore) -> None:
        url = await store.url("avatars/a1.webp", 600)

        query = parse_qs(urlparse(url).query)
        assert query["X-Amz-Algorithm"] == ["AWS4-HMAC-SHA256"]
        assert query["X-Amz-Expires"] == ["600"]
        assert query["X-Amz-Credential"][0].startswith("moto-access-key/")
        assert len(query["X-Amz-Signature"][0]) == 64

    async def test_a_missing_bucket_is_provider_unavailable(
        self, store: FileStore, s3_endpoint: str
    ) -> None:
        gone = S3FileStore(
            "no-such-bucket-here",
            endpoint_url=s3_endpoint,
            region="us-east-1",
            access_key_id="moto",
            secret_access_key="moto",
        )
        try:
            with pytest.raises(ProviderUnavailable):
                await gone.put("avatars/a1.webp", PNG_BYTES, "image/webp")
        finally:
            await gone.close()


class TestLocalSpecifics:
    @pytest.fixture
    def settings_overrides(self) -> dict[str, Any]:
        return {}

    async def test_the_local_store_is_the_default(self, store: FileStore) -> None:
        assert isinstance(store, LocalFileStore)

    async def test_files_live_under_the_configured_directory(
        self, store: FileStore, oc: OpenChance
    ) -> None:
        await store.put("avatars/a1.webp", PNG_BYTES, "image/webp")

        stored = oc.settings.files_directory / "objects" / "avatars" / "a1.webp"
        assert stored.read_bytes() == PNG_BYTES
