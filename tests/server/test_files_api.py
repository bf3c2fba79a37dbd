"""``/api/v1/files/{key}``: the local store's signed, expiring URLs."""

from __future__ import annotations

import time
from urllib.parse import parse_qs, urlencode, urlparse

import httpx
import pytest

from openchance import OpenChance
from openchance.providers.files import LocalFileStore

KEY = "avatars/abc123.webp"
BYTES = b"RIFF pretend webp"


@pytest.fixture
async def store(oc: OpenChance) -> LocalFileStore:
    store = oc.file_store
    assert isinstance(store, LocalFileStore)
    await store.put(KEY, BYTES, "image/webp")
    return store


def with_query(url: str, **changes: object) -> str:
    parsed = urlparse(url)
    query = {name: values[0] for name, values in parse_qs(parsed.query).items()}
    query.update({name: str(value) for name, value in changes.items()})
    return parsed._replace(query=urlencode(query)).geturl()


class TestSignedUrl:
    async def test_a_signed_url_serves_the_file(
        self, client: httpx.AsyncClient, store: LocalFileStore
    ) -> None:
        response = await client.get(await store.url(KEY, 600))

        assert response.status_code == 200
        assert response.content == BYTES

    async def test_the_file_is_served_inline_with_its_type_and_nosniff(
        self, client: httpx.AsyncClient, store: LocalFileStore
    ) -> None:
        response = await client.get(await store.url(KEY, 600))

        assert response.headers["content-type"] == "image/webp"
        assert response.headers["content-disposition"] == 'inline; filename="abc123.webp"'
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["cache-control"].startswith("private, max-age=")

    async def test_a_tampered_signature_is_403(
        self, client: httpx.AsyncClient, store: LocalFileStore
    ) -> None:
        url = await store.url(KEY, 600)
        signature = parse_qs(urlparse(url).query)["signature"][0]
        forged = ("0" if signature[0] != "0" else "1") + signature[1:]

        response = await client.get(with_query(url, signature=forged))

        assert response.status_code == 403
        assert response.json()["code"] == "invalid_signature"

    async def test_a_later_expiry_than_signed_is_403(
        self, client: httpx.AsyncClient, store: LocalFileStore
    ) -> None:
        url = await store.url(KEY, 600)
        expires = int(parse_qs(urlparse(url).query)["expires"][0])

        response = await client.get(with_query(url, expires=expires + 86400))

        assert response.status_code == 403
        assert response.json()["code"] == "invalid_signature"

    async def test_a_signature_for_another_file_is_403(
        self, client: httpx.AsyncClient, store: LocalFileStore
    ) -> None:
        await store.put("avatars/other.webp", b"other", "image/webp")
        url = await store.url(KEY, 600)

        response = await client.get(url.replace("abc123.webp", "other.webp"))

        assert response.status_code == 403
        assert response.json()["code"] == "invalid_signature"

    async def test_an_expired_url_is_403(
        self, client: httpx.AsyncClient, store: LocalFileStore
    ) -> None:
        url = store.signed_url(KEY, int(time.time()) - 1)

        response = await client.get(url)

        assert response.status_code == 403
        assert response.json()["code"] == "url_expired"

    async def test_a_url_without_a_signature_is_403(
        self, client: httpx.AsyncClient, store: LocalFileStore
    ) -> None:
        response = await client.get(f"/api/v1/files/{KEY}")

        assert response.status_code == 403
        assert response.json()["code"] == "invalid_signature"

    async def test_a_url_signed_with_another_secret_is_403(
        self, client: httpx.AsyncClient, store: LocalFileStore, oc: OpenChance
    ) -> None:
        other = LocalFileStore(
            oc.settings.files_directory,
            secret_key="another-secret" * 4,
            base_url="http://testserver",
        )

        response = await client.get(await other.url(KEY, 600))

        assert response.status_code == 403

    async def test_a_deleted_file_is_404(
        self, client: httpx.AsyncClient, store: LocalFileStore
    ) -> None:
        url = await store.url(KEY, 600)
        await store.delete(KEY)

        response = await client.get(url)

        assert response.status_code == 404

    async def test_a_path_outside_the_store_is_refused(
        self, client: httpx.AsyncClient, store: LocalFileStore
    ) -> None:
        response = await client.get(
            "/api/v1/files/..%2F..%2Fetc%2Fpasswd?expires=9999999999&signature=x"
        )

        assert response.status_code == 422
        assert response.json()["code"] == "invalid_file_key"
