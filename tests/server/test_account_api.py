"""Deleting your account and personal access tokens, over HTTP."""

from __future__ import annotations

import httpx

from openchance import OpenChance, Role
from tests.factories.users import STRONG_PASSWORD, create_user
from tests.server.accounts import API, bearer, login


class TestDeleteAccountOverHttp:
    async def test_deleting_with_the_password_ends_the_session(
        self, oc: OpenChance, client: httpx.AsyncClient
    ) -> None:
        await create_user(oc, email="ada@example.org")
        token = (await login(client, "ada@example.org"))["token"]

        deleted = await client.request(
            "DELETE", f"{API}/me", json={"password": STRONG_PASSWORD}, headers=bearer(token)
        )
        after = await client.get(f"{API}/me", headers=bearer(token))

        assert deleted.status_code == 204
        assert after.status_code == 401

    async def test_a_wrong_password_is_401_and_keeps_the_account(
        self, oc: OpenChance, client: httpx.AsyncClient
    ) -> None:
        await create_user(oc, email="ada@example.org")
        token = (await login(client, "ada@example.org"))["token"]

        refused = await client.request(
            "DELETE", f"{API}/me", json={"password": "not-my-password"}, headers=bearer(token)
        )

        assert refused.status_code == 401
        assert (await client.get(f"{API}/me", headers=bearer(token))).status_code == 200


class TestTokensOverHttp:
    async def test_a_read_token_reads_but_cannot_write(
        self, oc: OpenChance, client: httpx.AsyncClient
    ) -> None:
        await create_user(oc, email="ada@example.org")
        session = (await login(client, "ada@example.org"))["token"]
        created = await client.post(
            f"{API}/me/tokens", json={"name": "ci", "scopes": ["read"]}, headers=bearer(session)
        )
        token = created.json()["token"]

        read = await client.get(f"{API}/me", headers=bearer(token))
        write = await client.patch(f"{API}/me", json={"display_name": "Bot"}, headers=bearer(token))

        assert created.status_code == 201
        assert read.status_code == 200
        assert write.status_code == 403
        assert write.json()["code"] == "insufficient_scope"


class TestAdminDeletion:
    async def test_an_admin_deletes_an_account(
        self, oc: OpenChance, client: httpx.AsyncClient
    ) -> None:
        await create_user(oc, email="boss@example.org", role=Role.ADMIN)
        user_id = await create_user(oc, email="ada@example.org")
        boss = (await login(client, "boss@example.org"))["token"]

        response = await client.post(
            f"{API}/admin/users/{user_id}/delete",
            json={"reason": "erasure request"},
            headers=bearer(boss),
        )

        assert response.status_code == 200
        assert response.json()["status"] == "deleted"
