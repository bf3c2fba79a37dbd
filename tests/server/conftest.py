"""The app under test, driven through httpx's ASGI transport (no lifespan: ``oc`` is started)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI

from openchance import OpenChance
from openchance_server import create_app

BASE_URL = "http://testserver"


@pytest.fixture
def app(oc: OpenChance) -> FastAPI:
    return create_app(oc, run_worker=False)


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE_URL) as c:
        yield c
