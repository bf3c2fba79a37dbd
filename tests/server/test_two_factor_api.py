"""Two-factor over HTTP: set it up, then sign in with a code."""

from __future__ import annotations

import time

import httpx
import pyotp

from openchance import OpenChance
from tests.factories.users import STRONG_PASSWORD, create_user
from tests.server.accounts import API, bearer, login


def _code(secret: str, steps_ago: int = 0) -> str:
    return pyotp.TOTP(secret).at(int(time.time()) - 30 * steps_ago)


async def _enable(client: httpx.AsyncClient, token: str) -> tuple[str, list[str]]:
    setup = await client.post(f"{API}/me/totp", headers=bearer(token))
    assert setup.status_code == 201, setup.text
    secret = setup.json()["secret"]
    confirmed = await client.post(
        f"{API}/me/totp/confirm", json={"code": _code(secret, 1)}, headers=bearer(token)
    )
    assert confirmed.status_code == 200, confirmed.text
    return secret, confirmed.json()["codes"]


def _credentials(code: str | None = None) -> dict[str, str]:
    body = {"email": "ada@example.org", "password": STRONG_PASSWORD}
    if code is not None:
        body["totp_code"] = code
    return body


class TestTwoFactorOverHttp:
    async def test_set_up_returns_the_qr_code_and_is_not_cached(
        self, oc: OpenChance, client: httpx.AsyncClient
    ) -> None:
        await create_user(oc, email="ada@example.org")
        token = (await login(client, "ada@example.org"))["token"]

        setup = await client.post(f"{API}/me/totp", headers=bearer(token))

        assert setup.headers["cache-control"] == "no-store"
        assert setup.json()["qr_svg"].lstrip().startswith("<svg")

    async def test_sign_in_then_needs_a_code(
        self, oc: OpenChance, client: httpx.AsyncClient
    ) -> None:
        await create_user(oc, email="ada@example.org")
        secret, _ = await _enable(client, (await login(client, "ada@example.org"))["token"])

        without = await client.post(f"{API}/auth/login", json=_credentials())
        with_code = await client.post(f"{API}/auth/login", json=_credentials(_code(secret)))

        assert without.status_code == 401
        assert without.json()["code"] == "totp_required"
        assert with_code.status_code == 200

    async def test_a_reused_code_is_refused(
        self, oc: OpenChance, client: httpx.AsyncClient
    ) -> None:
        await create_user(oc, email="ada@example.org")
        secret, _ = await _enable(client, (await login(client, "ada@example.org"))["token"])
        code = _code(secret)
        await client.post(f"{API}/auth/login", json=_credentials(code))

        again = await client.post(f"{API}/auth/login", json=_credentials(code))

        assert again.status_code == 401
        assert again.json()["code"] == "totp_reused"

    async def test_a_recovery_code_signs_in(
        self, oc: OpenChance, client: httpx.AsyncClient
    ) -> None:
        await create_user(oc, email="ada@example.org")
        _, codes = await _enable(client, (await login(client, "ada@example.org"))["token"])

        response = await client.post(f"{API}/auth/login", json=_credentials(codes[3]))

        assert response.status_code == 200

    async def test_disable_needs_the_password(
        self, oc: OpenChance, client: httpx.AsyncClient
    ) -> None:
        await create_user(oc, email="ada@example.org")
        token = (await login(client, "ada@example.org"))["token"]
        secret, _ = await _enable(client, token)

        wrong = await client.post(
            f"{API}/me/totp/disable",
            json={"password": "not-my-password", "code": _code(secret)},
            headers=bearer(token),
        )
        right = await client.post(
            f"{API}/me/totp/disable",
            json={"password": STRONG_PASSWORD, "code": _code(secret)},
            headers=bearer(token),
        )

        assert wrong.status_code == 401
        assert right.status_code == 204
