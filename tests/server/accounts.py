"""Helpers for the account API tests: sign in over HTTP, carry a bearer token, pick a peer."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
from fastapi import FastAPI

from tests.factories.users import STRONG_PASSWORD
from tests.server.conftest import BASE_URL

API = "/api/v1"


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def login(
    client: httpx.AsyncClient,
    email: str,
    password: str = STRONG_PASSWORD,
    *,
    session: str = "api",
) -> dict[str, Any]:
    """Sign in over HTTP and return the body (it must succeed)."""
    response = await client.post(
        f"{API}/auth/login", json={"email": email, "password": password, "session": session}
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def set_cookies(response: httpx.Response) -> dict[str, dict[str, str]]:
    """The response's Set-Cookie headers by cookie name: ``value`` and each attribute
    (lower-cased; flags such as ``httponly`` map to "")."""
    cookies: dict[str, dict[str, str]] = {}
    for header in response.headers.get_list("set-cookie"):
        pair, *attributes = (part.strip() for part in header.split(";"))
        name, _, value = pair.partition("=")
        cookie = {"value": value}
        for attribute in attributes:
            key, _, setting = attribute.partition("=")
            cookie[key.lower()] = setting
        cookies[name] = cookie
    return cookies


@asynccontextmanager
async def client_at(
    app: FastAPI, address: str, headers: dict[str, str] | None = None
) -> AsyncIterator[httpx.AsyncClient]:
    """A client whose connections come from ``address`` (the peer the server sees)."""
    transport = httpx.ASGITransport(app=app, client=(address, 1234))
    async with httpx.AsyncClient(
        transport=transport, base_url=BASE_URL, headers=headers or {}
    ) as client:
        yield client
