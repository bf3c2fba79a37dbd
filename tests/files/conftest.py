"""The file stores under test: the local directory and S3 (a moto server per test session)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Any

import httpx
import pytest

from openchance import OpenChance
from openchance_server import create_app
from tests.files import s3_server

Fetch = Callable[[str], Awaitable[httpx.Response]]


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    with s3_server.moto_server() as endpoint:
        yield endpoint


def s3_settings(endpoint: str) -> dict[str, Any]:
    return {
        "files_backend": "s3",
        "s3_bucket": s3_server.create_bucket(endpoint),
        "s3_endpoint_url": endpoint,
        "s3_region": s3_server.REGION,
        "s3_access_key_id": s3_server.ACCESS_KEY_ID,
        "s3_secret_access_key": s3_server.SECRET_ACCESS_KEY,
    }


@pytest.fixture
async def fetch(oc: OpenChance) -> AsyncIterator[Fetch]:
    """GET a file URL the way a browser would: through the app for the local store's
    URLs, straight to the bucket for S3's."""
    app = create_app(oc, run_worker=False)
    base = str(oc.settings.public_base_url).rstrip("/")
    async with (
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=base) as api,
        httpx.AsyncClient() as outside,
    ):

        async def get(url: str) -> httpx.Response:
            return await (api if url.startswith(base) else outside).get(url)

        yield get
